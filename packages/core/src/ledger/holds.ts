import type { SpendOrder } from "../config.ts";
import { insufficientCoins, NyangError } from "../errors.ts";
import { formatAmount, type Minor } from "../money.ts";
import { assertActive, assertAvailable, balanceAt, splitDebit, touch, unitsOf } from "./rules.ts";
import { noFacts, type Account, type EntryFacts, type Hold, type HoldStatus, type Posting } from "./types.ts";

/**
 * Holds (reserve → capture / release), as pure rules. A pending hold lives twice: as its
 * own item (the record callers see) and as an entry in the account's `holds`, which is
 * what `available` subtracts. Both change in one transaction, and a hold that is past
 * its `expiresAt` stops counting at once, before any sweep marks it expired.
 */

/** The status a caller sees: a pending hold past its expiry is expired. */
export function holdStatusAt(h: Hold, now: Date): HoldStatus {
  return h.status === "pending" && h.expiresAt <= now.toISOString() ? "expired" : h.status;
}

/** The hold is captured, released or expired: nothing more can happen to it. */
export const holdNotPending = (h: Hold, now: Date) =>
  new NyangError("hold_not_pending", `The hold is ${holdStatusAt(h, now)}`, { holdId: h.id, status: holdStatusAt(h, now) });

/** An account carries at most this many pending holds: each one sits on the account item. */
export const MAX_PENDING_HOLDS = 100;

/** Reserves `amount`: it stops being available until the hold is captured, released or expires. */
export function reserveRule(
  a: Account,
  req: {
    holdId: string;
    amount: Minor;
    ttlSeconds: number;
    serviceType: string | null;
    details: Record<string, unknown> | null;
    /** The price snapshot (rules.ts priceUnits); a hold of a bare amount is one unit of it. */
    quantity?: number;
    unitPrice?: Minor;
  },
  now: Date,
): { account: Account; hold: Hold } {
  assertActive(a);
  assertAvailable(a, req.amount, now);
  const touched = touch(a, now);
  if (Object.keys(touched.holds).length >= MAX_PENDING_HOLDS) {
    throw new NyangError("too_many_holds", `An account can have at most ${MAX_PENDING_HOLDS} pending holds`, {
      max: MAX_PENDING_HOLDS,
    });
  }
  const expiresAt = new Date(Date.parse(touched.updatedAt) + req.ttlSeconds * 1000).toISOString();
  const hold: Hold = {
    id: req.holdId,
    userId: a.userId,
    amount: req.amount,
    quantity: req.quantity ?? 1,
    unitPrice: req.unitPrice ?? req.amount,
    serviceType: req.serviceType,
    details: req.details,
    status: "pending",
    expiresAt,
    capturedAmount: null,
    captureTransactionId: null,
    createdAt: touched.updatedAt,
    settledAt: null,
  };
  return { account: { ...touched, holds: { ...touched.holds, [req.holdId]: { amount: req.amount, expiresAt } } }, hold };
}

function assertPending(h: Hold, now: Date): void {
  if (holdStatusAt(h, now) !== "pending") throw holdNotPending(h, now);
}

function withoutHold(a: Account, holdId: string): Account {
  const rest = { ...a.holds };
  delete rest[holdId];
  return { ...a, holds: rest };
}

/**
 * What a capture above the hold does (docs/credits.md): `reject` (the default) refuses it;
 * `from_available` takes the extra from the available balance in the same write.
 */
export const overCapturePolicies = ["reject", "from_available"] as const;
export type OverCapture = (typeof overCapturePolicies)[number];

/**
 * Captures (part of) a hold: a `hold_capture` debit of `amount` (all of it by default)
 * and the rest freed. Up to the hold the reserved coins are there by construction, so this
 * never runs short, and frozen accounts may still capture work reserved before the freeze.
 * Above the hold (only with `from_available`) the extra is a new spend: it must be
 * available besides what every hold reserves, and a frozen account refuses it. The whole
 * capture is then split paid/bonus in the spend order, as one debit.
 */
export function captureRule(
  a: Account,
  hold: Hold,
  amount: Minor | undefined,
  order: SpendOrder,
  now: Date,
  overCapture: OverCapture = "reject",
): { account: Account; posting: Posting } {
  assertPending(hold, now);
  const captured = amount ?? hold.amount;
  if (captured > hold.amount) {
    if (overCapture === "reject") {
      throw new NyangError("invalid_amount", `A capture can take at most the held ${formatAmount(hold.amount)}`, {
        fields: { amount: `at most ${formatAmount(hold.amount)}, or overCapture "from_available"` },
        held: formatAmount(hold.amount),
      });
    }
    assertActive(a);
    // `available` still counts this hold as reserved: the extra must fit beside it.
    assertAvailable(a, captured - hold.amount, now);
  }
  const freed = withoutHold(a, hold.id);
  // A hold pins no lot: bonus coins it was reserved against may have expired since (docs/credits.md).
  const coverable = balanceAt(freed, now);
  if (captured > coverable) throw insufficientCoins(formatAmount(captured), formatAmount(coverable));
  const { paid, bonus } = splitDebit(freed, captured, order, now);
  const facts: EntryFacts = {
    ...noFacts,
    serviceType: hold.serviceType,
    details: hold.details,
    relatedTransactionId: hold.id,
    ...unitsOf(captured, hold.unitPrice),
  };
  return {
    account: freed,
    posting: { type: "hold_capture", paidDelta: -paid, bonusDelta: -bonus, usedDelta: captured, purchasedDelta: 0, facts },
  };
}

/** Releases a pending hold: its coins are available again; no ledger entry is written. */
export function releaseRule(a: Account, hold: Hold, now: Date): Account {
  assertPending(hold, now);
  return touch(withoutHold(a, hold.id), now);
}

/** The sweep's rule: a pending hold past its expiry leaves the account and is marked expired. */
export function expireRule(a: Account, hold: Hold, now: Date): Account | null {
  if (hold.status !== "pending" || holdStatusAt(hold, now) !== "expired") return null;
  return touch(withoutHold(a, hold.id), now);
}
