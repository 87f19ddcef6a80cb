import { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { accountPk, auditAccount, AuditStore, createDynamoClients, Ledger, LedgerStore, loadConfig, recordKeyOf, recordSk } from "@nyang/core";
import { describe, expect, it } from "vitest";
import { apiWith, auditFromTable, callApi, localDynamoClient, openAccount, serviceToken, testTableName, uniqueUserId } from "../support/index.ts";

/** Quantities and the price snapshot (docs/credits.md) through the HTTP API, on DynamoDB Local. */
describe("quantity × unit price", () => {
  const svc = async (method: string, path: string, body: unknown, key?: string) =>
    callApi(method, path, { token: await serviceToken(), body, ...(key ? { idempotencyKey: key } : {}) });

  it("a usage of 4 units debits 4 × the price and keeps both; a retry with the same key replays, another quantity conflicts", async () => {
    const u = uniqueUserId("qty");
    await openAccount(u);
    const body = { serviceType: "image_generation_pro", quantity: 4, details: { images: 4 } };
    const r = await svc("POST", `/v1/accounts/${u}/usage`, body, "q1");
    expect(r.status).toBe(201);
    expect(r.body.transaction).toMatchObject({ type: "usage", amount: "-5.20", quantity: 4, unitPrice: "1.30", balanceAfter: "94.80" });
    const again = await svc("POST", `/v1/accounts/${u}/usage`, body, "q1");
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.body).toEqual(r.body);
    const other = await svc("POST", `/v1/accounts/${u}/usage`, { ...body, quantity: 5 }, "q1");
    expect([other.status, other.body.error.code]).toEqual([409, "idempotency_conflict"]);
    // quantity 1 is the default: naming it is the same request as leaving it out.
    const one = await svc("POST", `/v1/accounts/${u}/usage`, { serviceType: "ai_writing" }, "q2");
    expect(one.body.transaction).toMatchObject({ amount: "-3.00", quantity: 1, unitPrice: "3.00" });
    const oneAgain = await svc("POST", `/v1/accounts/${u}/usage`, { serviceType: "ai_writing", quantity: 1 }, "q2");
    expect(oneAgain.headers["idempotent-replayed"]).toBe("true");
    // A caller's amount is one unit of that amount.
    const own = await svc("POST", `/v1/accounts/${u}/usage`, { serviceType: "ai_writing", amount: "0.70" }, "q3");
    expect(own.body.transaction).toMatchObject({ amount: "-0.70", quantity: 1, unitPrice: "0.70" });
    expect((await auditFromTable(u)).findings).toEqual([]);

    // The integrity check reads the units too, and proves them against the amount (a wrong
    // quantity is an entry_arithmetic finding: rules.test.ts). Read only: this table is shared.
    const read = await new AuditStore(createDynamoClients(process.env), testTableName()).readAccount(u, new Date().toISOString());
    const audited = read.items!.entries.find((e) => e.id === r.body.transaction.id);
    expect(audited).toMatchObject({ quantity: 4, unitPrice: 130, amount: -520 });
    expect(auditAccount(read.items!.account!, read.items!.entries)).toEqual([]);
    expect(auditAccount(read.items!.account!, read.items!.entries.map((e) => (e === audited ? { ...e, quantity: 5 } : e))).map((f) => f.kind)).toEqual(["entry_arithmetic"]);
  });

  it("refuses quantities zod refuses, and amount with quantity, writing nothing", async () => {
    const u = uniqueUserId("qty-bad");
    await openAccount(u);
    const cases: unknown[] = [
      { serviceType: "ai_writing", quantity: 0 },
      { serviceType: "ai_writing", quantity: 10_001 },
      { serviceType: "ai_writing", quantity: 1.5 },
      { serviceType: "ai_writing", quantity: "2" },
      { serviceType: "ai_writing", quantity: 2, amount: "1.00" },
    ];
    for (const body of cases) {
      const r = await svc("POST", `/v1/accounts/${u}/usage`, body, `bad-${JSON.stringify(body)}`);
      expect([r.status, r.body.error.code], JSON.stringify(body)).toEqual([400, "validation_failed"]);
    }
    const tooMany = await svc("POST", `/v1/accounts/${u}/usage`, { serviceType: "ai_writing", quantity: 34 }, "many");
    expect([tooMany.status, tooMany.body.error.details]).toEqual([402, { required: "102.00", available: "100.00" }]);
    expect((await auditFromTable(u)).entries).toHaveLength(1);
  });

  it("refunds by quantity at the entry's stored unit price, after the price list changed, never past what is left", async () => {
    const u = uniqueUserId("qty-ref");
    await openAccount(u);
    const spent = await svc("POST", `/v1/accounts/${u}/usage`, { serviceType: "keyword_analysis", quantity: 30 }, "s");
    expect(spent.body.transaction).toMatchObject({ amount: "-60.00", quantity: 30, unitPrice: "2.00" });
    const txId = spent.body.transaction.id;

    // The price list changes: history and refunds keep the old price.
    const repriced = new Ledger(new LedgerStore(createDynamoClients(process.env), testTableName()), loadConfig({ PRICE_KEYWORD_ANALYSIS: "5.00" }));
    const call = apiWith({ ledger: repriced });
    const token = await serviceToken();
    const got = await call("GET", `/v1/accounts/${u}/transactions/${txId}`, { token });
    expect(got.body.transaction).toMatchObject({ amount: "-60.00", quantity: 30, unitPrice: "2.00" });
    const r1 = await call("POST", `/v1/accounts/${u}/refunds`, { token, body: { transactionId: txId, quantity: 5, reason: "5 failed" }, idempotencyKey: "r1" });
    expect(r1.status).toBe(201);
    expect(r1.body.transaction).toMatchObject({ type: "refund", amount: "10.00", quantity: 5, unitPrice: "2.00", relatedTransactionId: txId });
    // An amount that is not whole units mixes with quantities exactly (the tally counts coins).
    const r2 = await call("POST", `/v1/accounts/${u}/refunds`, { token, body: { transactionId: txId, amount: "1.50", reason: "partial" }, idempotencyKey: "r2" });
    expect(r2.body.transaction).toMatchObject({ amount: "1.50", quantity: null, unitPrice: null });
    // 48.50 left: 25 units (50.00) is too many, 24 (48.00) fits.
    const over = await call("POST", `/v1/accounts/${u}/refunds`, { token, body: { transactionId: txId, quantity: 25, reason: "x" }, idempotencyKey: "r3" });
    expect([over.status, over.body.error.code]).toEqual([409, "refund_exceeds_original"]);
    const r4 = await call("POST", `/v1/accounts/${u}/refunds`, { token, body: { transactionId: txId, quantity: 24, reason: "rest" }, idempotencyKey: "r4" });
    expect(r4.body.transaction).toMatchObject({ amount: "48.00", quantity: 24, unitPrice: "2.00" });
    const both = await call("POST", `/v1/accounts/${u}/refunds`, { token, body: { transactionId: txId, quantity: 1, amount: "0.50", reason: "x" }, idempotencyKey: "r5" });
    expect([both.status, both.body.error.code]).toEqual([400, "validation_failed"]);
    // A new spend takes the new price.
    const now = await call("POST", `/v1/accounts/${u}/usage`, { token, body: { serviceType: "keyword_analysis", quantity: 2 }, idempotencyKey: "s2" });
    expect(now.body.transaction).toMatchObject({ amount: "-10.00", quantity: 2, unitPrice: "5.00" });
    expect((await auditFromTable(u)).findings).toEqual([]);
  });

  it("a hold of 3 units keeps its unit price; capture by quantity or amount records the units it makes", async () => {
    const u = uniqueUserId("qty-hold");
    await openAccount(u);
    const held = await svc("POST", `/v1/accounts/${u}/holds`, { serviceType: "image_generation_max", quantity: 3 }, "h");
    expect(held.status).toBe(201);
    expect(held.body.hold).toMatchObject({ amount: "6.30", quantity: 3, unitPrice: "2.10" });
    expect(held.body.account).toMatchObject({ held: "6.30" });
    const cap = await svc("POST", `/v1/accounts/${u}/holds/${held.body.hold.id}/capture`, { quantity: 2 }, "c");
    expect(cap.body.transaction).toMatchObject({ type: "hold_capture", amount: "-4.20", quantity: 2, unitPrice: "2.10" });
    expect(cap.body.hold).toMatchObject({ status: "captured", capturedAmount: "4.20" });
    expect(cap.body.account).toMatchObject({ balance: "95.80", held: "0.00" });

    const h2 = await svc("POST", `/v1/accounts/${u}/holds`, { serviceType: "image_generation_max", quantity: 3 }, "h2");
    const odd = await svc("POST", `/v1/accounts/${u}/holds/${h2.body.hold.id}/capture`, { amount: "5.00" }, "c2");
    expect(odd.body.transaction).toMatchObject({ amount: "-5.00", quantity: null, unitPrice: null });
    const h3 = await svc("POST", `/v1/accounts/${u}/holds`, { amount: "4.00" }, "h3");
    expect(h3.body.hold).toMatchObject({ quantity: 1, unitPrice: "4.00" });
    const all = await svc("POST", `/v1/accounts/${u}/holds/${h3.body.hold.id}/capture`, {}, "c3");
    expect(all.body.transaction).toMatchObject({ amount: "-4.00", quantity: 1, unitPrice: "4.00" });
    const bad = await svc("POST", `/v1/accounts/${u}/holds`, { amount: "1.00", quantity: 2 }, "h4");
    expect([bad.status, bad.body.error.code]).toEqual([400, "validation_failed"]);
    expect((await auditFromTable(u)).findings).toEqual([]);
  });

  it("entries written before quantities existed: a usage reads as 1 unit at its amount, a capture as none", async () => {
    const u = uniqueUserId("qty-old");
    await openAccount(u);
    const spent = await svc("POST", `/v1/accounts/${u}/usage`, { serviceType: "ai_writing", amount: "2.50" }, "old");
    const held = await svc("POST", `/v1/accounts/${u}/holds`, { amount: "3.00" }, "oh");
    const cap = await svc("POST", `/v1/accounts/${u}/holds/${held.body.hold.id}/capture`, {}, "oc");
    // Strip the new attributes, as the items were stored before this change.
    const raw = localDynamoClient();
    try {
      for (const id of [spent.body.transaction.id, cap.body.transaction.id, held.body.hold.id]) {
        const key = recordKeyOf(id, id.startsWith("tx_") ? "entry" : "hold");
        await raw.send(new UpdateItemCommand({
          TableName: testTableName(),
          Key: { pk: { S: accountPk(u) }, sk: { S: recordSk(key!) } },
          UpdateExpression: "REMOVE quantity, unitPrice",
          ConditionExpression: "attribute_exists(pk)",
        }));
      }
    } finally {
      raw.destroy();
    }
    const token = await serviceToken();
    const list = await callApi("GET", `/v1/accounts/${u}/transactions?limit=10`, { token });
    const byId = Object.fromEntries(list.body.transactions.map((t: { id: string }) => [t.id, t]));
    expect(byId[spent.body.transaction.id]).toMatchObject({ quantity: 1, unitPrice: "2.50" });
    expect(byId[cap.body.transaction.id]).toMatchObject({ quantity: null, unitPrice: null });
    const hold = await callApi("GET", `/v1/accounts/${u}/holds/${held.body.hold.id}`, { token });
    expect(hold.body.hold).toMatchObject({ quantity: 1, unitPrice: "3.00" });
    // The old usage can still be refunded by quantity, at its amount.
    const r = await svc("POST", `/v1/accounts/${u}/refunds`, { transactionId: spent.body.transaction.id, quantity: 1, reason: "old" }, "or");
    expect(r.body.transaction).toMatchObject({ amount: "2.50", quantity: 1, unitPrice: "2.50" });
    const noUnits = await svc("POST", `/v1/accounts/${u}/refunds`, { transactionId: cap.body.transaction.id, quantity: 1, reason: "old" }, "or2");
    expect([noUnits.status, noUnits.body.error.code]).toEqual([400, "validation_failed"]);
  });
});
