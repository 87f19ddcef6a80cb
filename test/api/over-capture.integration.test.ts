import { describe, expect, it } from "vitest";
import { adminToken, auditFromTable, callApi, openAccount, serviceToken, tokenFor, uniqueUserId } from "../support/index.ts";

/** Capturing above a hold (docs/credits.md, over-capture) through the HTTP API, on DynamoDB Local. */
describe("over-capture", () => {
  const svc = async (method: string, path: string, body?: unknown, key?: string) =>
    callApi(method, path, { token: await serviceToken(), body, ...(key ? { idempotencyKey: key } : {}) });

  it("from_available takes the extra from the available balance in the same write; the default still refuses", async () => {
    const u = uniqueUserId("overcap");
    await openAccount(u);
    await callApi("POST", `/v1/accounts/${u}/charges`, { token: await adminToken(), body: { amount: "10.00", paymentMethod: "card" }, idempotencyKey: "paid" });
    const held = await svc("POST", `/v1/accounts/${u}/holds`, { serviceType: "image_generation_max", quantity: 3 }, "h");
    const other = await svc("POST", `/v1/accounts/${u}/holds`, { amount: "50.00" }, "h-other");
    expect(other.body.account).toMatchObject({ balance: "110.00", held: "56.30", available: "53.70" });
    const holdId = held.body.hold.id;

    const refused = await svc("POST", `/v1/accounts/${u}/holds/${holdId}/capture`, { quantity: 4 }, "c0");
    expect([refused.status, refused.body.error.code]).toEqual([400, "invalid_amount"]);
    const refusedToo = await svc("POST", `/v1/accounts/${u}/holds/${holdId}/capture`, { amount: "8.40", overCapture: "reject" }, "c0b");
    expect([refusedToo.status, refusedToo.body.error.code]).toEqual([400, "invalid_amount"]);

    const cap = await svc("POST", `/v1/accounts/${u}/holds/${holdId}/capture`, { quantity: 4, overCapture: "from_available" }, "c1");
    expect(cap.status).toBe(201);
    expect(cap.body.transaction).toMatchObject({
      type: "hold_capture", amount: "-8.40", quantity: 4, unitPrice: "2.10", balanceBefore: "110.00", balanceAfter: "101.60",
      // bonus_first (SPEND_ORDER's default): the whole capture comes out of the 100.00 bonus coins.
      paidAmount: "0.00", bonusAmount: "-8.40",
    });
    expect(cap.body.hold).toMatchObject({ status: "captured", amount: "6.30", capturedAmount: "8.40" });
    // The other hold still reserves its 50.00.
    expect(cap.body.account).toMatchObject({ balance: "101.60", held: "50.00", available: "51.60", used: "8.40" });
    const replay = await svc("POST", `/v1/accounts/${u}/holds/${holdId}/capture`, { quantity: 4, overCapture: "from_available" }, "c1");
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    expect(replay.body).toEqual(cap.body);
    const otherRequest = await svc("POST", `/v1/accounts/${u}/holds/${holdId}/capture`, { quantity: 4 }, "c1");
    expect([otherRequest.status, otherRequest.body.error.code]).toEqual([409, "idempotency_conflict"]);
    // The over-captured entry refunds in full, no more.
    const refund = await svc("POST", `/v1/accounts/${u}/refunds`, { transactionId: cap.body.transaction.id, quantity: 4, reason: "failed" }, "r");
    expect(refund.body.transaction).toMatchObject({ amount: "8.40", quantity: 4 });
    expect((await auditFromTable(u)).findings).toEqual([]);
  });

  it("an extra the available balance cannot cover is 402 and the hold stays pending, untouched", async () => {
    const u = uniqueUserId("overcap-402");
    await openAccount(u);
    const held = await svc("POST", `/v1/accounts/${u}/holds`, { amount: "60.00" }, "h");
    await svc("POST", `/v1/accounts/${u}/holds`, { amount: "30.00" }, "h2");
    // 10.00 available besides the holds: an extra of 10.01 does not fit, 10.00 does.
    const short = await svc("POST", `/v1/accounts/${u}/holds/${held.body.hold.id}/capture`, { amount: "70.01", overCapture: "from_available" }, "c1");
    expect([short.status, short.body.error.code, short.body.error.details]).toEqual([402, "insufficient_coins", { required: "10.01", available: "10.00" }]);
    const still = await callApi("GET", `/v1/accounts/${u}/holds/${held.body.hold.id}`, { token: await tokenFor(u) });
    expect(still.body.hold).toMatchObject({ status: "pending", capturedAmount: null });
    const account = await callApi("GET", `/v1/accounts/${u}`, { token: await tokenFor(u) });
    expect(account.body.account).toMatchObject({ balance: "100.00", held: "90.00", available: "10.00", version: 1 });
    const fits = await svc("POST", `/v1/accounts/${u}/holds/${held.body.hold.id}/capture`, { amount: "70.00", overCapture: "from_available" }, "c2");
    expect(fits.status).toBe(201);
    expect(fits.body.account).toMatchObject({ balance: "30.00", held: "30.00", available: "0.00" });
    expect((await auditFromTable(u)).findings).toEqual([]);
  });

  it("a frozen account captures what it reserved but refuses the extra (423)", async () => {
    const u = uniqueUserId("overcap-frozen");
    await openAccount(u);
    const held = await svc("POST", `/v1/accounts/${u}/holds`, { amount: "5.00" }, "h");
    await callApi("POST", `/v1/accounts/${u}/freeze`, { token: await adminToken() });
    const over = await svc("POST", `/v1/accounts/${u}/holds/${held.body.hold.id}/capture`, { amount: "6.00", overCapture: "from_available" }, "c1");
    expect([over.status, over.body.error.code]).toEqual([423, "account_frozen"]);
    const within = await svc("POST", `/v1/accounts/${u}/holds/${held.body.hold.id}/capture`, { amount: "5.00", overCapture: "from_available" }, "c2");
    expect(within.status).toBe(201);
    const bad = await svc("POST", `/v1/accounts/${u}/holds/${held.body.hold.id}/capture`, { overCapture: "always" }, "c3");
    expect([bad.status, bad.body.error.code]).toEqual([400, "validation_failed"]);
  });
});
