/**
 * API Gateway WebSocket on one machine: a `ws` server that turns a client's upgrade, its
 * messages and its close into the `$connect`, `$default` and `$disconnect` events API
 * Gateway hands Lambda (APIGatewayProxyWebsocketEventV2), and, on the same port, the
 * API Gateway Management API (`POST`/`GET`/`DELETE /@connections/{connectionId}`) that the
 * real `@aws-sdk/client-apigatewaymanagementapi` client talks to when its `endpoint` is
 * this gateway's `managementEndpoint` — as on AWS, where the management endpoint is the
 * API's own host and stage.
 *
 * What it does the way API Gateway does:
 * - `$connect` runs before the upgrade completes; a non-2xx answer (or a throw, or no
 *   answer within the integration timeout) refuses the upgrade with that status. Until it
 *   answers, the connection cannot be posted to (410), so posting from `$connect` fails.
 * - Each message (text, or binary as base64) is one `$default` event; a throwing handler
 *   makes the gateway send the client `{"message":"Internal server error",…}`.
 * - A close — by the client, by `DELETE /@connections/{id}`, at the 10-minute idle timeout
 *   or the 2-hour limit — removes the connection and runs `$disconnect` once.
 * - PostToConnection to a connection that is not open answers 410 with
 *   `x-amzn-ErrorType: GoneException`; data over 128 KB answers 413.
 * Request signatures are not checked (any credentials do).
 *
 * For tests, `drop(id)` loses a connection without `$disconnect` (the socket is cut as a
 * network failure would), the case that only a push meeting 410 Gone cleans up.
 */
import { randomBytes } from "node:crypto";
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2, Context } from "aws-lambda";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { lambdaContext } from "./lambda-context.ts";

/** A Lambda handler of a WebSocket route. */
export type WebSocketHandler = (event: APIGatewayProxyWebsocketEventV2, context: Context) => Promise<APIGatewayProxyResultV2 | void | undefined>;

export type WebSocketRouteKey = "$connect" | "$disconnect" | "$default";

export interface WebSocketGatewayOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** The routes' handlers; a missing `$connect` accepts every upgrade. */
  routes: Partial<Record<WebSocketRouteKey, WebSocketHandler>>;
  /** Gateway diagnostics: refused connects, handler errors. */
  log?: (line: string) => void;
  /** One line per connect, disconnect and post, when given. */
  accessLog?: (line: string) => void;
  /** Closes a connection that has received nothing for this long (default 10 min, API Gateway's idle timeout). */
  idleTimeoutMs?: number;
  /** Closes every connection after this long (default 2 h, API Gateway's limit). */
  maxConnectionMs?: number;
  /** Integration timeout (default 29 s). */
  timeoutMs?: number;
}

export interface WebSocketGateway {
  /** `ws://127.0.0.1:<port>`: where clients connect (`?token=<JWT>`). */
  url: string;
  /** `http://127.0.0.1:<port>`: the Management API endpoint, for `NYANG_WS_MANAGEMENT_ENDPOINT`. */
  managementEndpoint: string;
  port: number;
  /** Ids of the open connections. */
  connectionIds(): string[];
  /** Cuts a connection without running `$disconnect` (a lost network); false when it is not open. */
  drop(connectionId: string): boolean;
  /** Closes every connection (running `$disconnect` for each, briefly awaited) and stops listening. */
  close(): Promise<void>;
}

/** PostToConnection's limit (API Gateway's WebSocket frame/message limit). */
export const POST_TO_CONNECTION_MAX_BYTES = 128 * 1024;
const MANAGEMENT_PATH = /^(?:\/[^/]*)*?\/@connections\/([^/?]+)$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

interface Open {
  id: string;
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  headers: Record<string, string>;
  idleTimer?: NodeJS.Timeout;
  lifeTimer?: NodeJS.Timeout;
  /** Set when the gateway itself ends the connection: no second `$disconnect`, or none at all (drop). */
  ending?: { notify: boolean; code: number; reason: string };
}

