/**
 * The PaymentGateway contract: one suite that any adapter of the port must pass. It speaks the
 * port's words only — statuses (`approved`, `canceled`, …) and refusal reasons (`not_found`,
 * `already_processed`, …) — so it runs unchanged against any gateway. Today it runs twice, both
 * times against the Toss adapter: `toss-fake.test.ts` (the local fake, over real HTTP) and
 * `toss-recorded.test.ts` (a replay server serving Toss's documented sample answers).
 *
 * Running it against another adapter (a second gateway): write a `*.test.ts` that calls
 * `gatewayContract("<adapter> against <what stands in for the gateway>", setup)`, where `setup`
 * starts whatever stands in for the gateway (its sandbox, a fake, a replay of recorded answers)
 * and returns a {@link GatewayTarget}:
 * - `adapter(options)` builds the adapter under test: `timeoutMs` is its client time-out, and
 *   `badCredentials` asks for credentials the gateway refuses (the `wrong_secret` scenario);
 * - `begin(scenario)` / `beginBilling(scenario)` are the scenario controls: each does the
 *   customer's browser step (authorising a payment, registering a card) and arms the failure the
 *   scenario needs (a refusal, silence past the time-out, an answer lost after the gateway
 *   applied the request), then hands back the order (what the success URL would carry);
 *   {@link scenarios} and {@link billingScenarios} say what each one needs;
 * - `gatewayCodes` (optional) lists the gateway's own code each refusal must carry, checking the
 *   adapter keeps it as data (Nyang shows it as `details.gatewayCode`);
 * - `verify()` throws when the stand-in saw requests a scenario did not expect; `close()` stops it.
 */
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PaymentDeclinedError, PaymentUnknownError, type PaymentFailureReason, type PaymentGateway } from "@nyang/core";

/** Client time-out for the calls that are meant to time out: short, so those scenarios stay quick. */
export const CONTRACT_TIMEOUT_MS = 300;
/** Client time-out for every other call: generous, so a loaded CI machine does not fake a time-out. */
export const CONTRACT_PATIENT_TIMEOUT_MS = 5_000;

/**
 * What each scenario asks of the target's `begin` (the order it hands back must be authorised by
 * the customer unless said otherwise; "once" means the next matching call only):
 * approve, idempotent_replay, already_processed, amount_mismatch, other_order_session,
 * other_order_payment, cancel_full, cancel_partial, cancel_replay, wrong_secret — nothing armed;
 * decline — the confirm is refused once (a card refusal); timeout — the confirm is held past the
 * client's time-out once, unapplied; lose_response — the confirm is applied, its answer lost once;
 * unknown_order, unknown_payment_key, unknown_payment_lookup — a payment key the gateway never
 * issued, for an order it never saw.
 */
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

/**
 * Automatic payments (billing): a card registered once, then charged without the customer. The
 * target's `beginBilling` registers the card (the customer's step) and arms, for the charge only:
 * billing_decline — a refusal once; billing_timeout — silence past the time-out once, unapplied;
 * billing_lose_response — applied, its answer lost once; the others — nothing.
 */
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

/** How the suite asks for the adapter under test. */
export interface AdapterOptions {
  /** The adapter's client time-out; {@link CONTRACT_PATIENT_TIMEOUT_MS} when absent. */
  timeoutMs?: number;
  /** Credentials the gateway refuses (the `wrong_secret` scenario). */
  badCredentials?: boolean;
}

