import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand, UpdateCommand, type UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import { holdListKeys, orderListKeys } from "./codec.ts";
import { alertFeedKeys, kinds } from "./keys.ts";
import { readUnitsOf } from "./paging.ts";
import { tableDefinition } from "./table.ts";

/**
 * One-off backfills for items written before a change of their shape: what a deployed table
 * needs once, run by `npm run migrate` (packages/local/src/migrate.ts, docs/migrations.md).
 *
 * Guarantees, each proven in test/local/migrate.integration.test.ts:
 * - **Derived as a new write derives it**: a new attribute comes from the same function the
 *   codec writes it with (holdListKeys, orderListKeys, alertFeedKeys), never a copy.
 * - **Only old items change**: a Scan filters on the old shape, and each UpdateItem is
 *   conditioned on the item still having it (and on the attributes the new value derives
 *   from), so a concurrent normal write — which writes the new shape itself — is never
 *   overwritten, and an item deleted meanwhile is never recreated.
 * - **Idempotent and resumable**: a second run finds nothing of the old shape and updates
 *   nothing; an interrupted run continues from its scan cursor (or simply runs again).
 * - **A dry run writes nothing**: it scans and counts what it would update.
 */

type Item = Record<string, unknown>;

/** One named backfill. */
export interface Migration {
  name: string;
  /** What it changes and why, in a line (the command's help). */
  about: string;
  /** The Scan's filter (and each update's condition): items still of the old shape. */
  oldShape: { expression: string; names: Record<string, string>; values: Record<string, unknown> };
  /** Attributes the scan reads to plan an update (keys come anyway). */
  reads: readonly string[];
  /** The conditional update that gives one old item (as the scan read it) its new shape; null when it cannot be derived. */
  plan(tableName: string, item: Item): UpdateCommandInput | null;
}

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/** The item's key, the old-shape condition, and `extra` conditions pinning what the new value derives from. */
function conditionalUpdate(
  tableName: string,
  item: Item,
  m: Pick<Migration, "oldShape">,
  update: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> },
  pinned: Record<string, string>,
): UpdateCommandInput {
  const pins = Object.keys(pinned).map((name, i) => ({ name, ref: `#pin${i}`, value: `:pin${i}` }));
  const values = { ...m.oldShape.values, ...update.values, ...Object.fromEntries(pins.map((p) => [p.value, pinned[p.name]])) };
  return {
    TableName: tableName,
    Key: { pk: item.pk, sk: item.sk },
    UpdateExpression: update.expression,
    ConditionExpression: [`(${m.oldShape.expression})`, ...pins.map((p) => `${p.ref} = ${p.value}`)].join(" AND "),
    ExpressionAttributeNames: { ...m.oldShape.names, ...update.names, ...Object.fromEntries(pins.map((p) => [p.ref, p.name])) },
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
    ReturnConsumedCapacity: "TOTAL",
  };
}

const holdTtl: Migration = {
  name: "hold-ttl",
  about: "remove `ttl` from every hold item: holds are kept for good since keys never expire (docs/api.md)",
  oldShape: {
    expression: "#kind = :hold AND attribute_exists(#ttl)",
    names: { "#kind": "kind", "#ttl": tableDefinition.ttlAttribute },
    values: { ":hold": kinds.hold },
  },
  reads: ["kind"],
  plan(tableName, item) {
    return conditionalUpdate(tableName, item, this, { expression: "REMOVE #ttl" }, {});
  },
};

/** What each kind on the list index takes its `lsi1sk` from: the codec's own key function. */
const listKeysOf: Record<string, (r: { createdAt: string; id: string }) => { lsi1sk: string }> = {
  [kinds.hold]: holdListKeys,
  [kinds.order]: orderListKeys,
};

const listIndex: Migration = {
  name: "list-index",
  about: "set `lsi1sk` on holds and orders written before their lists (GET …/holds, …/orders) read the byTime index",
  oldShape: {
    expression: "#kind IN (:hold, :order) AND attribute_not_exists(#lsi1sk)",
    names: { "#kind": "kind", "#lsi1sk": "lsi1sk" },
    values: { ":hold": kinds.hold, ":order": kinds.order },
  },
  reads: ["kind", "id", "createdAt"],
  plan(tableName, item) {
    const keysOf = listKeysOf[String(item.kind)];
    const id = str(item.id);
    const createdAt = str(item.createdAt);
    if (!keysOf || id === null || createdAt === null) return null;
    const { lsi1sk } = keysOf({ createdAt, id });
    return conditionalUpdate(tableName, item, this, { expression: "SET #lsi1sk = :lsi1sk", values: { ":lsi1sk": lsi1sk } }, { id, createdAt });
  },
};

const alertFeedIndex: Migration = {
  name: "alert-feed-index",
  about: "set `gsi3pk`/`gsi3sk` on alerts written before the admins' cross-account feed (byAlertTime) existed",
  oldShape: {
    expression: "#kind = :alert AND attribute_not_exists(#gsi3pk)",
    names: { "#kind": "kind", "#gsi3pk": "gsi3pk" },
    values: { ":alert": kinds.alert },
  },
  reads: ["kind", "id", "userId", "createdAt"],
  plan(tableName, item) {
    const id = str(item.id);
    const userId = str(item.userId);
    const createdAt = str(item.createdAt);
    if (id === null || userId === null || createdAt === null) return null;
    const feed = alertFeedKeys({ userId, id, createdAt });
    return conditionalUpdate(
      tableName, item, this,
      { expression: "SET #gsi3pk = :gsi3pk, #gsi3sk = :gsi3sk", names: { "#gsi3sk": "gsi3sk" }, values: { ":gsi3pk": feed.gsi3pk, ":gsi3sk": feed.gsi3sk } },
      { id, userId, createdAt },
    );
  },
};

