import { entryIdFor, Ledger, LedgerStore, loadConfig, priceOf, requestFingerprint } from "@nyang/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  adminToken,
  apiWith,
  auditFromTable,
  faultyClients,
  fleetApi,
  openAccount,
  serviceToken,
  testStore,
  testTableName,
  uniqueUserId,
  type ApiCall,
  type ApiReply,
  type Fault,
  type FleetApi,
} from "../support/index.ts";

/**
 * Issue 12: one busy account through the HTTP API whose handler runs in two processes (two
 * Lambda instances, no shared memory), so that the losers of the race on the account are
 * group-committed (packages/core/src/ledger/group-commit.ts). Every ledger rule holds: no
 * overspend, a gapless chained history whose sum is the balance, each key applied once, and
 * never a 5xx; a 429 `account_busy` is retried with the same key, as docs/api.md tells clients.
 */
let api: FleetApi;
beforeAll(async () => {
  api = await fleetApi(2);
}, 120_000);
afterAll(async () => {
  await api?.close();
});

/** Calls until the answer is not 429 `account_busy` (same key), keeping every status seen on the way. */
async function persist(method: string, path: string, call: ApiCall, seen: number[], via = api.call): Promise<ApiReply> {
  for (;;) {
    const reply = await via(method, path, call);
    seen.push(reply.status);
    if (reply.status !== 429) return reply;
    expect(reply.body.error.code).toBe("account_busy");
  }
}

async function expectCleanLedger(userId: string) {
  const { findings, entries } = await auditFromTable(userId);
  expect(findings).toEqual([]);
  expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
  for (let i = 1; i < entries.length; i++) expect(entries[i]!.balanceBefore).toBe(entries[i - 1]!.balanceAfter);
  expect((await testStore().queueView(userId, null, 10))?.pending).toEqual([]);
  return entries;
}

describe("a hot account across two handler processes", () => {
  it("200 concurrent spends on an account that pays for exactly 33: 33 × 201, 167 × 402, no 5xx, the ledger exact", async () => {
    const u = uniqueUserId("hot200");
    await openAccount(u); // 100.00; ai_writing costs 3.00
    const token = await serviceToken();
    const seen: number[] = [];
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => persist("POST", `/v1/accounts/${u}/usage`, { token, body: { serviceType: "ai_writing" }, idempotencyKey: `s${i}` }, seen)),
    );
    expect(seen.filter((s) => s >= 500)).toEqual([]);
    expect(replies.filter((r) => r.status === 201)).toHaveLength(33);
    const refused = replies.filter((r) => r.status === 402);
    expect(refused).toHaveLength(167);
    for (const r of refused) expect(r.body.error.code).toBe("insufficient_coins");
    // Both processes took part.
    expect([...api.invocations().values()].filter((n) => n > 0).length).toBe(2);

    const entries = await expectCleanLedger(u);
    expect(entries).toHaveLength(34);
    expect(entries.at(-1)!.balanceAfter).toBe(100);
    const ids = new Set(replies.filter((r) => r.status === 201).map((r) => r.body.transaction.id));
    expect(ids).toEqual(new Set(entries.slice(1).map((e) => e.id)));
  }, 240_000);

  it("spends race holds, captures and refunds on the hot account: every amount lands once and the sum is the balance", async () => {
    const u = uniqueUserId("hotmix");
    await openAccount(u);
    const [svc, admin] = await Promise.all([serviceToken(), adminToken()]);
    const seen: number[] = [];
    await persist("POST", `/v1/accounts/${u}/charges`, { token: admin, body: { amount: "500.00", paymentMethod: "card" }, idempotencyKey: "fund" }, seen);
    const seeds = await Promise.all(
      [0, 1, 2].map((i) => persist("POST", `/v1/accounts/${u}/usage`, { token: svc, body: { serviceType: "ai_writing" }, idempotencyKey: `seed${i}` }, seen)),
    );
    const holdThenCapture = async (i: number) => {
      const held = await persist("POST", `/v1/accounts/${u}/holds`, { token: svc, body: { serviceType: "ai_writing" }, idempotencyKey: `h${i}` }, seen);
      expect(held.status).toBe(201);
      return persist("POST", `/v1/accounts/${u}/holds/${held.body.hold.id}/capture`, { token: svc, body: { amount: "2.00" }, idempotencyKey: `c${i}` }, seen);
    };
    const replies = await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => persist("POST", `/v1/accounts/${u}/usage`, { token: svc, body: { serviceType: "ai_writing" }, idempotencyKey: `s${i}` }, seen)),
      ...Array.from({ length: 6 }, (_, i) => holdThenCapture(i)),
      ...seeds.map((seed, i) =>
        persist("POST", `/v1/accounts/${u}/refunds`, { token: svc, body: { transactionId: seed.body.transaction.id, reason: "race" }, idempotencyKey: `r${i}` }, seen),
      ),
      ...Array.from({ length: 4 }, (_, i) => persist("POST", `/v1/accounts/${u}/charges`, { token: admin, body: { amount: "10.00", paymentMethod: "card" }, idempotencyKey: `ch${i}` }, seen)),
    ]);
    expect(seen.filter((s) => s >= 500)).toEqual([]);
    expect(replies.map((r) => r.status).every((s) => s === 201)).toBe(true);

    const entries = await expectCleanLedger(u);
    const count = (type: string) => entries.filter((e) => e.type === type).length;
    expect([count("usage"), count("hold_capture"), count("refund"), count("purchase")]).toEqual([43, 6, 3, 5]);
    // 100 + 500 − 3 × 3 (seeds) + 3 × 3 (refunds) − 40 × 3 − 6 × 2 + 4 × 10
    const account = await testStore().getAccount(u);
    expect(account!.balance).toBe((100 + 500 - 9 + 9 - 120 - 12 + 40) * 100);
    expect(account!.holds).toEqual({});
  }, 240_000);
});

