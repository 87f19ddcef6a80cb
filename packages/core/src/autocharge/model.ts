import { createHmac } from "node:crypto";
import { recordKeyFor } from "../ledger/idempotency.ts";
import type { LedgerEntry } from "../ledger/types.ts";
import { NyangError } from "../errors.ts";
import type { Minor } from "../money.ts";

/**
 * Auto-charge: an account's card is charged for a fixed amount of coins when its balance
 * falls to or below its threshold. Exactly one charge per *crossing*, whichever trigger
 * (the ledger stream, the daily or the hourly sweep) gets there, however often.
 *
 * A crossing is named by the ledger entry that took the balance from above the threshold to
 * at or below it — or, when the balance was already at or below the threshold when auto-charge
 * was armed (turned on, or its threshold changed) and has stayed there, by that arming. Every
 * trigger works out the account's *current* crossing from the ledger itself (see
 * {@link currentCrossing}), so all of them name the same one.
 *
 * One charge record per crossing (`ac_<k>`), with k = the record key of the system key
 * `autocharge:<crossing>`; everything that must happen once derives from k:
 * - the gateway's order id is the record id `ac_<k>` (Toss refuses to approve one order id twice);
 * - the gateway's Idempotency-Key is `autocharge-ac_<k>-<attempt>` (a retry after a refusal is
 *   a new attempt; a resumed attempt resends the same key and gets the first answer);
 * - the credit is the ledger entry `tx_<k>` (keyed on `autocharge:<crossing>`), written in the
 *   same transaction that marks the record paid.
 */

/** An account's auto-charge settings, with the registered card (its billing key is a secret). */
export interface AutoChargeSettings {
  userId: string;
  enabled: boolean;
  threshold: Minor;
  amount: Minor;
  paymentMethod: "card";
  billing: RegisteredCard | null;
  /** Payment failures since the last successful charge. */
  consecutiveFailures: number;
  /** Why auto-charge is off, when it turned itself off or was turned off. */
  disabledReason: "payment_failures" | "user" | null;
  disabledAt: string | null;
  /**
   * The account's own monthly cap on auto-charges, in KRW per calendar month (Korea time);
   * null: the service's default (AUTO_CHARGE_MONTHLY_CAP_KRW), itself null for no cap.
   */
  monthlyCapKrw: number | null;
  /** The settings revision at the last arming (turned on, or threshold changed while on). */
  armedRevision: number;
  /** The account's version when it was armed: crossings before it belong to an earlier arming. */
  armedAtSeq: number;
  armedAt: string | null;
  createdAt: string;
  updatedAt: string;
  revision: number;
}

export interface RegisteredCard {
  billingKey: string;
  customerKey: string;
  cardCompany: string | null;
  cardNumber: string | null;
  registeredAt: string;
}

/**
 * A charge record moves
 *   charging ──approved──▶ paid
 *      │ └──refused──▶ retry_wait ──backoff over──▶ charging (next attempt)
 *      │                   ├──crossing gone (balance back up, or re-armed)──▶ canceled
 *      ├──refused, failure limit reached──▶ gave_up (and auto-charge turns itself off)
 *      └──approved, but the coins no longer fit under MAX_COIN_AMOUNT──▶ refund_pending ──gateway cancelled──▶ refunded
 * A crossing whose charge would pass MAX_COIN_AMOUNT before anything is charged gets a record
 * made `canceled` with failureCode BALANCE_LIMIT_EXCEEDED (no money taken, alerted once); one
 * whose KRW would pass the account's monthly cap, `canceled` with MONTHLY_CAP_REACHED.
 * `charging` holds a lease: past it (a crash), a sweep takes the attempt over — it asks the
 * gateway for the order first and resends the same attempt only if the gateway knows none.
 * `refund_pending` holds a lease too: past it, a sweep sends the cancel again (same key).
 *
 * Money is never kept without coins: a payment approved for a record that is not `paid` is
 * either credited (the record still open: charging, retry_wait) or cancelled at the gateway
 * (`refund_pending` → `refunded`): when its coins no longer fit under MAX_COIN_AMOUNT, or when
 * the record was closed (canceled, gave_up) before the approval was seen. A record canceled
 * while an attempt may still be in flight (canceled from `charging`) keeps a lease as its
 * recheck time: past it, a sweep asks the gateway for the order once more and refunds what it
 * finds (see {@link CHARGE_APPROVED_AFTER_CLOSE}).
 */
