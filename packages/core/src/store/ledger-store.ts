import { TransactionCanceledException, type ConsumedCapacity } from "@aws-sdk/client-dynamodb";
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { NyangError } from "../errors.ts";
import type { KeySource } from "../ledger/idempotency.ts";
import type { RefundTally } from "../ledger/rules.ts";
import type { Account, AccountStatus, EntryType, LedgerEntry } from "../ledger/types.ts";
import type { DynamoClients } from "./client.ts";
import {
  itemToAccount,
  itemToAnyRecord,
  itemToRefundTally,
  itemToStoredEntry,
  itemToStoredHold,
  itemToStoredOrder,
  type AnyStoredRecord,
  type StoredEntry,
  type StoredHold,
} from "./codec.ts";
import { accountKey, accountPk, byTimeSk, DUE_SHARDS, recordItemKey, recordKeyItem, RECORD_SK_PREFIX, refundTallyKey, type DueQueue } from "./keys.ts";
import { transaction, type PlannedItem } from "./requests.ts";

/** What became of a planned transaction. */
export type WriteOutcome =
  | { kind: "written" }
  /** The keyed record already exists: a replay, or a key reused for another request. */
  | { kind: "record_exists"; stored: AnyStoredRecord | null }
  /**
   * Something the decision read changed before the write landed: decide again. When the
   * account itself moved, `account` is its current state (no need to read it again).
   */
  | { kind: "conflict"; account?: Account };

/** Request units one DynamoDB call consumed, reported to whoever measures them. */
export type CapacityListener = (operation: string, units: { read: number; write: number }) => void;

export interface EntryQuery {
  type?: EntryType | undefined;
  /** Only entries of this service (usage, holds captured, their refunds). */
  serviceType?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Largest number of index pages one list request reads while a type filter skips entries. */
const MAX_FILTERED_PAGES = 10;

/**
 * The ledger's DynamoDB adapter: reads accounts and records, and sends the conditional
 * transactions that `requests.ts` builds, turning cancellation reasons into outcomes.
 */
export class LedgerStore {
  constructor(
    private readonly clients: DynamoClients,
    readonly tableName: string,
    private readonly onCapacity?: CapacityListener,
  ) {}

  private meter(operation: string, consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): void {
    if (!this.onCapacity || !consumed) return;
    const list = Array.isArray(consumed) ? consumed : [consumed];
    let read = 0;
    let write = 0;
    for (const c of list) {
      read += c.ReadCapacityUnits ?? 0;
      write += c.WriteCapacityUnits ?? 0;
      if (c.ReadCapacityUnits === undefined && c.WriteCapacityUnits === undefined) {
        // DynamoDB reports only the total for some calls.
        if (operation.startsWith("write")) write += c.CapacityUnits ?? 0;
        else read += c.CapacityUnits ?? 0;
      }
    }
    this.onCapacity(operation, { read, write });
  }

