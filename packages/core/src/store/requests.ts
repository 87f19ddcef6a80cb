import type { TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import type { Settlement, WriteIntent } from "../intents.ts";
import type { RefundTally } from "../ledger/rules.ts";
import type { Account, Hold, LedgerEntry } from "../ledger/types.ts";
import type { Order } from "../purchases/order.ts";
import type { AutoChargeSettings, ChargeRecord } from "../autocharge/model.ts";
import type { Alert } from "../alerts/alert.ts";
import type { Counters } from "../analytics/aggregates.ts";
import { countOf, runsToList } from "../analytics/counted.ts";
import { monthOf } from "../analytics/days.ts";
import { accountFields, accountToItem, alertToItem, chargeToItem, entryToItem, holdToItem, lotDueToItem, orderToItem, purchaseKeyToItem, refundTallyToItem, releaseToItem, settingsToItem } from "./codec.ts";
import {
  accountPk,
  alertKey,
  autoChargeMonthKey,
  DAY_INDEX_SHARDS,
  dayIndexPk,
  daySk,
  kinds,
  lotDueKey,
  pendingKey,
  PLATFORM_DAY_SHARDS,
  platformPk,
  recordItemKey,
  settingsKey,
  shardOf,
} from "./keys.ts";

/**
 * The DynamoDB side of the domain's write intents (intents.ts): each intent becomes one
 * conditional item of a `TransactWriteItems` on this adapter's table, built apart from
 * sending it so that its condition is unit-tested without a database. Each item carries a
 * role that says what a failed condition on it means:
 * - `account`: someone else wrote the account since it was read → decide again;
 * - `record`: the keyed record (entry, hold, order, release, purchase key) exists → a replay, or a reused key;
 * - `guard`: another item the decision read (refund tally, hold status, order, an account's
 *   day aggregate, an alert's marks) moved → decide again (an alert's marks: already done).
 */

export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];
export type ItemRole = "account" | "record" | "guard";
export interface PlannedItem {
  role: ItemRole;
  item: TransactItem;
}

/** The transaction item that writes an intent on `tableName`. */
export function planIntent(tableName: string, intent: WriteIntent): PlannedItem {
  switch (intent.kind) {
    case "account":
      return accountWrite(tableName, intent.before, intent.after, intent.busyUntil);
    case "entry":
      return intent.queuedAs === undefined
        ? entryPut(tableName, intent.entry, intent.fingerprint, intent.idempotencyKey, intent.accountAfter)
        : queuedEntryPut(tableName, intent.entry, intent.fingerprint, intent.idempotencyKey, intent.accountAfter, intent.queuedAs);
    case "pending_done":
      return pendingDelete(tableName, intent.userId, intent.queueKey);
    case "hold":
      return holdPut(tableName, intent.hold, intent.fingerprint, intent.idempotencyKey, intent.accountAfter);
    case "hold_settlement":
      return holdSettle(tableName, intent.hold, intent.settlement, intent.now);
    case "release_key":
      return keyedPut(tableName, releaseToItem(intent.hold, intent.fingerprint, intent.idempotencyKey, intent.accountAfter));
    case "purchase_key":
      return keyedPut(tableName, purchaseKeyToItem(intent));
    case "order":
      return orderPut(tableName, intent.order, intent.fingerprint, intent.idempotencyKey);
    case "order_update":
      return orderWrite(tableName, intent.before, intent.after, intent.stored, intent.dueAt);
    case "refund_tally":
      return refundTallyPut(tableName, intent.userId, intent.entryId, intent.before, intent.after);
    case "auto_charge_settings":
      return settingsWrite(tableName, intent.before, intent.after);
    case "auto_charge":
      return chargeWrite(tableName, intent.before, intent.after);
    case "auto_charge_failures_reset":
      return failuresReset(tableName, intent.userId, intent.now);
    case "account_day":
      return accountDayAdd(tableName, intent);
    case "platform_day":
      return platformDayAdd(tableName, intent.userId, intent.day, intent.add);
    case "alert":
      return alertPut(tableName, intent.alert);
    case "alert_published":
      return alertPublished(tableName, intent.userId, intent.alertId, intent.publishedAt);
    case "alert_read":
      return alertRead(tableName, intent.userId, intent.alertId, intent.readAt);
    case "lot_due":
      return lotDuePut(tableName, intent.userId, intent.lotId, intent.expiresAt);
    case "lot_due_done":
      return lotDueDelete(tableName, intent.userId, intent.lotId);
    case "auto_charge_month":
      return monthCount(tableName, intent.userId, intent.month, intent.addKrw, intent.capKrw);
  }
}