export type ChargeStatus = "charging" | "retry_wait" | "paid" | "gave_up" | "canceled" | "refund_pending" | "refunded";

/** The failure code of a charge skipped or refunded because its coins would pass MAX_COIN_AMOUNT. */
export const CHARGE_OVER_LIMIT = "BALANCE_LIMIT_EXCEEDED";

/** The failure code of a charge skipped because its KRW would pass the account's monthly cap. */
export const CHARGE_CAP_REACHED = "MONTHLY_CAP_REACHED";

/** The failure code of a payment refunded because the gateway approved it after its record was closed. */
export const CHARGE_APPROVED_AFTER_CLOSE = "APPROVED_AFTER_CLOSE";

/**
 * The gateway idempotency key of the cancel of a charge's payment. The gateway answers a repeated
 * key with its first answer, so a refused cancel is retried (by an operator) under a new one:
 * `retry` counts those retries, and the first cancel (retry 0) keeps the key it always had.
 */
export const refundKeyFor = (chargeId: string, attempt: number, retry = 0) => `autocharge-refund-${chargeId}-${attempt}${retry > 0 ? `-retry${retry}` : ""}`;

export interface ChargeRecord {
  id: string;
  userId: string;
  /** The crossing this record pays for: an entry id, or `armed-r<revision>`. */
  crossingId: string;
  /** Coins the charge credits, and the KRW it takes. */
  amount: Minor;
  amountKrw: number;
  threshold: Minor;
  paymentMethod: string;
  status: ChargeStatus;
  /** Attempts started; the current one while charging. */
  attempts: number;
  /** The card the current attempt charges (a resumed attempt must send the same request). */
  billingKey: string;
  customerKey: string;
  leaseUntil: string | null;
  nextAttemptAt: string | null;
  paymentKey: string | null;
  transactionId: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  /** Operator retries of a refused refund ({@link refundKeyFor}); 0 until the first. */
  refundRetries: number;
  /**
   * The Korea-time month (`2026-12`) whose auto-charge counter this record's KRW is counted in;
   * null when it was never counted (skipped before any attempt, or written before the cap existed).
   */
  capMonth: string | null;
  createdAt: string;
  updatedAt: string;
  revision: number;
}

/** The system idempotency key of a crossing's credit. */
export const creditKeyFor = (crossingId: string) => `autocharge:${crossingId}`;

/** The charge record id of a crossing: also the gateway's order id. */
export const chargeIdFor = (userId: string, crossingId: string) =>
  `ac_${recordKeyFor(userId, creditKeyFor(crossingId), "system")}`;

/** The settings' id in the sweep index (spreads accounts over the index shards). */
export const settingsIdFor = (userId: string) => `acs_${recordKeyFor(userId, "auto-charge-settings", "system")}`;

/** The gateway idempotency key of one attempt of a charge. */
export const attemptKeyFor = (chargeId: string, attempt: number) => `autocharge-${chargeId}-${attempt}`;

/** The gateway idempotency key of a card registration: the account and the one-time authKey. */
export const registrationKeyFor = (userId: string, authKey: string) => `billing-issue-${recordKeyFor(userId, `billing-issue:${authKey}`, "system")}`;

/**
 * The account's customer key at the gateway, bound to the account on the server: whoever holds
 * another account's `authKey` (or its customer key) cannot register that card here, because the
 * gateway refuses to issue a billing key for an authKey under any customer key but the one its
 * registration window was opened with. An HMAC of the user id, so it is stable (the checkout
 * window needs it before any settings exist) yet not guessable from the user id: Toss advises
 * against guessable customer keys. `nyc_` + 43 base64url characters: within Toss's rule
 * (2–300 of `A-Z a-z 0-9 - _ = . @`).
 */
