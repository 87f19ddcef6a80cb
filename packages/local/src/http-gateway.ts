/**
 * API Gateway HTTP API on one machine: a node:http server that hands every request to a
 * Lambda handler as a payload format 2.0 event and turns the handler's result into the
 * HTTP response the way API Gateway does, so the handler runs here exactly as on AWS.
 */
import { randomBytes } from "node:crypto";
import { lambdaContext } from "./lambda-context.ts";
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { AddressInfo } from "node:net";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";

/** A Lambda handler for HTTP API payload format 2.0 events (any object result is allowed, as API Gateway allows it). */
export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2<object>>;

/** One finished request, for access logs. */
export interface AccessLogEntry {
  method: string;
  path: string;
  status: number;
  ms: number;
  requestId: string;
}

/** Options for {@link startHttpGateway}. */
export interface HttpGatewayOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to listen on (default 127.0.0.1: nothing outside this machine reaches dev data). */
  host?: string;
  handler: HttpHandler;
  /** Gateway diagnostics: handler errors, ignored response fields. */
  log?: (line: string) => void;
  /** Called once per finished request. */
  accessLog?: (entry: AccessLogEntry) => void;
  /** Lambda function name shown in the context (default `nyang-http`). */
  functionName?: string;
  /** Integration timeout in ms (default 30 000, API Gateway's maximum). */
  timeoutMs?: number;
  /** Request body cap in bytes (default 10 MB, API Gateway's payload limit). */
  maxBodyBytes?: number;
}

