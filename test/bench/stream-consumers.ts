/**
 * The two stream consumers (analytics, alerts: the real handlers from packages/functions,
 * with the filters and batch sizes of their event source mappings) fed by the local stream
 * pump from DynamoDB Local's real stream, publishing to the local EventBridge sink.
 *
 * N spends are written through core's Ledger (round-robin over A spread accounts, a few
 * writers at once); the clock runs from the first write until `drain()` resolves, i.e.
 * until every record written so far has been handed to both consumers and settled. A
 * second `drain()` then waits for the records analytics itself wrote meanwhile (its
 * account-day changes, which the alerts consumer subscribes to).
 *
 * Request units: every SDK call the handlers make is counted by operation, with the
 * ConsumedCapacity DynamoDB Local returned where the handler asked for it (sdk-meter.ts),
 * and the analytics units are also computed by AWS's size rules from the real aggregate
 * items the run left behind.
 */
import { GetItemCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { accountPk, dayOf, loadConfig, monthOf } from "@nyang/core";
import { makeHandler as makeAlerts } from "@nyang/functions/stream/alerts";
import { makeHandler as makeAnalytics } from "@nyang/functions/stream/analytics";
import { streamSubscriptions } from "@nyang/functions/stream/subscriptions";
import { startEventBridgeSink, startStreamPump, type ConsumerStats, type StreamHandler } from "@nyang/local";
import type { Context, DynamoDBStreamEvent } from "aws-lambda";
import { cpuBetween, NOISY_CORES, sampleCpu, waitForQuiet, type CpuUse } from "./cpu.ts";
import { BENCH_TABLE, benchRuntime, coreLedger, ensureAccounts, spreadAccountIds, type Dynamo } from "./environment.ts";
import { itemSize, type Item } from "./item-size.ts";
import { abortSignal, onCleanup, progress, throwIfAborted } from "./lifecycle.ts";
import { describeErrors, runLoad, type LoadResult } from "./load.ts";
import type { BenchOptions } from "./options.ts";
import type { Units } from "./request-units.ts";
import { installSdkMeter, tallyDelta, type CallTally } from "./sdk-meter.ts";
import { SERVICE, SPREAD_COINS } from "./spend-throughput.ts";
import { ms, num, summarize, type LatencySummary } from "./stats.ts";

const CONSUMERS = ["analytics", "alerts"] as const;
type ConsumerName = (typeof CONSUMERS)[number];

/** Spends in flight at once, written through core's Ledger side by side with the consumers. */
const WRITERS = 8;
/** Spends on the one account of the hot round: two full batches (less than one with --quick). */
const HOT_SPENDS = { default: 200, quick: 60 };
/** Lambda polls a stream about 4 times a second; the pump's default is the same. */
const POLL_INTERVAL_MS = 250;
/** The platform's day is spread over this many items (packages/core/src/store/aggregates-store.ts). */
const PLATFORM_SHARDS = 8;
/** Allowance for the runs' two seqs growing to 6 digits at 100,000+ entries a day. */
const PROJECTION_SEQ_BYTES = 4;

export interface ConsumerFigures {
  name: ConsumerName;
  batchSize: number;
  filters: string;
  /** What the pump counted over the round. */
  stats: ConsumerStats;
  /** Invocations timed by the bench's wrapper around the handler, and the records they held. */
  invocations: number;
  records: number;
  /** Summed wall time inside the handler. */
  handlerMs: number;
  /** Per invocation (one batch). */
  batchMs: LatencySummary;
  /** SDK calls the handler made, per operation (DynamoDB, PutEvents to the sink, …). */
  calls: Map<string, CallTally>;
}

/**
 * live: the consumers run while the spends are written; backlog: they are held until all
 * are written, then drain them on their own; hot: the same with every spend on one account.
 */
export type RoundKind = "live" | "backlog" | "hot";

export interface RoundFigures {
  kind: RoundKind;
  accounts: number;
  /** The spends written through core. */
  writes: LoadResult;
  /** Live: first write → the first drain() resolved. Backlog: consumers released → the first drain() resolved. */
  drainMs: number;
  /** The same → the second drain() resolved (the alerts consumer has seen analytics' own writes too). */
  cascadeMs: number;
  /** Live: writing and consuming; backlog: consuming only (release → second drain). */
  cpu: CpuUse;
  consumers: ConsumerFigures[];
  events: { ledgerEntryCreated: number; distinctEntries: number; alertRaised: number };
  givenUp: number;
}

export interface ConsumerUnits {
  name: ConsumerName;
  round: RoundKind;
  /** Per ledger entry: as DynamoDB Local reported them to the handler, and computed. */
  measured: Units;
  computed: Units;
  computedFrom: string;
  /** DynamoDB calls that returned no ConsumedCapacity (the handler did not ask for it). */
  unreportedCalls: number;
}

export interface ProjectionRow {
  entriesPerDay: number;
  /** The account's day item after the day's last entry. */
  itemBytes: number;
  /** Mean per entry over the day. */
  perEntry: Units;
  /** The entry at which the day item would pass 400 KB, when it does. */
  overLimitAt: number | undefined;
}

export interface StreamResult {
  spends: number;
  writers: number;
  pollIntervalMs: number;
  shards: number;
  rounds: RoundFigures[];
  /** Measured in every round; computed for the live round only. */
  units: ConsumerUnits[];
  /** What the aggregates say after the live round: usage counted on its spends' account days. */
  check: { dayItems: number; usageCount: number; expected: number };
  sizes: { accountDay: number; platformDay: number; byDayEntry: number };
  projection: ProjectionRow[];
  /** Entries in one business day after which an account's day item passes 400 KB (projection's seq size). */
  entriesToItemLimit: number;
}

/**
 * Per-entry analytics units by AWS's rules for an account day item that is `sizes[i]`
 * bytes after its (i+1)-th entry: a strongly consistent GetItem of the item as it was
 * (a miss for the first entry still costs 1), and a TransactWriteItems of the account day
 * (2 WRU per KB of the larger image, i.e. the new one) and the platform day shard, plus
 * the byDay index entry (1 WRU per KB: a put for the day's first usage, an update after).
 */
function analyticsUnits(sizes: readonly number[], platformBytes: number, byDayEntryBytes: number): Units {
  let read = 0;
  let write = 0;
  const platform = 2 * Math.max(1, Math.ceil(platformBytes / 1024));
  const index = Math.max(1, Math.ceil(byDayEntryBytes / 1024));
  sizes.forEach((size, i) => {
    read += Math.max(1, Math.ceil((i === 0 ? 0 : sizes[i - 1]!) / 4096));
    write += 2 * Math.max(1, Math.ceil(size / 1024)) + platform + index;
  });
  return { read: read / sizes.length, write: write / sizes.length };
}

/**
 * An account day's size after each of the entries it counted. Its redelivery guard is a few
 * runs of consecutive seqs (`counted`, analytics/counted.ts), which do not grow with the day's
 * entries: every entry rewrote an item of (within a few bytes) its final size.
 */
function sizesAfterEachEntry(item: Item): number[] {
  return Array.from({ length: Number(item.countedEntries?.N ?? 0) }, () => itemSize(item));
}

const DYNAMODB_OPERATIONS = new Set([
  "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "TransactWriteItems", "TransactGetItems", "BatchGetItem", "BatchWriteItem",
]);
export const isDynamoOperation = (op: string) => DYNAMODB_OPERATIONS.has(op);
/** Units an unreported call is priced at: the minimum for its kind (items under 1 KB, reads under 4 KB). */
const MINIMUM_UNITS: Record<string, Units> = {
  GetItem: { read: 1, write: 0 },
  Query: { read: 0.5, write: 0 },
  Scan: { read: 0.5, write: 0 },
  PutItem: { read: 0, write: 1 },
  UpdateItem: { read: 0, write: 1 },
  DeleteItem: { read: 0, write: 1 },
};

/** A gate the consumers' handlers wait at (bounded by the run's abort) until it opens. */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
    abortSignal.addEventListener("abort", () => resolve(), { once: true });
  });
  return { opened, open };
}

