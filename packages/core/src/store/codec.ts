import type { Account, EntryType, LedgerEntry } from "../ledger/types.ts";
import type { RefundTally } from "../ledger/rules.ts";
import { accountKey, byTimeSk, entryKey, refundTallyKey } from "./keys.ts";

/**
 * How domain values become table items and back. Nulls are left out of items (smaller
 * items cost fewer write units) and come back as null; `details` is stored as JSON text
 * so that any caller JSON survives exactly, numbers included.
 */

type Item = Record<string, unknown>;

export function accountToItem(a: Account): Item {
  return { ...accountKey(a.userId), kind: "account", ...a };
}

export function itemToAccount(item: Item): Account {
  return {
    userId: String(item.userId),
    balance: Number(item.balance),
    paidBalance: Number(item.paidBalance),
    bonusBalance: Number(item.bonusBalance),
    held: Number(item.held ?? 0),
    used: Number(item.used ?? 0),
    purchased: Number(item.purchased ?? 0),
    status: item.status === "frozen" ? "frozen" : "active",
    version: Number(item.version),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
  };
}

/** What an entry item stores beyond the entry: how to recognise a replay of its request. */
export interface StoredEntry {
  entry: LedgerEntry;
  fingerprint: string;
  /** The account as this entry left it: a replay answers with exactly the original body. */
  accountAfter: Account;
}

const orUndefined = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

export function entryToItem(e: LedgerEntry, fingerprint: string, idempotencyKey: string, accountAfter: Account): Item {
  const { details, ...rest } = e;
  const item: Item = {
    ...entryKey(e.userId, e.id),
    lsi1sk: byTimeSk(e.createdAt, e.seq),
    kind: "entry",
    fingerprint,
    idempotencyKey,
    detailsJson: details === null ? undefined : JSON.stringify(details),
    accountAfter,
  };
  for (const [k, v] of Object.entries(rest)) item[k] = orUndefined(v);
  return item;
}

const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));

export function itemToStoredEntry(item: Item): StoredEntry {
  const entry: LedgerEntry = {
    id: String(item.id),
    userId: String(item.userId),
    seq: Number(item.seq),
    type: item.type as EntryType,
    amount: Number(item.amount),
    paidAmount: Number(item.paidAmount),
    bonusAmount: Number(item.bonusAmount),
    balanceBefore: Number(item.balanceBefore),
    balanceAfter: Number(item.balanceAfter),
    serviceType: str(item.serviceType),
    details: typeof item.detailsJson === "string" ? (JSON.parse(item.detailsJson) as Record<string, unknown>) : null,
    paymentMethod: str(item.paymentMethod),
    paymentReference: str(item.paymentReference),
    adminUserId: str(item.adminUserId),
    reason: str(item.reason),
    relatedTransactionId: str(item.relatedTransactionId),
    status: "completed",
    createdAt: String(item.createdAt),
  };
  return {
    entry,
    fingerprint: String(item.fingerprint),
    accountAfter: itemToAccount(item.accountAfter as Item),
  };
}

export function refundTallyToItem(userId: string, entryId: string, t: RefundTally): Item {
  return { ...refundTallyKey(userId, entryId), kind: "refund_tally", ...t };
}

export function itemToRefundTally(item: Item | undefined): RefundTally | null {
  if (!item) return null;
  return { refundedPaid: Number(item.refundedPaid), refundedBonus: Number(item.refundedBonus) };
}
