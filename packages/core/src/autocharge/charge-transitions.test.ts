import { describe, expect, it } from "vitest";
import { chargeRecord } from "./charge-record.fixture.ts";
import { backoffRunning, leaseHeld, newCharge, nextCharge, type ChargeEvent, type ChargeRules } from "./charge-transitions.ts";
import { refundKeyFor, type ChargeRecord, type ChargeStatus } from "./model.ts";

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
  const base = { chargeId: "ac_1", userId: "u1", crossingId: "tx_c", settings: { amount: 10000, threshold: 1000, paymentMethod: "card" as const, billing: card }, month: { chargedKrw: 0, capKrw: null }, now: at(T0) };
  const limits = { ...rules, krwPerCoin: 10, maxCoinAmount: 50000 };

  it("starts its first attempt charging, under a lease, on the settings' card", () => {
    expect(newCharge({ ...base, balance: 900 }, limits)).toEqual({
      id: "ac_1", userId: "u1", crossingId: "tx_c", amount: 10000, amountKrw: 1000, threshold: 1000, paymentMethod: "card",
      status: "charging", attempts: 1, billingKey: "bk-new", customerKey: "nyc_new",
      leaseUntil: "2026-11-24T00:05:00.000Z", nextAttemptAt: null, paymentKey: null, transactionId: null,
      failureCode: null, failureMessage: null, refundRetries: 0, capMonth: "2026-11", createdAt: T0, updatedAt: T0, revision: 0,
    });
  });

  it("is made canceled, with no attempt, when its coins would pass MAX_COIN_AMOUNT (exactly at it still charges)", () => {
    expect(newCharge({ ...base, balance: 40000 }, limits).status).toBe("charging");
    const skipped = newCharge({ ...base, balance: 40001 }, limits);
    expect(skipped).toMatchObject({ status: "canceled", attempts: 0, leaseUntil: null, failureCode: "BALANCE_LIMIT_EXCEEDED", revision: 0 });
    expect(skipped.failureMessage).toBe("100.00 coins would lift the balance of 400.01 above MAX_COIN_AMOUNT (500.00)");
    expect(skipped.capMonth).toBeNull();
  });

  it("is made canceled MONTHLY_CAP_REACHED, with no attempt and counted nowhere, when its KRW would pass the month's cap (exactly at it still charges)", () => {
    // 100 coins = 1 000 KRW; cap 5 000 KRW.
    expect(newCharge({ ...base, balance: 900, month: { chargedKrw: 4000, capKrw: 5000 } }, limits)).toMatchObject({ status: "charging", capMonth: "2026-11" });
    const skipped = newCharge({ ...base, balance: 900, month: { chargedKrw: 4001, capKrw: 5000 } }, limits);
    expect(skipped).toMatchObject({ status: "canceled", attempts: 0, leaseUntil: null, capMonth: null, failureCode: "MONTHLY_CAP_REACHED" });
    expect(skipped.failureMessage).toBe("1000 KRW would pass the monthly auto-charge cap of 5000 KRW (4001 KRW charged in 2026-11)");
    // No cap: any count charges.
    expect(newCharge({ ...base, balance: 900, month: { chargedKrw: 10 ** 9, capKrw: null } }, limits).status).toBe("charging");
  });

  it("counts in the Korea-time month: 2026-11-30T15:00Z is December", () => {
    expect(newCharge({ ...base, balance: 900, now: at("2026-11-30T14:59:59.999Z") }, limits).capMonth).toBe("2026-11");
    expect(newCharge({ ...base, balance: 900, now: at("2026-11-30T15:00:00.000Z") }, limits).capMonth).toBe("2026-12");
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

  it("approved: taken while the record is open (charging, retry_wait); refused when paid (the credit exists), being refunded, or closed (the payment goes back)", () => {
    expect(refusals({ type: "approved", now: at(T0), paymentKey: "pk", transactionId: "tx_k" })).toEqual({
      paid: "already_paid", refund_pending: "refunding", refunded: "refunding", canceled: "closed", gave_up: "closed",
    });
  });

  it("over_limit: refund_pending under a lease (a sweep resends the cancel), with why", () => {
    const r = record();
    expect(next(r, { type: "over_limit", now: at("2026-11-24T00:00:03.000Z"), paymentKey: "pk", why: "too much" })).toEqual({
      ...r, status: "refund_pending", paymentKey: "pk", leaseUntil: "2026-11-24T00:05:03.000Z", nextAttemptAt: null,
      failureCode: "BALANCE_LIMIT_EXCEEDED", failureMessage: "too much", updatedAt: "2026-11-24T00:00:03.000Z", revision: 2,
    });
    expect(refusals({ type: "over_limit", now: at(T0), paymentKey: "pk", why: "x" })).toEqual({ paid: "already_paid", refund_pending: "refunding", refunded: "refunding" });
  });

  it("over_limit on a record waiting for a retry (race a: a late approval of a taken-over attempt whose resend was refused): refund_pending, the money never kept", () => {
    const waiting = record({ status: "retry_wait", leaseUntil: null, nextAttemptAt: "2026-11-24T01:00:00.000Z", failureCode: "X" });
    expect(next(waiting, { type: "over_limit", now: at("2026-11-24T00:10:00.000Z"), paymentKey: "pk", why: "too much" })).toMatchObject({
      status: "refund_pending", paymentKey: "pk", leaseUntil: "2026-11-24T00:15:00.000Z", nextAttemptAt: null, failureCode: "BALANCE_LIMIT_EXCEEDED",
    });
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
  });

  it("is refused once paid, canceled or given up, and never turns a refund into a cancel (race b)", () => {
    expect(refusals({ type: "cancel", now: at(T0), why: "x" })).toEqual({
      paid: "already_paid", canceled: "closed", gave_up: "closed", refund_pending: "refunding", refunded: "refunding",
    });
  });

  it("of a charging record (an attempt may be in flight, race c) keeps a recheck: one lease later a sweep asks the gateway again", () => {
    const canceled = next(record(), { type: "cancel", now: at("2026-11-24T00:06:00.000Z"), why: "turned off" });
    expect(canceled).toMatchObject({ status: "canceled", leaseUntil: "2026-11-24T00:11:00.000Z", failureMessage: "turned off" });
    expect(nextCharge(canceled, { type: "recheck_none", now: at("2026-11-24T00:10:59.999Z") }, rules)).toMatchObject({ kind: "refused", refusal: "lease_held" });
    expect(next(canceled, { type: "recheck_none", now: at("2026-11-24T00:11:00.000Z") })).toMatchObject({ status: "canceled", leaseUntil: null });
    // What the recheck finds approved is refunded, never credited.
    expect(nextCharge(canceled, { type: "approved", now: at(T0), paymentKey: "pk", transactionId: "tx_k" }, rules)).toMatchObject({ kind: "refused", refusal: "closed" });
    expect(next(canceled, { type: "approved_after_close", now: at("2026-11-24T00:11:00.000Z"), paymentKey: "pk" })).toMatchObject({
      status: "refund_pending", paymentKey: "pk", leaseUntil: "2026-11-24T00:16:00.000Z", failureCode: "APPROVED_AFTER_CLOSE",
    });
  });

  it("recheck_none: only for a canceled record with a recheck due; approved_after_close: only for a closed record", () => {
    expect(refusals({ type: "recheck_none", now: at("2026-11-25T00:00:00.000Z") }, { leaseUntil: null })).toEqual(Object.fromEntries(ALL.map((s) => [s, "wrong_status"])));
    expect(Object.keys(refusals({ type: "recheck_none", now: at("2026-11-25T00:00:00.000Z") }))).toEqual(ALL.filter((s) => s !== "canceled"));
    expect(Object.keys(refusals({ type: "approved_after_close", now: at(T0), paymentKey: "pk" }))).toEqual(ALL.filter((s) => s !== "canceled" && s !== "gave_up"));
  });
});