/**
 * Ledger rule 1's account half: the whole account as decided, conditioned on the
 * revision it was decided from (the first write of an account: on its absence).
 */
export function accountWrite(tableName: string, before: Account | null, after: Account, busyUntil?: string): PlannedItem {
  if (!before) {
    return {
      role: "account",
      item: { Put: { TableName: tableName, Item: accountToItem(after), ConditionExpression: "attribute_not_exists(pk)" } },
    };
  }
  // SET each field rather than Put the item: attributes other parts keep on the account
  // item (none yet) survive, and the condition pins the state the decision was made on.
  const { pk, sk, ...fields } = accountToItem(after);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ":expected": before.revision };
  const sets = Object.entries(fields).map(([name, value], i) => {
    names[`#f${i}`] = name;
    values[`:f${i}`] = value;
    return `#f${i} = :f${i}`;
  });
  // An account whose bonus is all in the pool keeps no lots (codec.ts accountFields): ones it had go.
  const removes = "lots" in fields ? "" : " REMOVE #lots";
  if (removes) names["#lots"] = "lots";
  if (busyUntil !== undefined) {
    // A group commit's mark (ledger/group-commit.ts): a request reading it queues instead of racing the committer.
    sets.push("busyUntil = :busy");
    values[":busy"] = busyUntil;
  }
  return {
    role: "account",
    item: {
      Update: {
        TableName: tableName,
        Key: { pk, sk },
        UpdateExpression: `SET ${sets.join(", ")}${removes}`,
        ConditionExpression: "revision = :expected",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        // A lost race hands back the account as it now is: the retry decides on it without a read.
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      },
    },
  };
}

/** Ledger rule 1's entry half; the condition makes a retried key meet its own entry (rule 4). */
export function entryPut(tableName: string, entry: LedgerEntry, fingerprint: string, idempotencyKey: string, accountAfter: Account): PlannedItem {
  return keyedPut(tableName, entryToItem(entry, fingerprint, idempotencyKey, accountAfter));
}

