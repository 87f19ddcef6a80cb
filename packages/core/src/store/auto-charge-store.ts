import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type PutCommandInput } from "@aws-sdk/lib-dynamodb";
import { settingsIdFor, type AutoChargeSettings, type ChargeRecord, type ChargeStatus } from "../autocharge/model.ts";
import type { LedgerEntry } from "../ledger/types.ts";
import type { DynamoClients } from "./client.ts";
import { accountPk, BY_TIME_RECORDS_START, dueKeys } from "./keys.ts";
import type { PlannedItem } from "./requests.ts";
import { isTransientFailure } from "./transient.ts";

/**
 * Auto-charge items, beside the account they belong to:
 *   ACCT#<userId> / AUTOCHARGE             the settings and the registered card (billing key);
 *                                          while on, in the `byDue` index (queue AUTOCHARGE_ON)
 *                                          so that the daily sweep finds every such account
 *   ACCT#<userId> / AUTOCHARGE#<chargeId>  one charge record per threshold crossing; in the
 *                                          `byDue` index (queue AUTOCHARGE) while a sweep must
 *                                          come back to it (a retry after backoff, a lease)
 * Every write is conditioned on the revision it was decided from, or on absence.
 */

type Item = Record<string, unknown>;

export const SETTINGS_SK = "AUTOCHARGE";
export const chargeSk = (chargeId: string) => `AUTOCHARGE#${chargeId}`;
const settingsKey = (userId: string) => ({ pk: accountPk(userId), sk: SETTINGS_SK });
const chargeKey = (userId: string, chargeId: string) => ({ pk: accountPk(userId), sk: chargeSk(chargeId) });

const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));

/** Sorts after every real time: the daily sweep asks the AUTOCHARGE_ON queue for everything "due" before it. */
export const END_OF_TIME = new Date("9999-12-31T23:59:59.999Z");

export function settingsToItem(s: AutoChargeSettings): Item {
  const { billing, ...rest } = s;
  const item: Item = { ...settingsKey(s.userId), kind: "auto_charge_settings", id: settingsIdFor(s.userId) };
  for (const [k, v] of Object.entries(rest)) if (v !== null) item[k] = v;
  if (billing) Object.assign(item, { billing });
  // Only accounts whose card can be charged sit in the sweep's queue.
  if (s.enabled && billing) Object.assign(item, dueKeys("AUTOCHARGE_ON", s.userId, settingsIdFor(s.userId), s.armedAt ?? s.updatedAt));
  return item;
}

export function itemToSettings(item: Item): AutoChargeSettings {
  const b = item.billing as Item | undefined;
  return {
    userId: String(item.userId),
    enabled: item.enabled === true,
    threshold: Number(item.threshold),
    amount: Number(item.amount),
    paymentMethod: "card",
    billing: b
      ? {
          billingKey: String(b.billingKey),
          customerKey: String(b.customerKey),
          cardCompany: str(b.cardCompany),
          cardNumber: str(b.cardNumber),
          registeredAt: String(b.registeredAt),
        }
      : null,
    consecutiveFailures: Number(item.consecutiveFailures ?? 0),
    disabledReason: (str(item.disabledReason) as AutoChargeSettings["disabledReason"]) ?? null,
    disabledAt: str(item.disabledAt),
    armedRevision: Number(item.armedRevision ?? 0),
    armedAtSeq: Number(item.armedAtSeq ?? 0),
    armedAt: str(item.armedAt),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    revision: Number(item.revision),
  };
}

/** When a sweep must come back to a record: its lease while charging or refunding, its retry time while waiting. */
export function dueAtOf(r: ChargeRecord): string | null {
  if (r.status === "charging" || r.status === "refund_pending") return r.leaseUntil;
  if (r.status === "retry_wait") return r.nextAttemptAt;
  return null;
}

export function chargeToItem(r: ChargeRecord): Item {
  const item: Item = { ...chargeKey(r.userId, r.id), kind: "auto_charge" };
  for (const [k, v] of Object.entries(r)) if (v !== null) item[k] = v;
  const dueAt = dueAtOf(r);
  if (dueAt) Object.assign(item, dueKeys("AUTOCHARGE", r.userId, r.id, dueAt));
  return item;
}

export function itemToCharge(item: Item): ChargeRecord {
  return {
    id: String(item.id),
    userId: String(item.userId),
    crossingId: String(item.crossingId),
    amount: Number(item.amount),
    amountKrw: Number(item.amountKrw),
    threshold: Number(item.threshold),
    paymentMethod: String(item.paymentMethod),
    status: item.status as ChargeStatus,
    attempts: Number(item.attempts),
    billingKey: String(item.billingKey),
    customerKey: String(item.customerKey),
    leaseUntil: str(item.leaseUntil),
    nextAttemptAt: str(item.nextAttemptAt),
    paymentKey: str(item.paymentKey),
    transactionId: str(item.transactionId),
    failureCode: str(item.failureCode),
    failureMessage: str(item.failureMessage),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    revision: Number(item.revision),
  };
}

