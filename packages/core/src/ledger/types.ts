import type { Minor } from "../money.ts";

export const entryTypes = [
  "signup_bonus",
  "purchase",
  "auto_charge",
  "usage",
  "refund",
  "admin_adjustment",
  "hold_capture",
  "expiration",
  "bonus_expiry",
] as const;

/** What moved coins: docs/api.md's Transaction `type`. */
export type EntryType = (typeof entryTypes)[number];

export type AccountStatus = "active" | "frozen";

/** A reservation the account carries until it is captured, released or expires. */
export interface ActiveHold {
  amount: Minor;
  expiresAt: string;
}

/** Where a bonus lot came from (docs/credits.md, bonus lots); `pool` is every never-expiring bonus that is not a purchase's. */
export type LotSource = "signup" | "purchase" | "admin" | "pool";

/**
 * Bonus coins granted together, spent soonest-expiry-first (ledger/lots.ts). `id` is the
 * entry that granted it (a purchase's lot keeps its purchase entry's id, so a cancel finds
 * it), or `pool` for the one lot that gathers never-expiring bonus. A lot past `expiresAt`
 * stops counting at once; its `bonus_expiry` entry is written by the next debit or the sweep.
 */
export interface BonusLot {
  id: string;
  /** What was granted into it (grown by merges); for the pool, what is in it. */
  amount: Minor;
  /** What is left: Σ remaining over the lots = the account's bonusBalance. */
  remaining: Minor;
  expiresAt: string | null;
  source: LotSource;
}

/**
 * An account's state. `balance = paidBalance + bonusBalance` and `version` equals the
 * `seq` of its newest ledger entry; both are kept by `applyPosting` alone. `revision`
 * counts every write to the account (postings, holds, freezes): each write is
 * conditioned on the revision it was decided from. `holds` are the pending holds; one
 * past its `expiresAt` no longer counts against the available coins, sweep or not.
 */
export interface Account {
  userId: string;
  balance: Minor;
  paidBalance: Minor;
  bonusBalance: Minor;
  holds: Readonly<Record<string, ActiveHold>>;
  /** The bonus coins as lots, in spending order (ledger/lots.ts); Σ remaining = bonusBalance. */
  lots: readonly BonusLot[];
  used: Minor;
  purchased: Minor;
  status: AccountStatus;
  version: number;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export type HoldStatus = "pending" | "captured" | "released" | "expired";

/** A hold: coins reserved for work that may fail, captured or released afterwards. */
export interface Hold {
  id: string;
  userId: string;
  /** `quantity × unitPrice`, fixed at reserve time. */
  amount: Minor;
  quantity: number;
  /** The unit price at reserve time: a capture by quantity prices its units at it. */
  unitPrice: Minor;
  serviceType: string | null;
  details: Record<string, unknown> | null;
  /** As stored; a pending hold past `expiresAt` is expired whatever this says (see holdStatusAt). */
  status: HoldStatus;
  expiresAt: string;
  capturedAmount: Minor | null;
  captureTransactionId: string | null;
  createdAt: string;
  settledAt: string | null;
}

/** The descriptive fields a ledger entry may carry; null where they do not apply. */
export interface EntryFacts {
  serviceType: string | null;
  details: Record<string, unknown> | null;
  paymentMethod: string | null;
  paymentReference: string | null;
  adminUserId: string | null;
  reason: string | null;
  relatedTransactionId: string | null;
  /**
   * The price snapshot (docs/credits.md): how many units the entry is, at what price per
   * unit, as decided when it was written. Set whenever the entry's amount is a whole number
   * of units at a unit price it knows of (usage always; a capture or refund when its amount
   * divides by the hold's or original's unit price); null otherwise. A later price change
   * in the config never touches these.
   */
  quantity: number | null;
  unitPrice: Minor | null;
}

/** An immutable ledger entry: docs/api.md's Transaction, in minor units. */
export interface LedgerEntry extends EntryFacts {
  id: string;
  userId: string;
  seq: number;
  type: EntryType;
  amount: Minor;
  /** How much of `amount` moved paid coins and how much bonus coins (same sign as amount). */
  paidAmount: Minor;
  bonusAmount: Minor;
  balanceBefore: Minor;
  balanceAfter: Minor;
  status: "completed";
  createdAt: string;
}

/**
 * What an operation wants to do to an account, decided by a pure rule before anything is
 * written: the signed paid and bonus parts, and the side counters it moves.
 */
export interface Posting {
  type: EntryType;
  paidDelta: Minor;
  bonusDelta: Minor;
  usedDelta: Minor;
  purchasedDelta: Minor;
  facts: EntryFacts;
  /**
   * Which lots the bonus part moves (ledger/lots.ts). Left out: a bonus credit goes to the
   * never-expiring pool and a bonus debit draws the live lots soonest-expiry-first.
   */
  lot?: LotMove;
}

/** A bonus credit as a lot of its own (or back into a named lot), or a bonus debit from one named lot only. */
export type LotMove =
  | { kind: "grant"; expiresAt: string | null; source: LotSource; lotId?: string }
  | { kind: "from"; lotId: string };

/** The result a coin-moving call returns, and returns again on an idempotent replay. */
export interface PostingResult {
  entry: LedgerEntry;
  account: Account;
  replayed: boolean;
}

export const noFacts: EntryFacts = {
  serviceType: null,
  details: null,
  paymentMethod: null,
  paymentReference: null,
  adminUserId: null,
  reason: null,
  relatedTransactionId: null,
  quantity: null,
  unitPrice: null,
};
