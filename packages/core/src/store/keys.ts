import { DUE_SHARDS, type DueQueue } from "../due-queue.ts";
import { recordKeyFor, recordKeyOf, type RecordKind } from "../ledger/idempotency.ts";

/**
 * Key shapes of the single table: every key prefix lives here, and entities.ts names the
 * item kind each key shape holds (the catalogue table.ts points to).
 */

/** The `kind` attribute of each item kind: what codecs write, stream filters match and readers tell items apart by. */
export const kinds = {
  account: "account",
  entry: "entry",
  hold: "hold",
  order: "order",
  releaseKey: "release",
  purchaseKey: "purchase_key",
  refundTally: "refund_tally",
  pendingRequest: "pending",
  autoChargeSettings: "auto_charge_settings",
  autoCharge: "auto_charge",
  autoChargeMonth: "auto_charge_month",
  alert: "alert",
  accountDay: "account_day",
  platformDay: "platform_day",
  auditReport: "audit_report",
  wsConnection: "ws_connection",
  wsConnectionRef: "ws_connection_ref",
  lotDue: "lot_due",
} as const;
export type ItemKind = (typeof kinds)[keyof typeof kinds];

export const ACCOUNT_PK_PREFIX = "ACCT#";
export const accountPk = (userId: string) => `${ACCOUNT_PK_PREFIX}${userId}`;
/** Whether a partition key is an account's partition (everything of one account lives in it). */
export const isAccountPk = (pk: unknown): pk is string => typeof pk === "string" && pk.startsWith(ACCOUNT_PK_PREFIX);
export const userIdOfAccountPk = (pk: string) => pk.slice(ACCOUNT_PK_PREFIX.length);
export const ACCOUNT_SK = "ACCOUNT";
/** Records made by a keyed request (entries, holds, orders) share one key space per account. */
export const RECORD_SK_PREFIX = "REC#";
export const recordSk = (recordKey: string) => `${RECORD_SK_PREFIX}${recordKey}`;
export const refundTallySk = (entryId: string) => `REFUNDED#${entryId}`;

/** Sort key of the byTime index: time first, then seq, so the order is the seq order. */
export const byTimeSk = (createdAt: string, seq: number) => `${createdAt}#${String(seq).padStart(10, "0")}`;

/**
 * byTime sort keys of holds and orders, so that an account's holds (or orders) are one
 * query, newest first. They begin with letters, which sort after every entry's key (a year
 * first): entry reads bound themselves below {@link BY_TIME_RECORDS_START}.
 */
export const holdTimeSk = (createdAt: string, id: string) => `HOLD#${createdAt}#${id}`;
export const orderTimeSk = (createdAt: string, id: string) => `ORDER#${createdAt}#${id}`;
export const BY_TIME_RECORDS_START = "A";

/** An account's group-commit queue sorts right after the account item, so one query reads both (ledger/group-commit.ts). */
export const PENDING_SK_PREFIX = "ACCOUNT#Q#";
export const pendingKey = (userId: string, queueKey: string) => ({ pk: accountPk(userId), sk: `${PENDING_SK_PREFIX}${queueKey}` });

export const accountKey = (userId: string) => ({ pk: accountPk(userId), sk: ACCOUNT_SK });

/** The item key of a record by its public id; null when the id is not of that kind. */
export function recordItemKey(userId: string, id: string, kind: RecordKind): { pk: string; sk: string } | null {
  const key = recordKeyOf(id, kind);
  return key === null ? null : { pk: accountPk(userId), sk: recordSk(key) };
}

/** The item key a caller's idempotency key leads to, whatever record it made. */
export const recordKeyItem = (userId: string, idempotencyKey: string, source: "caller" | "system" = "caller") => ({
  pk: accountPk(userId),
  sk: recordSk(recordKeyFor(userId, idempotencyKey, source)),
});

export const refundTallyKey = (userId: string, entryId: string) => ({
  pk: accountPk(userId),
  sk: refundTallySk(entryId),
});

/** A bonus lot's place on the LOTS due queue (ledger/bonus-expiry.ts): one small item per expiring lot. */
export const lotDueKey = (userId: string, lotId: string) => ({ pk: accountPk(userId), sk: `LOT#${lotId}` });

