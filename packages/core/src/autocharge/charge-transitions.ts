import type { NyangConfig } from "../config.ts";
import { formatAmount, type Minor } from "../money.ts";
import { refundRefusedMessage, type GatewayRefusal } from "../payments/payment-errors.ts";
import { backoffMs, CHARGE_APPROVED_AFTER_CLOSE, CHARGE_CAP_REACHED, CHARGE_OVER_LIMIT, krwFor, type AutoChargeSettings, type ChargeRecord, type RegisteredCard } from "./model.ts";
import { fitsUnderCap, seoulMonth } from "./monthly-cap.ts";

/**
 * The charge record's state machine (drawn in model.ts) as pure functions: the record as read
 * and what happened give the record to write, or a typed refusal when the event does not
 * apply to the record as it is. No IO: the charge (charge.ts) reads, calls the gateway, and
 * writes what these decide, conditioned on the revision they were decided from.
 */

/** What the transitions take from the configuration. */
export type ChargeRules = Pick<NyangConfig["autoCharge"], "leaseSeconds" | "failureLimit" | "retryBackoffSeconds" | "retryBackoffMaxSeconds">;

/** Something that happened to a charge record, at `now`. */
export type ChargeEvent =
  /** A sweep takes over an attempt whose worker stopped (its lease ran out). */
  | { type: "take_over"; now: Date }
  /** The backoff after a refusal is over: the next attempt starts, on the account's card now. */
  | { type: "next_attempt"; now: Date; billing: RegisteredCard }
  /** The gateway approved the payment; the ledger credit `transactionId` is written with this. */
  | { type: "approved"; now: Date; paymentKey: string; transactionId: string }
  /** Approved, but the coins no longer fit under MAX_COIN_AMOUNT: the payment goes back. */
  | { type: "over_limit"; now: Date; paymentKey: string; why: string }
  /** Approved, but the record was closed (canceled, gave up) before the approval was seen: the payment goes back. */
  | { type: "approved_after_close"; now: Date; paymentKey: string }
  /** The gateway recheck of a record canceled while an attempt may have been in flight found no payment. */
  | { type: "recheck_none"; now: Date }
  /**
   * A crossing skipped for the monthly cap is looked at again (its crossing still current):
   * charged now if it fits the cap in force in the month of `now` (a new month, or a cap raised
   * since), on the account's card now; else, in a later month, skipped again in that month.
   * `month`: the count of the month of `now` and the cap in force.
   */
  | { type: "cap_resume"; now: Date; billing: RegisteredCard; month: { chargedKrw: number; capKrw: number | null } }
  /**
   * The gateway refused attempt `attempt`. `settings`: the account's as read, null when it has
   * none; the failure it makes is counted on them ({@link settingsAfterDecline}).
   */
  | { type: "declined"; now: Date; attempt: number; code: string; message: string; settings: Pick<AutoChargeSettings, "enabled" | "consecutiveFailures"> | null }
  /** The gateway refused to cancel an over-limit payment: left for an operator. */
  | { type: "refund_refused"; now: Date; refusal: GatewayRefusal }
  /**
   * An operator retries a refund the gateway refused: the record goes back on the sweeps' queue
   * under a lease (a lost answer is resent by a sweep) with a new cancel key, since the gateway
   * answers the refused key's refusal again.
   */
  | { type: "refund_retry"; now: Date }
  /** The gateway cancelled an over-limit payment. */
  | { type: "refunded"; now: Date }
  /** The crossing needs no charge any more (or a later crossing supersedes it). */
  | { type: "cancel"; now: Date; why: string };