describe("group commit under injected faults (in process: the fault injection is an SDK middleware)", () => {
  it("TransactionConflicts on the hot path (quiet attempts and batches alike) delay spends but never apply one twice", async () => {
    const u = uniqueUserId("hotfault");
    await openAccount(u);
    const token = await serviceToken();
    // Every third transaction is cancelled by a TransactionConflict, whoever sends it.
    const faults: Fault[] = Array.from({ length: 3_000 }, (_, i) => (i % 3 === 0 ? "transaction_conflict" : "none"));
    const { clients } = faultyClients(faults);
    const call = apiWith({ ledger: new Ledger(new LedgerStore(clients, testTableName()), loadConfig({})) });
    const seen: number[] = [];
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => persist("POST", `/v1/accounts/${u}/usage`, { token, body: { serviceType: "ai_writing" }, idempotencyKey: `f${i}` }, seen, call)),
    );
    expect(seen.filter((s) => s >= 500)).toEqual([]);
    expect(replies.every((r) => r.status === 201)).toBe(true);
    // A retry of each key replays its entry: nothing moves twice.
    const again = await Promise.all(
      Array.from({ length: 30 }, (_, i) => persist("POST", `/v1/accounts/${u}/usage`, { token, body: { serviceType: "ai_writing" }, idempotencyKey: `f${i}` }, seen, call)),
    );
    expect(again.every((r) => r.headers["idempotent-replayed"] === "true")).toBe(true);
    expect(again.map((r) => r.body.transaction.id)).toEqual(replies.map((r) => r.body.transaction.id));
    const entries = await expectCleanLedger(u);
    expect(entries).toHaveLength(31);
    expect(entries.at(-1)!.balanceAfter).toBe(10_000 - 30 * 300);
  }, 120_000);

  it("a committer that crashed after its requests were queued: the next request applies them once, an expired one is dropped unapplied", async () => {
    const u = uniqueUserId("hotcrash");
    await openAccount(u);
    const store = testStore();
    const config = loadConfig({});
    const price = priceOf(config, "ai_writing")!;
    const now = Date.now();
    // What a crashed process leaves: two queued spends (one whose waiter's deadline passed long ago) and its claim on the account.
    const orphan = (key: string, enqueuedAt: number, expiresAt: number) => ({
      queueKey: `${new Date(enqueuedAt).toISOString()}#${entryIdFor(u, key)}`,
      entryId: entryIdFor(u, key),
      idempotencyKey: key,
      fingerprint: requestFingerprint("spend", { serviceType: "ai_writing", amount: null, details: null }),
      request: { op: "spend" as const, amount: price, serviceType: "ai_writing", details: null },
      enqueuedAt: new Date(enqueuedAt).toISOString(),
      expiresAt: new Date(expiresAt).toISOString(),
    });
    await store.enqueue(u, orphan("lost-expired", now - 60_000, now - 30_000));
    await store.enqueue(u, orphan("lost-live", now - 500, now + 20_000));
    expect(await store.claimCommit(u, "crashed-process", new Date(now + 1_000).toISOString(), new Date(now))).toBe(true);

    const token = await serviceToken();
    // A newcomer finds the account claimed, queues, and once the dead claim runs out commits the queue.
    const next = await persist("POST", `/v1/accounts/${u}/usage`, { token, body: { serviceType: "ai_writing" }, idempotencyKey: "next" }, []);
    expect(next.status).toBe(201);
    const entries = await expectCleanLedger(u);
    expect(entries).toHaveLength(3);
    const live = entries.find((e) => e.id === entryIdFor(u, "lost-live"));
    expect(live?.type).toBe("usage");
    expect(entries.find((e) => e.id === entryIdFor(u, "lost-expired"))).toBeUndefined();

    // The crashed request's client retries its key: it gets the entry already written (not a second one);
    // the expired one's client retries and is served now, once.
    const retryLive = await api.call("POST", `/v1/accounts/${u}/usage`, { token, body: { serviceType: "ai_writing" }, idempotencyKey: "lost-live" });
    expect(retryLive.status).toBe(201);
    expect(retryLive.headers["idempotent-replayed"]).toBe("true");
    expect(retryLive.body.transaction.id).toBe(live!.id);
    const retryExpired = await api.call("POST", `/v1/accounts/${u}/usage`, { token, body: { serviceType: "ai_writing" }, idempotencyKey: "lost-expired" });
    expect(retryExpired.status).toBe(201);
    expect(retryExpired.headers["idempotent-replayed"]).toBeUndefined();
    const after = await expectCleanLedger(u);
    expect(after).toHaveLength(4);
    expect(after.at(-1)!.balanceAfter).toBe(10_000 - 3 * price);
  }, 120_000);
});