/** A new record under the key an idempotency key derives; the condition makes a reused key meet what it made (rule 4). */
function keyedPut(tableName: string, item: Record<string, unknown>): PlannedItem {
  return {
    role: "record",
    item: { Put: { TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(pk)", ReturnValuesOnConditionCheckFailure: "ALL_OLD" } },
  };
}

/** An entry a group commit writes for a queued request: `queuedAs` tells its waiter the entry is its own. */
export function queuedEntryPut(tableName: string, entry: LedgerEntry, fingerprint: string, idempotencyKey: string, accountAfter: Account, queueKey: string): PlannedItem {
  const planned = entryPut(tableName, entry, fingerprint, idempotencyKey, accountAfter);
  const put = planned.item.Put!;
  return { ...planned, item: { Put: { ...put, Item: { ...put.Item, queuedAs: queueKey } } } };
}

/** Takes a pending request off its account's queue, only while it is there (its waiter may have withdrawn it). */
export function pendingDelete(tableName: string, userId: string, queueKey: string): PlannedItem {
  return {
    role: "guard",
    item: { Delete: { TableName: tableName, Key: pendingKey(userId, queueKey), ConditionExpression: "attribute_exists(pk)" } },
  };
}

export function holdPut(tableName: string, hold: Hold, fingerprint: string, idempotencyKey: string, accountAfter: Account): PlannedItem {
  return keyedPut(tableName, holdToItem(hold, fingerprint, idempotencyKey, accountAfter));
}

/**
 * Settles a pending hold, only while it is pending and (for capture and release) not
 * past its expiry, or (for the sweep) past it: whichever of capture, release and expiry
 * lands first wins, the others fail this condition.
 */
export function holdSettle(tableName: string, hold: Hold, s: Settlement, now: Date): PlannedItem {
  const key = recordItemKey(hold.userId, hold.id, "hold");
  if (!key) throw new Error(`not a hold id: ${hold.id}`);
  const values: Record<string, unknown> = {
    ":pending": "pending",
    ":now": now.toISOString(),
    ":status": s.status,
    ":settledAt": s.settledAt,
  };
  const sets = ["#status = :status", "settledAt = :settledAt"];
  if (s.status === "released") {
    // A second copy of the account on a captured hold would cost a write unit per capture for nothing.
    sets.push("settledAccountAfter = :accountAfter");
    values[":accountAfter"] = accountFields(s.accountAfter);
  }
  const optional: [string, unknown][] = [
    ["capturedAmount", s.capturedAmount],
    ["captureTransactionId", s.captureTransactionId],
    ["settleKey", s.settleKey],
    ["settleFingerprint", s.settleFingerprint],
  ];
  for (const [name, value] of optional) {
    if (value === null) continue;
    sets.push(`${name} = :${name}`);
    values[`:${name}`] = value;
  }
  return {
    role: "guard",
    item: {
      Update: {
        TableName: tableName,
        Key: key,
        // Off the due queue; and a hold written with a TTL (before keys were kept for good) loses it.
        UpdateExpression: `SET ${sets.join(", ")} REMOVE gsi1pk, gsi1sk, #ttl`,
        ConditionExpression:
          s.status === "expired"
            ? "#status = :pending AND expiresAt <= :now"
            : "#status = :pending AND expiresAt > :now",
        ExpressionAttributeNames: { "#status": "status", "#ttl": "ttl" },
        ExpressionAttributeValues: values,
      },
    },
  };
}

/** A new order, only if its idempotency key made nothing yet. */
export function orderPut(tableName: string, order: Order, fingerprint: string, idempotencyKey: string): PlannedItem {
  return keyedPut(tableName, orderToItem(order, fingerprint, idempotencyKey, null));
}

/**
 * The next state of an order, conditioned on the revision it was decided from: two
 * confirms, a confirm and the reconciliation, or a cancel and a late confirm cannot both
 * move it. `dueAt` puts it on the sweep's queue (an outcome still to be learnt from the
 * gateway), null takes it off.
 */
export function orderWrite(
  tableName: string,
  before: Order,
  after: Order,
  stored: { fingerprint: string; idempotencyKey: string },
  dueAt: string | null,
): PlannedItem {
  return {
    role: "guard",
    item: {
      Put: {
        TableName: tableName,
        Item: orderToItem(after, stored.fingerprint, stored.idempotencyKey, dueAt),
        ConditionExpression: "revision = :expected",
        ExpressionAttributeValues: { ":expected": before.revision },
      },
    },
  };
}

/** A refund moves its original's tally, conditioned on the tally as it was read. */
export function refundTallyPut(tableName: string, userId: string, entryId: string, before: RefundTally | null, after: RefundTally): PlannedItem {
  return {
    role: "guard",
    item: {
      Put: {
        TableName: tableName,
        Item: refundTallyToItem(userId, entryId, after),
        ConditionExpression: before ? "refundedPaid = :rp AND refundedBonus = :rb" : "attribute_not_exists(pk)",
        ...(before ? { ExpressionAttributeValues: { ":rp": before.refundedPaid, ":rb": before.refundedBonus } } : {}),
      },
    },
  };
}

/** A write of the whole settings item, conditioned on the revision it was decided from (or on absence). */
export const settingsWrite = (tableName: string, before: AutoChargeSettings | null, after: AutoChargeSettings): PlannedItem =>
  revisionPut(tableName, settingsToItem(after), before);

/** A write of the whole charge record, conditioned on the revision it was decided from (or on absence). */
export const chargeWrite = (tableName: string, before: ChargeRecord | null, after: ChargeRecord): PlannedItem =>
  revisionPut(tableName, chargeToItem(after), before);

function revisionPut(tableName: string, item: Record<string, unknown>, before: { revision: number } | null): PlannedItem {
  return {
    role: "guard",
    item: {
      Put: {
        TableName: tableName,
        Item: item,
        ConditionExpression: before ? "revision = :expected" : "attribute_not_exists(pk)",
        ...(before ? { ExpressionAttributeValues: { ":expected": before.revision } } : {}),
      },
    },
  };
}

/** A successful charge clears the failure count (and moves the revision, so no stale count is written over it). */
export function failuresReset(tableName: string, userId: string, now: Date): PlannedItem {
  return {
    role: "guard",
    item: {
      Update: {
        TableName: tableName,
        Key: settingsKey(userId),
        UpdateExpression: "SET consecutiveFailures = :zero, revision = revision + :one, updatedAt = :now",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":zero": 0, ":one": 1, ":now": now.toISOString() },
      },
    },
  };
}

/** `ADD` clauses for counters, their names and values aliased `#c<i>` / `:c<i>`. */
function counterAdds(add: Counters) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const clauses = Object.entries(add).map(([name, value], i) => {
    names[`#c${i}`] = name;
    values[`:c${i}`] = value;
    return `#c${i} :c${i}`;
  });
  return { names, values, clauses };
}

