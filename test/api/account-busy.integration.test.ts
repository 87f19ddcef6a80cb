import { Ledger, LedgerStore, loadConfig } from "@nyang/core";
import { describe, expect, it } from "vitest";
import { apiWith, auditFromTable, faultyClients, openAccount, serviceToken, testStore, testTableName, uniqueUserId, type Fault } from "../support/index.ts";

/**
 * docs/api.md: contention past the time budget answers 429 `account_busy` with a `Retry-After`
 * header, never a 5xx, and a retry with the same Idempotency-Key later gets the result
 * exactly once. The budget is made to run out by injected TransactionConflicts (DynamoDB
 * Local never raises them) on an app whose ledger has a 1.5 s budget: the spend loses its
 * quiet attempt, queues for a group commit (ledger/group-commit.ts), every commit of the
 * queue is cancelled too, and at the deadline the request withdraws itself from the queue.
 */

function busyApi(faults: Fault[]) {
  const { clients, sent } = faultyClients(faults);
  const ledger = new Ledger(new LedgerStore(clients, testTableName()), loadConfig({}), () => new Date(), { attempts: 3, baseDelayMs: 1, maxDelayMs: 2, budgetMs: 1_500 });
  return { call: apiWith({ ledger }), sent };
}

describe("429 account_busy", () => {
  it("answers 429 with Retry-After when every attempt loses, writes nothing, and the same key later succeeds once", async () => {
    const u = uniqueUserId("busy");
    await openAccount(u);
    const token = await serviceToken();
    const faults: Fault[] = Array.from({ length: 10_000 }, () => "transaction_conflict");
    const { call, sent } = busyApi(faults);
    const spend = { token, body: { serviceType: "ai_writing" }, idempotencyKey: "busy-1" };

    const busy = await call("POST", `/v1/accounts/${u}/usage`, spend);
    expect(busy.status).toBe(429);
    expect(busy.body.error.code).toBe("account_busy");
    expect(Number(busy.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(busy.body)).not.toMatch(/stack|at \w+ \(/);
    expect(sent()).toBeGreaterThanOrEqual(2);
    expect((await auditFromTable(u)).entries).toHaveLength(1);
    // Withdrawn from the queue: nothing is left for a later committer to apply.
    expect((await testStore().queueView(u, null, 10))?.pending).toEqual([]);
    faults.length = 0;

    // The contention is over: the same key runs the spend, and a further retry replays it.
    const done = await call("POST", `/v1/accounts/${u}/usage`, spend);
    expect(done.status).toBe(201);
    expect(done.headers["idempotent-replayed"]).toBeUndefined();
    const again = await call("POST", `/v1/accounts/${u}/usage`, spend);
    expect(again.status).toBe(201);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.body.transaction.id).toBe(done.body.transaction.id);

    const { entries, findings } = await auditFromTable(u);
    expect(findings).toEqual([]);
    expect(entries.filter((e) => e.type === "usage")).toHaveLength(1);
    expect(done.body.account.balance).toBe("97.00");
  });
});
