import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { createDynamoClients, isNyangError, Ledger, LedgerStore, loadConfig, recordItemKey } from "@nyang/core";
import { beforeAll, describe, expect, it } from "vitest";
import { auditOn, faultyClients, ledgerOn, manualClock, privateTable, uniqueUserId, type Fault } from "../support/index.ts";

/**
 * Holds against DynamoDB Local, with clocks the tests move: expiry with and without the
 * sweep, the capture/release/expiry race, and reservations under concurrency. This file
 * sweeps with clocks far ahead, so it works on a table of its own.
 */
let table: string;
beforeAll(async () => {
  table = await privateTable("holds");
});

const codeOf = (e: unknown) => (isNyangError(e) ? e.code : `unexpected: ${String(e)}`);

async function openWith(ledger: Ledger, userId: string) {
  await ledger.openAccount(userId);
}

describe("holds", () => {
  it("reserve → capture: one hold_capture entry for the captured part, the rest freed", async () => {
    const clock = manualClock();
    const { ledger, store } = ledgerOn(table, clock);
    const u = uniqueUserId("cap");
    await openWith(ledger, u);
    const { hold, account } = await ledger.reserve(u, { serviceType: "image_generation_max", ttlSeconds: 60 }, { key: "h" });
    expect(hold.amount).toBe(210);
    expect(account.balance).toBe(10000);
    expect(Object.keys(account.holds)).toEqual([hold.id]);
    clock.advance(5000);
    const captured = await ledger.capture(u, hold.id, { amount: 130 }, { key: "c" });
    expect(captured.entry).toMatchObject({ type: "hold_capture", amount: -130, relatedTransactionId: hold.id, serviceType: "image_generation_max" });
    expect(captured.hold).toMatchObject({ status: "captured", capturedAmount: 130, captureTransactionId: captured.entry.id });
    expect(captured.account.balance).toBe(9870);
    expect(captured.account.holds).toEqual({});
    const { findings } = await auditOn(store, u);
    expect(findings).toEqual([]);
  });

  it("an expired hold frees its coins at once, without the sweep, and can no longer be captured", async () => {
    const clock = manualClock();
    const { ledger } = ledgerOn(table, clock);
    const u = uniqueUserId("exp");
    await openWith(ledger, u);
    const { hold } = await ledger.reserve(u, { amount: 9900, ttlSeconds: 10 }, { key: "h" });
    await expect(ledger.spend(u, { serviceType: "ai_writing" }, { key: "s1" })).rejects.toSatisfy((e) => codeOf(e) === "insufficient_coins");
    clock.advance(10_000);
    const spent = await ledger.spend(u, { serviceType: "ai_writing" }, { key: "s2" });
    expect(spent.account.balance).toBe(9700);
    expect(spent.account.holds).toEqual({});
    await expect(ledger.capture(u, hold.id, {}, { key: "c" })).rejects.toSatisfy((e) => codeOf(e) === "hold_not_pending");
    await expect(ledger.release(u, hold.id, null)).rejects.toSatisfy((e) => codeOf(e) === "hold_not_pending");
  });

  it("a release's key is one request like any other key: reused elsewhere it is a conflict, resent it replays", async () => {
    const { ledger, store } = ledgerOn(table, manualClock());
    const u = uniqueUserId("relkey");
    await openWith(ledger, u);
    await ledger.spend(u, { serviceType: "ai_writing" }, { key: "spent" });
    const a = (await ledger.reserve(u, { amount: 100, ttlSeconds: 60 }, { key: "ha" })).hold;
    const b = (await ledger.reserve(u, { amount: 200, ttlSeconds: 60 }, { key: "hb" })).hold;
    const conflict = (e: unknown) => codeOf(e) === "idempotency_conflict";
    await expect(ledger.release(u, a.id, { key: "spent" })).rejects.toSatisfy(conflict);
    await expect(ledger.release(u, a.id, { key: "ha" })).rejects.toSatisfy(conflict);
    await expect(ledger.capture(u, a.id, {}, { key: "ha" })).rejects.toSatisfy(conflict);
    const released = await ledger.release(u, a.id, { key: "r" });
    expect(released.replayed).toBe(false);
    await expect(ledger.release(u, b.id, { key: "r" })).rejects.toSatisfy(conflict);
    await expect(ledger.capture(u, b.id, {}, { key: "r" })).rejects.toSatisfy(conflict);
    await expect(ledger.spend(u, { serviceType: "ai_writing" }, { key: "r" })).rejects.toSatisfy(conflict);
    expect(await ledger.release(u, a.id, { key: "r" })).toEqual({ ...released, replayed: true });
    const stored = await store.getRecordByKey(u, "r");
    expect(stored).toMatchObject({ kind: "release", value: released.hold, accountAfter: released.account });
    const account = await ledger.getAccount(u);
    expect(account.holds).toEqual({ [b.id]: expect.anything() });
    expect(account.balance).toBe(9700);
  });

  it("a hold's item never expires, so neither does its key: no TTL on a new hold, and settling a hold written with one (before) removes it", async () => {
    const clock = manualClock();
    const { ledger } = ledgerOn(table, clock);
    const { doc } = createDynamoClients(process.env);
    const u = uniqueUserId("forever");
    await openWith(ledger, u);
    const keyOf = (holdId: string) => recordItemKey(u, holdId, "hold")!;
    const ttlOf = async (holdId: string) => (await doc.send(new GetCommand({ TableName: table, Key: keyOf(holdId), ConsistentRead: true }))).Item?.ttl;
    // What the code before this change wrote: DynamoDB's TTL would delete the item 90 days after the hold's expiry.
    const asWrittenBefore = (holdId: string) =>
      doc.send(new UpdateCommand({ TableName: table, Key: keyOf(holdId), UpdateExpression: "SET #ttl = :ttl", ExpressionAttributeNames: { "#ttl": "ttl" }, ExpressionAttributeValues: { ":ttl": 1_800_000_000 } }));

    const held = await Promise.all(["kept", "captured", "released", "expired"].map((key) => ledger.reserve(u, { amount: 100, ttlSeconds: 60 }, { key })));
    const [kept, captured, released, expired] = held.map((r) => r.hold.id) as [string, string, string, string];
    expect(await ttlOf(kept)).toBeUndefined();
    for (const id of [captured, released, expired]) await asWrittenBefore(id);
    await ledger.capture(u, captured, {}, { key: "capture" });
    await ledger.release(u, released, { key: "release" });
    clock.advance(61_000);
    expect((await ledger.sweepExpiredHolds()).errors).toBe(0);
    for (const id of [kept, captured, released, expired]) expect(await ttlOf(id), id).toBeUndefined();
    // Long after: every hold's key still answers its hold (a replay), and still refuses another request.
    clock.advance(400 * 86_400_000);
    const replay = await ledger.reserve(u, { amount: 100, ttlSeconds: 60 }, { key: "captured" });
    expect([replay.replayed, replay.hold.id, replay.hold.status]).toEqual([true, captured, "captured"]);
    await expect(ledger.spend(u, { serviceType: "ai_writing" }, { key: "expired" })).rejects.toSatisfy((e) => codeOf(e) === "idempotency_conflict");
  });

  it("the sweep marks expired holds expired, and a second or concurrent sweep changes nothing", async () => {
    const clock = manualClock();
    // Alone on its table: the counts below are every expired hold the sweep can see.
    const { ledger, store } = ledgerOn(await privateTable("sweep"), clock);
    const users = [uniqueUserId("sweep"), uniqueUserId("sweep")];
    const holdIds: [string, string][] = [];
    for (const u of users) {
      await openWith(ledger, u);
      for (let i = 0; i < 3; i++) holdIds.push([u, (await ledger.reserve(u, { amount: 100, ttlSeconds: 10 + i * 1000 }, { key: `h${i}` })).hold.id]);
    }
    clock.advance(11_000);
    const before = await Promise.all(users.map((u) => store.getAccount(u)));
    const [a, b] = await Promise.all([ledger.sweepExpiredHolds(), ledger.sweepExpiredHolds()]);
    expect(a.expired + b.expired).toBe(2);
    const again = await ledger.sweepExpiredHolds();
    expect(again.expired).toBe(0);
    const statuses = await Promise.all(holdIds.map(([u, id]) => ledger.getHold(u, id).then((h) => h.status)));
    expect(statuses.sort()).toEqual(["expired", "expired", "pending", "pending", "pending", "pending"]);
    for (const [i, u] of users.entries()) {
      const after = await store.getAccount(u);
      expect(Object.keys(after!.holds)).toHaveLength(2);
      expect(after!.balance).toBe(before[i]!.balance);
      expect(after!.version).toBe(before[i]!.version);
    }
  });

  it("one hold whose expiry runs out of retries is counted and logged; the sweep expires the others and comes back to it", async () => {
    const clock = manualClock();
    const own = await privateTable("sweep-fault");
    const { ledger, store } = ledgerOn(own, clock);
    const users = [uniqueUserId("swf"), uniqueUserId("swf"), uniqueUserId("swf")];
    const holdIds: string[] = [];
    for (const u of users) {
      await openWith(ledger, u);
      holdIds.push((await ledger.reserve(u, { amount: 100, ttlSeconds: 10 }, { key: "h" })).hold.id);
    }
    clock.advance(11_000);
    // The first hold the sweep writes meets three conflicts in a row: its retries (three) run out.
    const attempts = 3;
    const { clients } = faultyClients(Array<Fault>(attempts).fill("transaction_conflict"));
    // The ledger's logger port, recording what it is told at error level.
    const lines: Record<string, unknown>[] = [];
    const log = { info: () => undefined, warn: () => undefined, error: (message: string, fields = {}) => void lines.push({ message, ...fields }) };
    const sweeper = new Ledger(new LedgerStore(clients, own), loadConfig({}), clock, { attempts, baseDelayMs: 1, maxDelayMs: 2 }, log);
    const report = await sweeper.sweepExpiredHolds();
    expect(report).toEqual({ examined: 3, expired: 2, alreadySettled: 0, errors: 1 });
    const statuses = await Promise.all(users.map((u, i) => ledger.getHold(u, holdIds[i]!)));
    const failed = statuses.filter((h) => h.status === "pending");
    expect(failed).toHaveLength(1);
    // One structured line names the hold and the error.
    expect(lines).toEqual([
      expect.objectContaining({ message: "hold expiry failed", queue: "HOLDS", userId: failed[0]!.userId, holdId: failed[0]!.id, code: "contention" }),
    ]);
    // Still due: the next sweep expires it.
    expect(await ledger.sweepExpiredHolds()).toMatchObject({ examined: 1, expired: 1, errors: 0 });
    for (const u of users) expect((await auditOn(store, u)).findings).toEqual([]);
  });

  it("capture, release and expiry fired together on one hold: exactly one wins, every time", async () => {
    const clock = manualClock();
    const later = () => new Date(clock().getTime() + 60_000);
    // Alone on its table, so the sweep can only ever find this test's holds.
    const own = await privateTable("race");
    const { ledger, store } = ledgerOn(own, clock);
    const { ledger: sweeper } = ledgerOn(own, later);
    const u = uniqueUserId("race");
    await openWith(ledger, u);
    const wins = { captured: 0, released: 0, expired: 0 };
    for (let round = 0; round < 15; round++) {
      const { hold } = await ledger.reserve(u, { amount: 100, ttlSeconds: 30 }, { key: `h${round}` });
      const results = await Promise.allSettled([
        ledger.capture(u, hold.id, {}, { key: `c${round}` }),
        ledger.release(u, hold.id, { key: `r${round}` }),
        sweeper.sweepExpiredHolds(),
      ]);
      const [cap, rel, sweep] = results;
      const capOk = cap.status === "fulfilled";
      const relOk = rel.status === "fulfilled";
      const expOk = sweep.status === "fulfilled" && sweep.value.expired === 1;
      expect([capOk, relOk, expOk].filter(Boolean)).toHaveLength(1);
      for (const r of [cap, rel]) if (r.status === "rejected") expect(codeOf(r.reason)).toBe("hold_not_pending");
      const final = await ledger.getHold(u, hold.id);
      expect(final.status).toBe(capOk ? "captured" : relOk ? "released" : "expired");
      wins[final.status as keyof typeof wins]++;
    }
    const { findings, entries, account } = await auditOn(store, u);
    expect(findings).toEqual([]);
    expect(entries.filter((e) => e.type === "hold_capture")).toHaveLength(wins.captured);
    expect(account.holds).toEqual({});
    expect(account.balance).toBe(10000 - 100 * wins.captured);
  });

  it("100 concurrent holds on one account never reserve more than the balance", async () => {
    const { ledger, store } = ledgerOn(table, undefined, { attempts: 200, baseDelayMs: 5, maxDelayMs: 1000, budgetMs: 20_000 });
    const u = uniqueUserId("many");
    await openWith(ledger, u);
    await ledger.adjust(u, { amount: -5000, reason: "make it scarce", adminUserId: "t" }, { key: "drain" });
    // 50.00 left: 100 holds of 1.30 want 130.00; 38 fit (49.40) and 0.60 stays free.
    // A caller told `contention` retries with the same key, as docs/api.md tells clients to.
    const reserve = async (key: string) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await ledger.reserve(u, { amount: 130, ttlSeconds: 600 }, { key });
        } catch (e) {
          if (!isNyangError(e, "contention") || attempt >= 10) throw e;
        }
      }
    };
    const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => reserve(`h${i}`)));
    const ok = results.filter((r) => r.status === "fulfilled");
    for (const r of results) if (r.status === "rejected") expect(codeOf(r.reason)).toBe("insufficient_coins");
    expect(ok).toHaveLength(Math.floor(5000 / 130));
    const account = await store.getAccount(u);
    const held = Object.values(account!.holds).reduce((s, h) => s + h.amount, 0);
    expect(held).toBe(130 * ok.length);
    expect(held).toBeLessThanOrEqual(account!.balance);
  }, 240_000);

  it("replays: the same key returns the original hold or capture; a capture by another key is refused", async () => {
    const { ledger } = ledgerOn(table);
    const u = uniqueUserId("replay");
    await openWith(ledger, u);
    const first = await ledger.reserve(u, { serviceType: "ai_writing", ttlSeconds: 60 }, { key: "h" });
    const again = await ledger.reserve(u, { serviceType: "ai_writing", ttlSeconds: 60 }, { key: "h" });
    expect(again.replayed).toBe(true);
    expect(again.hold).toEqual(first.hold);
    expect(again.account).toEqual(first.account);
    await expect(ledger.reserve(u, { serviceType: "keyword_analysis", ttlSeconds: 60 }, { key: "h" })).rejects.toSatisfy((e) => codeOf(e) === "idempotency_conflict");
    // A hold's key is taken for entries too: one key, one record.
    await expect(ledger.spend(u, { serviceType: "ai_writing" }, { key: "h" })).rejects.toSatisfy((e) => codeOf(e) === "idempotency_conflict");
    const cap = await ledger.capture(u, first.hold.id, {}, { key: "c" });
    const capAgain = await ledger.capture(u, first.hold.id, {}, { key: "c" });
    expect(capAgain.replayed).toBe(true);
    expect(capAgain.entry).toEqual(cap.entry);
    expect(capAgain.account).toEqual(cap.account);
    await expect(ledger.capture(u, first.hold.id, {}, { key: "c2" })).rejects.toSatisfy((e) => codeOf(e) === "hold_not_pending");
  });

  it("spend order: bonus coins go first by default and every entry records its paid/bonus split", async () => {
    const { ledger, store } = ledgerOn(table);
    const u = uniqueUserId("split");
    await openWith(ledger, u);
    await ledger.charge(u, { amount: 500, type: "purchase", paymentMethod: "card" }, { key: "c" });
    const spend = await ledger.spend(u, { serviceType: "ai_writing", amount: 10100 }, { key: "s" });
    expect([spend.entry.paidAmount, spend.entry.bonusAmount]).toEqual([-100, -10000]);
    expect([spend.account.paidBalance, spend.account.bonusBalance]).toEqual([400, 0]);
    const refund = await ledger.refund(u, { transactionId: spend.entry.id, amount: 300, reason: "r" }, { key: "r" });
    expect([refund.entry.paidAmount, refund.entry.bonusAmount]).toEqual([100, 200]);
    expect((await auditOn(store, u)).findings).toEqual([]);
  });
});
