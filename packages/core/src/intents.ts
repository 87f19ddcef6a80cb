import type { Alert } from "./alerts/alert.ts";
import type { Counters } from "./analytics/aggregates.ts";
import type { CountedRuns } from "./analytics/counted.ts";
import type { AutoChargeSettings, ChargeRecord } from "./autocharge/model.ts";
import type { RefundTally } from "./ledger/rules.ts";
import type { Account, Hold, LedgerEntry } from "./ledger/types.ts";
import type { Order } from "./purchases/order.ts";

/**
 * Write intents: what the domain decided to write, as plain data. A decision returns a
 * list of them; a store adapter (store/requests.ts) turns each into a conditional request
 * of its own table, so no domain code knows a table name, a key or a condition expression.
 * Every intent carries what it was decided from (`before`, a revision, a status), so the
 * adapter can condition the write on it: a write decided on stale state never lands.
 * A failed condition on the account means "decide again"; on a new keyed record (entry,
 * hold, order) "a replay, or a key reused"; on anything else the decision read, "decide again".
 */
export type WriteIntent =
  | AccountIntent
  | EntryIntent
  | HoldIntent
  | HoldSettlementIntent
  | ReleaseKeyIntent
  | PurchaseKeyIntent
  | OrderIntent
  | OrderUpdateIntent
  | RefundTallyIntent
  | AutoChargeSettingsIntent
  | AutoChargeRecordIntent
  | AutoChargeFailuresResetIntent
  | AutoChargeMonthIntent
  | PendingDoneIntent
  | AccountDayIntent
  | PlatformDayIntent
  | AlertIntent
  | AlertPublishedIntent
  | AlertReadIntent
  | LotDueIntent
  | LotDueDoneIntent;

/**
 * A bonus lot on the LOTS due queue at its expiry, so the sweep comes back to write its
 * `bonus_expiry` entry. Unconditional: the lot's id and expiry decide the item, so writing it
 * again writes the same.
 */
export interface LotDueIntent {
  kind: "lot_due";
  userId: string;
  lotId: string;
  expiresAt: string;
}

/** A lot leaves the due queue (its expiry is written, or the lot is gone); unconditional, like its arrival. */
export interface LotDueDoneIntent {
  kind: "lot_due_done";
  userId: string;
  lotId: string;
}

/** The account as decided, written only if it is still at `before`'s revision (or, `before` null, absent). */
export interface AccountIntent {
  kind: "account";
  before: Account | null;
  after: Account;
  /** A group commit's claim on the account, renewed by each batch it writes (ledger/group-commit.ts). */
  busyUntil?: string;
}

/** A new immutable ledger entry, under the key its idempotency key derives (ledger rule 4). */
export interface EntryIntent {
  kind: "entry";
  entry: LedgerEntry;
  fingerprint: string;
  /** The key as stored: the caller's, or `system:<key>` for one Nyang made itself. */
  idempotencyKey: string;
  accountAfter: Account;
  /** Written by a group commit for this queued request: tells its waiter the entry is its own. */
  queuedAs?: string;
}

/** A group commit took a queued request off its account's queue (applied or dropped), only while it is there. */
export interface PendingDoneIntent {
  kind: "pending_done";
  userId: string;
  /** The pending request's key in the queue. */
  queueKey: string;
}

/** A new pending hold, under the key its idempotency key derives. */
export interface HoldIntent {
  kind: "hold";
  hold: Hold;
  fingerprint: string;
  idempotencyKey: string;
  accountAfter: Account;
}

/**
 * A keyed release's record under its key (ledger rule 4), like an entry's or a hold's: a key is
 * one request whatever made it, so a release key reused for anything else (or a spend's key
 * reused for a release) meets this record, or this record meets it.
 */
export interface ReleaseKeyIntent {
  kind: "release_key";
  /** The hold as the release left it: with the account, the answer a replay gives. */
  hold: Hold;
  fingerprint: string;
  idempotencyKey: string;
  accountAfter: Account;
}

/**
 * A purchase confirm's or cancel's key record (ledger rule 4), written on its own before the
 * call acts: the call's effects span the gateway and several writes, so the key is taken
 * first, and a key reused for another request (another order, body or route) meets this
 * record before anything moves. An exact retry meets its own record and goes on; the order's
 * state makes the rest of the call a replay.
 */
export interface PurchaseKeyIntent {
  kind: "purchase_key";
  userId: string;
  orderId: string;
  operation: "confirm" | "cancel";
  fingerprint: string;
  idempotencyKey: string;
  createdAt: string;
}