/** Why an event does not apply to the record as it is. */
export type ChargeRefusal =
  /** Another worker holds the attempt (its lease is not over). */
  | "lease_held"
  /** The backoff after the last refusal is not over. */
  | "backoff_running"
  /** The record is not in the state the event needs (`charging`, `retry_wait`, `refund_pending`). */
  | "wrong_status"
  /** The refusal is of an earlier attempt than the record's current one. */
  | "other_attempt"
  /** Paid already: its credit exists. */
  | "already_paid"
  /** Its payment is being (or was) given back as over the limit: never credited. */
  | "refunding"
  /** Canceled or given up already. */
  | "closed"
  /** A refund is under way (a worker or a sweep holds it): not refused, nothing for an operator to retry. */
  | "refund_in_flight";

export type ChargeTransition = { kind: "next"; record: ChargeRecord } | { kind: "refused"; refusal: ChargeRefusal; record: ChargeRecord };

/** Times on a record never go back (clocks of different workers differ a little). */
export const later = (a: string, b: string) => (a > b ? a : b);

/** When an attempt taken (or a refund started) at `now` may be taken over. */
export const leaseFrom = (now: Date, rules: Pick<ChargeRules, "leaseSeconds">) => new Date(now.getTime() + rules.leaseSeconds * 1000).toISOString();

/** Whether a worker still holds the record's attempt (or refund) at `now`. */
export const leaseHeld = (r: ChargeRecord, now: Date) => r.leaseUntil !== null && r.leaseUntil > now.toISOString();

/** Whether the backoff of a record waiting for a retry is still running at `now`. */
export const backoffRunning = (r: ChargeRecord, now: Date) => r.nextAttemptAt !== null && r.nextAttemptAt > now.toISOString();

const next = (r: ChargeRecord, changes: Partial<Omit<ChargeRecord, "id" | "userId" | "revision">>, now: Date): ChargeTransition => ({
  kind: "next",
  record: { ...r, ...changes, updatedAt: later(now.toISOString(), r.updatedAt), revision: r.revision + 1 },
});
const refused = (r: ChargeRecord, refusal: ChargeRefusal): ChargeTransition => ({ kind: "refused", refusal, record: r });

/**
 * Why a record whose money is settled one way or the other takes no approval, cancel or
 * refund: paid (credited), refunding (the payment is going back, or went back), closed
 * (canceled or given up: never credited). Null: still open. `closed` only where the event
 * must not touch a closed record (a refund of a closed record's late payment is allowed).
 */
function settledRefusal(r: ChargeRecord, opts: { closed: boolean }): ChargeTransition | null {
  if (r.status === "paid") return refused(r, "already_paid");
  if (r.status === "refund_pending" || r.status === "refunded") return refused(r, "refunding");
  if (opts.closed && (r.status === "canceled" || r.status === "gave_up")) return refused(r, "closed");
  return null;
}