describe("a crossing skipped for the monthly cap", () => {
  const skipped = record({
    status: "canceled", attempts: 0, leaseUntil: null, capMonth: null, failureCode: "MONTHLY_CAP_REACHED", failureMessage: "cap",
    createdAt: "2026-11-30T10:00:00.000Z", updatedAt: "2026-11-30T10:00:00.000Z",
  });
  const room = { chargedKrw: 0, capKrw: 1000 };

  it("cap_resume: charged once the month has room (the next Korea-time month, or a cap raised), attempt 1 on the card now, counted in that month", () => {
    const full = { chargedKrw: 1000, capKrw: 1000 };
    expect(nextCharge(skipped, { type: "cap_resume", now: at("2026-11-30T14:59:59.999Z"), billing: card, month: full }, rules)).toMatchObject({ kind: "refused", refusal: "closed" });
    expect(next(skipped, { type: "cap_resume", now: at("2026-11-30T14:59:59.999Z"), billing: card, month: { chargedKrw: 1000, capKrw: 2000 } })).toMatchObject({
      status: "charging", attempts: 1, capMonth: "2026-11",
    });
    expect(next(skipped, { type: "cap_resume", now: at("2026-11-30T15:00:00.000Z"), billing: card, month: room })).toMatchObject({
      status: "charging", attempts: 1, billingKey: "bk-new", capMonth: "2026-12", failureCode: null, failureMessage: null, leaseUntil: "2026-11-30T15:05:00.000Z",
    });
  });

  it("cap_resume: skipped again when a new month has no room, moved into that month (its alert is the new month's)", () => {
    const again = next(skipped, { type: "cap_resume", now: at("2026-12-01T00:00:00.000Z"), billing: card, month: { chargedKrw: 500, capKrw: 1000 } });
    expect(again).toMatchObject({ status: "canceled", capMonth: null, failureCode: "MONTHLY_CAP_REACHED", updatedAt: "2026-12-01T00:00:00.000Z" });
    expect(again.failureMessage).toBe("1000 KRW would pass the monthly auto-charge cap of 1000 KRW (500 KRW charged in 2026-12)");
    expect(nextCharge(again, { type: "cap_resume", now: at("2026-12-20T00:00:00.000Z"), billing: card, month: { chargedKrw: 500, capKrw: 1000 } }, rules)).toMatchObject({ kind: "refused", refusal: "closed" });
  });

  it("cap_resume: only for a cap skip", () => {
    for (const status of ALL) {
      expect(nextCharge(record({ status }), { type: "cap_resume", now: at("2027-01-01T00:00:00.000Z"), billing: card, month: room }, rules)).toMatchObject({ kind: "refused", refusal: "closed" });
    }
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

describe("an operator retries a refund the gateway refused", () => {
  // As refund_refused leaves it: refund_pending, off the sweeps' queue, the refusal on the record.
  const refusedRefund = record({ status: "refund_pending", paymentKey: "pk", leaseUntil: null, failureCode: "BALANCE_LIMIT_EXCEEDED", failureMessage: "The gateway refused the refund: NOT_CANCELABLE_PAYMENT x" });

  it("puts the record back on the sweeps' queue under a lease, with the next retry's cancel key", () => {
    const r = next(refusedRefund, { type: "refund_retry", now: at("2026-11-24T01:00:00.000Z") });
    expect(r).toMatchObject({ status: "refund_pending", leaseUntil: "2026-11-24T01:05:00.000Z", refundRetries: 1, paymentKey: "pk", failureCode: "BALANCE_LIMIT_EXCEEDED", revision: 2 });
    expect(next(r, { type: "refund_refused", now: at("2026-11-24T01:00:01.000Z"), refusal: { gatewayCode: "X", message: "no" } })).toMatchObject({ leaseUntil: null, refundRetries: 1 });
    expect(next({ ...r, leaseUntil: null }, { type: "refund_retry", now: at("2026-11-24T02:00:00.000Z") }).refundRetries).toBe(2);
  });

  it("is refused for every other status, and for a refund still under way (its lease set)", () => {
    const event: ChargeEvent = { type: "refund_retry", now: at(T0) };
    expect(refusals(event, { leaseUntil: null })).toEqual({
      charging: "wrong_status", retry_wait: "wrong_status", paid: "wrong_status", gave_up: "wrong_status", canceled: "wrong_status", refunded: "wrong_status",
    });
    expect(nextCharge({ ...refusedRefund, leaseUntil: "2026-11-24T00:05:00.000Z" }, event, rules)).toMatchObject({ kind: "refused", refusal: "refund_in_flight" });
  });

  it("the first cancel keeps its key; each retry gets its own", () => {
    expect(refundKeyFor("ac_k", 2)).toBe("autocharge-refund-ac_k-2");
    expect(refundKeyFor("ac_k", 2, 0)).toBe("autocharge-refund-ac_k-2");
    expect(refundKeyFor("ac_k", 2, 1)).toBe("autocharge-refund-ac_k-2-retry1");
  });
});
