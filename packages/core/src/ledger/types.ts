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
] as const;

/** What moved coins: API.md's Transaction `type`. */
export type EntryType = (typeof entryTypes)[number];

export type AccountStatus = "active" | "frozen";

/**
 * An account's state. `balance = paidBalance + bonusBalance` and `version` equals the
 * `seq` of its newest ledger entry; both are kept by `applyPosting` alone.
 */
export interface Account {
  userId: string;
  balance: Minor;
  paidBalance: Minor;
  bonusBalance: Minor;
  held: Minor;
  used: Minor;
  purchased: Minor;
  status: AccountStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
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
}

/** An immutable ledger entry: API.md's Transaction, in minor units. */
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
  /** Debits refuse frozen accounts; the write re-checks it in its condition. */
  requiresActive: boolean;
}

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
};
