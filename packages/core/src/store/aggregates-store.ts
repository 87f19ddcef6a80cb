import { GetCommand, TransactWriteCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { addCounters, type Counters, type DayFigures } from "../analytics/aggregates.ts";
import type { AccountDayState, AggregateIntent, AggregatesPort } from "../analytics/aggregates-port.ts";
import { runsFromStored } from "../analytics/counted.ts";
import { monthOf } from "../analytics/days.ts";
import type { AggregatesReader } from "../analytics/insights-port.ts";
import type { DynamoClients } from "./client.ts";
import { accountPk, DAY_INDEX_SHARDS, dayIndexPk, daySk, PLATFORM_DAY_SHARDS, platformPk } from "./keys.ts";
import { queryAll, type CapacityListener } from "./paging.ts";
import { planIntent } from "./requests.ts";

/**
 * The stream-fed daily aggregates (ledger rule 7: platform totals never touch the write
 * path). Per account and day: `ACCT#<userId>` / `DAY#<day>`. Per platform and day, spread
 * over shards so no partition runs hot: `PLATFORM#<month>#<shard>` / `DAY#<day>`.
 * What an entry adds, and when it was counted already, is decided in analytics/counting.ts;
 * this adapter reads the account's day and writes the decision's intents (requests.ts).
 */

/** Attributes of aggregate items that are not counters. */
const NOT_COUNTERS = new Set(["pk", "sk", "kind", "userId", "day", "seqs", "counted", "countedEntries", "gsi2pk", "gsi2sk", "entryAt"]);

function countersOf(item: Record<string, unknown>): Counters {
  const out: Counters = {};
  for (const [k, v] of Object.entries(item)) if (!NOT_COUNTERS.has(k) && typeof v === "number") out[k] = v;
  return out;
}

export class AggregatesStore implements AggregatesReader, AggregatesPort {
  constructor(
    private readonly clients: DynamoClients,
    readonly tableName: string,
    private readonly onCapacity?: CapacityListener,
  ) {}

  private meter(operation: string, consumed: { CapacityUnits?: number }[] | { CapacityUnits?: number } | undefined, kind: "read" | "write") {
    if (!this.onCapacity || !consumed) return;
    const list = Array.isArray(consumed) ? consumed : [consumed];
    const total = list.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
    this.onCapacity(operation, kind === "read" ? { read: total, write: 0 } : { read: 0, write: total });
  }

  async accountDay(userId: string, day: string): Promise<AccountDayState | null> {
    const got = await this.clients.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: accountPk(userId), sk: daySk(day) }, ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }),
    );
    this.meter("read:account_day", got.ConsumedCapacity, "read");
    const item = got.Item;
    if (!item) return null;
    return {
      counted: runsFromStored(item.counted, item.seqs),
      // An item written before the runs existed keeps a set of every seq: converted on its next write.
      legacySeqs: item.counted === undefined && item.seqs instanceof Set,
      usageCount: Number(item.usageCount ?? 0),
    };
  }

  async commit(intents: AggregateIntent[]): Promise<boolean> {
    try {
      const out = await this.clients.doc.send(
        new TransactWriteCommand({ TransactItems: intents.map((i) => planIntent(this.tableName, i).item), ReturnConsumedCapacity: "TOTAL" }),
      );
      this.meter("write:aggregates", out.ConsumedCapacity, "write");
      return true;
    } catch (e) {
      if ((e as { name?: string }).name !== "TransactionCanceledException") throw e;
      return false;
    }
  }

  /** An account's days between two business days (inclusive), oldest first. */
  async accountDays(userId: string, fromDay: string, toDay: string): Promise<DayFigures[]> {
    const items = await this.queryAll("read:account_days", {
      KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
      ExpressionAttributeValues: { ":pk": accountPk(userId), ":from": daySk(fromDay), ":to": daySk(toDay) },
    });
    return items.map((i) => ({ day: String(i.day), counters: countersOf(i) }));
  }

  /** The platform's days between two business days (inclusive), shards summed, oldest first. */
  async platformDays(fromDay: string, toDay: string): Promise<DayFigures[]> {
    const months = new Set<string>();
    for (let m = monthOf(fromDay); m <= monthOf(toDay); m = nextMonth(m)) months.add(m);
    const byDay = new Map<string, Counters>();
    const queries = [...months].flatMap((month) =>
      Array.from({ length: PLATFORM_DAY_SHARDS }, (_, shard) =>
        this.queryAll("read:platform_days", {
          KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
          ExpressionAttributeValues: { ":pk": platformPk(month, shard), ":from": daySk(fromDay), ":to": daySk(toDay) },
        }),
      ),
    );
    for (const items of await Promise.all(queries)) {
      for (const i of items) byDay.set(String(i.day), addCounters(byDay.get(String(i.day)) ?? {}, countersOf(i)));
    }
    return [...byDay].sort(([a], [b]) => a.localeCompare(b)).map(([day, counters]) => ({ day, counters }));
  }

  /**
   * Every account that used coins, or was refunded some, on a day, with its usage that day
   * (from the byDay index). An account only refunded that day has `usageCount` 0.
   */
  async activeAccounts(day: string): Promise<{ userId: string; usageCoins: number; usageCount: number; refundCoins: number }[]> {
    const pages = await Promise.all(
      Array.from({ length: DAY_INDEX_SHARDS }, (_, shard) =>
        this.queryAll("read:active_accounts", {
          IndexName: "byDay",
          KeyConditionExpression: "gsi2pk = :pk",
          ExpressionAttributeValues: { ":pk": dayIndexPk(day, shard) },
        }),
      ),
    );
    return pages.flat().map((i) => ({
      userId: String(i.userId),
      usageCoins: Number(i.usageCoins ?? 0),
      usageCount: Number(i.usageCount ?? 0),
      refundCoins: Number(i.refundCoins ?? 0),
    }));
  }

  private queryAll(operation: string, q: Omit<QueryCommandInput, "TableName">) {
    return queryAll(this.clients, { ...q, TableName: this.tableName }, { operation, onCapacity: this.onCapacity });
  }
}

function nextMonth(m: string): string {
  const [y, mo] = m.split("-").map(Number) as [number, number];
  return mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, "0")}`;
}