/** Auto-charge: the settings (`AUTOCHARGE`) and one record per threshold crossing (`AUTOCHARGE#<chargeId>`). */
export const SETTINGS_SK = "AUTOCHARGE";
export const chargeSk = (chargeId: string) => `AUTOCHARGE#${chargeId}`;
export const settingsKey = (userId: string) => ({ pk: accountPk(userId), sk: SETTINGS_SK });
export const chargeKey = (userId: string, chargeId: string) => ({ pk: accountPk(userId), sk: chargeSk(chargeId) });
/** The KRW auto-charged in a Korea-time month (the monthly cap's counter); not under `AUTOCHARGE#`, so no charge query reads it. */
export const autoChargeMonthKey = (userId: string, month: string) => ({ pk: accountPk(userId), sk: `AUTOCHARGE_MONTH#${month}` });

/** Alerts of an account; ids sort by time. */
export const ALERT_SK_PREFIX = "ALERT#";
export const alertKey = (userId: string, alertId: string) => ({ pk: accountPk(userId), sk: `${ALERT_SK_PREFIX}${alertId}` });

/** Daily aggregates: an account's day in its partition, the platform's day per month and shard, and the byDay index's shards. */
export const PLATFORM_DAY_SHARDS = 8;
export const DAY_INDEX_SHARDS = 4;
export const daySk = (day: string) => `DAY#${day}`;
export const platformPk = (month: string, shard: number) => `PLATFORM#${month}#${shard}`;
export const dayIndexPk = (day: string, shard: number) => `USAGEDAY#${day}#${shard}`;

/** The integrity monitor's reports: the newest, and one per run. No account key begins with `AUDIT`. */
export const AUDIT_PK = "AUDIT";
export const AUDIT_LATEST_SK = "LATEST";
export const AUDIT_RUN_SK_PREFIX = "RUN#";
export const auditRunSk = (finishedAt: string, id: string) => `${AUDIT_RUN_SK_PREFIX}${finishedAt}#${id}`;

/** WebSocket connections, apart from the account's partition: by user, and the reverse look-up by id. */
export const connectionUserPk = (userId: string) => `CONN#${userId}`;
export const connectionUserSk = (connectionId: string) => `WS#${connectionId}`;
export const connectionRefKey = (connectionId: string) => ({ pk: `WS#${connectionId}`, sk: "CONNECTION" });

/**
 * What a schedule must come back to (due-queue.ts) is indexed on the sparse `byDue` GSI, spread
 * over shards so that no index partition runs hot: `<QUEUE>#<shard>` / `<dueAt>#<userId>#<id>`.
 * Holds are due at their expiry; orders awaiting the gateway at their settle time.
 */
export { DUE_SHARDS, type DueQueue };

export function dueKeys(queue: DueQueue, userId: string, id: string, dueAt: string) {
  return { gsi1pk: `${queue}#${shardOf(id, DUE_SHARDS)}`, gsi1sk: `${dueAt}#${userId}#${id}` };
}

/** Spreads a key over `n` shards by a stable hash of `value`. */
export function shardOf(value: string, n: number): number {
  let h = 0;
  for (const c of value) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % n;
}

/**
 * The cross-account alert feed on the sparse `byAlertTime` GSI (gsi3pk / gsi3sk):
 * `ALERTFEED#<shard>` / `<createdAt>#<userId>#<alertId>`, the shard from the account as for
 * `byDay`. No time bucket in the partition key: a feed read starts from the newest alert
 * whatever its age, and a day bucket would cost a query per quiet day and shard. The sort
 * key is unique and orders every alert of the platform, so it is also the feed's position.
 */
export const ALERT_FEED_SHARDS = 4;
export const alertFeedPk = (shard: number) => `ALERTFEED#${shard}`;
export function alertFeedKeys(alert: { userId: string; id: string; createdAt: string }) {
  return { gsi3pk: alertFeedPk(shardOf(alert.userId, ALERT_FEED_SHARDS)), gsi3sk: `${alert.createdAt}#${alert.userId}#${alert.id}` };
}
