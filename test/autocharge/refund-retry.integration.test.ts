/**
 * The operator's retry of an auto-charge refund the gateway refused, through the Lambda event
 * path on DynamoDB Local with the fake Toss gateway (over real HTTP): an over-limit charge whose
 * cancel the fake refuses waits `refund_pending` off the sweeps' queue; an admin lists it
 * (GET /v1/admin/accounts/{userId}/auto-charge/unsettled) and retries it
 * (POST …/auto-charge/charges/{chargeId}/retry-refund) under a new cancel key each time.
 */
import { AutoCharge, AutoChargeStore, chargeIdFor, TossPaymentsGateway, type Alert } from "@nyang/core";
import { fakeTossEnv, startFakeTossGateway, type FakeTossGateway } from "@nyang/local";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { adminToken, callApi, testRuntime, tokenFor, uniqueUserId, useApiEnv, type ApiReply } from "../support/index.ts";
import { expectError, expectRefused } from "../support/refusals.ts";
import { chargeThen, enableAutoCharge } from "./support.ts";

let fake: FakeTossGateway;
let rt: ReturnType<typeof testRuntime>;
let raced: AutoCharge;
let user = "";
/** How far `raced`'s clock runs ahead of the API's (the real one): moves leases past their end. */
let aheadMs = 0;

beforeAll(async () => {
  fake = await startFakeTossGateway();
  const vars = { ...fakeTossEnv(fake), AUTO_CHARGE_ENABLED: "true", TOSS_TIMEOUT_MS: "2000" };
  useApiEnv(vars);
  rt = testRuntime(vars);
  // The refusal is set up in core, on the API's table: a card charge followed, before Nyang
  // credits it, by another credit that leaves no room under MAX_COIN_AMOUNT.
  const gateway = new TossPaymentsGateway({ baseUrl: fake.url, secretKey: fake.secretKey, timeoutMs: 2000 });
  const creditAfterCharge = chargeThen(gateway, (orderId) =>
    rt.ledger.charge(user, { amount: 9_995_000, type: "purchase", paymentMethod: "bank" }, { key: `race-${orderId}` }),
  );
  const sink = { raise: async (a: Alert) => void (await rt.alerts.raise(a)) };
  raced = new AutoCharge(rt.ledger, rt.store, new AutoChargeStore(rt.clients, rt.env.vars.NYANG_TABLE), creditAfterCharge, rt.config, sink, rt.autoCharge.customerKeyOf, () => new Date(Date.now() + aheadMs));
});
afterAll(() => fake.close());
afterEach(() => fake.setMode("approve"));

/** An account whose over-limit auto-charge the gateway refused to cancel: `refund_pending`, off the sweeps' queue. */
async function refusedRefund(prefix: string) {
  user = uniqueUserId(prefix);
  await rt.ledger.openAccount(user);
  await enableAutoCharge(raced, fake, user);
  const crossing = await rt.ledger.spend(user, { serviceType: "ai_writing", amount: 9500 }, { key: "spend-down" });
  const chargeId = chargeIdFor(user, crossing.entry.id);
  fake.setMode("decline", { times: 1, operations: ["cancel"] });
  expect(await raced.check(user)).toBe("pending");
  expect(await raced.getCharge(user, chargeId)).toMatchObject({ status: "refund_pending", leaseUntil: null, refundRetries: 0 });
  return { u: user, chargeId };
}

const retry = async (u: string, chargeId: string, token?: string): Promise<ApiReply> =>
  callApi("POST", `/v1/admin/accounts/${u}/auto-charge/charges/${chargeId}/retry-refund`, { token: token ?? (await adminToken()) });
const unsettled = async (u: string) => callApi("GET", `/v1/admin/accounts/${u}/auto-charge/unsettled`, { token: await adminToken() });
const cancelKeys = (chargeId: string) =>
  fake.requests.filter((r) => r.operation === "cancel" && r.idempotencyKey?.startsWith(`autocharge-refund-${chargeId}-`)).map((r) => r.idempotencyKey);
const autoChargeEvents = async (u: string) =>
  (await rt.alerts.list(u, { unreadOnly: false, limit: 100 })).filter((a) => a.type === "auto_charge").map((a) => a.data.event);

