import type { DueQueueReader } from "../due-queue.ts";
import type { WriteIntent } from "../intents.ts";
import type { Order } from "../purchases/order.ts";
import type { Minor } from "../money.ts";
import type { KeySource } from "./idempotency.ts";
import type { RefundTally } from "./rules.ts";
import type { Account, AccountStatus, EntryType, Hold, HoldStatus, LedgerEntry } from "./types.ts";

/**
 * What the ledger needs of storage: reads of an account and its records, and one
 * conditional commit of the intents a decision returned. The DynamoDB adapter
 * (store/ledger-store.ts) implements it; nothing here knows a table, a key or a request.
 */
export interface LedgerPort extends DueQueueReader, GroupCommitPort {
  /** The account, read strongly consistently: every decision is made on the latest state. */
  getAccount(userId: string): Promise<Account | null>;
  /** The record a caller's (or Nyang's own) idempotency key made on this account, of whatever kind. */
  getRecordByKey(userId: string, idempotencyKey: string, source?: KeySource): Promise<AnyStoredRecord | null>;
  getEntry(userId: string, entryId: string): Promise<StoredEntry | null>;
  getHold(userId: string, holdId: string): Promise<StoredHoldWithSettlement | null>;
  getRefundTally(userId: string, entryId: string): Promise<RefundTally | null>;
  /**
   * Writes every intent or none (ledger rule 1), each conditioned on the state it was
   * decided from, and says whether the write landed, met its keyed record, or lost a race.
   * `operation` names the write for metering.
   */
  commit(operation: string, intents: WriteIntent[]): Promise<CommitOutcome>;
  /** Freezes or unfreezes an account. Not a posting: balances and version stay, the revision moves. */
  setStatus(userId: string, status: AccountStatus, now: Date): Promise<Account | null>;
  listEntries(userId: string, q: EntryQuery): Promise<{ entries: LedgerEntry[]; nextCursor: string | null }>;
  listHolds(userId: string, q: RecordListQuery<HoldStatus>, now: Date): Promise<{ holds: Hold[]; nextCursor: string | null }>;
}

/** What became of a commit. */
export type CommitOutcome =
  | { kind: "written" }
  /** The keyed record already exists: a replay, or a key reused for another request. */
  | { kind: "record_exists"; stored: AnyStoredRecord | null }
  /**
   * Something the decision read changed before the write landed, or the store failed in
   * passing (store/transient.ts): decide again. When the account itself moved, `account`
   * is its current state (no need to read it again).
   */
  | { kind: "conflict"; account?: Account; transient?: true };

/** A record made by a keyed request, with what tells a replay of that request from another. */
export interface StoredRecord<T> {
  value: T;
  fingerprint: string;
  /** The account as the request left it: a replay answers with exactly the original body. */
  accountAfter: Account;
}

export type StoredEntry = StoredRecord<LedgerEntry>;
export type StoredHold = StoredRecord<Hold>;

/** How a settled hold was settled, for replaying the request that settled it. */
export interface HoldSettlementRecord {
  settleKey: string | null;
  settleFingerprint: string | null;
  accountAfter: Account;
}

export type StoredHoldWithSettlement = StoredHold & { settlement: HoldSettlementRecord | null };

/** An order as stored: with the fingerprint and key of the request that created it. */
export interface StoredOrder {
  value: Order;
  fingerprint: string;
  idempotencyKey: string;
}

/** A record of any kind, by what its key made. */
export type AnyStoredRecord =
  | ({ kind: "entry" } & StoredEntry)
  | ({ kind: "hold" } & StoredHold)
  /** A keyed release: the hold as it left it. */
  | ({ kind: "release" } & StoredHold)
  | { kind: "order"; value: Order; fingerprint: string }
  /** A purchase confirm's or cancel's key (intents.ts PurchaseKeyIntent). */
  | { kind: "purchase_key"; orderId: string; fingerprint: string }
  | { kind: "other"; fingerprint: string };

export interface EntryQuery {
  type?: EntryType | undefined;
  /** Only entries of this service (usage, holds captured, their refunds). */
  serviceType?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** A list of holds or orders: newest first, optionally of one status. */
export interface RecordListQuery<S extends string> {
  status?: S | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** A queued request, as data: any committer can decide it. Only postings that need nothing but the account. */
export type QueuedRequest =
  /** `quantity` and `unitPrice` (docs/credits.md) are absent on a spend queued before quantities existed: one unit of `amount`. */
  | { op: "spend"; amount: Minor; quantity?: number; unitPrice?: Minor; serviceType: string; details: Record<string, unknown> | null }
  | { op: "charge"; amount: Minor; type: "purchase" | "auto_charge"; paymentMethod: string; paymentReference: string | null }
  | { op: "adjust"; amount: Minor; reason: string; adminUserId: string };

/** A request waiting in an account's queue (ledger/group-commit.ts). */
export interface PendingRequest {
  /** Its place in the queue: `<enqueuedAt>#<entryId>`, so the queue reads oldest first. */
  queueKey: string;
  entryId: string;
  /** The key its entry is stored under (`system:` prefixed for Nyang's own keys). */
  idempotencyKey: string;
  fingerprint: string;
  request: QueuedRequest;
  enqueuedAt: string;
  /** Past this nobody waits for it: a committer deletes it unapplied. */
  expiresAt: string;
}

/** What became of a group commit's batch; `failed`: the intents whose own condition failed. */
export type BatchOutcome = { kind: "written" } | { kind: "cancelled"; failed: number[] };

/** What a group commit needs of storage: the account's queue, its claim, and the batch's one transaction. */
export interface GroupCommitPort {
  /** The account and its claim's end (the busy mark), in the one read the quiet path makes anyway. */
  getAccountState(userId: string): Promise<{ account: Account; busyUntil: string | null } | null>;
  enqueue(userId: string, p: PendingRequest): Promise<void>;
  /** The account and its oldest pending requests (up to `limit`, none after `upTo`), in one consistent read. */
  queueView(userId: string, upTo: string | null, limit: number): Promise<{ account: Account; busyUntil: string | null; pending: PendingRequest[] } | null>;
  /** Claims the account for one committer until `until`, if no live claim holds it. */
  claimCommit(userId: string, token: string, until: string, now: Date): Promise<boolean>;
  releaseCommit(userId: string, token: string, now: Date): Promise<void>;
  /** Takes a request back out of the queue; false when a committer took it first. */
  withdraw(userId: string, queueKey: string): Promise<boolean>;
  /** The record a key made, and whether the queued request `queueKey` made it. */
  queuedRecord(userId: string, idempotencyKey: string, source: KeySource, queueKey: string): Promise<{ stored: AnyStoredRecord; mine: boolean } | null>;
  commitBatch(intents: WriteIntent[]): Promise<BatchOutcome>;
}
