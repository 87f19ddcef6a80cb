import { describe, expect, it } from "vitest";
import { chargeRecord } from "./charge-record.fixture.ts";
import { backoffRunning, leaseHeld, newCharge, nextCharge, type ChargeEvent, type ChargeRules } from "./charge-transitions.ts";
import type { ChargeRecord, ChargeStatus } from "./model.ts";

/** Unit tests of the charge record's state machine (model.ts draws it): no DynamoDB, no gateway. */

const rules: ChargeRules = { leaseSeconds: 300, failureLimit: 3, retryBackoffSeconds: 3600, retryBackoffMaxSeconds: 86_400 };
const T0 = "2026-11-24T00:00:00.000Z";
const at = (iso: string) => new Date(iso);
const card = { billingKey: "bk-new", customerKey: "nyc_new", cardCompany: null, cardNumber: null, registeredAt: T0 };

/** A first attempt charging since T0, its lease running to 00:05. */
const record = (over: Partial<ChargeRecord> = {}) => chargeRecord({ leaseUntil: "2026-11-24T00:05:00.000Z", updatedAt: T0, ...over });

const ALL: ChargeStatus[] = ["charging", "retry_wait", "paid", "gave_up", "canceled", "refund_pending", "refunded"];

/** The next record, failing the test on a refusal. */
function next(r: ChargeRecord, e: ChargeEvent): ChargeRecord {
  const t = nextCharge(r, e, rules);
  if (t.kind === "refused") throw new Error(`refused: ${t.refusal}`);
  return t.record;
}
/** The statuses from which `event` is refused, and with what. */
function refusals(event: ChargeEvent, over: Partial<ChargeRecord> = {}) {
  const out: Partial<Record<ChargeStatus, string>> = {};
  for (const status of ALL) {
    const t = nextCharge(record({ status, ...over }), event, rules);
    if (t.kind === "refused") out[status] = t.refusal;
  }
  return out;
}

describe("every transition moves the revision on and never moves time back", () => {
  it("updatedAt is the later of the event's time and the record's (another worker's clock may be ahead)", () => {
    const ahead = record({ status: "refund_pending", updatedAt: "2026-11-24T00:00:09.000Z" });
    const r = next(ahead, { type: "refunded", now: at("2026-11-24T00:00:05.000Z") });
    expect(r).toMatchObject({ status: "refunded", updatedAt: "2026-11-24T00:00:09.000Z", revision: 2 });
    expect(next(ahead, { type: "refunded", now: at("2026-11-24T00:00:10.000Z") }).updatedAt).toBe("2026-11-24T00:00:10.000Z");
  });

  it("a refusal carries the record as it was, unchanged", () => {
    const paid = record({ status: "paid" });
    expect(nextCharge(paid, { type: "cancel", now: at(T0), why: "x" }, rules)).toEqual({ kind: "refused", refusal: "already_paid", record: paid });
  });
});

describe("a new crossing's record", () => {
  const base = { chargeId: "ac_1", userId: "u1", crossingId: "tx_c", settings: { amount: 10000, threshold: 1000, paymentMethod: "card" as const, billing: card }, now: at(T0) };
  const limits = { ...rules, krwPerCoin: 10, maxCoinAmount: 50000 };

  it("starts its first attempt charging, under a lease, on the settings' card", () => {
    expect(newCharge({ ...base, balance: 900 }, limits)).toEqual({
      id: "ac_1", userId: "u1", crossingId: "tx_c", amount: 10000, amountKrw: 1000, threshold: 1000, paymentMethod: "card",
      status: "charging", attempts: 1, billingKey: "bk-new", customerKey: "nyc_new",
      leaseUntil: "2026-11-24T00:05:00.000Z", nextAttemptAt: null, paymentKey: null, transactionId: null,
      failureCode: null, failureMessage: null, createdAt: T0, updatedAt: T0, revision: 0,
    });
  });

  it("is made canceled, with no attempt, when its coins would pass MAX_COIN_AMOUNT (exactly at it still charges)", () => {
    expect(newCharge({ ...base, balance: 40000 }, limits).status).toBe("charging");
    const skipped = newCharge({ ...base, balance: 40001 }, limits);
    expect(skipped).toMatchObject({ status: "canceled", attempts: 0, leaseUntil: null, failureCode: "BALANCE_LIMIT_EXCEEDED", revision: 0 });
    expect(skipped.failureMessage).toBe("100.00 coins would lift the balance of 400.01 above MAX_COIN_AMOUNT (500.00)");
  });
});