/** The record after `event`, with its revision moved on; or why the event does not apply. */
export function nextCharge(r: ChargeRecord, event: ChargeEvent, rules: ChargeRules): ChargeTransition {
  const { now } = event;
  switch (event.type) {
    case "take_over":
      if (r.status !== "charging") return refused(r, "wrong_status");
      if (leaseHeld(r, now)) return refused(r, "lease_held");
      // The same attempt, under a new lease: a resumed attempt resends the same request.
      return next(r, { leaseUntil: leaseFrom(now, rules) }, now);
    case "next_attempt":
      if (r.status !== "retry_wait") return refused(r, "wrong_status");
      if (backoffRunning(r, now)) return refused(r, "backoff_running");
      return next(r, {
        status: "charging",
        attempts: r.attempts + 1,
        billingKey: event.billing.billingKey,
        customerKey: event.billing.customerKey,
        leaseUntil: leaseFrom(now, rules),
        nextAttemptAt: null,
      }, now);
    case "approved":
      // Closed before the approval was seen: no coins, the payment goes back (approved_after_close).
      // Still open (charging, or waiting for a retry): the money was taken, so the coins are given.
      return settledRefusal(r, { closed: true }) ?? next(r, {
        status: "paid",
        paymentKey: event.paymentKey,
        transactionId: event.transactionId,
        leaseUntil: null,
        nextAttemptAt: null,
        failureCode: null,
        failureMessage: null,
      }, now);
    case "over_limit":
      // From any state that is not paid or refunding: a payment that cannot be credited is never
      // kept (a late approval may meet the record waiting for a retry after a take-over).
      return refundOf(r, event.paymentKey, CHARGE_OVER_LIMIT, event.why, now, rules);
    case "approved_after_close":
      if (r.status !== "canceled" && r.status !== "gave_up") return refused(r, r.status === "paid" ? "already_paid" : r.status === "refund_pending" || r.status === "refunded" ? "refunding" : "wrong_status");
      return refundOf(r, event.paymentKey, CHARGE_APPROVED_AFTER_CLOSE, `the gateway approved the payment after the charge was ${r.status === "gave_up" ? "given up" : "canceled"} (${r.failureMessage ?? r.failureCode ?? "closed"})`, now, rules);
    case "cap_resume": {
      if (r.status !== "canceled" || r.failureCode !== CHARGE_CAP_REACHED) return refused(r, "closed");
      const month = seoulMonth(now);
      if (!fitsUnderCap(event.month.chargedKrw, r.amountKrw, event.month.capKrw)) {
        // Skipped in this month already: its cap alert stands, nothing to write.
        if (seoulMonth(new Date(r.updatedAt)) >= month) return refused(r, "closed");
        // A later month without room either: skipped again, in that month (and alerted for it).
        return next(r, { failureMessage: capMessage(r.amountKrw, event.month.chargedKrw, event.month.capKrw, month) }, now);
      }
      return next(r, {
        status: "charging",
        attempts: r.attempts + 1,
        billingKey: event.billing.billingKey,
        customerKey: event.billing.customerKey,
        leaseUntil: leaseFrom(now, rules),
        nextAttemptAt: null,
        failureCode: null,
        failureMessage: null,
        capMonth: month,
      }, now);
    }
    case "recheck_none":
      if (r.status !== "canceled" || r.leaseUntil === null) return refused(r, "wrong_status");
      if (leaseHeld(r, now)) return refused(r, "lease_held");
      return next(r, { leaseUntil: null }, now);
    case "declined": {
      if (r.status !== "charging") return refused(r, "wrong_status");
      if (r.attempts !== event.attempt) return refused(r, "other_attempt");
      const t = later(now.toISOString(), r.updatedAt);
      // Turned off meanwhile (by the user): no retry, and no "turned itself off".
      const off = !event.settings?.enabled;
      const giveUp = (event.settings?.consecutiveFailures ?? 0) + 1 >= rules.failureLimit;
      return next(r, {
        status: off ? "canceled" : giveUp ? "gave_up" : "retry_wait",
        leaseUntil: null,
        nextAttemptAt: off || giveUp ? null : new Date(Date.parse(t) + backoffMs(r.attempts, rules.retryBackoffSeconds, rules.retryBackoffMaxSeconds)).toISOString(),
        failureCode: event.code,
        failureMessage: event.message,
      }, now);
    }
    case "refund_refused":
      if (r.status !== "refund_pending") return refused(r, "wrong_status");
      // Off the sweeps' queue (no lease), for an operator, with the refusal on the record.
      return next(r, { leaseUntil: null, failureMessage: refundRefusedMessage(event.refusal) }, now);
    case "refund_retry":
      if (r.status !== "refund_pending") return refused(r, "wrong_status");
      // Only a refund the gateway refused waits for an operator: one under a lease is still under way.
      if (r.leaseUntil !== null) return refused(r, "refund_in_flight");
      return next(r, { leaseUntil: leaseFrom(now, rules), refundRetries: r.refundRetries + 1 }, now);
    case "refunded":
      if (r.status !== "refund_pending") return refused(r, "wrong_status");
      return next(r, { status: "refunded", leaseUntil: null }, now);
    case "cancel":
      // A refund under way (or done) stays a refund: the payment must still go back.
      return settledRefusal(r, { closed: true }) ?? next(r, {
        status: "canceled",
        // Canceled mid-attempt, its approval may still land: one lease later a sweep asks the
        // gateway for the order again (recheck_none, or approved_after_close and a refund).
        leaseUntil: r.status === "charging" ? leaseFrom(now, rules) : null,
        nextAttemptAt: null,
        failureMessage: r.failureMessage ?? event.why,
      }, now);
  }
}

