/**
 * The PaymentGateway contract: one suite, run by `toss-fake.test.ts` (the Toss adapter against
 * the local fake, over real HTTP) and by `toss-recorded.test.ts` (the same adapter against a
 * replay server serving Toss's documented sample answers). The adapter is the thing under test
 * in both; a target only decides what stands behind its base URL.
 *
 * A target arranges each scenario its own way — the fake by switching modes, the replay server
 * by loading the scenario's recorded exchanges — and hands back the order to pay: the browser
 * step (the customer authorising the payment in Toss's window) is done, so `paymentKey`,
 * `orderId` and `amount` are what the success URL would carry.
 */
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PaymentDeclinedError, PaymentNotForOrderError, PaymentUnknownError, type PaymentGateway } from "@nyang/core";

/** Client time-out for the calls that are meant to time out: short, so those scenarios stay quick. */
export const CONTRACT_TIMEOUT_MS = 300;
/** Client time-out for every other call: generous, so a loaded CI machine does not fake a time-out. */
export const CONTRACT_PATIENT_TIMEOUT_MS = 5_000;

export const scenarios = [
  "approve",
  "idempotent_replay",
  "already_processed",
  "amount_mismatch",
  "decline",
  "timeout",
  "lose_response",
  "unknown_order",
  "unknown_payment_key",
  "other_order_session",
  "other_order_payment",
  "unknown_payment_lookup",
  "cancel_full",
  "cancel_partial",
  "cancel_replay",
  "wrong_secret",
] as const;
export type Scenario = (typeof scenarios)[number];

/** Automatic payments (billing): a card registered once, then charged without the customer. */
export const billingScenarios = [
  "billing_issue",
  "billing_charge",
  "billing_charge_replay",
  "billing_duplicate_order",
  "billing_decline",
  "billing_timeout",
  "billing_lose_response",
  "billing_customer_mismatch",
  "billing_issue_customer_mismatch",
] as const;
export type BillingScenario = (typeof billingScenarios)[number];

/**
 * A card the customer registered in Toss's card-registration window (`authKey` and
 * `customerKey` are what its success URL carries), and the order to charge it for.
 */
export interface BillingRegistration {
  authKey: string;
  customerKey: string;
  orderId: string;
  orderName: string;
  amount: number;
}

/** An order whose payment the customer authorised in the browser. */
export interface AuthorisedOrder {
  paymentKey: string;
  orderId: string;
  amount: number;
}

export interface GatewayTarget {
  /** The adapter under test, pointed at this target (time-out default {@link CONTRACT_PATIENT_TIMEOUT_MS}). */
  gateway(options?: { secretKey?: string; timeoutMs?: number }): PaymentGateway;
  /** Arranges one scenario and returns its order. */
  begin(scenario: Scenario): Promise<AuthorisedOrder>;
  /** Arranges one billing scenario and returns its card registration and order. */
  beginBilling(scenario: BillingScenario): Promise<BillingRegistration>;
  /** Throws when the target saw requests the scenario did not expect (or missed expected ones). */
  verify(): void;
  /** Stops every server the target started. */
  close(): Promise<void>;
}

const key = () => `idem-${randomUUID()}`;
/** The id of a second order of the same shop, for confirming the first order's key against it. */
export const otherOrderId = (orderId: string) => `${orderId}_other`;