export async function runStreamConsumers(o: BenchOptions, dynamo: Dynamo): Promise<StreamResult> {
  const n = o.streamSpends;
  const config = loadConfig(process.env);
  const { ledger } = coreLedger();
  // Live and backlog rounds each have accounts of their own: the same day-item shape in both.
  const all = spreadAccountIds((o.quick ? 1 : 2) * o.streamAccounts);
  const liveIds = all.slice(0, o.streamAccounts);
  const backlogIds = all.slice(o.streamAccounts);
  const hotId = "bench-stream-hot";
  // Before the pump starts at LATEST: their opening entries are not the rounds' business.
  await ensureAccounts(ledger, [...all, hotId], SPREAD_COINS);

  // The sink first: the handlers' runtime publishes to it.
  const sink = await startEventBridgeSink({ maxEvents: 4 * n + 1_000 });
  const closeSink = onCleanup("EventBridge sink", () => sink.close());
  const rt = benchRuntime({ NYANG_EVENTBRIDGE_ENDPOINT: sink.endpoint, NYANG_EVENT_BUS: "nyang-bench" });
  const handlers: Record<ConsumerName, StreamHandler> = { analytics: makeAnalytics(rt), alerts: makeAlerts(rt) };

  const meter = installSdkMeter();
  const timing = Object.fromEntries(CONSUMERS.map((c) => [c, { invocations: 0, records: 0, handlerMs: 0, batchMs: [] as number[] }])) as Record<
    ConsumerName,
    { invocations: number; records: number; handlerMs: number; batchMs: number[] }
  >;
  let held: ReturnType<typeof gate> | undefined;
  const timed =
    (name: ConsumerName): StreamHandler =>
    async (event: DynamoDBStreamEvent, context: Context) => {
      if (held) await held.opened;
      const t0 = performance.now();
      try {
        return await meter.run(name, () => handlers[name](event, context));
      } finally {
        const t = timing[name];
        const took = performance.now() - t0;
        t.invocations++;
        t.records += event.Records.length;
        t.handlerMs += took;
        t.batchMs.push(took);
      }
    };
  let givenUp = 0;
  const pump = await startStreamPump({
    endpoint: dynamo.endpoint,
    tableName: BENCH_TABLE,
    startAt: "latest",
    pollIntervalMs: POLL_INTERVAL_MS,
    log: (l) => progress(`  ${l}`),
    consumers: CONSUMERS.map((name) => ({
      name,
      handler: timed(name),
      filters: streamSubscriptions[name].filters,
      batchSize: streamSubscriptions[name].batchSize,
      maximumRetryAttempts: streamSubscriptions[name].maximumRetryAttempts,
      bisectBatchOnFunctionError: streamSubscriptions[name].bisectBatchOnFunctionError,
      // The backlog round holds the first invocation until every spend is written.
      timeoutMs: 900_000,
      onFailure: (records) => {
        givenUp += records.length;
      },
    })),
  });
  const stopPump = onCleanup("stream pump", () => pump.stop());
  // Registered after the pump, so it runs first on cleanup: a held handler lets go before the pump waits for it.
  onCleanup("stream consumers' gate", () => held?.open());
  const drainTimeoutMs = o.quick ? 60_000 : 180_000;
  const drain = () => pump.drain({ timeoutMs: drainTimeoutMs });

  // Warm-up (not measured): the handlers' runtime is built on their first record, and JIT.
  const warmIds = Array.from({ length: 10 }, (_, i) => `bench-stream-warm-${i}`);
  await ensureAccounts(ledger, warmIds, 100);
  for (let round = 0; round < 2; round++) {
    await Promise.all(warmIds.map((u) => ledger.spend(u, { serviceType: SERVICE }, { key: `stream-warm-${round}` })));
  }
  await drain();
  await drain();
  throwIfAborted();
  if (!sink.events.some((e) => e.detailType === "LedgerEntryCreated")) {
    throw new Error("the warm-up's entries published no LedgerEntryCreated to the local EventBridge sink");
  }
  progress(`stream consumers warmed up (${sink.events.length} events on the sink)`);

  const written = new Map<RoundKind, { userId: string; id: string; day: string }[]>();

  const round = async (kind: RoundKind, ids: readonly string[], spends: number, writers: number): Promise<RoundFigures> => {
    if (o.settleSeconds > 0) await waitForQuiet(dynamo.jvmPid, o.settleSeconds * 1000, NOISY_CORES, abortSignal);
    throwIfAborted();
    progress(
      `stream ${kind}: writing ${spends} spends over ${ids.length} account(s), ${writers} writer(s)${kind === "live" ? "" : ", consumers held until all are written"}…`,
    );
    const statsBefore = pump.stats.consumers;
    const callsBefore = meter.snapshot();
    const timingBefore = structuredClone(timing);
    const eventsBefore = sink.events.length;
    const givenUpBefore = givenUp;
    if (kind !== "live") held = gate();
    const mine: { userId: string; id: string; day: string }[] = [];
    const cpu0 = sampleCpu(dynamo.jvmPid);
    const t0 = performance.now();
    const writes = await runLoad({
      concurrency: writers,
      maxOps: spends,
      maxMs: o.quick ? 30_000 : 120_000,
      signal: abortSignal,
      jvmPid: dynamo.jvmPid,
      op: async (i) => {
        const userId = ids[i % ids.length]!;
        const r = await ledger.spend(userId, { serviceType: SERVICE }, { key: `stream-${kind}-${i}` });
        mine.push({ userId, id: r.entry.id, day: dayOf(r.entry.createdAt, config.dayUtcOffsetHours) });
        return { ok: true };
      },
    });
    throwIfAborted();
    progress(`  ${writes.ok} spends written in ${(writes.elapsedMs / 1000).toFixed(1)} s${writes.failed ? `, FAILED ${describeErrors(writes.errors)}` : ""}; draining…`);
    const from = kind === "live" ? t0 : performance.now();
    const cpuFrom = kind === "live" ? cpu0 : sampleCpu(dynamo.jvmPid);
    held?.open();
    await drain();
    const drainMs = performance.now() - from;
    await drain();
    const cascadeMs = performance.now() - from;
    const cpu = cpuBetween(cpuFrom, sampleCpu(dynamo.jvmPid));
    held = undefined;
    const byConsumer = tallyDelta(meter.snapshot(), callsBefore);
    const statsAfter = pump.stats.consumers;
    const events = sink.events.slice(eventsBefore);
    progress(
      `  ${kind === "live" ? "first write" : "release"} → drain() ${ms(drainMs)}, → second drain() ${ms(cascadeMs)}; ` +
        `${events.length} events on the sink; ${givenUp - givenUpBefore} records given up`,
    );
    written.set(kind, mine);
    const ids2 = new Set(mine.map((w) => w.id));
    const ledgerEvents = events.filter((e) => e.detailType === "LedgerEntryCreated" && ids2.has((e.detail as { id?: string }).id ?? ""));
    return {
      kind,
      accounts: ids.length,
      writes,
      drainMs,
      cascadeMs,
      cpu,
      givenUp: givenUp - givenUpBefore,
      events: {
        ledgerEntryCreated: ledgerEvents.length,
        distinctEntries: new Set(ledgerEvents.map((e) => (e.detail as { id: string }).id)).size,
        alertRaised: events.filter((e) => e.detailType === "AlertRaised").length,
      },
      consumers: CONSUMERS.map((name): ConsumerFigures => {
        const before = timingBefore[name];
        const t = timing[name];
        const s = statsAfter[name]!;
        const b = statsBefore[name]!;
        return {
          name,
          batchSize: streamSubscriptions[name].batchSize,
          filters: describeFilters(streamSubscriptions[name].filters),
          stats: Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v - (b[k as keyof ConsumerStats] ?? 0)])) as unknown as ConsumerStats,
          invocations: t.invocations - before.invocations,
          records: t.records - before.records,
          handlerMs: t.handlerMs - before.handlerMs,
          batchMs: summarize(t.batchMs.slice(before.batchMs.length)),
          calls: byConsumer.get(name) ?? new Map(),
        };
      }),
    };
  };

  const rounds = [await round("live", liveIds, n, WRITERS)];
  // --quick keeps to the live and hot rounds.
  if (!o.quick) rounds.push(await round("backlog", backlogIds, n, WRITERS));
  // One writer: the ledger's own contention on a hot account is the spend matrix's business.
  rounds.push(await round("hot", [hotId], Math.min(n, o.quick ? HOT_SPENDS.quick : HOT_SPENDS.default), 1));
  const shards = pump.stats.shards;
  await stopPump();
  await closeSink();

  // What the aggregates hold after the live round, and the real items the computed units are made from.
  const live = written.get("live")!;
  const dayKeys = [...new Set(live.map((w) => `${w.userId}\n${w.day}`))].map((k) => k.split("\n") as [string, string]);
  const dayItems = (await mapLimit(dayKeys, 16, ([userId, day]) => getItem(dynamo.raw, accountPk(userId), `DAY#${day}`))).filter((i): i is Item => !!i);
  const days = [...new Set(live.map((w) => w.day))];
  const platformItems = (
    await mapLimit(
      days.flatMap((day) => Array.from({ length: PLATFORM_SHARDS }, (_, s) => [day, s] as const)),
      8,
      ([day, s]) => getItem(dynamo.raw, `PLATFORM#${monthOf(day)}#${s}`, `DAY#${day}`),
    )
  ).filter((i): i is Item => !!i);
  if (dayItems.length === 0 || platformItems.length === 0) throw new Error("the analytics consumer left no account or platform day items");
  const usageCount = dayItems.reduce((sum, i) => sum + Number(i.usageCount?.N ?? 0), 0);

  const accountDaySizes = dayItems.map(itemSize).sort((a, b) => a - b);
  const platformBytes = Math.max(...platformItems.map(itemSize));
  const byDayEntry = (item: Item) =>
    Object.fromEntries(["pk", "sk", "gsi2pk", "gsi2sk", "userId", "day", "usageCoins", "usageCount"].filter((k) => k in item).map((k) => [k, item[k]!]));
  const byDayEntryBytes = Math.max(...dayItems.map((i) => itemSize(byDayEntry(i))));

  // Analytics, computed from each account day's own growth: its size after each of its entries.
  const perItem = dayItems.map(sizesAfterEachEntry);
  const analyticsComputed = weighted(perItem.map((sizes) => ({ units: analyticsUnits(sizes, platformBytes, byDayEntryBytes), weight: sizes.length })));

  // The runs hold two numbers per gap, one run once the day's records are in: the item's size is
  // that of this run's item, plus the seqs' extra digits at k entries (a 6-digit seq where this run had fewer).
  const projectionBase = itemSize(dayItems[0]!);
  // The item no longer grows with the day's entries: no count of entries reaches DynamoDB's 400 KB limit.
  const entriesToItemLimit = Number.POSITIVE_INFINITY;
  const projection: ProjectionRow[] = [10, 100, 1_000, 10_000, 100_000, 200_000].map((k) => {
    const sizes = Array.from({ length: k }, () => projectionBase + PROJECTION_SEQ_BYTES);
    return {
      entriesPerDay: k,
      itemBytes: sizes[sizes.length - 1]!,
      perEntry: analyticsUnits(sizes, platformBytes, byDayEntryBytes),
      overLimitAt: undefined,
    };
  });

  const units = rounds.flatMap((x) =>
    x.consumers.map((c): ConsumerUnits => {
      const entries = Math.max(1, x.writes.ok);
      const dynamoOps = [...c.calls].filter(([op]) => isDynamoOperation(op));
      const measured = dynamoOps.reduce((u, [, t]) => ({ read: u.read + t.read, write: u.write + t.write }), { read: 0, write: 0 });
      // Failed calls (a cancelled transaction) return no capacity either; they are counted apart.
      const unreportedCalls = dynamoOps.reduce((sum, [, t]) => sum + (t.calls - t.reported - t.failed), 0);
      const perEntry = { read: measured.read / entries, write: measured.write / entries };
      if (x.kind !== "live") {
        return { name: c.name, round: x.kind, measured: perEntry, unreportedCalls, computed: { read: Number.NaN, write: Number.NaN }, computedFrom: "" };
      }
      if (c.name === "analytics") {
        return {
          name: c.name,
          round: x.kind,
          measured: perEntry,
          unreportedCalls,
          computed: analyticsComputed,
          computedFrom:
            `one apply per entry (no lost race): GetItem (strongly consistent) of the account's day item ${num(analyticsComputed.read, 2)} R; TransactWriteItems: account day 2 × ⌈size/1 KB⌉ + ` +
            `platform day shard 2 × ⌈${platformBytes} B/1 KB⌉ + byDay index entry (${byDayEntryBytes} B) 1 W = ${num(analyticsComputed.write, 2)} W, ` +
            `from each account day's size after each of its entries (${accountDaySizes[0]}–${accountDaySizes[accountDaySizes.length - 1]} B after the last)`,
        };
      }
      // Whatever else a consumer does, priced per call: reported units where the call asked for them, else the minimum for its kind.
      let read = 0;
      let write = 0;
      const parts: string[] = [];
      for (const [op, t] of dynamoOps) {
        const min = MINIMUM_UNITS[op] ?? { read: 0, write: 0 };
        const unreported = t.calls - t.reported;
        const r = t.read + unreported * min.read;
        const w = t.write + unreported * min.write;
        read += r;
        write += w;
        parts.push(`${t.calls} ${op} (${unreported === 0 ? "as reported" : `${unreported} unreported, at the minimum ${min.read ? `${min.read} R` : `${min.write} W`}`}: ${num(r + w, 1)})`);
      }
      return {
        name: c.name,
        round: x.kind,
        measured: perEntry,
        unreportedCalls,
        computed: { read: read / entries, write: write / entries },
        computedFrom: `${parts.length ? parts.join(", ") : "no DynamoDB calls"} for ${x.writes.ok} entries`,
      };
    }),
  );

  return {
    spends: n,
    writers: WRITERS,
    pollIntervalMs: POLL_INTERVAL_MS,
    shards,
    rounds,
    units,
    check: { dayItems: dayItems.length, usageCount, expected: rounds[0]!.writes.ok },
    sizes: { accountDay: accountDaySizes[Math.floor(accountDaySizes.length / 2)]!, platformDay: platformBytes, byDayEntry: byDayEntryBytes },
    projection,
    entriesToItemLimit,
  };
}