/** Every migration, in the order `npm run migrate` runs them. */
export const migrations: readonly Migration[] = [holdTtl, listIndex, alertFeedIndex];

/** Where a migration's scan is: each segment's next start key (`{}`: from the start), or null once the segment is done. */
export interface MigrationCursor {
  migration: string;
  segments: (Item | null)[];
}

/** What one migration did (or, in a dry run, would do). */
export interface MigrationReport {
  name: string;
  dryRun: boolean;
  /** Items the Scan read (before its filter). */
  scanned: number;
  /** Items still of the old shape. */
  old: number;
  /** Items updated (a dry run: 0). */
  updated: number;
  /** Old items whose update found them changed (a concurrent write, or another run, got there first). */
  changedMeanwhile: number;
  /** Old items whose new value cannot be derived (an attribute it derives from is missing). */
  underivable: number;
  /** Read units the Scan consumed, as DynamoDB reported them. */
  readUnits: number;
  /** Write units the updates consumed, as DynamoDB reported them (a refused conditional update's unit is not reported). */
  writeUnits: number;
  /** Where to resume from; every segment null once the scan is done. */
  cursor: MigrationCursor;
}

/** A migration stopped by an error; `report.cursor` is where to resume. */
export class MigrationStopped extends Error {
  constructor(
    readonly report: MigrationReport,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause));
    this.name = "MigrationStopped";
  }
}

export interface RunMigrationOptions {
  dryRun?: boolean;
  /** Parallel scan segments (Scan's TotalSegments), 1 by default. */
  segments?: number;
  /** Where an interrupted run stopped (its last report's cursor). */
  resume?: MigrationCursor;
  /** Items a Scan page reads at most. */
  pageSize?: number;
  /** Called after every scanned page with the totals so far. */
  onProgress?: (report: MigrationReport) => void;
}

/**
 * Runs one migration over the table: a (parallel) Scan for items of the old shape, one
 * conditional UpdateItem per item. A DynamoDB error other than a failed condition (the SDK
 * has retried throttling already) stops every segment and is thrown as a
 * {@link MigrationStopped} carrying the report so far, whose cursor resumes the run.
 */
export async function runMigration(client: DynamoDBClient, tableName: string, m: Migration, options: RunMigrationOptions = {}): Promise<MigrationReport> {
  const doc = DynamoDBDocumentClient.from(client);
  const dryRun = options.dryRun ?? false;
  if (options.resume && options.resume.migration !== m.name) throw new Error(`the cursor is of migration ${options.resume.migration}, not ${m.name}`);
  const starts: (Item | null)[] = options.resume?.segments.slice() ?? Array.from({ length: options.segments ?? 1 }, () => ({}));
  const report: MigrationReport = {
    name: m.name, dryRun, scanned: 0, old: 0, updated: 0, changedMeanwhile: 0, underivable: 0, readUnits: 0, writeUnits: 0,
    cursor: { migration: m.name, segments: starts.slice() },
  };
  const reads = m.reads.map((a, i) => [`#read${i}`, a] as const);

  let stopped = false;
  const segment = async (index: number): Promise<void> => {
    let start = starts[index];
    while (start && !stopped) {
      const page = await doc.send(
        new ScanCommand({
          TableName: tableName,
          Segment: index,
          TotalSegments: starts.length,
          FilterExpression: m.oldShape.expression,
          ExpressionAttributeNames: { ...m.oldShape.names, ...Object.fromEntries(reads), "#pk": "pk", "#sk": "sk" },
          ExpressionAttributeValues: m.oldShape.values,
          ProjectionExpression: ["#pk", "#sk", ...reads.map(([ref]) => ref)].join(", "),
          ...(Object.keys(start).length === 0 ? {} : { ExclusiveStartKey: start }),
          ...(options.pageSize ? { Limit: options.pageSize } : {}),
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      report.scanned += page.ScannedCount ?? 0;
      report.readUnits += readUnitsOf(page.ConsumedCapacity);
      for (const item of page.Items ?? []) {
        report.old++;
        const update = m.plan(tableName, item);
        if (update === null) {
          report.underivable++;
          continue;
        }
        if (dryRun) continue;
        try {
          const out = await doc.send(new UpdateCommand(update));
          report.updated++;
          report.writeUnits += out.ConsumedCapacity?.CapacityUnits ?? 0;
        } catch (e) {
          if ((e as { name?: string }).name !== "ConditionalCheckFailedException") throw e;
          report.changedMeanwhile++;
        }
      }
      start = page.LastEvaluatedKey ?? null;
      report.cursor.segments[index] = start;
      options.onProgress?.(report);
    }
  };
  // Settled, not raced: the report's cursor is final only once no segment is still paging.
  const outcomes = await Promise.allSettled(
    starts.map((_, i) =>
      segment(i).catch((e: unknown) => {
        stopped = true;
        throw e;
      }),
    ),
  );
  const failure = outcomes.find((o) => o.status === "rejected");
  if (failure) throw new MigrationStopped(report, failure.reason);
  return report;
}