/**
 * Counts an entry on its account's day (`ACCT#<userId>` / `DAY#<day>`): its counters added,
 * the counted runs replaced, conditioned on the count it was decided from (on absence for the
 * day's first entry; an item that kept a set of every seq, on that set's size, and converted).
 * Usage days are listed on the byDay index, spread over shards by account.
 */
export function accountDayAdd(tableName: string, intent: Extract<WriteIntent, { kind: "account_day" }>): PlannedItem {
  const { names, values, clauses } = counterAdds(intent.add);
  const sets = ["kind = :day_kind", "userId = :user", "#day = :day", "entryAt = :entry_at"];
  Object.assign(values, { ":entry_at": intent.entryAt, ":day_kind": kinds.accountDay, ":user": intent.userId, ":day": intent.day });
  names["#day"] = "day";
  if (intent.listedByDay) {
    sets.push("gsi2pk = :g2pk", "gsi2sk = :user");
    values[":g2pk"] = dayIndexPk(intent.day, shardOf(intent.userId, DAY_INDEX_SHARDS));
  }
  sets.push("counted = :runs", "countedEntries = :n_after");
  Object.assign(values, { ":runs": runsToList(intent.counted), ":n_after": countOf(intent.counted) });
  const { before } = intent;
  if (before) values[":n"] = before.countedEntries;
  return {
    role: "guard",
    item: {
      Update: {
        TableName: tableName,
        Key: { pk: accountPk(intent.userId), sk: daySk(intent.day) },
        UpdateExpression: `SET ${sets.join(", ")}${clauses.length ? " ADD " + clauses.join(", ") : ""}${before?.legacySeqs ? " REMOVE seqs" : ""}`,
        ConditionExpression: !before ? "attribute_not_exists(pk)" : before.legacySeqs ? "size(seqs) = :n AND attribute_not_exists(countedEntries)" : "countedEntries = :n",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
  };
}

/** Adds counters to the platform's day (`PLATFORM#<month>#<shard>` / `DAY#<day>`), the shard from the account: no partition runs hot. */
export function platformDayAdd(tableName: string, userId: string, day: string, add: Counters): PlannedItem {
  const { names, values, clauses } = counterAdds(add);
  return {
    role: "guard",
    item: {
      Update: {
        TableName: tableName,
        Key: { pk: platformPk(monthOf(day), shardOf(userId, PLATFORM_DAY_SHARDS)), sk: daySk(day) },
        UpdateExpression: `SET kind = :platform_kind, #day = :day ADD ${clauses.join(", ")}`,
        ExpressionAttributeNames: { ...names, "#day": "day" },
        ExpressionAttributeValues: { ...values, ":platform_kind": kinds.platformDay, ":day": day },
      },
    },
  };
}

/** A new alert, with the feed index's attributes (keys.ts, alertFeedKeys), only if its id is not stored yet. */
export function alertPut(tableName: string, alert: Alert): PlannedItem {
  return { role: "record", item: { Put: { TableName: tableName, Item: alertToItem(alert), ConditionExpression: "attribute_not_exists(pk)" } } };
}

/** Marks a stored alert published, only if it is not marked yet: the first mark is kept. */
export const alertPublished = (tableName: string, userId: string, alertId: string, publishedAt: string): PlannedItem =>
  alertUpdate(tableName, userId, alertId, {
    UpdateExpression: "SET publishedAt = :now",
    ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(publishedAt)",
    ExpressionAttributeValues: { ":now": publishedAt },
  });

/** Marks a stored alert read; `readAt` keeps the first read's time. */
export const alertRead = (tableName: string, userId: string, alertId: string, readAt: string): PlannedItem =>
  alertUpdate(tableName, userId, alertId, {
    UpdateExpression: "SET #read = :true, readAt = if_not_exists(readAt, :now)",
    ConditionExpression: "attribute_exists(pk)",
    ExpressionAttributeNames: { "#read": "read" },
    ExpressionAttributeValues: { ":true": true, ":now": readAt },
  });

/** An update of a stored alert (never one that creates it: each is conditioned on the alert's existence). */
function alertUpdate(tableName: string, userId: string, alertId: string, update: Omit<NonNullable<TransactItem["Update"]>, "TableName" | "Key">): PlannedItem {
  return { role: "guard", item: { Update: { TableName: tableName, Key: alertKey(userId, alertId), ...update } } };
}

/** A bonus lot on the LOTS due queue at its expiry; unconditional (the lot and its expiry decide the item). */
export const lotDuePut = (tableName: string, userId: string, lotId: string, expiresAt: string): PlannedItem => ({
  role: "guard",
  item: { Put: { TableName: tableName, Item: lotDueToItem(userId, lotId, expiresAt) } },
});

/** A lot leaves the LOTS due queue; unconditional (it may be gone already). */
export const lotDueDelete = (tableName: string, userId: string, lotId: string): PlannedItem => ({
  role: "guard",
  item: { Delete: { TableName: tableName, Key: lotDueKey(userId, lotId) } },
});
/**
 * Moves an account's auto-charge counter for a month. With a cap, the condition keeps the
 * counter at or below it after the move (`chargedKrw <= cap − add` before it); two charges
 * racing for the last room condition on this one item, so at most one of them lands.
 */
export function monthCount(tableName: string, userId: string, month: string, addKrw: number, capKrw: number | null): PlannedItem {
  const values: Record<string, unknown> = { ":add": addKrw, ":kind": kinds.autoChargeMonth, ":userId": userId, ":month": month };
  if (capKrw !== null) values[":room"] = capKrw - addKrw;
  return {
    role: "guard",
    item: {
      Update: {
        TableName: tableName,
        Key: autoChargeMonthKey(userId, month),
        UpdateExpression: "ADD chargedKrw :add SET kind = :kind, userId = :userId, #month = :month",
        ExpressionAttributeNames: { "#month": "month" },
        ExpressionAttributeValues: values,
        ...(capKrw !== null ? { ConditionExpression: "attribute_not_exists(chargedKrw) OR chargedKrw <= :room" } : {}),
      },
    },
  };
}

/** The transaction request for planned items, in order. */
export function transaction(items: PlannedItem[]): TransactWriteCommandInput {
  return { TransactItems: items.map((p) => p.item), ReturnConsumedCapacity: "TOTAL" };
}