/** Who settled a hold: a keyless release recognises its own write from this; a keyed one replays from its key record, a capture from its entry. */
export interface Settlement {
  status: "captured" | "released" | "expired";
  capturedAmount: number | null;
  captureTransactionId: string | null;
  settledAt: string;
  settleKey: string | null;
  settleFingerprint: string | null;
  /** The account as the settlement left it; kept only for a release, whose replay answers with it (a capture replays from its entry). */
  accountAfter: Account;
}

/**
 * A pending hold settled, only while it is pending and (capture, release) not past its
 * expiry at `now`, or (expiry) past it: whichever lands first wins, the others fail.
 */
export interface HoldSettlementIntent {
  kind: "hold_settlement";
  hold: Hold;
  settlement: Settlement;
  now: Date;
}

/** A new payment order, under the key its idempotency key derives. */
export interface OrderIntent {
  kind: "order";
  order: Order;
  fingerprint: string;
  idempotencyKey: string;
}

/**
 * An order's next state, only if it is still at `before`'s revision. `dueAt` puts it on the
 * reconciliation's queue (an outcome still to be learnt from the gateway); null takes it off.
 */
export interface OrderUpdateIntent {
  kind: "order_update";
  before: Order;
  after: Order;
  /** What the order was created with; kept as it is. */
  stored: { fingerprint: string; idempotencyKey: string };
  dueAt: string | null;
}

/** How much of an entry is refunded, only if the tally is still `before` (or, null, absent). */
export interface RefundTallyIntent {
  kind: "refund_tally";
  userId: string;
  entryId: string;
  before: RefundTally | null;
  after: RefundTally;
}

/** The auto-charge settings as decided, only if still at `before`'s revision (or absent). */
export interface AutoChargeSettingsIntent {
  kind: "auto_charge_settings";
  before: AutoChargeSettings | null;
  after: AutoChargeSettings;
}

/** An auto-charge record as decided, only if still at `before`'s revision (or absent). */
export interface AutoChargeRecordIntent {
  kind: "auto_charge";
  before: ChargeRecord | null;
  after: ChargeRecord;
}

/** A successful charge clears the settings' failure count (and moves their revision), if the settings exist. */
export interface AutoChargeFailuresResetIntent {
  kind: "auto_charge_failures_reset";
  userId: string;
  now: Date;
}

/**
 * An entry counted on its account's business day (analytics/counting.ts): its counters
 * added and the counted runs moved, only if the day still holds what the decision read
 * (`before`; null: absent). The guard is what makes counting once per entry safe under
 * redelivery and concurrent applies: a decision made on a stale count never lands.
 */
export interface AccountDayIntent {
  kind: "account_day";
  userId: string;
  day: string;
  /** The day as read: how many entries it had counted, and whether it kept them as a set of every seq (converted by this write). */
  before: { countedEntries: number; legacySeqs: boolean } | null;
  /** The entries counted once this write lands. */
  counted: CountedRuns;
  /** What to add (ledger rule 7: sums of the entries' contributions). */
  add: Counters;
  /** The counted entry's time: an alert this change triggers (high usage, unusual activity) is stamped with the spend that caused it. */
  entryAt: string;
  /** Listed on the byDay index (usage or a usage refund): top users and active accounts are read from there. */
  listedByDay: boolean;
}

/**
 * The same contribution added to the platform's day, in the transaction of its
 * {@link AccountDayIntent} (so it moves exactly when the account's day does). No guard of its own.
 */
export interface PlatformDayIntent {
  kind: "platform_day";
  /** The account whose entry it counts: what spreads the platform's day over its shards. */
  userId: string;
  day: string;
  add: Counters;
}

/**
 * A new alert, stored once: its id is fixed by its trigger (alerts/alert.ts), so a second
 * store of it (a redelivered trigger) fails its condition and writes nothing. Stored with the
 * attributes that list it on the cross-account feed.
 */
export interface AlertIntent {
  kind: "alert";
  alert: Alert;
}

/** The alert reached the bus: `publishedAt` recorded, only on a stored alert not marked yet (the first mark is kept). */
export interface AlertPublishedIntent {
  kind: "alert_published";
  userId: string;
  alertId: string;
  publishedAt: string;
}

/** The alert read: `read` set, `readAt` kept from the first read; only on a stored alert. */
export interface AlertReadIntent {
  kind: "alert_read";
  userId: string;
  alertId: string;
  readAt: string;
}

/**
 * An account's auto-charge counter for a Korea-time month moves by `addKrw` (created at 0 when
 * absent). With `capKrw`, only while the counter stays at or below it after the move: two
 * triggers racing for the last room both condition on this one item, so at most one lands.
 */
export interface AutoChargeMonthIntent {
  kind: "auto_charge_month";
  userId: string;
  /** `YYYY-MM`, Korea time. */
  month: string;
  addKrw: number;
  capKrw: number | null;
}
