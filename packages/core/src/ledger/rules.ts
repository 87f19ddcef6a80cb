import type { SpendOrder } from "../config.ts";
import {
  accountFrozen,
  balanceLimitExceeded,
  insufficientCoins,
  refundExceedsOriginal,
  NyangError,
} from "../errors.ts";
import { formatAmount, type Minor } from "../money.ts";
import { expiredBonus, moveLots } from "./lots.ts";
import { noFacts, type Account, type ActiveHold, type EntryFacts, type LedgerEntry, type Posting } from "./types.ts";

/**
 * The ledger's rules as pure functions: each takes the account as last read and returns
 * the posting to write, or throws the domain error that refuses it. Nothing here reads or
 * writes storage, so every rule is unit-tested without a database.
 */

/** What unexpired holds reserve at `now`. */
export function heldAt(a: Account, now: Date): Minor {
  const t = now.toISOString();
  let held = 0;
  for (const h of Object.values(a.holds)) if (h.expiresAt > t) held += h.amount;
  return held;
}

/** Bonus coins that count at `now`: lots past their expiry stop counting at once, before their entry is written. */
export const liveBonus = (a: Account, now: Date): Minor => a.bonusBalance - expiredBonus(a.lots, now);

/** The balance as it counts at `now`: without bonus lots past their expiry. */
export const balanceAt = (a: Account, now: Date): Minor => a.balance - expiredBonus(a.lots, now);

/** Coins that can be spent at `now`: the counting balance less what unexpired holds reserve. */
export const available = (a: Account, now: Date): Minor => balanceAt(a, now) - heldAt(a, now);

/** The pending holds still alive at `now`: expired ones drop off the account on its next write. */
export function liveHolds(holds: Account["holds"], now: Date): Record<string, ActiveHold> {
  const t = now.toISOString();
  return Object.fromEntries(Object.entries(holds).filter(([, h]) => h.expiresAt > t));
}

export function assertActive(a: Account): void {
  if (a.status !== "active") throw accountFrozen(a.userId);
}

/** Splits a debit into paid and bonus parts in the configured order; expired bonus lots are not there to take. */
export function splitDebit(a: Account, amount: Minor, order: SpendOrder, now: Date): { paid: Minor; bonus: Minor } {
  if (order === "bonus_first") {
    const bonus = Math.min(amount, liveBonus(a, now));
    return { paid: amount - bonus, bonus };
  }
  const paid = Math.min(amount, a.paidBalance);
  return { paid, bonus: amount - paid };
}

export function assertAvailable(a: Account, amount: Minor, now: Date): void {
  const free = available(a, now);
  if (free < amount) throw insufficientCoins(formatAmount(amount), formatAmount(free));
}

/** The most units one usage, hold, capture or refund may name. */
export const MAX_QUANTITY = 10_000;

/** A priced request: how many units, the price of one, and what they come to. */
export interface Priced {
  quantity: number;
  unitPrice: Minor;
  amount: Minor;
}

const bothNamed = () =>
  new NyangError("validation_failed", "Name either amount or quantity, not both", {
    fields: { quantity: "cannot be combined with amount" },
  });

function assertQuantity(quantity: number): void {
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
    throw new NyangError("validation_failed", `quantity must be an integer from 1 to ${MAX_QUANTITY}`, {
      fields: { quantity: `an integer from 1 to ${MAX_QUANTITY}` },
    });
  }
}

/**
 * Prices a usage or a hold (docs/credits.md): `quantity` units (default 1) at the service's
 * list price as it stands now, or, when the caller names an `amount`, one unit of that
 * amount. Naming both is refused: an amount is already the total, and a unit price the
 * caller made up is not a price list's.
 */
export function priceUnits(listPrice: Minor, req: { amount?: Minor | undefined; quantity?: number | undefined }): Priced {
  if (req.amount !== undefined && req.quantity !== undefined) throw bothNamed();
  if (req.amount !== undefined) return { quantity: 1, unitPrice: req.amount, amount: req.amount };
  const quantity = req.quantity ?? 1;
  assertQuantity(quantity);
  return { quantity, unitPrice: listPrice, amount: quantity * listPrice };
}

/**
 * The amount a capture or refund names: `amount` itself, or `quantity` units at the unit
 * price of the hold or entry it refers to (undefined when it names neither). A quantity
 * needs a unit price to count in: an entry without one refuses it.
 */