  private async getItem(operation: string, key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    const out = await this.clients.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }),
    );
    this.meter(operation, out.ConsumedCapacity);
    return out.Item;
  }

  /** The account, read strongly consistently: every decision is made on the latest state. */
  async getAccount(userId: string): Promise<Account | null> {
    const item = await this.getItem("read:account", accountKey(userId));
    return item ? itemToAccount(item) : null;
  }

  /** The record a caller's idempotency key made on this account, of whatever kind. */
  async getRecordByKey(userId: string, idempotencyKey: string, source: KeySource = "caller"): Promise<AnyStoredRecord | null> {
    const item = await this.getItem("read:record", recordKeyItem(userId, idempotencyKey, source));
    return item ? itemToAnyRecord(item) : null;
  }

  async getEntry(userId: string, entryId: string): Promise<StoredEntry | null> {
    const key = recordItemKey(userId, entryId, "entry");
    const item = key && (await this.getItem("read:entry", key));
    return item && item.kind === "entry" ? itemToStoredEntry(item) : null;
  }

  /**
   * The id of the entry with this `seq`, written at `createdAt`: an exact key on the
   * `byTime` index (`<createdAt>#<seq>`). An account written by a posting has
   * `version` = the entry's seq and `updatedAt` = its createdAt (applyPosting), so this
   * finds the entry behind an account change without pairing stream records. One strongly
   * consistent read of one item (1 read unit); null when there is no such entry.
   */
  async entryIdAt(userId: string, seq: number, createdAt: string): Promise<string | null> {
    const out = await this.clients.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: "byTime",
        KeyConditionExpression: "pk = :pk AND lsi1sk = :sk",
        ExpressionAttributeValues: { ":pk": accountPk(userId), ":sk": byTimeSk(createdAt, seq) },
        ProjectionExpression: "id, seq",
        ConsistentRead: true,
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    this.meter("read:entry_at", out.ConsumedCapacity);
    const item = out.Items?.[0];
    return item && Number(item.seq) === seq ? String(item.id) : null;
  }

  async getHold(userId: string, holdId: string): Promise<(StoredHold & { settlement: HoldSettlementRecord | null }) | null> {
    const key = recordItemKey(userId, holdId, "hold");
    const item = key && (await this.getItem("read:hold", key));
    if (!item || item.kind !== "hold") return null;
    const settlement =
      item.settledAccountAfter === undefined
        ? null
        : {
            settleKey: item.settleKey === undefined ? null : String(item.settleKey),
            settleFingerprint: item.settleFingerprint === undefined ? null : String(item.settleFingerprint),
            accountAfter: itemToAccount(item.settledAccountAfter as Record<string, unknown>),
          };
    return { ...itemToStoredHold(item), settlement };
  }

  async getOrder(userId: string, orderId: string) {
    const key = recordItemKey(userId, orderId, "order");
    const item = key && (await this.getItem("read:order", key));
    return item && item.kind === "order" ? itemToStoredOrder(item) : null;
  }

  async getRefundTally(userId: string, entryId: string): Promise<RefundTally | null> {
    return itemToRefundTally(await this.getItem("read:refund_tally", refundTallyKey(userId, entryId)));
  }

  /** Sends planned items as one transaction and says whether it landed, replayed or lost a race. */
  async transact(operation: string, items: PlannedItem[]): Promise<WriteOutcome> {
    try {
      const out = await this.clients.doc.send(new TransactWriteCommand(transaction(items)));
      this.meter(`write:${operation}`, out.ConsumedCapacity);
      return { kind: "written" };
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (!reasons) throw e;
      const recordAt = items.findIndex((p) => p.role === "record");
      const recordReason = recordAt >= 0 ? reasons[recordAt] : undefined;
      if (recordReason?.Code === "ConditionalCheckFailed") {
        return { kind: "record_exists", stored: recordReason.Item ? itemToAnyRecord(unmarshall(recordReason.Item)) : null };
      }
      if (reasons.some((r) => r.Code === "ConditionalCheckFailed" || r.Code === "TransactionConflict" || r.Code === "ThrottlingError")) {
        const accountReason = reasons[items.findIndex((p) => p.role === "account")];
        const onlyAccount = reasons.every((r, i) => items[i]?.role === "account" || r.Code === "None" || r.Code === undefined);
        return accountReason?.Code === "ConditionalCheckFailed" && accountReason.Item && onlyAccount
          ? { kind: "conflict", account: itemToAccount(unmarshall(accountReason.Item)) }
          : { kind: "conflict" };
      }
      throw e;
    }
  }

  /** Freezes or unfreezes an account. Not a posting: balances and version stay, the revision moves. */
  async setStatus(userId: string, status: AccountStatus, now: Date): Promise<Account | null> {
    try {
      const out = await this.clients.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: accountKey(userId),
          // The revision moves so that a write decided on the old status fails its condition.
          UpdateExpression: "SET #status = :status, updatedAt = :now, revision = revision + :one",
          // updatedAt never goes back: entries take their time from it (see touch).
          ConditionExpression: "attribute_exists(pk) AND updatedAt <= :now",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":status": status, ":now": now.toISOString(), ":one": 1 },
          ReturnValues: "ALL_NEW",
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      this.meter("write:status", out.ConsumedCapacity);
      return out.Attributes ? itemToAccount(out.Attributes) : null;
    } catch (e) {
      if ((e as { name?: string }).name !== "ConditionalCheckFailedException") throw e;
      const current = await this.getAccount(userId);
      if (!current) return null;
      // The clock here is behind the account's last write: keep its time, change the status.
      return this.setStatus(userId, status, new Date(Date.parse(current.updatedAt)));
    }
  }

  /**
   * What has come due in one shard of a queue of the sparse `byDue` index, oldest first:
   * holds past their expiry, orders past their settle time. The sweeps walk every shard;
   * nothing here scans the table.
   */
  async due(queue: DueQueue, shard: number, now: Date, limit: number, startKey?: Record<string, unknown>) {
    if (shard < 0 || shard >= DUE_SHARDS) throw new RangeError(`no shard ${shard}`);
    const out = await this.clients.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: "byDue",
        KeyConditionExpression: "gsi1pk = :shard AND gsi1sk < :now",
        ExpressionAttributeValues: { ":shard": `${queue}#${shard}`, ":now": now.toISOString() },
        Limit: limit,
        ExclusiveStartKey: startKey,
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    this.meter(`read:due_${queue.toLowerCase()}`, out.ConsumedCapacity);
    const items = (out.Items ?? []).map((item) => {
      const [, userId, id] = /^[^#]+#(.+)#([a-z]+_[0-9a-z]+)$/.exec(String(item.gsi1sk)) ?? [];
      return { userId: userId!, id: id! };
    });
    return { items, nextKey: out.LastEvaluatedKey };
  }

  /** Every ledger entry of an account, in seq order: what an audit proves the balance against. */
  async readLedger(userId: string): Promise<LedgerEntry[]> {
    const entries: LedgerEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.clients.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :rec)",
          FilterExpression: "#kind = :entry",
          ExpressionAttributeNames: { "#kind": "kind" },
          ExpressionAttributeValues: { ":pk": accountPk(userId), ":rec": RECORD_SK_PREFIX, ":entry": "entry" },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      this.meter("read:ledger", out.ConsumedCapacity);
      for (const item of out.Items ?? []) entries.push(itemToStoredEntry(item).value);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return entries.sort((a, b) => a.seq - b.seq);
  }

  /** An account's entries newest first, by time range and type, one page at a time. */
  async listEntries(userId: string, q: EntryQuery): Promise<{ entries: LedgerEntry[]; nextCursor: string | null }> {
    const pk = accountPk(userId);
    const lo = q.from ?? "0";
    const hi = `${q.to ?? "9999"}#~`;
    let startKey = q.cursor ? decodeCursor(q.cursor, pk) : undefined;
    // A cursor from another query's range would make DynamoDB refuse the start key.
    if (startKey && !(String(startKey.lsi1sk) >= lo && String(startKey.lsi1sk) <= hi)) throw invalidCursor();
    const entries: LedgerEntry[] = [];
    const keys: Record<string, unknown>[] = [];
    let more = false;
    for (let page = 0; page < MAX_FILTERED_PAGES; page++) {
      const out = await this.clients.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: "byTime",
          KeyConditionExpression: "pk = :pk AND lsi1sk BETWEEN :lo AND :hi",
          ...entryFilter(q),
          ExpressionAttributeValues: {
            ":pk": pk,
            ":lo": lo,
            ":hi": hi,
            ...(q.type ? { ":type": q.type } : {}),
            ...(q.serviceType ? { ":service": q.serviceType } : {}),
          },
          ScanIndexForward: false,
          // One more than asked tells whether another page exists without an empty last page.
          Limit: q.limit + 1 - entries.length,
          ExclusiveStartKey: startKey,
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      this.meter("read:history_page", out.ConsumedCapacity);
      for (const item of out.Items ?? []) {
        entries.push(itemToStoredEntry(item).value);
        keys.push({ pk: item.pk, sk: item.sk, lsi1sk: item.lsi1sk });
      }
      startKey = out.LastEvaluatedKey;
      if (entries.length > q.limit) {
        more = true;
        break;
      }
      if (!startKey) break;
      if (page === MAX_FILTERED_PAGES - 1) {
        // A sparse type filter: hand back a short page and where to go on from.
        return { entries, nextCursor: encodeCursor(startKey) };
      }
    }
    if (!more) return { entries, nextCursor: null };
    entries.length = q.limit;
    return { entries, nextCursor: encodeCursor(keys[q.limit - 1]!) };
  }
}

