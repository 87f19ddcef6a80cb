import { TransactionCanceledException, type ConsumedCapacity } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DuePage } from "../due-queue.ts";
import { NyangError } from "../errors.ts";
import type { WriteIntent } from "../intents.ts";
import type { KeySource } from "../ledger/idempotency.ts";
import type {
  AnyStoredRecord,
  BatchOutcome,
  CommitOutcome,
  GroupCommitPort,
  PendingRequest,
  QueuedRequest,
  EntryQuery,
  LedgerPort,
  RecordListQuery,
  StoredEntry,
  StoredHoldWithSettlement,
  StoredOrder,
} from "../ledger/ledger-port.ts";
import type { RefundTally } from "../ledger/rules.ts";
import type { Account, AccountStatus, Hold, HoldStatus, LedgerEntry } from "../ledger/types.ts";
import type { PurchasesPort } from "../purchases/purchases-port.ts";
import type { Order, OrderStatus } from "../purchases/order.ts";
import type { DynamoClients } from "./client.ts";
import {
  itemToAccount,
  itemToAnyRecord,
  itemToRefundTally,
  itemToStoredEntry,
  itemToStoredHold,
  itemToStoredOrder,
} from "./codec.ts";
import { ACCOUNT_SK, accountKey, accountPk, byTimeSk, PENDING_SK_PREFIX, pendingKey, DUE_SHARDS, kinds, recordItemKey, recordKeyItem, RECORD_SK_PREFIX, refundTallyKey, type DueQueue } from "./keys.ts";
import { planIntent, transaction, type PlannedItem } from "./requests.ts";
import { queryAll, type CapacityListener } from "./paging.ts";
import { isTransientFailure } from "./transient.ts";

export type { CapacityListener };

/** Largest number of index pages one list request reads while a type filter skips entries. */
const MAX_FILTERED_PAGES = 10;

/**
 * The ledger's (and the order book's) DynamoDB adapter: reads accounts and records, and
 * commits write intents as the conditional transactions that `requests.ts` builds on this
 * table, turning cancellation reasons into outcomes.
 */
export class LedgerStore implements LedgerPort, PurchasesPort, GroupCommitPort {
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

  /** The account and its group-commit busy mark (ledger/group-commit.ts), in the one read the quiet path makes anyway. */
  async getAccountState(userId: string): Promise<{ account: Account; busyUntil: string | null } | null> {
    const item = await this.getItem("read:account", accountKey(userId));
    return item ? { account: itemToAccount(item), busyUntil: typeof item.busyUntil === "string" ? item.busyUntil : null } : null;
  }

