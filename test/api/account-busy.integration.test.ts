import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { Ledger, LedgerStore, loadConfig } from "@nyang/core";
import { createApp, verifierFromEnv } from "@nyang/functions";
import { createRuntime } from "@nyang/functions/runtime";
import { lambdaContext } from "@nyang/local";
import { handle } from "hono/aws-lambda";
import { describe, expect, it } from "vitest";
import { auditFromTable, faultyClients, lambdaEvent, openAccount, serviceToken, testTableName, uniqueUserId, type ApiCall, type Fault } from "../support/index.ts";

/**
 * API.md: contention past the time budget answers 429 `account_busy` with a `Retry-After`
 * header, never a 5xx, and a retry with the same Idempotency-Key later gets the result
 * exactly once. The budget is made to run out by injected TransactionConflicts (DynamoDB
 * Local never raises them) on an app whose ledger retries only three times.
 */

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

function busyApi(faults: Fault[]) {
  const { clients, sent } = faultyClients(faults);
  const ledger = new Ledger(new LedgerStore(clients, testTableName()), loadConfig({}), () => new Date(), { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 });
  const rt = createRuntime();
  const integrity = { latest: () => Promise.resolve(null), runFresh: () => Promise.reject(new Error("not in this test")) };
  const app = createApp({ ...rt, ledger, integrity, verifyToken: verifierFromEnv() });
  const handler = handle(app) as unknown as Handler;
  const call = async (method: string, path: string, c: ApiCall) => {
    const r = await handler(lambdaEvent(method, path, c), lambdaContext("nyang-http", Date.now() + 25_000));
    const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
    return { status: r.statusCode, headers, body: JSON.parse(r.body ?? "null") as Record<string, any> };
  };
  return { call, sent };
}

describe("429 account_busy", () => {
  it("answers 429 with Retry-After when every attempt loses, writes nothing, and the same key later succeeds once", async () => {
    const u = uniqueUserId("busy");
    await openAccount(u);
    const token = await serviceToken();
    const { call, sent } = busyApi(["transaction_conflict", "transaction_conflict", "transaction_conflict"]);
    const spend = { token, body: { serviceType: "ai_writing" }, idempotencyKey: "busy-1" };

    const busy = await call("POST", `/v1/accounts/${u}/usage`, spend);
    expect(busy.status).toBe(429);
    expect(busy.body.error.code).toBe("account_busy");
    expect(Number(busy.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(busy.body)).not.toMatch(/stack|at \w+ \(/);
    expect(sent()).toBe(3);
    expect((await auditFromTable(u)).entries).toHaveLength(1);

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