export type CustomerKeyOf = (userId: string) => string;

/** Customer keys derived from a server secret, with a label of their own (the secret may serve elsewhere too). */
export function hmacCustomerKeys(secret: () => string): CustomerKeyOf {
  let key: Buffer | undefined;
  return (userId) => {
    key ??= createHmac("sha256", secret()).update("nyang/toss-customer-key/v1").digest();
    return `nyc_${createHmac("sha256", key).update(userId).digest("base64url")}`;
  };
}

/** The crossing an arming names when the balance was already at or below the threshold. */
export const armedCrossingId = (armedRevision: number) => `armed-r${armedRevision}`;

/** Whether this entry took the balance from above the threshold to at or below it. */
export const crosses = (e: Pick<LedgerEntry, "balanceBefore" | "balanceAfter">, threshold: Minor) =>
  e.balanceBefore > threshold && e.balanceAfter <= threshold;

/** How far back the crossing is looked for: an account this long below its threshold is left alone (and logged). */
export const MAX_CROSSING_WALK = 1000;

/**
 * The account's current crossing as of the account read (`balance` at `version`), from its
 * entries newest first: the newest entry after the arming that crossed the threshold, or the
 * arming itself when no entry since has. Null when the balance is above the threshold (nothing
 * to charge), or when no crossing shows within `maxEntries` entries (never guess one: a wrong
 * guess would be a second charge). Entries newer than the read (written since) are passed over.
 */
export async function currentCrossing(
  account: { balance: Minor; version: number },
  settings: Pick<AutoChargeSettings, "threshold" | "armedAtSeq" | "armedRevision">,
  newestFirst: AsyncIterable<Pick<LedgerEntry, "id" | "seq" | "balanceBefore" | "balanceAfter">>,
  maxEntries = MAX_CROSSING_WALK,
): Promise<{ crossingId: string; seq: number | null } | null> {
  const t = settings.threshold;
  if (account.balance > t) return null;
  let expectBalance = account.balance;
  let walked = 0;
  for await (const e of newestFirst) {
    if (e.seq > account.version) continue;
    if (++walked > maxEntries) return null;
    if (e.seq <= settings.armedAtSeq) break;
    if (e.balanceAfter !== expectBalance) {
      // The entries must chain from the account as read: anything else is a stale read.
      throw new Error(`ledger of the account does not chain at seq ${e.seq}: balanceAfter ${e.balanceAfter}, expected ${expectBalance}`);
    }
    if (e.balanceBefore > t) return { crossingId: e.id, seq: e.seq };
    expectBalance = e.balanceBefore;
  }
  return { crossingId: armedCrossingId(settings.armedRevision), seq: null };
}

/** Wait before attempt n+1 after attempt n failed: base × 2^(n−1), at most max. */
export function backoffMs(failedAttempt: number, baseSeconds: number, maxSeconds: number): number {
  const exp = Math.min(Math.max(failedAttempt - 1, 0), 30);
  return Math.min(baseSeconds * 2 ** exp, maxSeconds) * 1000;
}

/** KRW for an amount of coins at the configured rate; refused when it is not whole won. */
export function krwFor(amount: Minor, krwPerCoin: number): number {
  const krwTimes100 = amount * krwPerCoin;
  if (krwTimes100 % 100 !== 0) {
    throw new NyangError("validation_failed", `The amount must buy whole won at ${krwPerCoin} KRW per coin`, {
      fields: { amount: `a multiple of ${(100 / gcd(100, krwPerCoin) / 100).toFixed(2)} coins` },
    });
  }
  return krwTimes100 / 100;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

export const autoChargeUnavailable = () =>
  new NyangError("auto_charge_unavailable", "Auto-charge is switched off for this service (AUTO_CHARGE_ENABLED=false)");
