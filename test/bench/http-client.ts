/** A minimal keep-alive HTTP client (node:http with a pooling Agent): low overhead in the shared event loop. */
import { Agent, request } from "node:http";
import { onCleanup } from "./lifecycle.ts";

export interface HttpReply {
  status: number;
  body: string;
}

export interface HttpClient {
  post(path: string, headers: Record<string, string>, body: string): Promise<HttpReply>;
  get(path: string, headers: Record<string, string>): Promise<HttpReply>;
}

export function keepAliveClient(baseUrl: string, maxSockets: number): HttpClient {
  const base = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  onCleanup("HTTP keep-alive agent", () => agent.destroy());
  const send = (method: string, path: string, headers: Record<string, string>, body?: string) =>
    new Promise<HttpReply>((resolve, reject) => {
      const req = request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method,
          path,
          headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.once("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          res.once("error", reject);
        },
      );
      req.once("error", reject);
      req.end(body);
    });
  return {
    post: (path, headers, body) => send("POST", path, headers, body),
    get: (path, headers) => send("GET", path, headers),
  };
}

/** `HTTP 402 insufficient_coins` from an error reply of the API. */
export function replyError(reply: HttpReply): string {
  let code = "";
  try {
    code = (JSON.parse(reply.body) as { error?: { code?: string; details?: { reason?: string } } }).error?.code ?? "";
    const reason = (JSON.parse(reply.body) as { error?: { details?: { reason?: string } } }).error?.details?.reason;
    if (reason) code += `/${reason}`;
  } catch {
    // not JSON
  }
  return `HTTP ${reply.status}${code ? ` ${code}` : ""}`;
}
