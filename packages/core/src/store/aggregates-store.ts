import { GetCommand, TransactWriteCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { addCounters, contributionOf, type Counters, type DayFigures } from "../analytics/aggregates.ts";
import { countOf, hasCounted, runsFromStored, runsToList, withCounted } from "../analytics/counted.ts";
import { monthOf } from "../analytics/days.ts";
import { AGAIN, shortRetry, untilSettled } from "../retry.ts";
import type { LedgerEntry } from "../ledger/types.ts";
import type { DynamoClients } from "./client.ts";
import { accountPk, dayIndexPk, daySk, kinds, platformPk } from "./keys.ts";
import { queryAll, type CapacityListener } from "./paging.ts";
import type { AggregatesReader } from "../analytics/insights-port.ts";

/**
 * The stream-fed daily aggregates (ledger rule 7: platform totals never touch the write
 * path). Per account and day: `ACCT#<userId>` / `DAY#<day>`. Per platform and day, spread
 * over shards so no partition runs hot: `PLATFORM#<month>#<shard>` / `DAY#<day>`.
 *
 * Redelivery-safe without markers: the account's day keeps which entry seqs it has counted
 * as a few runs of consecutive seqs (analytics/counted.ts: its size does not grow with the
 * day's entries), and the platform's counters move in the same transaction as the
 * account's, so an entry that was counted once is seen as counted and changes nothing.
 */

const PLATFORM_SHARDS = 8;
const DAY_INDEX_SHARDS = 4;

const shardOf = (userId: string, n: number) => {
  let h = 0;
  for (const c of userId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % n;
};


/** Attributes of aggregate items that are not counters. */
const NOT_COUNTERS = new Set(["pk", "sk", "kind", "userId", "day", "seqs", "counted", "countedEntries", "gsi2pk", "gsi2sk", "entryAt"]);

function countersOf(item: Record<string, unknown>): Counters {
  const out: Counters = {};
  for (const [k, v] of Object.entries(item)) if (!NOT_COUNTERS.has(k) && typeof v === "number") out[k] = v;
  return out;
}

export type ApplyOutcome = "applied" | "duplicate";

export class AggregatesStore implements AggregatesReader {
  constructor(
    private readonly clients: DynamoClients,
    readonly tableName: string,
    private readonly onCapacity?: CapacityListener,
  ) {}

  private meter(operation: string, consumed: { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number }[] | { CapacityUnits?: number } | undefined, kind: "read" | "write") {
    if (!this.onCapacity || !consumed) return;
    const list = Array.isArray(consumed) ? consumed : [consumed];
    const total = list.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
    this.onCapacity(operation, kind === "read" ? { read: total, write: 0 } : { read: 0, write: total });
  }

  /**
   * Adds an entry to its account's day and to the platform's day, once. Safe to call
   * again with the same entry (redelivery) and in any order across entries.
   */
  async applyEntry(entry: LedgerEntry, dayOffsetHours: number): Promise<ApplyOutcome> {
    const c = contributionOf(entry, dayOffsetHours);
    const key = { pk: accountPk(entry.userId), sk: daySk(c.day) };
    return untilSettled(shortRetry, async (): Promise<ApplyOutcome | typeof AGAIN> => {
      const got = await this.clients.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }));
      this.meter("read:account_day", got.ConsumedCapacity, "read");
      const prev = got.Item;
      // An item written before the runs existed keeps a set of every seq: converted on its next write.
      const legacy = prev !== undefined && prev.counted === undefined && prev.seqs instanceof Set;
      const runs = runsFromStored(prev?.counted, prev?.seqs);
      if (hasCounted(runs, entry.seq)) return "duplicate" as const;
      const nextRuns = withCounted(runs, entry.seq);
      const firstUsage = c.isUsage && !(Number(prev?.usageCount ?? 0) > 0);

      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const adds: string[] = [];
      Object.entries(c.counters).forEach(([name, value], i) => {
        names[`#c${i}`] = name;
        values[`:c${i}`] = value;
        adds.push(`#c${i} :c${i}`);
      });
      // entryAt: the time of the entry this write counted, so that an alert this change
      // triggers (high usage, unusual activity) is stamped with the spend that caused it.
      const accountSets = ["kind = :day_kind", "userId = :user", "#day = :day", "entryAt = :entry_at"];
      values[":entry_at"] = entry.createdAt;
      values[":day_kind"] = kinds.accountDay;
      values[":user"] = entry.userId;
      values[":day"] = c.day;
      names["#day"] = "day";
      if (c.listedByDay) {
        // Listed on the byDay index: top users and active accounts are read from there.
        accountSets.push("gsi2pk = :g2pk", "gsi2sk = :user");
        values[":g2pk"] = dayIndexPk(c.day, shardOf(entry.userId, DAY_INDEX_SHARDS));
      }
      values[":runs"] = runsToList(nextRuns);
      values[":n_after"] = countOf(nextRuns);
      accountSets.push("counted = :runs", "countedEntries = :n_after");
      const accountUpdate = {
        TableName: this.tableName,
        Key: key,
        UpdateExpression: `SET ${accountSets.join(", ")}${adds.length ? " ADD " + adds.join(", ") : ""}${legacy ? " REMOVE seqs" : ""}`,
        // The count pins the state this decision read: a concurrent apply fails and reads again.
        ConditionExpression: !prev ? "attribute_not_exists(pk)" : legacy ? "size(seqs) = :n AND attribute_not_exists(countedEntries)" : "countedEntries = :n",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...values, ...(prev ? { ":n": countOf(runs) } : {}) },
      };
      const platformAdds = [...adds];
      const platformValues: Record<string, unknown> = Object.fromEntries(Object.entries(values).filter(([k]) => k.startsWith(":c")));
      if (firstUsage) {
        platformAdds.push("activeAccounts :one_active");
        platformValues[":one_active"] = 1;
      }
      const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]> = [{ Update: accountUpdate }];
      if (platformAdds.length) {
        items.push({
          Update: {
            TableName: this.tableName,
            Key: { pk: platformPk(monthOf(c.day), shardOf(entry.userId, PLATFORM_SHARDS)), sk: daySk(c.day) },
            UpdateExpression: `SET kind = :platform_kind, #day = :day ADD ${platformAdds.join(", ")}`,
            ExpressionAttributeNames: { ...Object.fromEntries(Object.entries(names).filter(([k]) => k.startsWith("#c"))), "#day": "day" },
            ExpressionAttributeValues: { ...platformValues, ":platform_kind": kinds.platformDay, ":day": c.day },
          },
        });
      }
      try {
        const out = await this.clients.doc.send(new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: "TOTAL" }));
        this.meter("write:aggregates", out.ConsumedCapacity, "write");
        return "applied" as const;
      } catch (e) {
        if ((e as { name?: string }).name !== "TransactionCanceledException") throw e;
        return AGAIN;
      }
    }, () => new Error(`aggregates for ${entry.userId} kept conflicting`));
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
      Array.from({ length: PLATFORM_SHARDS }, (_, shard) =>
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