export async function startWebSocketGateway(options: WebSocketGatewayOptions): Promise<WebSocketGateway> {
  const host = options.host ?? "127.0.0.1";
  const log = options.log ?? ((line: string) => console.error(line));
  const access = options.accessLog ?? (() => {});
  const idleMs = options.idleTimeoutMs ?? 10 * 60_000;
  const lifeMs = options.maxConnectionMs ?? 2 * 3600_000;
  const timeoutMs = options.timeoutMs ?? 29_000;
  const open = new Map<string, Open>();
  const pendingDisconnects = new Set<Promise<void>>();
  let domainName = host;
  let closing = false;

  const wss = new WebSocketServer({ noServer: true, maxPayload: POST_TO_CONNECTION_MAX_BYTES });
  const server = createServer((req, res) => {
    void management(req, res).catch((error: unknown) => {
      log(`[ws-gateway] management request failed: ${describe(error)}`);
      if (!res.headersSent) sendJson(res, 500, { message: "Internal server error" });
    });
  });

  async function invoke(route: WebSocketRouteKey, event: APIGatewayProxyWebsocketEventV2): Promise<APIGatewayProxyResultV2 | void | undefined> {
    const handler = options.routes[route];
    if (!handler) return undefined;
    const deadline = Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        handler(event, lambdaContext(`nyang-ws-${route.slice(1)}`, deadline)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${route} handler did not answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  function baseContext(route: WebSocketRouteKey, eventType: "CONNECT" | "MESSAGE" | "DISCONNECT", c: { id: string; connectedAt: number; sourceIp: string; userAgent: string }) {
    const now = new Date();
    return {
      routeKey: route,
      eventType,
      extendedRequestId: requestId(),
      requestTime: apiGatewayTime(now),
      messageDirection: "IN" as const,
      stage: "$default",
      connectedAt: c.connectedAt,
      requestTimeEpoch: now.getTime(),
      identity: { sourceIp: c.sourceIp, userAgent: c.userAgent },
      requestId: requestId(),
      domainName,
      connectionId: c.id,
      apiId: "local",
    };
  }

  // --- $connect ------------------------------------------------------------------------
  server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    void connect(req, socket, head).catch((error: unknown) => {
      log(`[ws-gateway] connect failed: ${describe(error)}`);
      refuse(socket, 500, JSON.stringify({ message: "Internal server error" }));
    });
  });

  async function connect(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    if (closing) return refuse(socket, 503, JSON.stringify({ message: "Service Unavailable" }));
    const headers = headersOf(req);
    const c = {
      id: connectionId(),
      connectedAt: Date.now(),
      sourceIp: (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
      userAgent: headers["user-agent"] ?? "",
    };
    const url = new URL(req.url ?? "/", "http://local");
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
    const event = {
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
      requestContext: baseContext("$connect", "CONNECT", c),
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyWebsocketEventV2;

    let result: APIGatewayProxyResultV2 | void | undefined;
    try {
      result = await invoke("$connect", event);
    } catch (error) {
      log(`[ws-gateway] ${c.id} $connect threw: ${describe(error)}`);
      return refuse(socket, 500, JSON.stringify({ message: "Internal server error" }));
    }
    const { status, body } = statusOf(result);
    if (status < 200 || status > 299) {
      access(`[ws] ${c.id} refused ${status}`);
      return refuse(socket, status, body);
    }
    if (socket.destroyed || closing) {
      // The client gave up while $connect ran: API Gateway still tells $disconnect.
      void disconnect({ ...c, headers }, 1006, "Going away");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, { ...c, headers }));
  }

  function accept(socket: WebSocket, c: Omit<Open, "socket" | "lastActiveAt">): void {
    const conn: Open = { ...c, socket, lastActiveAt: Date.now() };
    open.set(conn.id, conn);
    access(`[ws] ${conn.id} connected`);
    const idle = () => {
      clearTimeout(conn.idleTimer);
      conn.idleTimer = setTimeout(() => end(conn, { notify: true, code: 1001, reason: "Going away" }), idleMs);
      conn.idleTimer.unref();
    };
    idle();
    conn.lifeTimer = setTimeout(() => end(conn, { notify: true, code: 1001, reason: "Going away" }), lifeMs);
    conn.lifeTimer.unref();

    socket.on("message", (data: RawData, isBinary: boolean) => {
      conn.lastActiveAt = Date.now();
      idle();
      void message(conn, toBuffer(data), isBinary);
    });
    socket.on("error", (error) => log(`[ws-gateway] ${conn.id} socket error: ${error.message}`));
    socket.once("close", (code: number, reason: Buffer) => {
      clearTimeout(conn.idleTimer);
      clearTimeout(conn.lifeTimer);
      if (open.get(conn.id) === conn) open.delete(conn.id);
      const ending = conn.ending;
      if (ending && !ending.notify) {
        access(`[ws] ${conn.id} dropped (no $disconnect)`);
        return;
      }
      void disconnect(conn, ending?.code ?? code, ending?.reason ?? reason.toString("utf8"));
    });
  }

  /** Ends a connection from the gateway's side. */
  function end(conn: Open, how: NonNullable<Open["ending"]>): void {
    if (conn.ending) return;
    conn.ending = how;
    open.delete(conn.id);
    if (how.notify) conn.socket.close(how.code, how.reason);
    else conn.socket.terminate();
  }

  // --- $default ------------------------------------------------------------------------
  async function message(conn: Open, data: Buffer, isBinary: boolean): Promise<void> {
    const context = { ...baseContext("$default", "MESSAGE", conn), messageId: requestId() };
    const event = {
      requestContext: context,
      body: isBinary ? data.toString("base64") : data.toString("utf8"),
      isBase64Encoded: isBinary,
    } as APIGatewayProxyWebsocketEventV2;
    try {
      await invoke("$default", event);
    } catch (error) {
      log(`[ws-gateway] ${conn.id} $default threw: ${describe(error)}`);
      if (conn.socket.readyState === WebSocket.OPEN) {
        conn.socket.send(JSON.stringify({ message: "Internal server error", connectionId: conn.id, requestId: context.requestId }));
      }
    }
  }

  // --- $disconnect ---------------------------------------------------------------------
  function disconnect(conn: Pick<Open, "id" | "connectedAt" | "sourceIp" | "userAgent" | "headers">, code: number, reason: string): Promise<void> {
    access(`[ws] ${conn.id} disconnected ${code}`);
    const event = {
      headers: conn.headers,
      multiValueHeaders: Object.fromEntries(Object.entries(conn.headers).map(([k, v]) => [k, [v]])),
      requestContext: { ...baseContext("$disconnect", "DISCONNECT", conn), disconnectStatusCode: code, disconnectReason: reason },
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyWebsocketEventV2;
    const done = invoke("$disconnect", event)
      .then(() => undefined)
      .catch((error: unknown) => log(`[ws-gateway] ${conn.id} $disconnect threw: ${describe(error)}`));
    pendingDisconnects.add(done);
    void done.finally(() => pendingDisconnects.delete(done));
    return done;
  }

  // --- Management API ------------------------------------------------------------------
  async function management(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const match = MANAGEMENT_PATH.exec(path);
    if (!match) {
      req.resume();
      return sendJson(res, 403, { message: "Forbidden" }, "ForbiddenException");
    }
    let id: string;
    try {
      id = decodeURIComponent(match[1]!);
    } catch {
      req.resume();
      return sendJson(res, 400, { message: "Invalid connection id" }, "BadRequestException");
    }
    const conn = open.get(id);
    const live = conn && conn.socket.readyState === WebSocket.OPEN ? conn : undefined;
    switch (req.method) {
      case "POST": {
        const body = await readBody(req, POST_TO_CONNECTION_MAX_BYTES);
        if (body === "too_large") {
          return sendJson(res, 413, { message: `Message too long. Max size is ${POST_TO_CONNECTION_MAX_BYTES} bytes` }, "PayloadTooLargeException");
        }
        if (!live) {
          access(`[ws] post ${id}: 410 gone`);
          return sendJson(res, 410, { message: "Gone" }, "GoneException");
        }
        // API Gateway delivers posted data as a text frame when it is UTF-8 text.
        const text = new TextDecoder("utf-8", { fatal: false }).decode(body);
        const isText = Buffer.from(text, "utf8").equals(body);
        await new Promise<void>((resolve, reject) => live.socket.send(isText ? text : body, { binary: !isText }, (e) => (e ? reject(e) : resolve())));
        access(`[ws] post ${id}: ${body.length} bytes`);
        res.statusCode = 200;
        res.setHeader("content-length", 0);
        return void res.end();
      }
      case "GET": {
        req.resume();
        if (!live) return sendJson(res, 410, { message: "Gone" }, "GoneException");
        return sendJson(res, 200, {
          connectedAt: new Date(live.connectedAt).toISOString(),
          identity: { sourceIp: live.sourceIp, userAgent: live.userAgent },
          lastActiveAt: new Date(live.lastActiveAt).toISOString(),
        });
      }
      case "DELETE": {
        req.resume();
        if (!live) return sendJson(res, 410, { message: "Gone" }, "GoneException");
        end(live, { notify: true, code: 1000, reason: "" });
        res.statusCode = 204;
        return void res.end();
      }
      default:
        req.resume();
        return sendJson(res, 403, { message: "Forbidden" }, "ForbiddenException");
    }
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostPart = host.includes(":") ? `[${host}]` : host;
  domainName = `${hostPart}:${port}`;
  let closed: Promise<void> | undefined;

  return {
    url: `ws://${hostPart}:${port}`,
    managementEndpoint: `http://${hostPart}:${port}`,
    port,
    connectionIds: () => [...open.keys()],
    drop(id) {
      const conn = open.get(id);
      if (!conn) return false;
      end(conn, { notify: false, code: 1006, reason: "" });
      return true;
    },
    close() {
      closed ??= (async () => {
        closing = true;
        for (const conn of [...open.values()]) end(conn, { notify: true, code: 1001, reason: "Going away" });
        // Give the close handshakes and their $disconnects a moment; then cut what is left.
        const giveUpAt = Date.now() + 2_000;
        while (wss.clients.size > 0 && Date.now() < giveUpAt) await new Promise((r) => setTimeout(r, 10));
        for (const client of wss.clients) client.terminate();
        await Promise.race([Promise.all([...pendingDisconnects]), new Promise((r) => setTimeout(r, Math.max(0, giveUpAt - Date.now())).unref())]);
        wss.close();
        await new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        });
      })();
      return closed;
    },
  };
}

/** The status and body of a `$connect` result, as API Gateway reads it (no result or no statusCode: 200). */
function statusOf(result: APIGatewayProxyResultV2 | void | undefined): { status: number; body: string } {
  if (result === undefined || result === null || typeof result !== "object") return { status: 200, body: "" };
  const r = result as { statusCode?: unknown; body?: unknown };
  const status = typeof r.statusCode === "number" ? r.statusCode : 200;
  return { status, body: typeof r.body === "string" ? r.body : "" };
}

/** Refuses an upgrade with a plain HTTP response, as API Gateway does when `$connect` says no. */
function refuse(socket: Socket, status: number, body: string): void {
  if (socket.destroyed) return;
  const payload = Buffer.from(body, "utf8");
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\n` +
      "Content-Type: application/json\r\n" +
      `Content-Length: ${payload.length}\r\n` +
      "Connection: close\r\n\r\n" +
      payload.toString("utf8"),
  );
}

function sendJson(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const payload = Buffer.from(JSON.stringify(body), "utf8");
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.setHeader("content-length", payload.length);
  if (errorType) res.setHeader("x-amzn-errortype", errorType);
  res.end(payload);
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? "";
    const value = req.rawHeaders[i + 1] ?? "";
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return headers;
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | "too_large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) over = true;
      if (!over) chunks.push(chunk);
    });
    req.once("end", () => resolve(over ? "too_large" : Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** Shaped like API Gateway's connection ids (`L0SM9cOFvHcCIhw=`): 10 random bytes, base64. */
function connectionId(): string {
  return randomBytes(10).toString("base64");
}

function requestId(): string {
  return randomBytes(10).toString("base64");
}

/** `12/Mar/2020:19:03:58 +0000`, the format of `requestContext.requestTime`. */
function apiGatewayTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