/** The history's optional filters on type and service, as one FilterExpression (a filter reads the skipped items too). */
function entryFilter(q: EntryQuery): { FilterExpression?: string; ExpressionAttributeNames?: Record<string, string> } {
  const terms: string[] = [];
  const names: Record<string, string> = {};
  if (q.type) {
    terms.push("#type = :type");
    names["#type"] = "type";
  }
  if (q.serviceType) {
    terms.push("#service = :service");
    names["#service"] = "serviceType";
  }
  return terms.length ? { FilterExpression: terms.join(" AND "), ExpressionAttributeNames: names } : {};
}

function cancellationReasons(e: unknown) {
  if (e instanceof TransactionCanceledException || (e as { name?: string })?.name === "TransactionCanceledException") {
    return (e as TransactionCanceledException).CancellationReasons ?? [];
  }
  return null;
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

function decodeCursor(cursor: string, pk: string): Record<string, unknown> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
  const k = key as Record<string, unknown>;
  if (
    typeof k !== "object" || k === null ||
    k.pk !== pk || typeof k.sk !== "string" || !k.sk.startsWith(RECORD_SK_PREFIX) ||
    typeof k.lsi1sk !== "string" || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z#\d{10}$/.test(k.lsi1sk) ||
    Object.keys(k).length !== 3
  ) {
    throw invalidCursor();
  }
  return k;
}

const invalidCursor = () =>
  new NyangError("validation_failed", "The cursor is not one this API issued for this account", {
    fields: { cursor: "unknown cursor" },
  });

/** How a settled hold was settled, for replaying the request that settled it. */
export interface HoldSettlementRecord {
  settleKey: string | null;
  settleFingerprint: string | null;
  accountAfter: Account;
}