describe("charging", () => {
  it("take_over: the same attempt under a new lease, only once the old lease is over", () => {
    const r = record();
    expect(leaseHeld(r, at("2026-11-24T00:04:59.999Z"))).toBe(true);
    expect(nextCharge(r, { type: "take_over", now: at("2026-11-24T00:04:59.999Z") }, rules)).toMatchObject({ kind: "refused", refusal: "lease_held" });
    const taken = next(r, { type: "take_over", now: at("2026-11-24T00:05:00.000Z") });
    expect(taken).toEqual({ ...r, leaseUntil: "2026-11-24T00:10:00.000Z", updatedAt: "2026-11-24T00:05:00.000Z", revision: 2 });
    expect(refusals({ type: "take_over", now: at("2026-11-25T00:00:00.000Z") })).toEqual({
      retry_wait: "wrong_status", paid: "wrong_status", gave_up: "wrong_status", canceled: "wrong_status", refund_pending: "wrong_status", refunded: "wrong_status",
    });
  });

  it("approved: paid, with the payment and the credit entry, the lease and any failure cleared", () => {
    const r = record({ failureCode: "REJECT_CARD_PAYMENT", failureMessage: "no" });
    expect(next(r, { type: "approved", now: at("2026-11-24T00:00:03.000Z"), paymentKey: "pk", transactionId: "tx_k" })).toEqual({
      ...r, status: "paid", paymentKey: "pk", transactionId: "tx_k", leaseUntil: null, nextAttemptAt: null, failureCode: null, failureMessage: null,
      updatedAt: "2026-11-24T00:00:03.000Z", revision: 2,
    });
  });

  it("approved: refused when paid (the credit exists) or being refunded (never credited); taken from any other state, since the money was taken", () => {
    expect(refusals({ type: "approved", now: at(T0), paymentKey: "pk", transactionId: "tx_k" })).toEqual({
      paid: "already_paid", refund_pending: "refunding", refunded: "refunding",
    });
  });

  it("over_limit: refund_pending under a lease (a sweep resends the cancel), with why", () => {
    const r = record();
    expect(next(r, { type: "over_limit", now: at("2026-11-24T00:00:03.000Z"), paymentKey: "pk", why: "too much" })).toEqual({
      ...r, status: "refund_pending", paymentKey: "pk", leaseUntil: "2026-11-24T00:05:03.000Z", nextAttemptAt: null,
      failureCode: "BALANCE_LIMIT_EXCEEDED", failureMessage: "too much", updatedAt: "2026-11-24T00:00:03.000Z", revision: 2,
    });
    expect(Object.keys(refusals({ type: "over_limit", now: at(T0), paymentKey: "pk", why: "x" }))).toEqual(ALL.filter((s) => s !== "charging"));
  });
});

describe("declined", () => {
  const declined = (over: Partial<Extract<ChargeEvent, { type: "declined" }>> = {}): ChargeEvent => ({
    type: "declined", now: at("2026-11-24T00:00:03.000Z"), attempt: 1, code: "REJECT_CARD_PAYMENT", message: "한도초과", settings: { enabled: true, consecutiveFailures: 0 }, ...over,
  });

  it("waits out a backoff that doubles with each attempt, up to the maximum", () => {
    expect(next(record(), declined())).toMatchObject({
      status: "retry_wait", leaseUntil: null, nextAttemptAt: "2026-11-24T01:00:03.000Z", failureCode: "REJECT_CARD_PAYMENT", failureMessage: "한도초과", revision: 2,
    });
    const third = next(record({ attempts: 3 }), declined({ attempt: 3, settings: { enabled: true, consecutiveFailures: 1 } }));
    expect(third.nextAttemptAt).toBe("2026-11-24T04:00:03.000Z");
    const far = next(record({ attempts: 20 }), declined({ attempt: 20, settings: { enabled: true, consecutiveFailures: 0 } }));
    expect(far.nextAttemptAt).toBe("2026-11-25T00:00:03.000Z");
  });

  it("gives up at the failure limit; is canceled when auto-charge was turned off meanwhile (or has no settings), even at the limit", () => {
    expect(next(record({ attempts: 3 }), declined({ attempt: 3, settings: { enabled: true, consecutiveFailures: 2 } }))).toMatchObject({ status: "gave_up", nextAttemptAt: null });
    expect(next(record(), declined({ settings: { enabled: false, consecutiveFailures: 2 } }))).toMatchObject({ status: "canceled", nextAttemptAt: null });
    expect(next(record(), declined({ settings: null }))).toMatchObject({ status: "canceled", nextAttemptAt: null });
  });

  it("is refused for an earlier attempt than the record's, and outside charging", () => {
    expect(nextCharge(record({ attempts: 2 }), declined({ attempt: 1 }), rules)).toMatchObject({ kind: "refused", refusal: "other_attempt" });
    expect(Object.values(refusals(declined()))).toEqual(Array(6).fill("wrong_status"));
  });
});

