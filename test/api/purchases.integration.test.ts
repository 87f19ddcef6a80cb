import { fakeTossEnv, startFakeTossGateway, type FakeTossGateway } from "@nyang/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminToken, auditFromTable, callApi, useApiEnv, openAccount, serviceToken, tokenFor, uniqueUserId } from "../support/index.ts";

/** The purchase routes through the Lambda event path, with the fake Toss gateway behind them. */
let fake: FakeTossGateway;
beforeAll(async () => {
  fake = await startFakeTossGateway({ cancelCooldownMs: 0 });
  // Read by the handler's runtime when this file first calls the API.
  useApiEnv({ ...fakeTossEnv(fake), TOSS_TIMEOUT_MS: "500" });
});
afterAll(() => fake.close());

async function buyer() {
  const u = uniqueUserId("shop");
  await openAccount(u);
  return { u, token: await tokenFor(u) };
}

describe("purchase routes", () => {
  it("order → checkout → confirm → cancel, as the owner", async () => {
    const { u, token } = await buyer();
    const created = await callApi("POST", "/v1/accounts/me/purchases", { token, body: { packageId: "saver" }, idempotencyKey: "o1" });
    expect(created.status).toBe(201);
    expect(created.body.order).toMatchObject({ userId: u, packageId: "saver", packageName: "알뜰팩", coins: "3000.00", bonusCoins: "300.00", amountKrw: 27000, status: "pending" });
    const replay = await callApi("POST", "/v1/accounts/me/purchases", { token, body: { packageId: "saver" }, idempotencyKey: "o1" });
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    expect(replay.body).toEqual(created.body);

    const orderId = created.body.order.id;
    const paymentKey = fake.authorize({ orderId, amount: 27000 });
    const tampered = await callApi("POST", `/v1/accounts/me/purchases/${orderId}/confirm`, { token, body: { paymentKey, amount: 2700 }, idempotencyKey: "c0" });
    expect([tampered.status, tampered.body.error.code]).toEqual([400, "validation_failed"]);

    const confirmed = await callApi("POST", `/v1/accounts/me/purchases/${orderId}/confirm`, { token, body: { paymentKey, amount: 27000 }, idempotencyKey: "c1" });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.order.status).toBe("paid");
    expect(confirmed.body.transaction).toMatchObject({ type: "purchase", amount: "3300.00", paidAmount: "3000.00", bonusAmount: "300.00", paymentReference: paymentKey });
    expect(confirmed.body.account).toMatchObject({ balance: "3400.00", paidBalance: "3000.00", bonusBalance: "400.00", purchased: "3300.00" });
    const again = await callApi("POST", `/v1/accounts/me/purchases/${orderId}/confirm`, { token, body: { paymentKey }, idempotencyKey: "c1" });
    expect(again.status).toBe(200);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.body.transaction).toEqual(confirmed.body.transaction);

    const got = await callApi("GET", `/v1/accounts/me/purchases/${orderId}`, { token });
    expect(got.body.order.status).toBe("paid");

    const canceled = await callApi("POST", `/v1/accounts/me/purchases/${orderId}/cancel`, { token, body: { reason: "단순 변심" }, idempotencyKey: "x1" });
    expect(canceled.status).toBe(200);
    expect(canceled.body.order.status).toBe("canceled");
    expect(canceled.body.transaction).toMatchObject({ type: "refund", amount: "-3300.00" });
    expect(canceled.body.account.balance).toBe("100.00");
    expect(fake.paymentByOrderId(orderId)?.status).toBe("CANCELED");
    expect((await auditFromTable(u)).findings).toEqual([]);
  });

  it("declined payments answer 402 payment_declined; an unanswered gateway answers 504 payment_pending", async () => {
    const { token } = await buyer();
    const o1 = (await callApi("POST", "/v1/accounts/me/purchases", { token, body: { packageId: "basic" }, idempotencyKey: "a" })).body.order;
    fake.setMode("decline", { times: 1, operations: ["confirm"] });
    const declined = await callApi("POST", `/v1/accounts/me/purchases/${o1.id}/confirm`, { token, body: { paymentKey: fake.authorize({ orderId: o1.id, amount: o1.amountKrw }) }, idempotencyKey: "c" });
    expect([declined.status, declined.body.error.code]).toEqual([402, "payment_declined"]);
    expect(declined.body.error.details.gatewayCode).toBe("REJECT_CARD_PAYMENT");

    const o2 = (await callApi("POST", "/v1/accounts/me/purchases", { token, body: { packageId: "basic" }, idempotencyKey: "b" })).body.order;
    fake.setMode("timeout", { times: 2, operations: ["confirm", "lookup"], holdMs: 900 });
    const key = fake.authorize({ orderId: o2.id, amount: o2.amountKrw });
    const pending = await callApi("POST", `/v1/accounts/me/purchases/${o2.id}/confirm`, { token, body: { paymentKey: key }, idempotencyKey: "c-o2" });
    expect([pending.status, pending.body.error.code]).toEqual([504, "payment_pending"]);
    const later = await callApi("POST", `/v1/accounts/me/purchases/${o2.id}/confirm`, { token, body: { paymentKey: key }, idempotencyKey: "c2" });
    expect(later.status).toBe(200);
    expect(later.body.account.balance).toBe("1100.00");
  });

  it("a payment key that is not the order's answers 409 payment_mismatch and leaves the order confirmable", async () => {
    const { u, token } = await buyer();
    const open = async (key: string) => (await callApi("POST", "/v1/accounts/me/purchases", { token, body: { packageId: "basic" }, idempotencyKey: key })).body.order;
    const a = await open("a");
    const b = await open("b");
    const aKey = fake.authorize({ orderId: a.id, amount: a.amountKrw });
    expect((await callApi("POST", `/v1/accounts/me/purchases/${a.id}/confirm`, { token, body: { paymentKey: aKey }, idempotencyKey: "ca" })).status).toBe(200);
    // Never issued by the gateway (the repro), and another order's approved payment.
    for (const [paymentKey, gatewayCode] of [["wrong", "NOT_FOUND_PAYMENT"], [aKey, "ALREADY_PROCESSED_PAYMENT"]] as const) {
      const refused = await callApi("POST", `/v1/accounts/me/purchases/${b.id}/confirm`, { token, body: { paymentKey }, idempotencyKey: `cb-${paymentKey}` });
      expect([refused.status, refused.body.error.code, refused.body.error.details.gatewayCode]).toEqual([409, "payment_mismatch", gatewayCode]);
      const order = (await callApi("GET", `/v1/accounts/me/purchases/${b.id}`, { token })).body.order;
      expect(order).toMatchObject({ status: "pending", paymentKey: null });
    }
    const bKey = fake.authorize({ orderId: b.id, amount: b.amountKrw });
    const paid = await callApi("POST", `/v1/accounts/me/purchases/${b.id}/confirm`, { token, body: { paymentKey: bKey }, idempotencyKey: "cb-right" });
    expect([paid.status, paid.body.order.status, paid.body.account.balance]).toEqual([200, "paid", "2100.00"]);
    expect((await auditFromTable(u)).findings).toEqual([]);
  });

  it("a confirm whose coins would lift the balance above MAX_COIN_AMOUNT answers 422 balance_limit_exceeded before the payment is taken", async () => {
    const { u, token } = await buyer();
    const order = (await callApi("POST", "/v1/accounts/me/purchases", { token, body: { packageId: "vip" }, idempotencyKey: "vip" })).body.order;
    const raised = await callApi("POST", `/v1/accounts/${u}/charges`, { token: await adminToken(), body: { amount: "90000", paymentMethod: "bank" }, idempotencyKey: "raise" });
    expect(raised.body.account.balance).toBe("90100.00");
    const paymentKey = fake.authorize({ orderId: order.id, amount: order.amountKrw });
    const refused = await callApi("POST", `/v1/accounts/me/purchases/${order.id}/confirm`, { token, body: { paymentKey }, idempotencyKey: "c" });
    expect([refused.status, refused.body.error.code]).toEqual([422, "balance_limit_exceeded"]);
    expect(refused.body.error.details).toMatchObject({ max: "100000.00", balanceAfter: "118100.00", orderId: order.id, payment: "not_charged" });
    expect(fake.paymentByOrderId(order.id)).toBeUndefined();
    expect((await callApi("GET", `/v1/accounts/me/purchases/${order.id}`, { token })).body.order.status).toBe("pending");
    expect((await callApi("GET", "/v1/accounts/me", { token })).body.account.balance).toBe("90100.00");
    expect((await auditFromTable(u)).findings).toEqual([]);
  });

  it("a confirm's or a cancel's Idempotency-Key is one request: a retry replays it, another route or body with it is 409 idempotency_conflict", async () => {
    const { u, token } = await buyer();
    const service = await serviceToken();
    const open = async (key: string) => (await callApi("POST", "/v1/accounts/me/purchases", { token, body: { packageId: "basic" }, idempotencyKey: key })).body.order;
    const a = await open("order-a");
    const b = await open("order-b");
    const aKey = fake.authorize({ orderId: a.id, amount: a.amountKrw });
    const bKey = fake.authorize({ orderId: b.id, amount: b.amountKrw });
    const confirm = (orderId: string, paymentKey: string, key: string) =>
      callApi("POST", `/v1/accounts/me/purchases/${orderId}/confirm`, { token, body: { paymentKey }, idempotencyKey: key });
    const cancel = (orderId: string, reason: string, key: string) =>
      callApi("POST", `/v1/accounts/me/purchases/${orderId}/cancel`, { token, body: { reason }, idempotencyKey: key });
    const spend = (key: string) => callApi("POST", `/v1/accounts/${u}/usage`, { token: service, body: { serviceType: "ai_writing" }, idempotencyKey: key });
    const conflict = (r: { status: number; body: any }) => expect([r.status, r.body.error?.code]).toEqual([409, "idempotency_conflict"]);

    // A spend's key on a confirm: refused before the gateway is asked.
    expect((await spend("spent")).status).toBe(201);
    conflict(await confirm(a.id, aKey, "spent"));
    expect(fake.paymentByOrderId(a.id)).toBeUndefined();

    const confirmed = await confirm(a.id, aKey, "confirm-a");
    expect([confirmed.status, confirmed.body.order.status]).toEqual([200, "paid"]);
    const retried = await confirm(a.id, aKey, "confirm-a");
    expect([retried.status, retried.headers["idempotent-replayed"]]).toEqual([200, "true"]);
    expect(retried.body).toEqual(confirmed.body);
    // The same key for another order, another route, or a spend.
    conflict(await confirm(b.id, bKey, "confirm-a"));
    expect(fake.paymentByOrderId(b.id)).toBeUndefined();
    conflict(await cancel(a.id, "단순 변심", "confirm-a"));
    conflict(await spend("confirm-a"));

    const canceled = await cancel(a.id, "단순 변심", "cancel-a");
    expect([canceled.status, canceled.body.order.status]).toEqual([200, "canceled"]);
    const cancelRetried = await cancel(a.id, "단순 변심", "cancel-a");
    expect([cancelRetried.status, cancelRetried.headers["idempotent-replayed"]]).toEqual([200, "true"]);
    expect(cancelRetried.body).toEqual(canceled.body);
    conflict(await cancel(a.id, "다른 이유", "cancel-a"));
    conflict(await confirm(b.id, bKey, "cancel-a"));
    // The confirm's retry still answers its credit, the order as it now stands.
    const late = await confirm(a.id, aKey, "confirm-a");
    expect([late.status, late.headers["idempotent-replayed"], late.body.order.status]).toEqual([200, "true", "canceled"]);
    expect([late.body.transaction, late.body.account]).toEqual([confirmed.body.transaction, confirmed.body.account]);

    // B with keys of its own: untouched by the refused reuses.
    expect((await confirm(b.id, bKey, "confirm-b")).body.order.status).toBe("paid");
    expect((await callApi("GET", "/v1/accounts/me", { token })).body.account.balance).toBe("1097.00");
    expect((await auditFromTable(u)).findings).toEqual([]);
  });

  it("owner or admin only; unknown packages and orders are 404", async () => {
    const { u, token } = await buyer();
    const other = await tokenFor("someone-else");
    expect((await callApi("POST", `/v1/accounts/${u}/purchases`, { token: other, body: { packageId: "basic" }, idempotencyKey: "k" })).status).toBe(403);
    expect((await callApi("POST", `/v1/accounts/${u}/purchases`, { token: await serviceToken(), body: { packageId: "basic" }, idempotencyKey: "k" })).status).toBe(403);
    expect((await callApi("POST", `/v1/accounts/${u}/purchases`, { token: await adminToken(), body: { packageId: "basic" }, idempotencyKey: "k" })).status).toBe(201);
    const unknown = await callApi("POST", "/v1/accounts/me/purchases", { token, body: { packageId: "gold" }, idempotencyKey: "k2" });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "package_not_found"]);
    const missing = await callApi("POST", "/v1/accounts/me/purchases/ord_0000000000000000000000000a/confirm", { token, body: { paymentKey: "x" }, idempotencyKey: "k3" });
    expect([missing.status, missing.body.error.code]).toEqual([404, "order_not_found"]);
    const noKey = await callApi("POST", "/v1/accounts/me/purchases", { token, body: { packageId: "basic" } });
    expect(noKey.body.error.code).toBe("idempotency_key_required");
  });
});
