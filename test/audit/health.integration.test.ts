import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { createDynamoClients } from "@nyang/core";
import { startEventBridgeSink, type EventBridgeSink } from "@nyang/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminToken, callApi, useApiEnv, ledgerOn, privateTable, serviceToken, uniqueUserId } from "../support/index.ts";

/**
 * GET /v1/admin/health through the Lambda event path, on a table of this file's own (the
 * handler's runtime is pointed at it before it loads), so the audit sees only this data.
 */
let table: string;
let sink: EventBridgeSink;
beforeAll(async () => {
  table = await privateTable("health");
  sink = await startEventBridgeSink({});
  useApiEnv({ NYANG_TABLE: table, NYANG_EVENTBRIDGE_ENDPOINT: sink.endpoint });
});
afterAll(() => sink.close());

describe("GET /v1/admin/health", () => {
  it("unknown before any audit; a fresh run proves the ledgers; a corruption makes it unhealthy and named", async () => {
    const token = await adminToken();
    const first = await callApi("GET", "/v1/admin/health", { token });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ status: "unknown", report: null });

    const { ledger } = ledgerOn(table);
    const users = [uniqueUserId("h"), uniqueUserId("h"), uniqueUserId("h")];
    for (const u of users) {
      await ledger.openAccount(u);
      await ledger.spend(u, { serviceType: "ai_writing" }, { key: "s" });
    }
    const healthy = await callApi("GET", "/v1/admin/health?fresh=true", { token });
    expect(healthy.body.status).toBe("healthy");
    expect(healthy.body.report).toMatchObject({ complete: true, accountsChecked: 3, violations: 0 });

    // A balance changed without a ledger entry.
    await createDynamoClients(process.env).doc.send(
      new UpdateCommand({ TableName: table, Key: { pk: `ACCT#${users[1]}`, sk: "ACCOUNT" }, UpdateExpression: "SET balance = :b", ExpressionAttributeValues: { ":b": 123456 } }),
    );
    const broken = await callApi("GET", "/v1/admin/health?fresh=true", { token });
    expect(broken.body.status).toBe("unhealthy");
    expect(broken.body.report.findings.map((f: { userId: string; kind: string }) => [f.userId, f.kind])).toContainEqual([users[1], "balance_mismatch"]);
    // An IntegrityViolation event went out, naming the finding.
    const event = sink.events.find((e) => e.detailType === "IntegrityViolation");
    expect(event?.source).toBe("nyang.integrity");
    expect(JSON.stringify(event?.detail)).toContain("balance_mismatch");
    // The stored latest is that report.
    const latest = await callApi("GET", "/v1/admin/health", { token });
    expect(latest.body.report.id).toBe(broken.body.report.id);
  });

  it("is for admins only", async () => {
    const r = await callApi("GET", "/v1/admin/health", { token: await serviceToken() });
    expect([r.status, r.body.error.code]).toEqual([403, "forbidden"]);
  });
});
