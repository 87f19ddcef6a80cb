import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, TransactWriteCommand, type PutCommandInput } from "@aws-sdk/lib-dynamodb";
import type { AutoChargePort } from "../autocharge/auto-charge-port.ts";
import type { AutoChargeSettings, ChargeRecord } from "../autocharge/model.ts";
import type { WriteIntent } from "../intents.ts";
import type { LedgerEntry } from "../ledger/types.ts";
import type { DynamoClients } from "./client.ts";
import { itemToCharge, itemToSettings } from "./codec.ts";
import { accountPk, autoChargeMonthKey, BY_TIME_RECORDS_START, chargeKey, chargeSk, settingsKey } from "./keys.ts";
import { queryAll, queryPages, type CapacityListener } from "./paging.ts";
import { planIntent, type PlannedItem } from "./requests.ts";
import { isTransientFailure } from "./transient.ts";

/**
 * Auto-charge items, beside the account they belong to:
 *   ACCT#<userId> / AUTOCHARGE             the settings and the registered card (billing key);
 *                                          while on, in the `byDue` index (queue AUTOCHARGE_ON)
 *                                          so that the daily sweep finds every such account
 *   ACCT#<userId> / AUTOCHARGE#<chargeId>  one charge record per threshold crossing; in the
 *                                          `byDue` index (queue AUTOCHARGE) while a sweep must
 *                                          come back to it (a retry after backoff, a lease)
 *   ACCT#<userId> / AUTOCHARGE_MONTH#<m>   the KRW counted against the monthly cap in month m
 * Every write is conditioned on the revision it was decided from, or on absence.
 */

export { chargeWrite, failuresReset, settingsWrite } from "./requests.ts";

/** The DynamoDB adapter of auto-charge's port. */
export class AutoChargeStore implements AutoChargePort {
  constructor(
    private readonly clients: DynamoClients,
    readonly tableName: string,
    private readonly onCapacity?: CapacityListener,
  ) {}

  async getSettings(userId: string): Promise<AutoChargeSettings | null> {
    const out = await this.clients.doc.send(new GetCommand({ TableName: this.tableName, Key: settingsKey(userId), ConsistentRead: true }));
    return out.Item ? itemToSettings(out.Item) : null;
  }

  async getCharge(userId: string, chargeId: string): Promise<ChargeRecord | null> {
    const out = await this.clients.doc.send(new GetCommand({ TableName: this.tableName, Key: chargeKey(userId, chargeId), ConsistentRead: true }));
    return out.Item ? itemToCharge(out.Item) : null;
  }

  async chargedKrw(userId: string, month: string): Promise<number> {
    const out = await this.clients.doc.send(
      new GetCommand({ TableName: this.tableName, Key: autoChargeMonthKey(userId, month), ConsistentRead: true, ProjectionExpression: "chargedKrw" }),
    );
    return Number(out.Item?.chargedKrw ?? 0);
  }

  /** The account's charge records still open (charging, or waiting for a retry). */
  openCharges(userId: string): Promise<ChargeRecord[]> {
    return this.charges(userId, "#status IN (:charging, :waiting)", { ":charging": "charging", ":waiting": "retry_wait" }, "read:open_charges");
  }

  /** The account's refunds the gateway refused: `refund_pending` with no lease (off the sweeps' queue), for an operator. */
  refundsAwaitingOperator(userId: string): Promise<ChargeRecord[]> {
    return this.charges(userId, "#status = :refunding AND attribute_not_exists(leaseUntil)", { ":refunding": "refund_pending" }, "read:refunds_awaiting_operator");
  }

  /** The account's charge records that pass `filter` (one query of the account's charge keys). */
  private async charges(userId: string, filter: string, values: Record<string, string>, operation: string): Promise<ChargeRecord[]> {
    const items = await queryAll(
      this.clients,
      {
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        FilterExpression: filter,
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":pk": accountPk(userId), ":prefix": chargeSk(""), ...values },
        ConsistentRead: true,
      },
      { operation, onCapacity: this.onCapacity },
    );
    return items.map(itemToCharge);
  }

  /**
   * An account's entries newest first, read strongly consistently from the `byTime` index
   * (only the balance fields; below the holds' and orders' keys), page by page as the caller walks back.
   */
  async *newestEntries(userId: string, pageSize = 25): AsyncGenerator<Pick<LedgerEntry, "id" | "seq" | "balanceBefore" | "balanceAfter">> {
    const pages = queryPages(
      this.clients,
      {
        TableName: this.tableName,
        IndexName: "byTime",
        KeyConditionExpression: "pk = :pk AND lsi1sk < :records",
        ExpressionAttributeValues: { ":pk": accountPk(userId), ":records": BY_TIME_RECORDS_START },
        ProjectionExpression: "id, seq, balanceBefore, balanceAfter",
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: pageSize,
      },
      { operation: "read:newest_entries", onCapacity: this.onCapacity },
    );
    for await (const page of pages) {
      for (const item of page.items) {
        yield { id: String(item.id), seq: Number(item.seq), balanceBefore: Number(item.balanceBefore), balanceAfter: Number(item.balanceAfter) };
      }
    }
  }

  /** Writes intents (intents.ts) on this table, as {@link write} does; false when the caller must decide again. */
  commit(intents: WriteIntent[]): Promise<boolean> {
    return this.write(intents.map((intent) => planIntent(this.tableName, intent)));
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
