import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A 127.0.0.1 HTTP proxy between a client and the API that plays the network's and the
 * platform's failures, one scripted fault per request:
 *
 * - `drop`: forward, let the API answer in full (so it *has* applied the request), then cut
 *   the client's connection without a byte of the answer: a response lost on the way back.
 * - `replace-503`: forward, let the API answer, then answer the client 503 instead (a gateway
 *   that failed after the integration ran).
 * - `429` / `503`: answer at once without forwarding, as API Gateway's throttling or an
 *   overloaded platform would; `429` carries docs/api.md's `account_busy` body and `Retry-After`.
 * - `pass`: forward unchanged (also what happens when the script is empty).
 */
export type Fault = "pass" | "drop" | "replace-503" | "429" | "503";

export interface ProxiedRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  fault: Fault;
  /** The API's status, when the request reached it. */
  upstreamStatus: number | null;
  /** The status the client got (null: the connection was cut). */
  clientStatus: number | null;
}

export interface FaultProxy {
  url: string;
  /** Queues faults for the next requests, in order. */
  script(...faults: Fault[]): void;
  /** Faults still queued. */
  pending(): number;
  /** Every request seen, oldest first. */
  readonly log: ProxiedRequest[];
  /** `Retry-After` the synthetic 429 sends, in seconds (default "0"). */
  retryAfter: string;
  close(): Promise<void>;
}

export async function startFaultProxy(upstreamUrl: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  const queue: Fault[] = [];
  const log: ProxiedRequest[] = [];
  const proxy: Omit<FaultProxy, "url" | "close"> = {
    script: (...faults) => void queue.push(...faults),
    pending: () => queue.length,
    log,
    retryAfter: "0",
  };

  const forward = (req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const out = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on("error", reject);
        },
      );
      out.on("error", reject);
      out.end(body);
    });

  const synthetic = (res: ServerResponse, status: number, code: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", "apigw-requestid": `proxy-${log.length}`, ...headers });
    res.end(JSON.stringify({ error: { code, message: `fault proxy: ${status}` } }));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const fault = queue.shift() ?? "pass";
      const entry: ProxiedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        idempotencyKey: (req.headers["idempotency-key"] as string | undefined) ?? null,
        fault,
        upstreamStatus: null,
        clientStatus: null,
      };
      log.push(entry);
      if (fault === "429") {
        entry.clientStatus = 429;
        return synthetic(res, 429, "account_busy", { "retry-after": proxy.retryAfter });
      }
      if (fault === "503") {
        entry.clientStatus = 503;
        return synthetic(res, 503, "internal");
      }
      forward(req, Buffer.concat(chunks)).then(
        (answer) => {
          entry.upstreamStatus = answer.status;
          if (fault === "drop") {
            // The API has answered (and applied the request); the client hears nothing.
            req.socket.destroy();
            return;
          }
          if (fault === "replace-503") {
            entry.clientStatus = 503;
            return synthetic(res, 503, "internal");
          }
          entry.clientStatus = answer.status;
          const headers = { ...answer.headers };
          delete headers["transfer-encoding"];
          delete headers.connection;
          res.writeHead(answer.status, headers);
          res.end(answer.body);
        },
        () => req.socket.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...proxy,
    get retryAfter() {
      return proxy.retryAfter;
    },
    set retryAfter(v: string) {
      proxy.retryAfter = v;
    },
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
