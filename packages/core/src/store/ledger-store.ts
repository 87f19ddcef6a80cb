import { TransactionCanceledException, type ConsumedCapacity } from "@aws-sdk/client-dynamodb";
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { NyangError } from "../errors.ts";
import type { RefundTally } from "../ledger/rules.ts";
import type { Account, AccountStatus, EntryType, LedgerEntry } from "../ledger/types.ts";
import type { DynamoClients } from "./client.ts";
import { itemToAccount, itemToRefundTally, itemToStoredEntry, type StoredEntry } from "./codec.ts";
import { accountKey, accountPk, entryKey, refundTallyKey } from "./keys.ts";
import { openAccountTransaction, POSTING_ITEM, postingTransaction, type PostingWrite } from "./requests.ts";

/** What became of a posting write. */
export type PostingOutcome =
  | { kind: "written" }
  /** An entry with this id already exists: a replay or a key reused for another request. */
  | { kind: "entry_exists"; stored: StoredEntry | null }
  /** Another write changed the account (or refund tally) since it was read: read again. */
  | { kind: "conflict" };

/** Request units one DynamoDB call consumed, reported to whoever measures them. */
export type CapacityListener = (operation: string, units: { read: number; write: number }) => void;

export interface EntryQuery {
  type?: EntryType | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}


/** Largest number of index pages one list request reads while a type filter skips entries. */
const MAX_FILTERED_PAGES = 10;

/**
 * The ledger's DynamoDB adapter: reads accounts and entries, and sends the conditional
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

  /** The account, read strongly consistently: every posting is decided on the latest state. */
  async getAccount(userId: string): Promise<Account | null> {
    const out = await this.clients.doc.send(
      new GetCommand({ TableName: this.tableName, Key: accountKey(userId), ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }),
    );
    this.meter("read:account", out.ConsumedCapacity);
    return out.Item ? itemToAccount(out.Item) : null;
  }

  async getEntry(userId: string, entryId: string): Promise<StoredEntry | null> {
    const out = await this.clients.doc.send(
      new GetCommand({ TableName: this.tableName, Key: entryKey(userId, entryId), ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }),
    );
    this.meter("read:entry", out.ConsumedCapacity);
    return out.Item && out.Item.kind === "entry" ? itemToStoredEntry(out.Item) : null;
  }

  async getRefundTally(userId: string, entryId: string): Promise<RefundTally | null> {
    const out = await this.clients.doc.send(
      new GetCommand({ TableName: this.tableName, Key: refundTallyKey(userId, entryId), ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }),
    );
    this.meter("read:refund_tally", out.ConsumedCapacity);
    return itemToRefundTally(out.Item);
  }

  /** Sends one posting (ledger rule 1) and says whether it landed, replayed or lost a race. */
  async writePosting(write: PostingWrite): Promise<PostingOutcome> {
    try {
      const out = await this.clients.doc.send(new TransactWriteCommand(postingTransaction(this.tableName, write)));
      this.meter(`write:${write.entry.type}`, out.ConsumedCapacity);
      return { kind: "written" };
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (!reasons) throw e;
      const entryReason = reasons[POSTING_ITEM.entry];
      if (entryReason?.Code === "ConditionalCheckFailed") {
        return { kind: "entry_exists", stored: entryReason.Item ? itemToStoredEntry(unmarshall(entryReason.Item)) : null };
      }
      if (reasons.some((r) => r.Code === "ConditionalCheckFailed" || r.Code === "TransactionConflict" || r.Code === "ThrottlingError")) {
        return { kind: "conflict" };
      }
      throw e;
    }
  }

  /** Creates an account with its signup entry; false if the account already existed. */
  async createAccount(
    account: Account,
    signup: { entry: LedgerEntry; fingerprint: string; idempotencyKey: string } | null,
  ): Promise<boolean> {
    try {
      const out = await this.clients.doc.send(new TransactWriteCommand(openAccountTransaction(this.tableName, account, signup)));
      this.meter("write:open_account", out.ConsumedCapacity);
      return true;
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (reasons?.some((r) => r.Code === "ConditionalCheckFailed")) return false;
      if (reasons?.some((r) => r.Code === "TransactionConflict")) return false;
      throw e;
    }
  }

  /** Freezes or unfreezes an account. Not a posting: the balance and version stay as they are. */
  async setStatus(userId: string, status: AccountStatus, now: Date): Promise<Account | null> {
    try {
      const out = await this.clients.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: accountKey(userId),
          UpdateExpression: "SET #status = :status, updatedAt = :now",
          // updatedAt never goes back: entries take their time from it (see applyPosting).
          ConditionExpression: "attribute_exists(pk) AND updatedAt <= :now",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":status": status, ":now": now.toISOString() },
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

  /** Every ledger entry of an account, in seq order: what an audit proves the balance against. */
  async readLedger(userId: string): Promise<LedgerEntry[]> {
    const entries: LedgerEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.clients.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :tx)",
          ExpressionAttributeValues: { ":pk": accountPk(userId), ":tx": "TX#" },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      this.meter("read:ledger", out.ConsumedCapacity);
      for (const item of out.Items ?? []) entries.push(itemToStoredEntry(item).entry);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return entries.sort((a, b) => a.seq - b.seq);
  }

  /** An account's entries newest first, by time range and type, one page at a time. */
  async listEntries(userId: string, q: EntryQuery): Promise<{ entries: LedgerEntry[]; nextCursor: string | null }> {
    const pk = accountPk(userId);
    let startKey = q.cursor ? decodeCursor(q.cursor, pk) : undefined;
    const lo = q.from ?? "0";
    const hi = `${q.to ?? "9999"}#~`;
    const entries: LedgerEntry[] = [];
    const keys: Record<string, unknown>[] = [];
    let more = false;
    for (let page = 0; page < MAX_FILTERED_PAGES; page++) {
      const out = await this.clients.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: "byTime",
          KeyConditionExpression: "pk = :pk AND lsi1sk BETWEEN :lo AND :hi",
          ...(q.type ? { FilterExpression: "#type = :type", ExpressionAttributeNames: { "#type": "type" } } : {}),
          ExpressionAttributeValues: { ":pk": pk, ":lo": lo, ":hi": hi, ...(q.type ? { ":type": q.type } : {}) },
          ScanIndexForward: false,
          // One more than asked tells whether another page exists without an empty last page.
          Limit: q.limit + 1 - entries.length,
          ExclusiveStartKey: startKey,
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      this.meter("read:history_page", out.ConsumedCapacity);
      for (const item of out.Items ?? []) {
        entries.push(itemToStoredEntry(item).entry);
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
    k.pk !== pk || typeof k.sk !== "string" || typeof k.lsi1sk !== "string" ||
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