  /** Leaves a request in its account's queue (once: a put that landed before a transient failure is not repeated). */
  async enqueue(userId: string, p: PendingRequest): Promise<void> {
    const { request, queueKey, ...rest } = p;
    try {
      const out = await retryTransient(() =>
        this.clients.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...pendingKey(userId, queueKey), kind: kinds.pendingRequest, ...rest, requestJson: JSON.stringify(request), ttl: Math.ceil(Date.parse(p.expiresAt) / 1000) + 3600 },
            ConditionExpression: "attribute_not_exists(pk)",
            ReturnConsumedCapacity: "TOTAL",
          }),
        ),
      );
      this.meter("write:enqueue", out.ConsumedCapacity);
    } catch (e) {
      if ((e as { name?: string }).name !== "ConditionalCheckFailedException") throw e;
    }
  }

  /**
   * The account and its oldest pending requests (up to `limit`, none past `upTo`), in one
   * strongly consistent query: the queue sorts right after the account item. Null when
   * there is no account.
   */
  async queueView(userId: string, upTo: string | null, limit: number): Promise<{ account: Account; busyUntil: string | null; pending: PendingRequest[] } | null> {
    const out = await retryTransient(() => this.clients.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND sk BETWEEN :account AND :upTo",
        ExpressionAttributeValues: { ":pk": accountPk(userId), ":account": ACCOUNT_SK, ":upTo": upTo === null ? `${PENDING_SK_PREFIX}~` : pendingKey(userId, upTo).sk },
        Limit: limit + 1,
        ConsistentRead: true,
        ReturnConsumedCapacity: "TOTAL",
      }),
    ));
    this.meter("read:queue", out.ConsumedCapacity);
    const [first, ...rest] = out.Items ?? [];
    if (!first || first.sk !== ACCOUNT_SK) return null;
    const pending = rest.map((i) => ({
      queueKey: String(i.sk).slice(PENDING_SK_PREFIX.length),
      entryId: String(i.entryId),
      idempotencyKey: String(i.idempotencyKey),
      fingerprint: String(i.fingerprint),
      request: JSON.parse(String(i.requestJson)) as QueuedRequest,
      enqueuedAt: String(i.enqueuedAt),
      expiresAt: String(i.expiresAt),
    }));
    return { account: itemToAccount(first), busyUntil: typeof first.busyUntil === "string" ? first.busyUntil : null, pending };
  }

  /**
   * Claims the account for one group committer until `until`, if no live claim holds it.
   * Touches neither balances nor the revision: a quiet write decided meanwhile still lands.
   */
  async claimCommit(userId: string, token: string, until: string, now: Date): Promise<boolean> {
    try {
      const out = await this.clients.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: accountKey(userId),
          UpdateExpression: "SET busyUntil = :until, busyBy = :token",
          ConditionExpression: "attribute_exists(pk) AND (attribute_not_exists(busyUntil) OR busyUntil <= :now)",
          ExpressionAttributeValues: { ":until": until, ":token": token, ":now": now.toISOString() },
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      this.meter("write:claim", out.ConsumedCapacity);
      return true;
    } catch (e) {
      if ((e as { name?: string }).name === "ConditionalCheckFailedException" || isTransientFailure(e)) return false;
      throw e;
    }
  }

  /** Ends this committer's claim early, so the next request need not wait for it to run out. */
  async releaseCommit(userId: string, token: string, now: Date): Promise<void> {
    try {
      await this.clients.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: accountKey(userId),
          UpdateExpression: "SET busyUntil = :now",
          ConditionExpression: "busyBy = :token AND busyUntil > :now",
          ExpressionAttributeValues: { ":token": token, ":now": now.toISOString() },
        }),
      );
    } catch (e) {
      // Taken over, or run out: nothing to release. A transient failure leaves the claim to run out.
      if ((e as { name?: string }).name === "ConditionalCheckFailedException" || isTransientFailure(e)) return;
      throw e;
    }
  }

  /** Takes a request back out of the queue; false when it is gone already (applied or dropped by a committer). */
  async withdraw(userId: string, queueKey: string): Promise<boolean> {
    try {
      await retryTransient(() =>
        this.clients.doc.send(new DeleteCommand({ TableName: this.tableName, Key: pendingKey(userId, queueKey), ConditionExpression: "attribute_exists(pk)" })),
      );
      return true;
    } catch (e) {
      if ((e as { name?: string }).name === "ConditionalCheckFailedException") return false;
      throw e;
    }
  }

  /** The record a key made, and whether the queued request `queueKey` made it (rather than an earlier request with that key). */
  async queuedRecord(userId: string, idempotencyKey: string, source: KeySource, queueKey: string): Promise<{ stored: AnyStoredRecord; mine: boolean } | null> {
    const item = await retryTransient(() => this.getItem("read:record", recordKeyItem(userId, idempotencyKey, source)));
    return item ? { stored: itemToAnyRecord(item), mine: item.queuedAs === queueKey } : null;
  }

  /**
   * Sends a group commit's batch. Cancelled: the indexes of the items whose own condition
   * failed (an entry that exists, a pending request withdrawn, the account moved); a
   * transient failure is a cancellation with none (whatever landed shows on the next read).
   */
  async commitBatch(intents: WriteIntent[]): Promise<BatchOutcome> {
    const items = intents.map((intent) => planIntent(this.tableName, intent));
    try {
      const out = await this.clients.doc.send(new TransactWriteCommand(transaction(items)));
      this.meter("write:group_commit", out.ConsumedCapacity);
      return { kind: "written" };
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (reasons) return { kind: "cancelled", failed: reasons.flatMap((r, i) => (r.Code === "ConditionalCheckFailed" ? [i] : [])) };
      if (isTransientFailure(e)) return { kind: "cancelled", failed: [] };
      throw e;
    }
  }

  /** The record a caller's idempotency key made on this account, of whatever kind. */
  async getRecordByKey(userId: string, idempotencyKey: string, source: KeySource = "caller"): Promise<AnyStoredRecord | null> {
    const item = await this.getItem("read:record", recordKeyItem(userId, idempotencyKey, source));
    return item ? itemToAnyRecord(item) : null;
  }

  async getEntry(userId: string, entryId: string): Promise<StoredEntry | null> {
    const key = recordItemKey(userId, entryId, "entry");
    const item = key && (await this.getItem("read:entry", key));
    return item && item.kind === kinds.entry ? itemToStoredEntry(item) : null;
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

  async getHold(userId: string, holdId: string): Promise<StoredHoldWithSettlement | null> {
    const key = recordItemKey(userId, holdId, "hold");
    const item = key && (await this.getItem("read:hold", key));
    if (!item || item.kind !== kinds.hold) return null;
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

  async getOrder(userId: string, orderId: string): Promise<StoredOrder | null> {
    const key = recordItemKey(userId, orderId, "order");
    const item = key && (await this.getItem("read:order", key));
    return item && item.kind === kinds.order ? itemToStoredOrder(item) : null;
  }

  async getRefundTally(userId: string, entryId: string): Promise<RefundTally | null> {
    return itemToRefundTally(await this.getItem("read:refund_tally", refundTallyKey(userId, entryId)));
  }

  /** Writes the intents as one transaction on this table (ledger rule 1). */
  commit(operation: string, intents: WriteIntent[]): Promise<CommitOutcome> {
    return this.transact(operation, intents.map((intent) => planIntent(this.tableName, intent)));
  }

  /** Sends planned items as one transaction and says whether it landed, replayed or lost a race. */
  private async transact(operation: string, items: PlannedItem[]): Promise<CommitOutcome> {
    try {
      const out = await this.clients.doc.send(new TransactWriteCommand(transaction(items)));
      this.meter(`write:${operation}`, out.ConsumedCapacity);
      return { kind: "written" };
    } catch (e) {
      const reasons = cancellationReasons(e);
      // The service failed, not the request: decide again on fresh state (see transient.ts for why that is safe).
      if (!reasons) {
        if (isTransientFailure(e)) return { kind: "conflict", transient: true };
        throw e;
      }
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
  async due(queue: DueQueue, shard: number, now: Date, limit: number, startKey?: Record<string, unknown>): Promise<DuePage> {
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
    const items = await queryAll(
      this.clients,
      {
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :rec)",
        FilterExpression: "#kind = :entry",
        ExpressionAttributeNames: { "#kind": "kind" },
        ExpressionAttributeValues: { ":pk": accountPk(userId), ":rec": RECORD_SK_PREFIX, ":entry": kinds.entry },
        ConsistentRead: true,
      },
      { operation: "read:ledger", onCapacity: this.onCapacity },
    );
    return items.map((item) => itemToStoredEntry(item).value).sort((a, b) => a.seq - b.seq);
  }

  /** An account's entries newest first, by time range and type, one page at a time. */
  async listEntries(userId: string, q: EntryQuery): Promise<{ entries: LedgerEntry[]; nextCursor: string | null }> {
    const entries: ByTimeList<LedgerEntry> = { ...ENTRY_LIST, lo: q.from ?? "0", hi: `${q.to ?? "9999"}#~` };
    const page = await this.pageByTime(userId, entries, q, entryFilter(q));
    return { entries: page.items, nextCursor: page.nextCursor };
  }

  /**
   * An account's holds newest first, one page at a time, optionally of one status as of `now`:
   * a pending hold past its expiry counts as expired (as a read of the hold shows it) before
   * the sweep marks it. One `byTime` query (`HOLD#<createdAt>#<id>`), eventually consistent.
   */
  async listHolds(userId: string, q: RecordListQuery<HoldStatus>, now: Date): Promise<{ holds: Hold[]; nextCursor: string | null }> {
    const page = await this.pageByTime(userId, HOLD_LIST, q, q.status ? holdStatusFilter(q.status, now) : undefined);
    return { holds: page.items, nextCursor: page.nextCursor };
  }

  /** An account's payment orders newest first, one page at a time, optionally of one status (`ORDER#<createdAt>#<id>`). */
  async listOrders(userId: string, q: RecordListQuery<OrderStatus>): Promise<{ orders: Order[]; nextCursor: string | null }> {
    const page = await this.pageByTime(userId, ORDER_LIST, q, q.status ? equals("status", q.status) : undefined);
    return { orders: page.items, nextCursor: page.nextCursor };
  }

  /**
   * One page of an account's `byTime` index between `lo` and `hi`, newest first, with an
   * optional filter. A sparse filter reads at most {@link MAX_FILTERED_PAGES} index pages and
   * then hands back a short page with where to go on from.
   */
  private async pageByTime<T>(
    userId: string,
    list: ByTimeList<T>,
    q: { limit: number; cursor?: string | undefined },
    filter: ByTimeFilter | undefined,
  ): Promise<{ items: T[]; nextCursor: string | null }> {
    const pk = accountPk(userId);
    const { lo, hi } = list;
    let startKey = q.cursor ? decodeCursor(q.cursor, pk, list.cursorSk) : undefined;
    // A cursor from another query's range would make DynamoDB refuse the start key.
    if (startKey && !(String(startKey.lsi1sk) >= lo && String(startKey.lsi1sk) <= hi)) throw invalidCursor();
    const items: T[] = [];
    const keys: Record<string, unknown>[] = [];
    let more = false;
    for (let page = 0; page < MAX_FILTERED_PAGES; page++) {
      const out = await this.clients.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: "byTime",
          KeyConditionExpression: "pk = :pk AND lsi1sk BETWEEN :lo AND :hi",
          ...(filter ? { FilterExpression: filter.expression, ExpressionAttributeNames: filter.names } : {}),
          ExpressionAttributeValues: { ":pk": pk, ":lo": lo, ":hi": hi, ...filter?.values },
          ScanIndexForward: false,
          // One more than asked tells whether another page exists without an empty last page.
          Limit: q.limit + 1 - items.length,
          ExclusiveStartKey: startKey,
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      this.meter(list.meterAs, out.ConsumedCapacity);
      for (const item of out.Items ?? []) {
        items.push(list.decode(item));
        keys.push({ pk: item.pk, sk: item.sk, lsi1sk: item.lsi1sk });
      }
      startKey = out.LastEvaluatedKey;
      if (items.length > q.limit) {
        more = true;
        break;
      }
      if (!startKey) break;
      if (page === MAX_FILTERED_PAGES - 1) {
        // A sparse filter: hand back a short page and where to go on from.
        return { items, nextCursor: encodeCursor(startKey) };
      }
    }
    if (!more) return { items, nextCursor: null };
    items.length = q.limit;
    return { items, nextCursor: encodeCursor(keys[q.limit - 1]!) };
  }
}

/** One kind of record on the byTime index: its key range, what its cursors look like, how to read it. */
interface ByTimeList<T> {
  lo: string;
  hi: string;
  /** What a cursor's `lsi1sk` must look like for this list. */
  cursorSk: RegExp;
  meterAs: string;
  decode(item: Record<string, unknown>): T;
}

interface ByTimeFilter {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

const ISO_TIME = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;
const RECORD_KEY = "[0-9a-hjkmnp-tv-z]{26}";
/** Entries: the range comes from the query's from/to. */
const ENTRY_LIST: Omit<ByTimeList<LedgerEntry>, "lo" | "hi"> = {
  cursorSk: new RegExp(`^${ISO_TIME}#\\d{10}$`),
  meterAs: "read:history_page",
  decode: (item) => itemToStoredEntry(item).value,
};
const HOLD_LIST: ByTimeList<Hold> = {
  lo: "HOLD#",
  hi: "HOLD#~",
  cursorSk: new RegExp(`^HOLD#${ISO_TIME}#hold_${RECORD_KEY}$`),
  meterAs: "read:holds_page",
  decode: (item) => itemToStoredHold(item).value,
};
const ORDER_LIST: ByTimeList<Order> = {
  lo: "ORDER#",
  hi: "ORDER#~",
  cursorSk: new RegExp(`^ORDER#${ISO_TIME}#ord_${RECORD_KEY}$`),
  meterAs: "read:orders_page",
  decode: (item) => itemToStoredOrder(item).value,
};

/** Items whose `attribute` is `value`. */
const equals = (attribute: string, value: string): ByTimeFilter => ({ expression: "#attr = :value", names: { "#attr": attribute }, values: { ":value": value } });

/** A hold's status as a read shows it at `now` (see holdStatusAt), as a filter. */
function holdStatusFilter(status: HoldStatus, now: Date): ByTimeFilter {
  const names = { "#status": "status" };
  const at = now.toISOString();
  switch (status) {
    case "pending":
      return { expression: "#status = :pending AND expiresAt > :now", names, values: { ":pending": "pending", ":now": at } };
    case "expired":
      return {
        expression: "#status = :expired OR (#status = :pending AND expiresAt <= :now)",
        names,
        values: { ":expired": "expired", ":pending": "pending", ":now": at },
      };
    default:
      return equals("status", status);
  }
}

/** The history's optional filters on type and service, as one filter (a filter reads the skipped items too). */
function entryFilter(q: EntryQuery): ByTimeFilter | undefined {
  const terms: ByTimeFilter[] = [];
  if (q.type) terms.push({ expression: "#type = :type", names: { "#type": "type" }, values: { ":type": q.type } });
  if (q.serviceType) terms.push({ expression: "#service = :service", names: { "#service": "serviceType" }, values: { ":service": q.serviceType } });
  if (terms.length === 0) return undefined;
  return {
    expression: terms.map((t) => t.expression).join(" AND "),
    names: Object.assign({}, ...terms.map((t) => t.names)),
    values: Object.assign({}, ...terms.map((t) => t.values)),
  };
}

/**
 * The queue's own calls, retried through DynamoDB's passing failures (DynamoDB Local's lock
 * time-outs come under load). Each is safe to repeat: a read, or a conditional put or delete
 * whose second try meets the first one's effect.
 */
async function retryTransient<T>(call: () => Promise<T>, attempts = 6): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await call();
    } catch (e) {
      if (n >= attempts || !isTransientFailure(e)) throw e;
      await new Promise<void>((r) => setTimeout(r, Math.random() * 50 * n));
    }
  }
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

function decodeCursor(cursor: string, pk: string, sk: RegExp): Record<string, unknown> {
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
    typeof k.lsi1sk !== "string" || !sk.test(k.lsi1sk) ||
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