/** A write of the whole settings item, conditioned on the revision it was decided from (or on absence). */
export function settingsWrite(tableName: string, before: AutoChargeSettings | null, after: AutoChargeSettings): PlannedItem {
  return {
    role: "guard",
    item: {
      Put: {
        TableName: tableName,
        Item: settingsToItem(after),
        ConditionExpression: before ? "revision = :expected" : "attribute_not_exists(pk)",
        ...(before ? { ExpressionAttributeValues: { ":expected": before.revision } } : {}),
      },
    },
  };
}

/** A write of the whole charge record, conditioned on the revision it was decided from (or on absence). */
export function chargeWrite(tableName: string, before: ChargeRecord | null, after: ChargeRecord): PlannedItem {
  return {
    role: "guard",
    item: {
      Put: {
        TableName: tableName,
        Item: chargeToItem(after),
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

export class AutoChargeStore {
  constructor(
    private readonly clients: DynamoClients,
    readonly tableName: string,
  ) {}

  async getSettings(userId: string): Promise<AutoChargeSettings | null> {
    const out = await this.clients.doc.send(new GetCommand({ TableName: this.tableName, Key: settingsKey(userId), ConsistentRead: true }));
    return out.Item ? itemToSettings(out.Item) : null;
  }

  async getCharge(userId: string, chargeId: string): Promise<ChargeRecord | null> {
    const out = await this.clients.doc.send(new GetCommand({ TableName: this.tableName, Key: chargeKey(userId, chargeId), ConsistentRead: true }));
    return out.Item ? itemToCharge(out.Item) : null;
  }

  /** The account's charge records still open (charging, or waiting for a retry). */
  async openCharges(userId: string): Promise<ChargeRecord[]> {
    const out: ChargeRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.clients.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          FilterExpression: "#status IN (:charging, :waiting)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":pk": accountPk(userId), ":prefix": chargeSk(""), ":charging": "charging", ":waiting": "retry_wait" },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      out.push(...(page.Items ?? []).map(itemToCharge));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  /**
   * An account's entries newest first, read strongly consistently from the `byTime` index
   * (only the balance fields; below the holds' and orders' keys), page by page as the caller walks back.
   */
  async *newestEntries(userId: string, pageSize = 25): AsyncGenerator<Pick<LedgerEntry, "id" | "seq" | "balanceBefore" | "balanceAfter">> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.clients.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: "byTime",
          KeyConditionExpression: "pk = :pk AND lsi1sk < :records",
          ExpressionAttributeValues: { ":pk": accountPk(userId), ":records": BY_TIME_RECORDS_START },
          ProjectionExpression: "id, seq, balanceBefore, balanceAfter",
          ScanIndexForward: false,
          ConsistentRead: true,
          Limit: pageSize,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        yield { id: String(item.id), seq: Number(item.seq), balanceBefore: Number(item.balanceBefore), balanceAfter: Number(item.balanceAfter) };
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }

  /**
   * Writes planned items in one transaction (one item: a plain conditional put, half the write
   * units); false when the caller must decide again on fresh state: a condition failed (someone
   * else moved first) or DynamoDB failed for a passing reason ({@link writeLostRace}).
   */
  async write(items: PlannedItem[]): Promise<boolean> {
    const only = items.length === 1 ? items[0]!.item.Put : undefined;
    try {
      if (only) await this.clients.doc.send(new PutCommand(only as PutCommandInput));
      else await this.clients.doc.send(new TransactWriteCommand({ TransactItems: items.map((p) => p.item) }));
      return true;
    } catch (e) {
      if (writeLostRace(e)) return false;
      throw e;
    }
  }
}

/**
 * Whether a failed auto-charge write means "decide again": a condition failed or a transaction
 * conflicted (another writer moved first), or DynamoDB failed for a passing, server-side reason
 * (transient.ts; DynamoDB Local's "too long waiting for a lock" under load). Deciding again is
 * safe even when a 500's write did land: every write is conditioned on the revision it was
 * decided from (or on absence), so the fresh read sees the write and decides from there.
 */
export function writeLostRace(error: unknown): boolean {
  if (isTransientFailure(error)) return true;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === "ConditionalCheckFailedException") return true;
  if (error instanceof TransactionCanceledException || name === "TransactionCanceledException") {
    const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
    return reasons.some((r) => r.Code === "ConditionalCheckFailed" || r.Code === "TransactionConflict" || r.Code === "ThrottlingError");
  }
  return false;
}