/** A taken payment that will not be credited: `refund_pending` under a lease, so a sweep sends the cancel again if this worker stops. */
function refundOf(r: ChargeRecord, paymentKey: string, code: string, why: string, now: Date, rules: ChargeRules): ChargeTransition {
  return settledRefusal(r, { closed: false }) ?? next(r, { status: "refund_pending", paymentKey, leaseUntil: leaseFrom(now, rules), nextAttemptAt: null, failureCode: code, failureMessage: why }, now);
}

const capMessage = (amountKrw: number, chargedKrw: number, capKrw: number | null, month: string) =>
  `${amountKrw} KRW would pass the monthly auto-charge cap of ${capKrw} KRW (${chargedKrw} KRW charged in ${month})`;

/** A crossing's charge as it is first written. */
export interface NewCharge {
  chargeId: string;
  userId: string;
  crossingId: string;
  settings: Pick<AutoChargeSettings, "amount" | "threshold" | "paymentMethod"> & { billing: RegisteredCard };
  /** The account's balance as read when the crossing was worked out. */
  balance: Minor;
  /** The KRW counted so far in the Korea-time month of `now`, and the cap in force (null: none). */
  month: { chargedKrw: number; capKrw: number | null };
  now: Date;
}

/**
 * The first record of a crossing: its first attempt `charging` under a lease, counted in the
 * Korea-time month of `now` (`capMonth`); or, made `canceled` before anything is charged, when
 * the charge would lift the balance past MAX_COIN_AMOUNT (failureCode BALANCE_LIMIT_EXCEEDED)
 * or its KRW would pass the month's cap (MONTHLY_CAP_REACHED). A skip is not a card refusal:
 * no failure is counted, nothing is counted against the cap, and the record says why, so the
 * skip is alerted once, not on every look.
 */
export function newCharge(c: NewCharge, rules: ChargeRules & { krwPerCoin: number; maxCoinAmount: Minor }): ChargeRecord {
  const t = c.now.toISOString();
  const { amount } = c.settings;
  const record: ChargeRecord = {
    id: c.chargeId,
    userId: c.userId,
    crossingId: c.crossingId,
    amount,
    amountKrw: krwFor(amount, rules.krwPerCoin),
    threshold: c.settings.threshold,
    paymentMethod: c.settings.paymentMethod,
    status: "charging",
    attempts: 1,
    billingKey: c.settings.billing.billingKey,
    customerKey: c.settings.billing.customerKey,
    leaseUntil: leaseFrom(c.now, rules),
    nextAttemptAt: null,
    paymentKey: null,
    transactionId: null,
    failureCode: null,
    failureMessage: null,
    refundRetries: 0,
    capMonth: seoulMonth(c.now),
    createdAt: t,
    updatedAt: t,
    revision: 0,
  };
  const skipped = (failureCode: string, failureMessage: string): ChargeRecord =>
    ({ ...record, status: "canceled", attempts: 0, leaseUntil: null, capMonth: null, failureCode, failureMessage });
  if (c.balance + amount > rules.maxCoinAmount) {
    return skipped(CHARGE_OVER_LIMIT, `${formatAmount(amount)} coins would lift the balance of ${formatAmount(c.balance)} above MAX_COIN_AMOUNT (${formatAmount(rules.maxCoinAmount)})`);
  }
  if (!fitsUnderCap(c.month.chargedKrw, record.amountKrw, c.month.capKrw)) {
    return skipped(CHARGE_CAP_REACHED, capMessage(record.amountKrw, c.month.chargedKrw, c.month.capKrw, seoulMonth(c.now)));
  }
  return record;
}

