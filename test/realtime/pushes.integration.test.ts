import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenFor, uniqueUserId } from "../support/index.ts";
import { balanceUpdates, startRealtime, until, type Realtime } from "./harness.ts";

/**
 * Pushes end to end: a coin movement in the ledger → the account item's record on
 * DynamoDB Local's real stream → the alerts consumer (via the stream pump) → PostToConnection
 * through the real SDK client → the local WebSocket gateway → the user's sockets, and only
 * theirs. Message shapes are docs/realtime.md's.
 */
let rt: Realtime;

beforeAll(async () => {
  rt = await startRealtime("ws-push");
});

afterAll(async () => {
  await rt?.stop();
});

const spend = (u: string, coins: number, key: string) => rt.ledger.spend(u, { serviceType: "ai_writing", amount: Math.round(coins * 100) }, { key });

/** Opens accounts and lets their opening records pass before anyone connects. */
async function openAccounts(...users: string[]) {
  for (const u of users) await rt.ledger.openAccount(u);
  await rt.pump.drain();
}

describe("balance_update", () => {
  it("a client connected as A receives A's update after a spend, with balance, available, transactionId, seq and time — and never B's", async () => {
    const a = uniqueUserId("a");
    const b = uniqueUserId("b");
    await openAccounts(a, b);
    const [a1, a2, b1] = [await rt.connect(await tokenFor(a)), await rt.connect(await tokenFor(a)), await rt.connect(await tokenFor(b))];

    const spent = await spend(a, 3, "a-s1");
    const expected = {
      type: "balance_update",
      userId: a,
      balance: "97.00",
      available: "97.00",
      transactionId: spent.entry.id,
      seq: 2,
      at: spent.entry.createdAt,
    };
    // Every connection of A gets it, exactly this message.
    expect(await a1.waitFor((m) => m.type === "balance_update")).toEqual(expected);
    expect(await a2.waitFor((m) => m.type === "balance_update")).toEqual(expected);

    const spentB = await spend(b, 1.3, "b-s1");
    expect(await b1.waitFor((m) => m.type === "balance_update")).toMatchObject({ userId: b, balance: "98.70", transactionId: spentB.entry.id, seq: 2 });

    await rt.pump.drain();
    await new Promise((r) => setTimeout(r, 100));
    for (const c of [a1, a2]) expect(c.inbox).toEqual([expected]);
    expect(b1.inbox.every((m) => m.userId === b)).toBe(true);
    expect(b1.inbox).toHaveLength(1);
  });

  it("a low-balance crossing also brings an alert message, to that user only", async () => {
    const a = uniqueUserId("low");
    const b = uniqueUserId("other");
    await openAccounts(a, b);
    const ca = await rt.connect(await tokenFor(a));
    const cb = await rt.connect(await tokenFor(b));

    await spend(a, 85, "big"); // 15.00: below 20
    const alert = await ca.waitFor((m) => m.type === "alert");
    expect(alert.alert).toMatchObject({ userId: a, type: "low_balance", read: false, data: { balance: "15.00" } });
    expect(Object.keys(alert)).toEqual(["type", "alert"]);
    // The alert it pushed is the one stored (same id as GET /alerts would show).
    const stored = await rt.runtime.alerts.list(a, { unreadOnly: false, limit: 10 });
    expect(stored.map((s) => s.id)).toContain(alert.alert.id);
    expect(await ca.waitFor((m) => m.type === "balance_update")).toMatchObject({ balance: "15.00", available: "15.00", seq: 2 });

    await rt.pump.drain();
    await new Promise((r) => setTimeout(r, 100));
    expect(cb.inbox).toEqual([]);
  });

  it("several spends in a row arrive in seq order, one update each", async () => {
    const u = uniqueUserId("order");
    await openAccounts(u);
    const c = await rt.connect(await tokenFor(u));
    for (let i = 0; i < 8; i++) await spend(u, 1, `o${i}`);
    await until(() => balanceUpdates(c).length === 8);
    expect(balanceUpdates(c).map((m) => m.seq)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(balanceUpdates(c).at(-1)).toMatchObject({ balance: "92.00", available: "92.00" });
  });

  it("hold, capture and release each push an update with the right available; only the capture names a transaction", async () => {
    const u = uniqueUserId("hold");
    await openAccounts(u);
    const c = await rt.connect(await tokenFor(u));
    const next = async (n: number) => {
      await until(() => balanceUpdates(c).length >= n);
      return balanceUpdates(c)[n - 1]!;
    };

    const h1 = await rt.ledger.reserve(u, { amount: 1000, ttlSeconds: 300 }, { key: "h1" });
    expect(await next(1)).toEqual({ type: "balance_update", userId: u, balance: "100.00", available: "90.00", transactionId: null, seq: 1, at: h1.account.updatedAt });

    const h2 = await rt.ledger.reserve(u, { amount: 250, ttlSeconds: 300 }, { key: "h2" });
    expect(await next(2)).toMatchObject({ balance: "100.00", available: "87.50", transactionId: null, seq: 1 });

    const captured = await rt.ledger.capture(u, h1.hold.id, { amount: 400 }, { key: "c1" });
    expect(await next(3)).toEqual({
      type: "balance_update",
      userId: u,
      balance: "96.00",
      available: "93.50",
      transactionId: captured.entry.id,
      seq: 2,
      at: captured.entry.createdAt,
    });

    await rt.ledger.release(u, h2.hold.id, { key: "r2" });
    expect(await next(4)).toMatchObject({ balance: "96.00", available: "96.00", transactionId: null, seq: 2 });
  });

  it("a freeze changes no balance and pushes nothing", async () => {
    const u = uniqueUserId("freeze");
    await openAccounts(u);
    const c = await rt.connect(await tokenFor(u));
    await rt.ledger.setFrozen(u, true);
    await rt.ledger.setFrozen(u, false);
    await rt.pump.drain();
    await new Promise((r) => setTimeout(r, 100));
    expect(c.inbox).toEqual([]);
  });
});

describe("dead connections", () => {
  it("a connection lost without $disconnect is removed by the next push (410 Gone) once past the connect grace; the live one still gets it", async () => {
    const u = uniqueUserId("gone");
    await openAccounts(u);
    const live = await rt.connect(await tokenFor(u));
    const lost = await rt.connect(await tokenFor(u));
    const lostId = lost.connectionId!;
    expect((await rt.connectionsOf(u)).map((x) => x.connectionId)).toContain(lostId);

    // The network drops it: API Gateway never runs $disconnect, the item stays.
    const closed = new Promise((r) => lost.ws.once("close", r));
    expect(rt.gateway.drop(lostId)).toBe(true);
    await closed;
    await new Promise((r) => setTimeout(r, 50));
    expect((await rt.connectionsOf(u)).map((x) => x.connectionId)).toContain(lostId);
    // It connected a minute ago: past the grace in which 410 may only mean "still connecting".
    const { newConnection } = await import("@nyang/core");
    await rt.runtime.connections.put(newConnection(lostId, u, new Date(Date.now() - 60_000)));

    const spent = await spend(u, 2, "after-drop");
    expect(await live.waitFor((m) => m.type === "balance_update")).toMatchObject({ transactionId: spent.entry.id, balance: "98.00" });
    // The push removes the user's item and the reverse item with two deletes in parallel:
    // wait for both, then check nothing else went.
    await until(
      async () => !(await rt.connectionsOf(u)).some((x) => x.connectionId === lostId) && (await rt.runtime.connections.owner(lostId)) === null,
    );
    expect((await rt.connectionsOf(u)).map((x) => x.connectionId)).toEqual([live.connectionId]);
    expect(lost.inbox).toEqual([]);
  });

  it("a stored connection the gateway never knew (a stale item) is cleaned up the same way", async () => {
    const u = uniqueUserId("stale");
    await openAccounts(u);
    const { newConnection } = await import("@nyang/core");
    await rt.runtime.connections.put(newConnection("c3RhbGVzdGFsZQ==", u, new Date(Date.now() - 60_000)));
    await spend(u, 1, "s");
    await until(async () => (await rt.connectionsOf(u)).length === 0);
  });

  it("a connection that answers 410 within its connect grace (still inside $connect) is kept, not forgotten", async () => {
    const u = uniqueUserId("connecting");
    await openAccounts(u);
    const { newConnection } = await import("@nyang/core");
    // Stored by a $connect that has not returned yet: the gateway does not know it as open.
    await rt.runtime.connections.put(newConnection("Y29ubmVjdGluZw==", u, new Date()));
    await spend(u, 1, "c");
    await rt.pump.drain();
    expect((await rt.connectionsOf(u)).map((x) => x.connectionId)).toEqual(["Y29ubmVjdGluZw=="]);
  });
});