export function amountOfUnits(req: { amount?: Minor | undefined; quantity?: number | undefined }, unitPrice: Minor | null): Minor | undefined {
  if (req.amount !== undefined && req.quantity !== undefined) throw bothNamed();
  if (req.quantity === undefined) return req.amount;
  assertQuantity(req.quantity);
  if (unitPrice === null) {
    throw new NyangError("validation_failed", "This entry has no unit price to count a quantity in; name an amount", {
      fields: { quantity: "the entry has no unit price" },
    });
  }
  return req.quantity * unitPrice;
}

/**
 * The units an amount makes at a unit price, when it makes a whole number of them; else
 * none. Captures and refunds record their units this way, so an entry's `quantity ×
 * unitPrice` always equals its amount when both are there.
 */
export function unitsOf(amount: Minor, unitPrice: Minor | null): Pick<EntryFacts, "quantity" | "unitPrice"> {
  if (unitPrice === null || unitPrice <= 0 || amount <= 0 || amount % unitPrice !== 0) return { quantity: null, unitPrice: null };
  return { quantity: amount / unitPrice, unitPrice };
}

/** A spend for a service: debits `amount`, bonus or paid coins first as configured. */
export function spendRule(a: Account, amount: Minor, order: SpendOrder, facts: EntryFacts, now: Date): Posting {
  assertActive(a);
  assertAvailable(a, amount, now);
  const { paid, bonus } = splitDebit(a, amount, order, now);
  return {
    type: "usage",
    paidDelta: -paid,
    bonusDelta: -bonus,
    usedDelta: amount,
    purchasedDelta: 0,
    facts,
  };
}

/** A charge credits paid coins (a purchase or an auto-charge), capped by MAX_COIN_AMOUNT. */
export function chargeRule(
  a: Account,
  amount: Minor,
  type: "purchase" | "auto_charge",
  maxBalance: Minor,
  facts: EntryFacts,
): Posting {
  assertActive(a);
  assertWithinLimit(a, amount, maxBalance);
  return {
    type,
    paidDelta: amount,
    bonusDelta: 0,
    usedDelta: 0,
    purchasedDelta: amount,
    facts,
  };
}

/** Refuses a credit that would lift the balance above MAX_COIN_AMOUNT (balance_limit_exceeded). */
export function assertWithinLimit(a: Account, credit: Minor, maxBalance: Minor): void {
  if (a.balance + credit > maxBalance) {
    throw balanceLimitExceeded(formatAmount(maxBalance), formatAmount(a.balance + credit));
  }
}

/**
 * An admin adjustment: a credit adds bonus coins (capped by MAX_COIN_AMOUNT); a debit
 * takes available coins in the spend order and never drives the balance below zero or
 * below what holds reserve. Allowed on frozen accounts: fixing them is what admins do.
 */
export function adjustmentRule(
  a: Account,
  amount: Minor,
  order: SpendOrder,
  maxBalance: Minor,
  facts: EntryFacts,
  now: Date,
): Posting {
  if (amount > 0) {
    assertWithinLimit(a, amount, maxBalance);
    return { type: "admin_adjustment", paidDelta: 0, bonusDelta: amount, usedDelta: 0, purchasedDelta: 0, facts };
  }
  const debit = -amount;
  assertAvailable(a, debit, now);
  const { paid, bonus } = splitDebit(a, debit, order, now);
  return { type: "admin_adjustment", paidDelta: -paid, bonusDelta: -bonus, usedDelta: 0, purchasedDelta: 0, facts };
}

/** How much of a debit entry has been refunded so far, split as the coins went back. */
export interface RefundTally {
  refundedPaid: Minor;
  refundedBonus: Minor;
}

export const refundableTypes = ["usage", "hold_capture"] as const;

/**
 * A refund of (part of) a usage or hold-capture entry. Coins go back where they came
 * from, paid coins first (they are the ones worth money), and the refunds of one entry
 * never add up to more than it took. `amount` undefined refunds whatever is left. The
 * tally counts coins, not units, so refunds by quantity and by amount mix exactly.
 */
