import { CONNECTION_MAX_SECONDS, CONNECTION_TTL_MARGIN_SECONDS, connectionRefKey, connectionUserPk, connectionUserSk } from "@nyang/core";
import { signLocalToken } from "@nyang/local";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenFor, uniqueUserId } from "../support/index.ts";
import { Refused, startRealtime, until, type Realtime } from "./harness.ts";

/**
 * `$connect` authenticates (the only moment it can: API Gateway checks nothing after the
 * upgrade), stores the connection with its TTL, and `$disconnect` forgets it — through the
 * local WebSocket gateway and the unchanged handlers, on DynamoDB Local.
 */
let rt: Realtime;

beforeAll(async () => {
  rt = await startRealtime("ws-connect");
});

afterAll(async () => {
  await rt?.stop();
});

const refusal = (token: string | null) =>
  rt.connect(token).then(
    () => {
      throw new Error("the upgrade was accepted");
    },
    (e: unknown) => e,
  );

describe("$connect", () => {
  it("refuses a missing, malformed, badly signed or expired token with 401, and stores nothing", async () => {
    const u = uniqueUserId("refused");
    const expired = await signLocalToken({ sub: u, ttlSeconds: 60, now: new Date(Date.now() - 3600_000) });
    const otherSecret = await signLocalToken({ sub: u, secret: "not-the-secret-the-api-verifies-with-0123456789" });
    const notAToken = "abc.def.ghi";
    for (const token of [null, "", notAToken, expired, otherSecret]) {
      const e = await refusal(token);
      expect(e, String(token)).toBeInstanceOf(Refused);
      expect((e as Refused).status, String(token)).toBe(401);
      expect(JSON.parse((e as Refused).body).error.code).toBe("unauthorized");
    }
    expect(rt.gateway.connectionIds()).toEqual([]);
    expect(await rt.connectionsOf(u)).toEqual([]);
  });

  it("accepts a valid token and stores the connection for its sub, with a TTL past the 2-hour limit", async () => {
    const u = uniqueUserId("ok");
    const before = Date.now();
    const client = await rt.connect(await tokenFor(u));
    const stored = await rt.connectionsOf(u);
    expect(stored.map((c) => c.connectionId)).toEqual([client.connectionId]);
    const c = stored[0]!;
    expect(Date.parse(c.connectedAt)).toBeGreaterThanOrEqual(before - 1_000);
    expect(Date.parse(c.expiresAt) - Date.parse(c.connectedAt)).toBe((CONNECTION_MAX_SECONDS + CONNECTION_TTL_MARGIN_SECONDS) * 1000);

    const { createDynamoClients } = await import("@nyang/core");
    const doc = createDynamoClients(process.env).doc;
    const byUser = (await doc.send(new GetCommand({ TableName: rt.table, Key: { pk: connectionUserPk(u), sk: connectionUserSk(c.connectionId) } }))).Item;
    const ref = (await doc.send(new GetCommand({ TableName: rt.table, Key: connectionRefKey(c.connectionId) }))).Item;
    for (const item of [byUser, ref]) {
      expect(item?.userId).toBe(u);
      // DynamoDB's TTL attribute: epoch seconds, after API Gateway has closed the connection for sure.
      expect(item?.ttl).toBe(Math.floor(Date.parse(c.expiresAt) / 1000));
      expect(item!.ttl * 1000 - Date.parse(c.connectedAt)).toBeGreaterThan(CONNECTION_MAX_SECONDS * 1000);
    }
    await client.close();
  });

  it("a user's several connections are all stored; a service or admin token connects as its own sub", async () => {
    const u = uniqueUserId("multi");
    const a = await rt.connect(await tokenFor(u));
    const b = await rt.connect(await tokenFor(u));
    const svc = uniqueUserId("svc");
    const s = await rt.connect(await tokenFor(svc, "service"));
    expect((await rt.connectionsOf(u)).map((c) => c.connectionId).sort()).toEqual([a.connectionId, b.connectionId].sort());
    expect((await rt.connectionsOf(svc)).map((c) => c.connectionId)).toEqual([s.connectionId]);
    await Promise.all([a.close(), b.close(), s.close()]);
  });
});

describe("$disconnect and $default", () => {
  it("a clean close removes the connection and its reverse look-up", async () => {
    const u = uniqueUserId("bye");
    const client = await rt.connect(await tokenFor(u));
    const id = client.connectionId!;
    expect(await rt.connectionsOf(u)).toHaveLength(1);
    await client.close();
    // $disconnect deletes the two items in parallel: wait for both, then assert both.
    await until(async () => (await rt.connectionsOf(u)).length === 0 && (await rt.runtime.connections.owner(id)) === null);
    expect(await rt.connectionsOf(u)).toHaveLength(0);
    expect(await rt.runtime.connections.owner(id)).toBeNull();
  });

  it("a socket cut by the client still runs $disconnect, which removes it", async () => {
    const u = uniqueUserId("cut");
    const client = await rt.connect(await tokenFor(u));
    client.ws.terminate();
    await until(async () => (await rt.connectionsOf(u)).length === 0);
  });

  it("answers ping with pong through PostToConnection, and ignores anything else", async () => {
    const u = uniqueUserId("ping");
    const client = await rt.connect(await tokenFor(u));
    client.ws.send("hello");
    client.ws.send(JSON.stringify({ action: "subscribe" }));
    client.ws.send("ping");
    const pong = await client.waitFor((m) => m.type === "pong");
    expect(Date.parse(pong.at)).not.toBeNaN();
    client.ws.send(JSON.stringify({ type: "ping" }));
    await until(() => client.inbox.length === 2);
    expect(client.inbox.map((m) => m.type)).toEqual(["pong", "pong"]);
    await client.close();
  });
});
