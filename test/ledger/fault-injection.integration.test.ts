import { createDynamoClients, isNyangError, Ledger, LedgerStore, loadConfig, type RetryPolicy } from "@nyang/core";
import { describe, expect, it } from "vitest";
import { auditFromTable, faultyClients, testStore, testTableName, uniqueUserId, type Fault } from "../support/index.ts";

/** The ledger's retry paths, proven by injected faults (test/support/faults.ts). */

const config = loadConfig({});
const fastRetry: RetryPolicy = { attempts: 60, baseDelayMs: 1, maxDelayMs: 5 };

async function ledgerWith(faults: Fault[], retry = fastRetry) {
  const { clients, sent } = faultyClients(faults);
  const ledger = new Ledger(new LedgerStore(clients, testTableName()), config, () => new Date(), retry);
  const cleanLedger = new Ledger(new LedgerStore(createDynamoClients(process.env), testTableName()), config);
  return { ledger, cleanLedger, sent };
}

describe("fault injection", () => {
  it("retries a TransactionConflict and writes exactly one entry", async () => {
    const u = uniqueUserId("tc");
    const { ledger, cleanLedger, sent } = await ledgerWith(["transaction_conflict", "transaction_conflict"]);
    await cleanLedger.openAccount(u);
    const r = await ledger.spend(u, { serviceType: "ai_writing" }, { key: "k" });
    expect(r.replayed).toBe(false);
    expect(sent()).toBe(3);
    const { entries, findings } = await auditFromTable(u);
    expect(findings).toEqual([]);
    expect(entries).toHaveLength(2);
  });

  it("retries a throttled transaction", async () => {
    const u = uniqueUserId("thr");
    const { ledger, cleanLedger } = await ledgerWith(["throttled"]);
    await cleanLedger.openAccount(u);
    const r = await ledger.charge(u, { amount: 500, type: "purchase", paymentMethod: "card" }, { key: "k" });
    expect(r.account.balance).toBe(10500);
  });

  it("a response lost after the write: the caller's retry with the same key replays, never double-spends", async () => {
    const u = uniqueUserId("lost");
    const { ledger, cleanLedger } = await ledgerWith(["lost_response"]);
    await cleanLedger.openAccount(u);
    await expect(ledger.spend(u, { serviceType: "ai_writing" }, { key: "k" })).rejects.toThrow(/injected/);
    const retried = await ledger.spend(u, { serviceType: "ai_writing" }, { key: "k" });
    expect(retried.replayed).toBe(true);
    expect(retried.account.balance).toBe(9700);
    const { entries, findings } = await auditFromTable(u);
    expect(findings).toEqual([]);
    expect(entries).toHaveLength(2);
  });

  it("retries DynamoDB's InternalServerError (nothing written) and writes exactly one entry", async () => {
    const u = uniqueUserId("ise");
    const { ledger, cleanLedger, sent } = await ledgerWith(["internal_error"]);
    await cleanLedger.openAccount(u);
    const r = await ledger.spend(u, { serviceType: "ai_writing" }, { key: "k" });
    expect(r.replayed).toBe(false);
    expect(r.account.balance).toBe(9700);
    expect(sent()).toBe(2);
    const { entries, findings } = await auditFromTable(u);
    expect(findings).toEqual([]);
    expect(entries.map((e) => e.amount)).toEqual([10000, -300]);
  });

  it("an InternalServerError answered to a write that landed: the retry meets its own entry and answers it, applied once", async () => {
    const u = uniqueUserId("isew");
    const { ledger, cleanLedger, sent } = await ledgerWith(["internal_error_after_write"]);
    await cleanLedger.openAccount(u);
    const r = await ledger.spend(u, { serviceType: "ai_writing" }, { key: "k" });
    expect(sent()).toBe(2);
    expect(r.account.balance).toBe(9700);
    expect(r.entry.amount).toBe(-300);
    const { entries, findings } = await auditFromTable(u);
    expect(findings).toEqual([]);
    expect(entries.map((e) => e.id)).toEqual([expect.any(String), r.entry.id]);
  });

  it("a keyless release whose write landed but was answered 500 answers the release, not hold_not_pending; a second one is refused", async () => {
    // Found by the ledger property test (ledger.property.integration.test.ts): the retry met
    // the hold its own write had released and answered 409 for a release that worked.
    const u = uniqueUserId("rel500");
    const { ledger, cleanLedger, sent } = await ledgerWith(["internal_error_after_write"]);
    await cleanLedger.openAccount(u);
    const { hold } = await cleanLedger.reserve(u, { amount: 500, ttlSeconds: 60 }, { key: "h" });
    const r = await ledger.release(u, hold.id, null);
    expect(r.hold.status).toBe("released");
    expect(r.account).toMatchObject({ balance: 10000, holds: {} });
    expect(sent()).toBe(1);
    const again = await ledger.release(u, hold.id, null).catch((e: unknown) => e);
    expect(isNyangError(again, "hold_not_pending")).toBe(true);
  });

  it("a version conflict (another writer between read and write) is re-decided on the new state", async () => {
    const u = uniqueUserId("ver");
    const { clients } = faultyClients([]);
    const cleanLedger = new Ledger(new LedgerStore(createDynamoClients(process.env), testTableName()), config);
    await cleanLedger.openAccount(u);
    // Before the first transaction is sent, another writer drains the account to 2.00.
    let interfered = false;
    clients.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "TransactWriteItemsCommand" && !interfered) {
          interfered = true;
          await cleanLedger.spend(u, { serviceType: "ai_writing", amount: 9800 }, { key: "drain" });
        }
        return next(args);
      },
      { step: "initialize", name: "interfere" },
    );
    const ledger = new Ledger(new LedgerStore(clients, testTableName()), config, () => new Date(), fastRetry);
    const refused = await ledger.spend(u, { serviceType: "ai_writing" }, { key: "k" }).catch((e: unknown) => e);
    expect(isNyangError(refused, "insufficient_coins")).toBe(true);
    const { entries, findings } = await auditFromTable(u);
    expect(findings).toEqual([]);
    expect(entries.map((e) => e.amount)).toEqual([10000, -9800]);
  });

  it("gives up with a contention error when every attempt loses, having written nothing", async () => {
    const u = uniqueUserId("cont");
    // The quiet attempt and every group commit of the queue it joins lose, until the 1 s budget is spent.
    const { ledger, cleanLedger, sent } = await ledgerWith(Array(10_000).fill("transaction_conflict"), { attempts: 5, baseDelayMs: 1, maxDelayMs: 2, budgetMs: 1_000 });
    await cleanLedger.openAccount(u);
    const e = await ledger.spend(u, { serviceType: "ai_writing" }, { key: "k" }).catch((x: unknown) => x);
    expect(isNyangError(e, "contention")).toBe(true);
    expect(sent()).toBeGreaterThanOrEqual(2);
    expect((await auditFromTable(u)).entries).toHaveLength(1);
    // It withdrew from the queue: no later committer applies it.
    expect((await testStore().queueView(u, null, 10))?.pending).toEqual([]);
  });

  it("a lost race queues the spend for a group commit: the queue's transaction carries it, once", async () => {
    const u = uniqueUserId("queued");
    const { ledger, cleanLedger, sent } = await ledgerWith(["transaction_conflict"]);
    await cleanLedger.openAccount(u);
    const r = await ledger.spend(u, { serviceType: "ai_writing" }, { key: "k" });
    expect(r.replayed).toBe(false);
    // The quiet attempt lost; the second transaction is the group commit (no third: no retry loop).
    expect(sent()).toBe(2);
    const again = await cleanLedger.spend(u, { serviceType: "ai_writing" }, { key: "k" });
    expect(again.replayed).toBe(true);
    expect(again.entry.id).toBe(r.entry.id);
    const { entries, findings } = await auditFromTable(u);
    expect(findings).toEqual([]);
    expect(entries.map((e) => e.id)).toEqual([expect.any(String), r.entry.id]);
    expect((await testStore().queueView(u, null, 10))?.pending).toEqual([]);
  });
});