function weighted(parts: { units: Units; weight: number }[]): Units {
  const total = parts.reduce((s, p) => s + p.weight, 0) || 1;
  return {
    read: parts.reduce((s, p) => s + p.units.read * p.weight, 0) / total,
    write: parts.reduce((s, p) => s + p.units.write * p.weight, 0) / total,
  };
}

/** `INSERT of kind=entry; INSERT/MODIFY of kind=account_day` from Lambda filter patterns. */
function describeFilters(filters: readonly Record<string, unknown>[]): string {
  return filters
    .map((f) => {
      const events = (f.eventName as string[] | undefined)?.join("/") ?? "any";
      const kind = ((f.dynamodb as { NewImage?: { kind?: { S?: string[] } } } | undefined)?.NewImage?.kind?.S ?? []).join("|");
      return `${events} of kind=${kind || "any"}`;
    })
    .join("; ");
}

async function getItem(raw: DynamoDBClient, pk: string, sk: string): Promise<Item | undefined> {
  const out = await raw.send(new GetItemCommand({ TableName: BENCH_TABLE, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }));
  return out.Item;
}

/** `fn` over `items`, at most `limit` at a time, results in order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        throwIfAborted();
        const at = next++;
        out[at] = await fn(items[at]!);
      }
    }),
  );
  return out;
}

/** Records per second inside the handler, 0 when it never ran. */
export const handlerRate = (c: ConsumerFigures) => (c.handlerMs > 0 ? c.records / (c.handlerMs / 1000) : Number.NaN);
