import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import type { APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startWebSocketGateway, type WebSocketGateway, type WebSocketHandler, type WebSocketRouteKey } from "./ws-gateway.ts";

type Seen = APIGatewayProxyWebsocketEventV2 & {
  headers?: Record<string, string>;
  requestContext: APIGatewayProxyWebsocketEventV2["requestContext"] & { disconnectStatusCode?: number; identity?: { sourceIp: string } };
};

const events: { route: WebSocketRouteKey; event: Seen }[] = [];
const logged: string[] = [];
/** What the next $connect answers; a function of the event. */
let onConnect: (event: Seen) => Promise<unknown> = async () => ({ statusCode: 200 });
let onMessage: (event: Seen) => Promise<unknown> = async () => undefined;

let gateway: WebSocketGateway;
let client: ApiGatewayManagementApiClient;
const sockets: WebSocket[] = [];

const recorder = (route: WebSocketRouteKey, then?: (e: Seen) => Promise<unknown>): WebSocketHandler =>
  (async (event) => {
    events.push({ route, event: event as Seen });
    return then?.(event as Seen);
  }) as WebSocketHandler;

beforeAll(async () => {
  gateway = await startWebSocketGateway({
    port: 0,
    routes: {
      $connect: recorder("$connect", (e) => onConnect(e)),
      $default: recorder("$default", (e) => onMessage(e)),
      $disconnect: recorder("$disconnect"),
    },
    log: (line) => logged.push(line),
  });
  // The real client, as the stream consumer builds it, with dummy credentials.
  client = new ApiGatewayManagementApiClient({
    endpoint: gateway.managementEndpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await gateway.close();
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  // Let the cut sockets' $disconnects land before the next test starts counting.
  await until(() => gateway.connectionIds().length === 0);
  await new Promise((r) => setTimeout(r, 30));
  events.length = 0;
  logged.length = 0;
  onConnect = async () => ({ statusCode: 200 });
  onMessage = async () => undefined;
});

/** Opens a client; resolves with it and the id the gateway gave it. */
async function open(query = "?token=t1"): Promise<{ ws: WebSocket; id: string; inbox: string[] }> {
  const before = new Set(gateway.connectionIds());
  const ws = new WebSocket(`${gateway.url}/${query}`);
  sockets.push(ws);
  const inbox: string[] = [];
  ws.on("message", (data) => inbox.push(data.toString()));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const id = gateway.connectionIds().find((c) => !before.has(c));
  if (!id) throw new Error("no new connection id");
  return { ws, id, inbox };
}

/** Tries to open a client that should be refused; resolves with the HTTP status. */
function refusedStatus(query: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${gateway.url}/${query}`);
    sockets.push(ws);
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once("open", () => reject(new Error("the upgrade was accepted")));
    ws.on("error", () => undefined);
  });
}

const until = async (check: () => boolean, ms = 2_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
};
const post = (id: string, data: string) => client.send(new PostToConnectionCommand({ ConnectionId: id, Data: new TextEncoder().encode(data) }));
const ofRoute = (route: WebSocketRouteKey) => events.filter((e) => e.route === route).map((e) => e.event);

describe("local API Gateway WebSocket: routes", () => {
  it("an upgrade is a $connect event in API Gateway's shape; a 2xx answer opens the socket", async () => {
    const { id } = await open("?token=abc&x=1");
    const [connect] = ofRoute("$connect");
    expect(connect).toBeDefined();
    expect(connect!.requestContext).toMatchObject({
      routeKey: "$connect",
      eventType: "CONNECT",
      messageDirection: "IN",
      connectionId: id,
      stage: "$default",
      apiId: "local",
      domainName: `127.0.0.1:${gateway.port}`,
    });
    expect(typeof connect!.requestContext.connectedAt).toBe("number");
    expect(typeof connect!.requestContext.requestId).toBe("string");
    expect(connect!.requestContext.identity?.sourceIp).toBe("127.0.0.1");
    expect(connect!.queryStringParameters).toEqual({ token: "abc", x: "1" });
    expect(connect!.isBase64Encoded).toBe(false);
    expect(Object.keys(connect!.headers ?? {}).map((h) => h.toLowerCase())).toContain("sec-websocket-key");
    expect(id).toMatch(/^[A-Za-z0-9+/]{14}==?$/);
  });

  it("a non-2xx answer refuses the upgrade with that status and opens nothing; a throw refuses with 500", async () => {
    onConnect = async () => ({ statusCode: 401, body: '{"error":{"code":"unauthorized"}}' });
    expect(await refusedStatus("?token=bad")).toBe(401);
    onConnect = async () => ({ statusCode: 403 });
    expect(await refusedStatus("")).toBe(403);
    onConnect = async () => {
      throw new Error("boom");
    };
    expect(await refusedStatus("")).toBe(500);
    expect(gateway.connectionIds()).toEqual([]);
    expect(ofRoute("$disconnect")).toEqual([]);
  });

  it("a connection cannot be posted to while $connect runs (never post from $connect)", async () => {
    let during: unknown;
    onConnect = async (e) => {
      during = await post(e.requestContext.connectionId, "too early").catch((err: unknown) => err);
      return { statusCode: 200 };
    };
    const { id, inbox } = await open();
    expect(during).toBeInstanceOf(GoneException);
    await post(id, "now");
    await until(() => inbox.length === 1);
    expect(inbox).toEqual(["now"]);
  });

  it("each message is a $default event: text as is, binary as base64", async () => {
    const { ws, id } = await open();
    ws.send("hello");
    ws.send(Buffer.from([0, 1, 2, 255]));
    await until(() => ofRoute("$default").length === 2);
    const [text, binary] = ofRoute("$default").sort((a) => (a.isBase64Encoded ? 1 : -1));
    expect(text!.requestContext).toMatchObject({ routeKey: "$default", eventType: "MESSAGE", connectionId: id });
    expect(typeof text!.requestContext.messageId).toBe("string");
    expect(text!.body).toBe("hello");
    expect(text!.isBase64Encoded).toBe(false);
    expect(binary!.body).toBe(Buffer.from([0, 1, 2, 255]).toString("base64"));
    expect(binary!.isBase64Encoded).toBe(true);
  });

  it("a $default handler that throws makes the gateway tell the client, as API Gateway does", async () => {
    onMessage = async () => {
      throw new Error("bad");
    };
    const { ws, id, inbox } = await open();
    ws.send("x");
    await until(() => inbox.length === 1);
    expect(JSON.parse(inbox[0]!)).toMatchObject({ message: "Internal server error", connectionId: id });
  });

  it("a client's close is one $disconnect with the connection id and the close code; posting to it then is 410", async () => {
    const { ws, id } = await open();
    ws.close(1000, "bye");
    await until(() => ofRoute("$disconnect").length === 1);
    const [d] = ofRoute("$disconnect");
    expect(d!.requestContext).toMatchObject({ routeKey: "$disconnect", eventType: "DISCONNECT", connectionId: id, disconnectStatusCode: 1000 });
    expect(gateway.connectionIds()).not.toContain(id);
    await expect(post(id, "late")).rejects.toBeInstanceOf(GoneException);
    await new Promise((r) => setTimeout(r, 50));
    expect(ofRoute("$disconnect")).toHaveLength(1);
  });

  it("a client whose socket is cut (no close frame) still gets its $disconnect", async () => {
    const { ws, id } = await open();
    ws.terminate();
    await until(() => ofRoute("$disconnect").some((e) => e.requestContext.connectionId === id));
  });

  it("drop() loses a connection without $disconnect: only a post finds out (410)", async () => {
    const { ws, id } = await open();
    const closed = new Promise((r) => ws.once("close", r));
    expect(gateway.drop(id)).toBe(true);
    await closed;
    await expect(post(id, "anyone?")).rejects.toBeInstanceOf(GoneException);
    await new Promise((r) => setTimeout(r, 50));
    expect(ofRoute("$disconnect")).toEqual([]);
    expect(gateway.drop(id)).toBe(false);
  });
});

describe("local API Gateway WebSocket: Management API with the real SDK client", () => {
  it("PostToConnection delivers the data as a text frame to that connection only", async () => {
    const a = await open();
    const b = await open();
    await post(a.id, JSON.stringify({ type: "balance_update", balance: "97.00" }));
    await post(a.id, "두 번째");
    await until(() => a.inbox.length === 2);
    expect(a.inbox).toEqual(['{"type":"balance_update","balance":"97.00"}', "두 번째"]);
    await new Promise((r) => setTimeout(r, 30));
    expect(b.inbox).toEqual([]);
  });

  it("answers 410 GoneException for an unknown connection, and 413 over 128 KB", async () => {
    await expect(post("bm9uZXhpc3RlbnQ=", "x")).rejects.toBeInstanceOf(GoneException);
    const { id } = await open();
    await expect(post(id, "x".repeat(128 * 1024 + 1))).rejects.toMatchObject({ name: "PayloadTooLargeException" });
  });

  it("GetConnection describes a live connection; DeleteConnection closes it and runs $disconnect", async () => {
    const { ws, id } = await open();
    const info = await client.send(new GetConnectionCommand({ ConnectionId: id }));
    expect(info.ConnectedAt).toBeInstanceOf(Date);
    expect(Math.abs(info.ConnectedAt!.getTime() - Date.now())).toBeLessThan(5_000);
    expect(info.Identity?.SourceIp).toBe("127.0.0.1");
    expect(info.LastActiveAt).toBeInstanceOf(Date);

    const closed = new Promise<number>((r) => ws.once("close", (code) => r(code)));
    await client.send(new DeleteConnectionCommand({ ConnectionId: id }));
    expect(await closed).toBe(1000);
    await until(() => ofRoute("$disconnect").some((e) => e.requestContext.connectionId === id));
    await expect(client.send(new GetConnectionCommand({ ConnectionId: id }))).rejects.toBeInstanceOf(GoneException);
    await expect(client.send(new DeleteConnectionCommand({ ConnectionId: id }))).rejects.toBeInstanceOf(GoneException);
  });
});

describe("local API Gateway WebSocket: limits and shutdown", () => {
  it("closes an idle connection (1001) and runs $disconnect; messages keep it alive", async () => {
    const g = await startWebSocketGateway({ port: 0, idleTimeoutMs: 150, routes: { $disconnect: recorder("$disconnect") }, log: () => undefined });
    try {
      const ws = new WebSocket(g.url);
      sockets.push(ws);
      await new Promise((r) => ws.once("open", r));
      const closed = new Promise<number>((r) => ws.once("close", (code) => r(code)));
      const started = Date.now();
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 80));
        ws.send("ping");
      }
      expect(g.connectionIds()).toHaveLength(1);
      expect(await closed).toBe(1001);
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
      await until(() => ofRoute("$disconnect").length === 1);
    } finally {
      await g.close();
    }
  });

  it("close() ends every connection, runs their $disconnects and stops listening", async () => {
    const g = await startWebSocketGateway({ port: 0, routes: { $disconnect: recorder("$disconnect") }, log: () => undefined });
    const clients = await Promise.all(
      [1, 2].map(async () => {
        const ws = new WebSocket(g.url);
        sockets.push(ws);
        await new Promise((r) => ws.once("open", r));
        return ws;
      }),
    );
    const codes = clients.map((ws) => new Promise<number>((r) => ws.once("close", (code) => r(code))));
    await g.close();
    expect(await Promise.all(codes)).toEqual([1001, 1001]);
    expect(ofRoute("$disconnect")).toHaveLength(2);
    const again = new WebSocket(g.url);
    sockets.push(again);
    await expect(new Promise((resolve, reject) => (again.once("open", resolve), again.once("error", reject)))).rejects.toThrow();
  });
});