export function refundRule(
  original: LedgerEntry,
  tally: RefundTally,
  amount: Minor | undefined,
  facts: EntryFacts,
  account: Account,
  maxBalance: Minor,
): { posting: Posting; tally: RefundTally } {
  if (!(refundableTypes as readonly string[]).includes(original.type)) {
    throw new NyangError("validation_failed", "Only usage and hold_capture entries can be refunded", {
      fields: { transactionId: `is a ${original.type} entry` },
    });
  }
  const paidLeft = -original.paidAmount - tally.refundedPaid;
  const bonusLeft = -original.bonusAmount - tally.refundedBonus;
  const left = paidLeft + bonusLeft;
  const requested = amount ?? left;
  if (requested <= 0 || requested > left) {
    throw refundExceedsOriginal(original.id, formatAmount(left), formatAmount(amount ?? 0));
  }
  assertWithinLimit(account, requested, maxBalance);
  const paid = Math.min(requested, paidLeft);
  const bonus = requested - paid;
  return {
    posting: {
      type: "refund",
      paidDelta: paid,
      bonusDelta: bonus,
      usedDelta: -requested,
      purchasedDelta: 0,
      // Units at the original's stored price, never today's list price.
      facts: { ...facts, ...unitsOf(requested, original.unitPrice) },
    },
    tally: { refundedPaid: tally.refundedPaid + paid, refundedBonus: tally.refundedBonus + bonus },
  };
}

/** The signup grant: DEFAULT_COIN_AMOUNT bonus coins on a new account, as a lot expiring at `expiresAt` (null: never). */
export function signupRule(amount: Minor, expiresAt: string | null = null): Posting {
  return {
    type: "signup_bonus",
    paidDelta: 0,
    bonusDelta: amount,
    usedDelta: 0,
    purchasedDelta: 0,
    facts: noFacts,
    lot: { kind: "grant", expiresAt, source: "signup" },
  };
}

/**
 * Applies a posting to an account: the one place a balance changes (ledger rules 1–2).
 * The entry's seq is the account's next version, its balances chain from the account's,
 * and its time never goes back behind the account's last write.
 */
export function applyPosting(
  a: Account,
  posting: Posting,
  entryId: string,
  now: Date,
): { account: Account; entry: LedgerEntry } {
  // `-0` would survive into stored items and replays; every figure here is a plain integer.
  const paidDelta = posting.paidDelta + 0;
  const bonusDelta = posting.bonusDelta + 0;
  const amount = paidDelta + bonusDelta;
  const paidBalance = a.paidBalance + posting.paidDelta;
  const bonusBalance = a.bonusBalance + posting.bonusDelta;
  if (paidBalance < 0 || bonusBalance < 0) {
    // The rules above never produce this; a bug must not write a negative balance.
    throw new Error(`posting would make a balance negative for ${a.userId}`);
  }
  const touched = touch(a, now);
  const createdAt = touched.updatedAt;
  const account: Account = {
    ...touched,
    paidBalance,
    bonusBalance,
    lots: moveLots(a.lots, bonusDelta, posting.lot, entryId, now),
    balance: paidBalance + bonusBalance,
    used: a.used + posting.usedDelta,
    purchased: a.purchased + posting.purchasedDelta,
    version: a.version + 1,
  };
  const entry: LedgerEntry = {
    id: entryId,
    userId: a.userId,
    seq: account.version,
    type: posting.type,
    amount,
    paidAmount: paidDelta,
    bonusAmount: bonusDelta,
    balanceBefore: a.balance,
    balanceAfter: account.balance,
    status: "completed",
    createdAt,
    ...posting.facts,
  };
  return { account, entry };
}

/**
 * Every write to an account goes through here: the revision moves on, expired holds drop
 * off, and the time never goes back behind the account's last write (so entries' times
 * keep their seq order).
 */
export function touch(a: Account, now: Date): Account {
  const nowIso = now.toISOString();
  const updatedAt = nowIso > a.updatedAt ? nowIso : a.updatedAt;
  return { ...a, holds: liveHolds(a.holds, now), revision: a.revision + 1, updatedAt };
}

/** A brand-new, empty account; its first posting (the signup grant) makes it version 1. */
export function newAccount(userId: string, now: Date): Account {
  const t = now.toISOString();
  return {
    userId,
    balance: 0,
    paidBalance: 0,
    bonusBalance: 0,
    holds: {},
    lots: [],
    used: 0,
    purchased: 0,
    status: "active",
    version: 0,
    revision: 0,
    createdAt: t,
    updatedAt: t,
  };
}