/** A listening gateway. */
export interface HttpGateway {
  /** Base URL, e.g. `http://127.0.0.1:3020`. */
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish briefly, then closes every socket. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 10 * 1024 * 1024;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Starts the gateway and resolves once it listens. */
export async function startHttpGateway(options: HttpGatewayOptions): Promise<HttpGateway> {
  const host = options.host ?? "127.0.0.1";
  const log = options.log ?? ((line: string) => console.error(line));
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const functionName = options.functionName ?? "nyang-http";
  let warnedMultiValue = false;

  const server = createServer((req, res) => {
    const started = performance.now();
    const requestId = apiGatewayRequestId();
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    res.setHeader("apigw-requestid", requestId);
    // 'close' rather than 'finish': a client that hangs up early is worth a log line too.
    res.once("close", () => {
      options.accessLog?.({
        method: req.method ?? "GET",
        path,
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
        requestId,
      });
    });

    void handleRequest(req, res, requestId).catch((error: unknown) => {
      log(`[http-gateway] ${requestId} failed while responding: ${describe(error)}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // Drop whatever the bad result managed to set before it failed (an invalid header value, say).
      for (const name of res.getHeaderNames()) if (name !== "apigw-requestid") res.removeHeader(name);
      sendError(res, 500, "internal", "Internal server error");
    });
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const body = await readBody(req, maxBody);
    if (body === "too_large") {
      // The rest of the upload is never read, so the connection cannot be reused.
      res.setHeader("connection", "close");
      sendError(res, 413, "payload_too_large", `Request body exceeds ${maxBody} bytes`);
      return;
    }

    const now = new Date();
    const event = toEvent(req, body, requestId, now);
    const deadline = now.getTime() + timeoutMs;
    const context = lambdaContext(functionName, deadline);

    let result: APIGatewayProxyResultV2<object>;
    let timer: NodeJS.Timeout | undefined;
    try {
      const outcome = await Promise.race([
        options.handler(event, context).then((value) => ({ value })),
        new Promise<"timeout">((resolveTimeout) => {
          timer = setTimeout(() => resolveTimeout("timeout"), timeoutMs);
        }),
      ]);
      if (outcome === "timeout") {
        log(`[http-gateway] ${requestId} ${event.requestContext.http.method} ${event.rawPath}: handler did not answer within ${timeoutMs} ms`);
        sendError(res, 504, "gateway_timeout", "Endpoint request timed out");
        return;
      }
      result = outcome.value;
    } catch (error) {
      // Like API Gateway: the client learns only that it failed; the log gets the details.
      log(`[http-gateway] ${requestId} ${event.requestContext.http.method} ${event.rawPath}: handler threw: ${describe(error)}`);
      sendError(res, 500, "internal", "Internal server error");
      return;
    } finally {
      clearTimeout(timer);
    }

    if (!warnedMultiValue && isObject(result) && "multiValueHeaders" in result) {
      warnedMultiValue = true;
      log("[http-gateway] the handler returned multiValueHeaders, which API Gateway ignores for payload format 2.0 (use cookies or comma-joined headers); ignoring them here too");
    }
    writeResult(res, result);
  }

  // A request Node cannot parse (a NUL or DEL in a header, a malformed request line) never
  // reaches the handler. API Gateway refuses such requests itself with a 400; Node's default
  // answer has no body, so clients would meet the one error without the API's error shape.
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, code, message]: [number, string, string] =
      error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "request_timeout", "The request was not received in time"]
        : error.code === "HPE_HEADER_OVERFLOW"
          ? [431, "validation_failed", "The request's headers are too large"]
          : [400, "validation_failed", `The request is not valid HTTP (${error.code ?? "parse error"}): a header name or value holds a character HTTP forbids, or the request line is malformed`];
    log(`[http-gateway] refused a malformed request: ${error.code ?? error.message}`);
    socket.end(rawErrorResponse(status, code, message));
  });

  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolveListen();
    });
  });

  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeIdleConnections();
        // Keep-alive sockets in use would hold close() open forever; give requests a moment.
        setTimeout(() => server.closeAllConnections(), 1_000).unref();
      });
      return closing;
    },
  };
}

/** Builds the payload format 2.0 event API Gateway would send for this request. */
export function toEvent(req: IncomingMessage, body: Buffer, requestId: string, now: Date): APIGatewayProxyEventV2 {
  const target = req.url ?? "/";
  const queryAt = target.indexOf("?");
  const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
  const rawQueryString = queryAt === -1 ? "" : target.slice(queryAt + 1);

  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? "").toLowerCase();
    const value = req.rawHeaders[i + 1] ?? "";
    // API Gateway moves cookies out of the headers into `cookies`, one entry per name=value.
    if (name === "cookie") {
      cookies.push(...value.split(";").map((c) => c.trim()).filter((c) => c !== ""));
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const sourceIp = (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, "");
  headers["x-forwarded-for"] = headers["x-forwarded-for"] ? `${headers["x-forwarded-for"]}, ${sourceIp}` : sourceIp;
  headers["x-forwarded-proto"] ??= "http";
  headers["x-forwarded-port"] ??= String(req.socket.localPort ?? "");

  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    query[key] = key in query ? `${query[key]},${value}` : value;
  }

  const domainName = (headers.host ?? "localhost").replace(/:\d+$/, "");
  const method = (req.method ?? "GET").toUpperCase();
  const event: APIGatewayProxyEventV2 = {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName,
      domainPrefix: domainName.split(".")[0] ?? domainName,
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId,
      routeKey: "$default",
      stage: "$default",
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  // Optional fields are absent, not empty, when the request has none: handlers on AWS see that.
  if (cookies.length > 0) event.cookies = cookies;
  if (Object.keys(query).length > 0) event.queryStringParameters = query;
  if (body.length > 0) {
    if (isTextual(headers["content-type"])) {
      event.body = body.toString("utf8");
    } else {
      event.body = body.toString("base64");
      event.isBase64Encoded = true;
    }
  }
  return event;
}

/** Content types API Gateway passes as text; everything else (including none) arrives base64-encoded. */
function isTextual(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  return (
    type.startsWith("text/") ||
    type === "application/json" ||
    type.endsWith("+json") ||
    type === "application/xml" ||
    type.endsWith("+xml") ||
    type === "application/javascript"
  );
}

/** `12/Mar/2020:19:03:58 +0000`, the format of `requestContext.time`. */
export function apiGatewayTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** Shaped like API Gateway's own ids (`Vw2ZbjxVoAMEVKw=`) so log tooling treats them alike. */
function apiGatewayRequestId(): string {
  return randomBytes(10).toString("base64");
}


function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | "too_large"> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve("too_large");
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        done = true;
        req.pause();
        resolveBody("too_large");
        return;
      }
      chunks.push(chunk);
    });
    req.once("end", () => {
      if (!done) resolveBody(Buffer.concat(chunks));
    });
    req.once("error", reject);
  });
}

/** Maps a handler result to the response, following API Gateway's format 2.0 rules. */
function writeResult(res: ServerResponse, result: APIGatewayProxyResultV2<object>): void {
  // Without a statusCode API Gateway infers the response: 200, JSON, the result as the body.
  if (!isObject(result) || typeof result.statusCode !== "number") {
    const body = typeof result === "string" ? result : JSON.stringify(result);
    send(res, 200, { "content-type": "application/json" }, [], Buffer.from(body ?? "", "utf8"));
    return;
  }
  const structured = result as unknown as APIGatewayProxyStructuredResultV2 & { statusCode: number };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) {
    if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
  }
  const body =
    structured.body === undefined || structured.body === null
      ? Buffer.alloc(0)
      : Buffer.from(structured.body, structured.isBase64Encoded ? "base64" : "utf8");
  send(res, structured.statusCode, headers, structured.cookies ?? [], body);
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, cookies: string[], body: Buffer): void {
  const setCookie = [...(headers["set-cookie"] ? [headers["set-cookie"]] : []), ...cookies];
  delete headers["set-cookie"];
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (setCookie.length > 0) res.setHeader("set-cookie", setCookie);
  res.setHeader("content-length", body.length);
  res.end(body);
}

/** An error response written straight to a socket the HTTP parser gave up on, closing it. */
function rawErrorResponse(status: number, code: string, message: string): string {
  const body = errorBody(code, message);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body.toString("utf8")}`;
}

function errorBody(code: string, message: string): Buffer {
  return Buffer.from(JSON.stringify({ error: { code, message } }), "utf8");
}

/** The error shape of the Nyang API, so clients parse gateway-made errors like the API's own. */
function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { "content-type": "application/json" }, [], errorBody(code, message));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