describe("retry_wait", () => {
  const waiting = record({ status: "retry_wait", attempts: 1, leaseUntil: null, nextAttemptAt: "2026-11-24T01:00:00.000Z", failureCode: "REJECT_CARD_PAYMENT" });

  it("next_attempt: charging again, attempt + 1, on the card registered now, once the backoff is over", () => {
    expect(backoffRunning(waiting, at("2026-11-24T00:59:59.999Z"))).toBe(true);
    expect(nextCharge(waiting, { type: "next_attempt", now: at("2026-11-24T00:59:59.999Z"), billing: card }, rules)).toMatchObject({ kind: "refused", refusal: "backoff_running" });
    expect(next(waiting, { type: "next_attempt", now: at("2026-11-24T01:00:00.000Z"), billing: card })).toEqual({
      ...waiting, status: "charging", attempts: 2, billingKey: "bk-new", customerKey: "nyc_new",
      leaseUntil: "2026-11-24T01:05:00.000Z", nextAttemptAt: null, updatedAt: "2026-11-24T01:00:00.000Z", revision: 2,
    });
    expect(Object.keys(refusals({ type: "next_attempt", now: at("2026-11-25T00:00:00.000Z"), billing: card }))).toEqual(ALL.filter((s) => s !== "retry_wait"));
  });
});

describe("cancel", () => {
  it("closes an open record, keeping the failure it already has", () => {
    const waiting = record({ status: "retry_wait", nextAttemptAt: "2026-11-24T01:00:00.000Z", failureMessage: "한도초과" });
    expect(next(waiting, { type: "cancel", now: at(T0), why: "no longer needed" })).toMatchObject({
      status: "canceled", leaseUntil: null, nextAttemptAt: null, failureMessage: "한도초과",
    });
    expect(next(record(), { type: "cancel", now: at(T0), why: "turned off" })).toMatchObject({ status: "canceled", leaseUntil: null, failureMessage: "turned off" });
  });

  it("is refused once paid, canceled or given up", () => {
    expect(refusals({ type: "cancel", now: at(T0), why: "x" })).toEqual({ paid: "already_paid", canceled: "closed", gave_up: "closed" });
  });
});

describe("refund_pending", () => {
  const refunding = record({ status: "refund_pending", paymentKey: "pk", failureCode: "BALANCE_LIMIT_EXCEEDED", failureMessage: "too much" });

  it("refunded: the gateway cancelled the payment", () => {
    expect(next(refunding, { type: "refunded", now: at(T0) })).toMatchObject({ status: "refunded", leaseUntil: null, failureCode: "BALANCE_LIMIT_EXCEEDED" });
  });

  it("refund_refused: stays refund_pending off the sweeps' queue (no lease), the refusal on the record, for an operator", () => {
    expect(next(refunding, { type: "refund_refused", now: at(T0), refusal: { gatewayCode: "NOT_CANCELABLE_PAYMENT", message: "no" } })).toMatchObject({
      status: "refund_pending", leaseUntil: null, failureMessage: "The gateway refused the refund: NOT_CANCELABLE_PAYMENT no",
    });
  });

  it("both only from refund_pending", () => {
    for (const event of [{ type: "refunded", now: at(T0) }, { type: "refund_refused", now: at(T0), refusal: { gatewayCode: "X", message: "y" } }] as const) {
      expect(Object.keys(refusals(event))).toEqual(ALL.filter((s) => s !== "refund_pending"));
    }
  });
});