describe("an operator retries a refused auto-charge refund", () => {
  it("lists it, answers a second refusal 402 leaving it waiting, then refunds it under a new key: refunded, alerted, off the list", async () => {
    const { u, chargeId } = await refusedRefund("rr");
    const listed = await unsettled(u);
    expect(listed.status).toBe(200);
    expect(listed.body.charges).toEqual([
      expect.objectContaining({ id: chargeId, userId: u, status: "refund_pending", amount: "100.00", amountKrw: 1000, failureCode: "BALANCE_LIMIT_EXCEEDED", refundRetries: 0 }),
    ]);
    expect(listed.body.charges[0].failureMessage).toContain("NOT_CANCELABLE_PAYMENT");
    expect(JSON.stringify(listed.body)).not.toMatch(/billingKey/);

    // Refused again: 402 with the gateway's code; the record still waits, off the queue, with the new refusal.
    fake.setMode("decline", { times: 1, operations: ["cancel"], code: "FORBIDDEN_REQUEST", message: "refused twice" });
    const declined = await retry(u, chargeId);
    expectError(declined, 402, "payment_declined");
    expect(declined.body.error.details).toEqual({ gatewayCode: "FORBIDDEN_REQUEST" });
    const waiting = await raced.getCharge(u, chargeId);
    expect(waiting).toMatchObject({ status: "refund_pending", leaseUntil: null, refundRetries: 1, transactionId: null });
    expect(waiting!.failureMessage).toContain("FORBIDDEN_REQUEST");
    expect(fake.paymentByOrderId(chargeId)?.status).toBe("DONE");

    // Accepted: refunded, the payment cancelled once, its alert raised once.
    const ok = await retry(u, chargeId);
    expect(ok.status).toBe(200);
    expect(ok.body.charge).toMatchObject({ id: chargeId, status: "refunded", refundRetries: 2 });
    expect(await raced.getCharge(u, chargeId)).toMatchObject({ status: "refunded", leaseUntil: null });
    expect(fake.paymentByOrderId(chargeId)).toMatchObject({ status: "CANCELED", balanceAmount: 0 });
    expect(fake.paymentByOrderId(chargeId)!.cancels).toHaveLength(1);
    // Each send its own key: the gateway would answer a refused key's refusal again.
    expect(cancelKeys(chargeId)).toEqual([`autocharge-refund-${chargeId}-1`, `autocharge-refund-${chargeId}-1-retry1`, `autocharge-refund-${chargeId}-1-retry2`]);
    expect(await autoChargeEvents(u)).toEqual(["refunded_over_limit"]);
    expect((await unsettled(u)).body.charges).toEqual([]);
    // No coins moved at any point.
    expect((await rt.store.readLedger(u)).filter((e) => e.type === "auto_charge")).toEqual([]);

    // Done: a repeat is 409 and sends nothing.
    await expectRefused(u, () => retry(u, chargeId), 409, "charge_not_refund_pending");
    expect(cancelKeys(chargeId)).toHaveLength(3);
  });

  it("404 for an unknown charge, 400 for a malformed id, 403 for anyone but an admin; nothing sent, nothing written", async () => {
    const { u, chargeId } = await refusedRefund("rr-guard");
    await expectRefused(u, () => retry(u, "ac_0123456789abcdefghjkmnpqrs"), 404, "charge_not_found");
    await expectRefused(u, () => retry(u, "not-a-charge"), 400, "validation_failed");
    await expectRefused(u, async () => retry(u, chargeId, await tokenFor(u)), 403, "forbidden");
    await expectRefused(u, async () => retry(u, chargeId, await tokenFor("svc", "service")), 403, "forbidden");
    const asOwner = await callApi("GET", `/v1/admin/accounts/${u}/auto-charge/unsettled`, { token: await tokenFor(u) });
    expectError(asOwner, 403, "forbidden");
    expect(cancelKeys(chargeId)).toHaveLength(1);
  });

  it("409 for a charge that is not waiting for an operator (paid)", async () => {
    const u = uniqueUserId("rr-paid");
    await rt.ledger.openAccount(u);
    await enableAutoCharge(rt.autoCharge, fake, u);
    const crossing = await rt.ledger.spend(u, { serviceType: "ai_writing", amount: 9500 }, { key: "spend-down" });
    expect(await rt.autoCharge.check(u)).toBe("charged");
    const chargeId = chargeIdFor(u, crossing.entry.id);
    const r = await expectRefused(u, () => retry(u, chargeId), 409, "charge_not_refund_pending");
    expect(r.body.error.details).toEqual({ chargeId, status: "paid" });
  });

  it("a lost answer: 504 payment_pending, the refund under way (409 to another retry), and the sweep after its lease finishes it under the same key", async () => {
    const { u, chargeId } = await refusedRefund("rr-lost");
    fake.setMode("lose_response", { times: 1, operations: ["cancel"] });
    expectError(await retry(u, chargeId), 504, "payment_pending");
    const leased = (await raced.getCharge(u, chargeId))!;
    expect(leased).toMatchObject({ status: "refund_pending", refundRetries: 1 });
    expect(leased.leaseUntil).not.toBeNull();
    await expectRefused(u, () => retry(u, chargeId), 409, "charge_not_refund_pending");
    expect((await unsettled(u)).body.charges).toEqual([]);

    aheadMs = rt.config.autoCharge.leaseSeconds * 1000 + 1000;
    try {
      await raced.sweep("due");
    } finally {
      aheadMs = 0;
    }
    expect(await raced.getCharge(u, chargeId)).toMatchObject({ status: "refunded" });
    expect(cancelKeys(chargeId)).toEqual([`autocharge-refund-${chargeId}-1`, `autocharge-refund-${chargeId}-1-retry1`, `autocharge-refund-${chargeId}-1-retry1`]);
    expect(fake.paymentByOrderId(chargeId)!.cancels).toHaveLength(1);
    expect(await autoChargeEvents(u)).toEqual(["refunded_over_limit"]);
  });
});