export function gatewayContract(name: string, setup: () => Promise<GatewayTarget>): void {
  describe(`PaymentGateway contract — ${name}`, () => {
    let target: GatewayTarget;

    beforeAll(async () => {
      target = await setup();
    });
    afterAll(async () => {
      await target?.close();
    });
    afterEach(() => {
      target.verify();
    });

    it("confirm approves and returns DONE with the total amount", async () => {
      const order = await target.begin("approve");
      const payment = await target.gateway().confirm({ ...order, idempotencyKey: key() });
      expect(payment).toMatchObject({
        paymentKey: order.paymentKey,
        orderId: order.orderId,
        status: "DONE",
        totalAmount: order.amount,
        balanceAmount: order.amount,
      });
      expect(payment.approvedAt).toEqual(expect.any(String));
      expect(payment.method).toEqual(expect.any(String));
    });

    it("confirm repeated with the same idempotency key returns the same payment", async () => {
      const order = await target.begin("idempotent_replay");
      const idempotencyKey = key();
      const first = await target.gateway().confirm({ ...order, idempotencyKey });
      const again = await target.gateway().confirm({ ...order, idempotencyKey });
      expect(again).toEqual(first);
      expect(again.status).toBe("DONE");
    });

    it("confirm again under another idempotency key is declined ALREADY_PROCESSED_PAYMENT", async () => {
      const order = await target.begin("already_processed");
      await target.gateway().confirm({ ...order, idempotencyKey: key() });
      const error = await target.gateway().confirm({ ...order, idempotencyKey: key() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaymentDeclinedError);
      expect(error).toMatchObject({ gatewayCode: "ALREADY_PROCESSED_PAYMENT", httpStatus: 400 });
    });

    it("confirm for another amount than the customer authorised is declined", async () => {
      const order = await target.begin("amount_mismatch");
      const error = await target
        .gateway()
        .confirm({ ...order, amount: order.amount + 100, idempotencyKey: key() })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaymentDeclinedError);
      const { httpStatus } = error as PaymentDeclinedError;
      expect(httpStatus >= 400 && httpStatus < 500).toBe(true);
    });

    it("a card refusal is declined with Toss's code, and the payment is not DONE", async () => {
      const order = await target.begin("decline");
      const error = await target.gateway().confirm({ ...order, idempotencyKey: key() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaymentDeclinedError);
      expect(error).toMatchObject({ gatewayCode: "REJECT_CARD_PAYMENT", httpStatus: 403 });
      const found = await target.gateway().findByOrderId(order.orderId);
      expect(found?.status ?? null).not.toBe("DONE");
    });

    it("no answer in time is unknown; the look-up shows no payment", async () => {
      const order = await target.begin("timeout");
      const started = Date.now();
      const error = await target
        .gateway({ timeoutMs: CONTRACT_TIMEOUT_MS })
        .confirm({ ...order, idempotencyKey: key() })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaymentUnknownError);
      expect(Date.now() - started).toBeLessThan(CONTRACT_TIMEOUT_MS + 2_000);
      expect(await target.gateway().findByOrderId(order.orderId)).toBeNull();
    });

    it("a lost answer is unknown; the look-up shows DONE and a retry under the same key returns it", async () => {
      const order = await target.begin("lose_response");
      const idempotencyKey = key();
      const error = await target.gateway().confirm({ ...order, idempotencyKey }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaymentUnknownError);
      // Reconciliation: the gateway did take the payment.
      const found = await target.gateway().findByOrderId(order.orderId);
      expect(found).toMatchObject({ paymentKey: order.paymentKey, status: "DONE", totalAmount: order.amount });
      const retried = await target.gateway().confirm({ ...order, idempotencyKey });
      expect(retried).toMatchObject({ paymentKey: order.paymentKey, status: "DONE" });
    });

    it("findByOrderId for an order the gateway never saw is null", async () => {
      const order = await target.begin("unknown_order");
      expect(await target.gateway().findByOrderId(order.orderId)).toBeNull();
    });

    it("confirm of a payment key the gateway never issued is declined NOT_FOUND_PAYMENT (404); nothing is paid", async () => {
      const order = await target.begin("unknown_payment_key");
      const error = await target.gateway().confirm({ ...order, idempotencyKey: key() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaymentNotForOrderError);
      expect(error).toMatchObject({ gatewayCode: "NOT_FOUND_PAYMENT", httpStatus: 404 });
      expect(await target.gateway().findByOrderId(order.orderId)).toBeNull();
    });

    it("confirm of a key the customer authorised for another order is not this order's payment (NOT_FOUND_PAYMENT_SESSION)", async () => {
      const order = await target.begin("other_order_session");
      const error = await target
        .gateway()
        .confirm({ ...order, orderId: otherOrderId(order.orderId), idempotencyKey: key() })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaymentNotForOrderError);
      expect(error).toMatchObject({ gatewayCode: "NOT_FOUND_PAYMENT_SESSION", httpStatus: 404 });
    });

    it("confirm of another order's approved payment is declined ALREADY_PROCESSED_PAYMENT; the look-up by key names its order", async () => {
      const order = await target.begin("other_order_payment");
      await target.gateway().confirm({ ...order, idempotencyKey: key() });
      const error = await target
        .gateway()
        .confirm({ ...order, orderId: otherOrderId(order.orderId), idempotencyKey: key() })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaymentDeclinedError);
      expect(error).toMatchObject({ gatewayCode: "ALREADY_PROCESSED_PAYMENT", httpStatus: 400 });
      const paid = await target.gateway().findByPaymentKey(order.paymentKey);
      expect(paid).toMatchObject({ paymentKey: order.paymentKey, orderId: order.orderId, status: "DONE", totalAmount: order.amount });
    });

    it("findByPaymentKey for a key the gateway never issued is null", async () => {
      const order = await target.begin("unknown_payment_lookup");
      expect(await target.gateway().findByPaymentKey(order.paymentKey)).toBeNull();
    });

    it("cancel without an amount cancels everything: CANCELED, balance 0", async () => {
      const order = await target.begin("cancel_full");
      await target.gateway().confirm({ ...order, idempotencyKey: key() });
      const canceled = await target
        .gateway()
        .cancel({ paymentKey: order.paymentKey, reason: "고객이 취소를 원함", idempotencyKey: key() });
      expect(canceled).toMatchObject({
        paymentKey: order.paymentKey,
        status: "CANCELED",
        totalAmount: order.amount,
        balanceAmount: 0,
      });
    });

    it("cancel of part of the amount leaves PARTIAL_CANCELED with the rest as balance", async () => {
      const order = await target.begin("cancel_partial");
      await target.gateway().confirm({ ...order, idempotencyKey: key() });
      const part = Math.floor(order.amount / 10);
      const partial = await target
        .gateway()
        .cancel({ paymentKey: order.paymentKey, reason: "부분 환불", amount: part, idempotencyKey: key() });
      expect(partial).toMatchObject({
        status: "PARTIAL_CANCELED",
        totalAmount: order.amount,
        balanceAmount: order.amount - part,
      });
    });

    it("cancel repeated with the same idempotency key cancels once", async () => {
      const order = await target.begin("cancel_replay");
      await target.gateway().confirm({ ...order, idempotencyKey: key() });
      const part = Math.floor(order.amount / 10);
      const request = { paymentKey: order.paymentKey, reason: "부분 환불", amount: part, idempotencyKey: key() };
      const first = await target.gateway().cancel(request);
      const again = await target.gateway().cancel(request);
      expect(again).toEqual(first);
      expect(again.balanceAmount).toBe(order.amount - part);
    });

    describe("billing (automatic payments)", () => {
      /** Registers the card and charges it once under a fresh key. */
      const register = async (reg: BillingRegistration) =>
        target.gateway().issueBillingKey({ authKey: reg.authKey, customerKey: reg.customerKey, idempotencyKey: key() });
      const charge = (reg: BillingRegistration, billingKey: string, idempotencyKey = key(), gateway = target.gateway()) =>
        gateway.chargeBillingKey({
          billingKey,
          customerKey: reg.customerKey,
          orderId: reg.orderId,
          orderName: reg.orderName,
          amount: reg.amount,
          idempotencyKey,
        });

      it("issue turns the registration's authKey into a billing key for that customer", async () => {
        const reg = await target.beginBilling("billing_issue");
        const billing = await register(reg);
        expect(billing.billingKey.length).toBeGreaterThan(0);
        expect(billing.customerKey).toBe(reg.customerKey);
        expect(billing.method).toEqual(expect.any(String));
        expect(billing.cardNumber).toEqual(expect.any(String));
      });

      it("charge approves a DONE payment for the order, found by its order id afterwards", async () => {
        const reg = await target.beginBilling("billing_charge");
        const { billingKey } = await register(reg);
        const payment = await charge(reg, billingKey);
        expect(payment).toMatchObject({ orderId: reg.orderId, status: "DONE", totalAmount: reg.amount, balanceAmount: reg.amount });
        expect(payment.approvedAt).toEqual(expect.any(String));
        const found = await target.gateway().findByOrderId(reg.orderId);
        expect(found).toMatchObject({ paymentKey: payment.paymentKey, status: "DONE", totalAmount: reg.amount });
      });

      it("charge repeated with the same idempotency key returns the same payment", async () => {
        const reg = await target.beginBilling("billing_charge_replay");
        const { billingKey } = await register(reg);
        const idempotencyKey = key();
        const first = await charge(reg, billingKey, idempotencyKey);
        const again = await charge(reg, billingKey, idempotencyKey);
        expect(again).toEqual(first);
      });

      it("a second charge of an approved order id under another key is refused DUPLICATED_ORDER_ID", async () => {
        const reg = await target.beginBilling("billing_duplicate_order");
        const { billingKey } = await register(reg);
        await charge(reg, billingKey);
        const error = await charge(reg, billingKey).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PaymentDeclinedError);
        expect(error).toMatchObject({ gatewayCode: "DUPLICATED_ORDER_ID", httpStatus: 400 });
      });

      it("a card refusal is declined with Toss's code, and the order has no DONE payment", async () => {
        const reg = await target.beginBilling("billing_decline");
        const { billingKey } = await register(reg);
        const error = await charge(reg, billingKey).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PaymentDeclinedError);
        expect(error).toMatchObject({ gatewayCode: "REJECT_CARD_PAYMENT", httpStatus: 403 });
        const found = await target.gateway().findByOrderId(reg.orderId);
        expect(found?.status ?? null).not.toBe("DONE");
      });

      it("no answer in time is unknown; the look-up shows no payment", async () => {
        const reg = await target.beginBilling("billing_timeout");
        const { billingKey } = await register(reg);
        const error = await charge(reg, billingKey, key(), target.gateway({ timeoutMs: CONTRACT_TIMEOUT_MS })).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PaymentUnknownError);
        expect(await target.gateway().findByOrderId(reg.orderId)).toBeNull();
      });

      it("a lost answer is unknown; the look-up shows DONE and a retry under the same key returns it", async () => {
        const reg = await target.beginBilling("billing_lose_response");
        const { billingKey } = await register(reg);
        const idempotencyKey = key();
        const error = await charge(reg, billingKey, idempotencyKey).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PaymentUnknownError);
        const found = await target.gateway().findByOrderId(reg.orderId);
        expect(found).toMatchObject({ orderId: reg.orderId, status: "DONE", totalAmount: reg.amount });
        const retried = await charge(reg, billingKey, idempotencyKey);
        expect(retried).toMatchObject({ paymentKey: found!.paymentKey, status: "DONE" });
      });

      it("an authKey exchanged under another customer key than its window's is refused NOT_MATCHES_CUSTOMER_KEY", async () => {
        const reg = await target.beginBilling("billing_issue_customer_mismatch");
        const error = await register({ ...reg, customerKey: `${reg.customerKey}-other` }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PaymentDeclinedError);
        expect(error).toMatchObject({ gatewayCode: "NOT_MATCHES_CUSTOMER_KEY", httpStatus: 400 });
      });

      it("a customer key other than the billing key's is refused NOT_MATCHES_CUSTOMER_KEY", async () => {
        const reg = await target.beginBilling("billing_customer_mismatch");
        const { billingKey } = await register(reg);
        const error = await charge({ ...reg, customerKey: `${reg.customerKey}-other` }, billingKey).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PaymentDeclinedError);
        expect(error).toMatchObject({ gatewayCode: "NOT_MATCHES_CUSTOMER_KEY", httpStatus: 400 });
      });
    });

    it("a wrong secret key is declined UNAUTHORIZED_KEY (401), on confirm and on look-up", async () => {
      const order = await target.begin("wrong_secret");
      const wrong = target.gateway({ secretKey: "test_sk_not_the_right_one" });
      const error = await wrong.confirm({ ...order, idempotencyKey: key() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaymentDeclinedError);
      expect(error).toMatchObject({ gatewayCode: "UNAUTHORIZED_KEY", httpStatus: 401 });
      // A refused look-up must never read as "no payment for this order".
      await expect(wrong.findByOrderId(order.orderId)).rejects.toMatchObject({
        gatewayCode: "UNAUTHORIZED_KEY",
        httpStatus: 401,
      });
    });
  });
}
