import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { tokenFor, uniqueUserId } from "../support/index.ts";
import { balanceUpdates, startRealtime, until, type Realtime, type WsClient } from "./harness.ts";

/**
 * The WebSocket limits (docs/realtime.md, "Limits") through the unchanged `$connect` and
 * `$default` handlers behind the local WebSocket gateway, on DynamoDB Local: 10 connections
 * per user (the default), bursts of 10 messages (the default) at 6 a minute.
 */
let rt: Realtime;

beforeAll(async () => {
  // 6 messages a minute (one per 10 s) after a burst of 10: a flood is refused long before a
  // loaded machine could have spent the time that would earn it more.
  rt = await startRealtime("ws-limits", { env: { WS_MESSAGES_PER_MINUTE: "6" } });
});

afterAll(async () => {
  await rt?.stop();
});

const closed = (c: WsClient) =>
  new Promise<number>((resolve) => {
    if (c.ws.readyState === WebSocket.CLOSED) resolve(-1);
    else c.ws.once("close", (code) => resolve(code));
  });
/**
 * How long a wait for the system to settle may take (a close reaching `$disconnect`, pongs,
 * pushes through the stream pump): these tests are about what it settles to, not how fast,
 * and on a loaded machine DynamoDB Local and the handlers can take well over the harness's
 * 10 s default. Within the 60 s test timeout.
 */
const SETTLE_MS = 30_000;
const isOpen = (c: WsClient) => c.ws.readyState === WebSocket.OPEN;
const spend = (u: string, coins: number, key: string) => rt.ledger.spend(u, { serviceType: "ai_writing", amount: Math.round(coins * 100) }, { key });

describe("connections per user", () => {
  it("the 11th connection of a user closes the oldest; the ten newest get pushes; another user's pushes still arrive", async () => {
    const a = uniqueUserId("many");
    const b = uniqueUserId("other");
    for (const u of [a, b]) await rt.ledger.openAccount(u);
    await rt.pump.drain();
    const token = await tokenFor(a);
    const first: WsClient[] = [];
    for (let i = 0; i < 10; i++) first.push(await rt.connect(token));
    const oldestClosed = closed(first[0]!);
    expect((await rt.connectionsOf(a)).length).toBe(10);

    const eleventh = await rt.connect(token);
    expect(await oldestClosed).toBe(1000);
    const open = [...first.slice(1), eleventh];
    expect(open.every(isOpen)).toBe(true);
    // Forgotten at once by the connect that closed it (its $disconnect finds nothing left).
    expect((await rt.connectionsOf(a)).map((c) => c.connectionId).sort()).toEqual(open.map((c) => c.connectionId).sort());
    await until(() => !rt.gateway.connectionIds().includes(first[0]!.connectionId!));

    const other = await rt.connect(await tokenFor(b));
    const spentB = await spend(b, 1, "b1");
    expect(await other.waitFor((m) => m.type === "balance_update")).toMatchObject({ userId: b, transactionId: spentB.entry.id });
    const spentA = await spend(a, 2, "a1");
    for (const c of open) expect(await c.waitFor((m) => m.type === "balance_update")).toMatchObject({ userId: a, transactionId: spentA.entry.id });
    expect(first[0]!.inbox).toEqual([]);
  });

  it("twenty connects at once leave ten stored, each of them open; the ten answer a ping and no other socket stays open", async () => {
    const a = uniqueUserId("burst");
    const token = await tokenFor(a);
    const settled = await Promise.allSettled(Array.from({ length: 20 }, () => rt.connect(token)));
    // Refused (429) or opened; never more than ten stored.
    for (const s of settled) if (s.status === "rejected") expect(s.reason).toMatchObject({ status: 429 });
    const stored = (await rt.connectionsOf(a)).map((c) => c.connectionId);
    expect(stored).toHaveLength(10);
    for (const id of stored) expect(rt.gateway.connectionIds()).toContain(id);
    const clients = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    for (const c of clients.filter(isOpen)) c.ws.send("ping");
    await until(() => clients.filter(isOpen).length === 10, SETTLE_MS);
    await until(() => clients.filter((c) => c.inbox.some((m) => m.type === "pong")).length === 10, SETTLE_MS);
  });
});

describe("message rate per connection", () => {
  it("the bucket on the connection's item: a burst at once is admitted, also racing; the next waits its interval", async () => {
    const { newConnection } = await import("@nyang/core");
    const store = rt.runtime.connections;
    const rate = { messagesPerMinute: 60, messageBurst: 10 };
    const t0 = new Date("2026-11-25T09:00:00.000Z");
    await store.put(newConnection("YnVja2V0YnVja2V0", uniqueUserId("bucket"), t0));
    const burst = await Promise.all(Array.from({ length: 10 }, () => store.admitMessage("YnVja2V0YnVja2V0", t0, rate)));
    expect(burst).toEqual(Array.from({ length: 10 }, () => "admitted"));
    expect(await store.admitMessage("YnVja2V0YnVja2V0", t0, rate)).toBe("throttled");
    expect(await store.admitMessage("YnVja2V0YnVja2V0", new Date(t0.getTime() + 999), rate)).toBe("throttled");
    expect(await store.admitMessage("YnVja2V0YnVja2V0", new Date(t0.getTime() + 1000), rate)).toBe("admitted");
    expect(await store.admitMessage("YnVja2V0YnVja2V0", new Date(t0.getTime() + 1000), rate)).toBe("throttled");
    // After a quiet minute the whole burst is back.
    const later = new Date(t0.getTime() + 120_000);
    expect(await Promise.all(Array.from({ length: 10 }, () => store.admitMessage("YnVja2V0YnVja2V0", later, rate)))).toEqual(Array.from({ length: 10 }, () => "admitted"));
    expect(await store.admitMessage("bm90c3RvcmVkISE=", t0, rate)).toBe("unknown");
  });

  it("a flooding connection is closed; its user's other connection and another user keep their pushes", async () => {
    const a = uniqueUserId("flood");
    const b = uniqueUserId("calm");
    for (const u of [a, b]) await rt.ledger.openAccount(u);
    await rt.pump.drain();
    const flooder = await rt.connect(await tokenFor(a));
    const calm = await rt.connect(await tokenFor(a));
    const other = await rt.connect(await tokenFor(b));

    // A polite client's pings are answered.
    calm.ws.send("ping");
    await calm.waitFor((m) => m.type === "pong", SETTLE_MS);

    const gone = closed(flooder);
    const sent = 40;
    for (let i = 0; i < sent; i++) if (isOpen(flooder)) flooder.ws.send("ping");
    expect(await gone).toBe(1000);
    const pongs = flooder.inbox.filter((m) => m.type === "pong").length;
    expect(pongs).toBeGreaterThan(0);
    expect(pongs).toBeLessThan(sent);
    await until(async () => !(await rt.connectionsOf(a)).some((c) => c.connectionId === flooder.connectionId), SETTLE_MS);

    expect(isOpen(calm)).toBe(true);
    const spentA = await spend(a, 1, "after-flood");
    expect(await calm.waitFor((m) => m.type === "balance_update", SETTLE_MS)).toMatchObject({ transactionId: spentA.entry.id });
    const spentB = await spend(b, 1, "b-after-flood");
    expect(await other.waitFor((m) => m.type === "balance_update", SETTLE_MS)).toMatchObject({ transactionId: spentB.entry.id });
    expect(balanceUpdates(flooder)).toEqual([]);
  });
});