export interface GatewayTarget {
  /** The adapter under test, pointed at this target. */
  adapter(options?: AdapterOptions): PaymentGateway;
  /** Arranges one scenario and returns its order. */
  begin(scenario: Scenario): Promise<AuthorisedOrder>;
  /** Arranges one billing scenario and returns its card registration and order. */
  beginBilling(scenario: BillingScenario): Promise<BillingRegistration>;
  /** The gateway's own code each refusing scenario's error must carry (`gatewayCode`); unchecked when absent. */
  gatewayCodes?: Partial<Record<Scenario | BillingScenario, string>>;
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
    const gateway = (options: AdapterOptions = {}) => target.adapter(options);
    /** The call was refused for one of `reasons`, keeping the gateway's own code (the one the target lists, if any). */
    const expectDeclined = async (call: Promise<unknown>, scenario: Scenario | BillingScenario, ...reasons: PaymentFailureReason[]) => {
      const error = await call.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PaymentDeclinedError);
      const declined = error as PaymentDeclinedError;
      expect(reasons).toContain(declined.reason);
      expect(declined.gatewayCode).toEqual(target.gatewayCodes?.[scenario] ?? expect.stringMatching(/./));
    };

    beforeAll(async () => {
      target = await setup();
    });
    afterAll(async () => {
      await target?.close();
    });
    afterEach(() => {
      target.verify();
    });

    it("confirm approves and returns the payment approved for the total amount", async () => {
      const order = await target.begin("approve");
      const payment = await gateway().confirm({ ...order, idempotencyKey: key() });
      expect(payment).toMatchObject({
        paymentKey: order.paymentKey,
        orderId: order.orderId,
        status: "approved",
        totalAmount: order.amount,
        balanceAmount: order.amount,
      });
      expect(payment.approvedAt).toEqual(expect.any(String));
      expect(payment.method).toEqual(expect.any(String));
    });

    it("confirm repeated with the same idempotency key returns the same payment", async () => {
      const order = await target.begin("idempotent_replay");
      const idempotencyKey = key();
      const first = await gateway().confirm({ ...order, idempotencyKey });
      const again = await gateway().confirm({ ...order, idempotencyKey });
      expect(again).toEqual(first);
      expect(again.status).toBe("approved");
    });

    it("confirm again under another idempotency key is declined already_processed", async () => {
      const order = await target.begin("already_processed");
      await gateway().confirm({ ...order, idempotencyKey: key() });
      await expectDeclined(gateway().confirm({ ...order, idempotencyKey: key() }), "already_processed", "already_processed");
    });

    it("confirm for another amount than the customer authorised is declined (amount_mismatch, or invalid_request where the gateway has no name for it)", async () => {
      const order = await target.begin("amount_mismatch");
      const confirmed = gateway().confirm({ ...order, amount: order.amount + 100, idempotencyKey: key() });
      await expectDeclined(confirmed, "amount_mismatch", "amount_mismatch", "invalid_request");
    });

    it("a card refusal is declined, keeping the gateway's code, and the payment is not approved", async () => {
      const order = await target.begin("decline");
      await expectDeclined(gateway().confirm({ ...order, idempotencyKey: key() }), "decline", "declined");
      const found = await gateway().findByOrderId(order.orderId);
      expect(found?.status ?? null).not.toBe("approved");
    });

    it("no answer in time is unknown; the look-up shows no payment", async () => {
      const order = await target.begin("timeout");
      const started = Date.now();
      const error = await gateway({ timeoutMs: CONTRACT_TIMEOUT_MS })
        .confirm({ ...order, idempotencyKey: key() })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaymentUnknownError);
      expect(Date.now() - started).toBeLessThan(CONTRACT_TIMEOUT_MS + 2_000);
      expect(await gateway().findByOrderId(order.orderId)).toBeNull();
    });

    it("a lost answer is unknown; the look-up shows it approved and a retry under the same key returns it", async () => {
      const order = await target.begin("lose_response");
      const idempotencyKey = key();
      const error = await gateway().confirm({ ...order, idempotencyKey }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaymentUnknownError);
      // Reconciliation: the gateway did take the payment.
      const found = await gateway().findByOrderId(order.orderId);
      expect(found).toMatchObject({ paymentKey: order.paymentKey, status: "approved", totalAmount: order.amount });
      const retried = await gateway().confirm({ ...order, idempotencyKey });
      expect(retried).toMatchObject({ paymentKey: order.paymentKey, status: "approved" });
    });

    it("findByOrderId for an order the gateway never saw is null", async () => {
      const order = await target.begin("unknown_order");
      expect(await gateway().findByOrderId(order.orderId)).toBeNull();
    });

    it("confirm of a payment key the gateway never issued is declined not_found; nothing is paid", async () => {
      const order = await target.begin("unknown_payment_key");
      await expectDeclined(gateway().confirm({ ...order, idempotencyKey: key() }), "unknown_payment_key", "not_found");
      expect(await gateway().findByOrderId(order.orderId)).toBeNull();
    });

    it("confirm of a key the customer authorised for another order is not this order's payment (not_found)", async () => {
      const order = await target.begin("other_order_session");
      const confirmed = gateway().confirm({ ...order, orderId: otherOrderId(order.orderId), idempotencyKey: key() });
      await expectDeclined(confirmed, "other_order_session", "not_found");
    });

    it("confirm of another order's approved payment is declined already_processed; the look-up by key names its order", async () => {
      const order = await target.begin("other_order_payment");
      await gateway().confirm({ ...order, idempotencyKey: key() });
      const confirmed = gateway().confirm({ ...order, orderId: otherOrderId(order.orderId), idempotencyKey: key() });
      await expectDeclined(confirmed, "other_order_payment", "already_processed");
      const paid = await gateway().findByPaymentKey(order.paymentKey);
      expect(paid).toMatchObject({ paymentKey: order.paymentKey, orderId: order.orderId, status: "approved", totalAmount: order.amount });
    });

    it("findByPaymentKey for a key the gateway never issued is null", async () => {
      const order = await target.begin("unknown_payment_lookup");
      expect(await gateway().findByPaymentKey(order.paymentKey)).toBeNull();
    });

    it("cancel without an amount cancels everything: canceled, balance 0", async () => {
      const order = await target.begin("cancel_full");
      await gateway().confirm({ ...order, idempotencyKey: key() });
      const canceled = await gateway()
        .cancel({ paymentKey: order.paymentKey, reason: "고객이 취소를 원함", idempotencyKey: key() });
      expect(canceled).toMatchObject({
        paymentKey: order.paymentKey,
        status: "canceled",
        totalAmount: order.amount,
        balanceAmount: 0,
      });
    });

    it("cancel of part of the amount leaves it partially_canceled with the rest as balance", async () => {
      const order = await target.begin("cancel_partial");
      await gateway().confirm({ ...order, idempotencyKey: key() });
      const part = Math.floor(order.amount / 10);
      const partial = await gateway()
        .cancel({ paymentKey: order.paymentKey, reason: "부분 환불", amount: part, idempotencyKey: key() });
      expect(partial).toMatchObject({
        status: "partially_canceled",
        totalAmount: order.amount,
        balanceAmount: order.amount - part,
      });
    });

    it("cancel repeated with the same idempotency key cancels once", async () => {
      const order = await target.begin("cancel_replay");
      await gateway().confirm({ ...order, idempotencyKey: key() });
      const part = Math.floor(order.amount / 10);
      const request = { paymentKey: order.paymentKey, reason: "부분 환불", amount: part, idempotencyKey: key() };
      const first = await gateway().cancel(request);
      const again = await gateway().cancel(request);
      expect(again).toEqual(first);
      expect(again.balanceAmount).toBe(order.amount - part);
    });

    describe("billing (automatic payments)", () => {
      /** Registers the card and charges it once under a fresh key. */
      const register = async (reg: BillingRegistration) =>
        gateway().issueBillingKey({ authKey: reg.authKey, customerKey: reg.customerKey, idempotencyKey: key() });
      const charge = (reg: BillingRegistration, billingKey: string, idempotencyKey = key(), adapter = gateway()) =>
        adapter.chargeBillingKey({
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

      it("charge approves a payment for the order, found by its order id afterwards", async () => {
        const reg = await target.beginBilling("billing_charge");
        const { billingKey } = await register(reg);
        const payment = await charge(reg, billingKey);
        expect(payment).toMatchObject({ orderId: reg.orderId, status: "approved", totalAmount: reg.amount, balanceAmount: reg.amount });
        expect(payment.approvedAt).toEqual(expect.any(String));
        const found = await gateway().findByOrderId(reg.orderId);
        expect(found).toMatchObject({ paymentKey: payment.paymentKey, status: "approved", totalAmount: reg.amount });
      });

      it("charge repeated with the same idempotency key returns the same payment", async () => {
        const reg = await target.beginBilling("billing_charge_replay");
        const { billingKey } = await register(reg);
        const idempotencyKey = key();
        const first = await charge(reg, billingKey, idempotencyKey);
        const again = await charge(reg, billingKey, idempotencyKey);
        expect(again).toEqual(first);
      });

      it("a second charge of an approved order id under another key is refused duplicate_order", async () => {
        const reg = await target.beginBilling("billing_duplicate_order");
        const { billingKey } = await register(reg);
        await charge(reg, billingKey);
        await expectDeclined(charge(reg, billingKey), "billing_duplicate_order", "duplicate_order");
      });

      it("a card refusal is declined, keeping the gateway's code, and the order has no approved payment", async () => {
        const reg = await target.beginBilling("billing_decline");
        const { billingKey } = await register(reg);
        await expectDeclined(charge(reg, billingKey), "billing_decline", "declined");
        const found = await gateway().findByOrderId(reg.orderId);
        expect(found?.status ?? null).not.toBe("approved");
      });

      it("no answer in time is unknown; the look-up shows no payment", async () => {
        const reg = await target.beginBilling("billing_timeout");
        const { billingKey } = await register(reg);
        const error = await charge(reg, billingKey, key(), gateway({ timeoutMs: CONTRACT_TIMEOUT_MS })).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PaymentUnknownError);
        expect(await gateway().findByOrderId(reg.orderId)).toBeNull();
      });

      it("a lost answer is unknown; the look-up shows it approved and a retry under the same key returns it", async () => {
        const reg = await target.beginBilling("billing_lose_response");
        const { billingKey } = await register(reg);
        const idempotencyKey = key();
        const error = await charge(reg, billingKey, idempotencyKey).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PaymentUnknownError);
        const found = await gateway().findByOrderId(reg.orderId);
        expect(found).toMatchObject({ orderId: reg.orderId, status: "approved", totalAmount: reg.amount });
        const retried = await charge(reg, billingKey, idempotencyKey);
        expect(retried).toMatchObject({ paymentKey: found!.paymentKey, status: "approved" });
      });

      it("an authKey exchanged under another customer key than its window's is refused customer_mismatch", async () => {
        const reg = await target.beginBilling("billing_issue_customer_mismatch");
        const registered = register({ ...reg, customerKey: `${reg.customerKey}-other` });
        await expectDeclined(registered, "billing_issue_customer_mismatch", "customer_mismatch");
      });

      it("a customer key other than the billing key's is refused customer_mismatch", async () => {
        const reg = await target.beginBilling("billing_customer_mismatch");
        const { billingKey } = await register(reg);
        await expectDeclined(charge({ ...reg, customerKey: `${reg.customerKey}-other` }, billingKey), "billing_customer_mismatch", "customer_mismatch");
      });
    });

    it("credentials the gateway refuses are declined unauthorized, on confirm and on look-up", async () => {
      const order = await target.begin("wrong_secret");
      const wrong = gateway({ badCredentials: true });
      await expectDeclined(wrong.confirm({ ...order, idempotencyKey: key() }), "wrong_secret", "unauthorized");
      // A refused look-up must never read as "no payment for this order".
      await expectDeclined(wrong.findByOrderId(order.orderId), "wrong_secret", "unauthorized");
    });
  });
}
