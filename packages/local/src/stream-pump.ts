/**
 * The local stand-in for Lambda's DynamoDB event source mappings: reads the table's real
 * stream from DynamoDB Local and hands the records to stream handlers in Lambda's
 * `DynamoDBStreamEvent` shape, with the delivery rules Lambda applies on AWS.
 *
 * Each consumer behaves like one event source mapping:
 * - It has its own position in every shard (its own iterators), so one consumer retrying
 *   never holds another back — and each consumer is one more reader of every shard, which
 *   is why AWS advises at most two (see ARCHITECTURE.md).
 * - Records its filters reject are dropped and never delivered (FilterCriteria).
 * - Batches hold up to `batchSize` records of ONE shard, in shard order; one batch per shard
 *   is in flight at a time, shards run side by side.
 * - A `{ batchItemFailures }` reply (ReportBatchItemFailures) makes the batch run again from
 *   the LOWEST failed sequence number: records after it are delivered again too, as on AWS.
 * - A throw (or a timeout, or a malformed failure report) fails the whole batch: it is split
 *   in two and each half retried on its own when bisecting is on (a split resets the retry
 *   count, as Lambda does), else retried whole. After `maximumRetryAttempts` retries the
 *   records go to `onFailure` (the on-failure destination) and the shard moves on, so a
 *   poison record never blocks it for good.
 * - A parent shard is read to its end before its children start (shard rollover keeps
 *   per-item order across shards). DynamoDB Local rolls a table's shard every 4 hours.
 * - An expired iterator (15 minutes unused, e.g. a laptop asleep) is replaced by one
 *   AFTER_SEQUENCE_NUMBER the last record read, so nothing is lost or read twice.
 *
 * Positions live in memory, and in `checkpointFile` when given (stream-checkpoints.ts): a
 * pump restarted with the same file resumes each consumer AFTER_SEQUENCE_NUMBER of the last
 * record it was done with, as an event source mapping does; shards without a checkpoint
 * start at `startAt` (or, when they appeared later, at their start).
 */
import { lambdaContext } from "./lambda-context.ts";
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamsRecord,
  type AttributeValue as StreamsAttributeValue,
  type Shard,
  type ShardIteratorType,
} from "@aws-sdk/client-dynamodb-streams";
import type { AttributeValue, Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { localDynamoClient } from "./ensure-table.ts";
import { StreamCheckpoints } from "./stream-checkpoints.ts";
import { compileFilters, type FilterInput } from "./stream-filter.ts";

/**
 * A stream Lambda handler, as the stream consumers in packages/functions are written. Its
 * reply is read the way Lambda reads it (see readBatchResponse): a `DynamoDBBatchResponse`
 * reports partial failures, anything else that is not one counts as success.
 */
export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | unknown>;

/** What `onFailure` learns about records that are given up on. */
export interface StreamFailureInfo {
  consumer: string;
  streamArn: string;
  shardId: string;
  /** Invocations of these records' last batch (1 + retries). */
  attempts: number;
}

/** One subscriber, i.e. one event source mapping. */
export interface StreamConsumer {
  /** The function name (Lambda context `functionName`); unique within a pump. */
  name: string;
  handler: StreamHandler;
  /** Lambda FilterCriteria patterns, OR'ed; as objects or Pattern JSON strings. */
  filters?: readonly FilterInput[];
  /** Records per invocation, 1–10 000 (default 100, Lambda's default for DynamoDB). */
  batchSize?: number;
  /** Gather records this long before invoking with less than a full batch (default 0: invoke at once). */
  maxBatchingWindowMs?: number;
  /** Retries of a failing batch before its records go to `onFailure`; -1 retries forever (default 3). */
  maximumRetryAttempts?: number;
  /** Split a failing batch in two and retry each half (default true). */
  bisectBatchOnFunctionError?: boolean;
  /** Honour `{ batchItemFailures }` replies, i.e. FunctionResponseTypes ReportBatchItemFailures (default true). */
  reportBatchItemFailures?: boolean;
  /** An invocation running longer than this fails like a Lambda timeout (default 30 000 ms). */
  timeoutMs?: number;
  /** The on-failure destination: records given up on, with the last error. Its own errors are logged. */
  onFailure?: (records: DynamoDBRecord[], error: unknown, info: StreamFailureInfo) => void | Promise<void>;
}

export interface StreamPumpOptions {
  /** DynamoDB Local's endpoint, e.g. `http://127.0.0.1:8000`. */
  endpoint: string;
  tableName: string;
  consumers: readonly StreamConsumer[];
  /** Wait between reads of a shard that had nothing new (default 250 ms; Lambda polls about 4 times a second). */
  pollIntervalMs?: number;
  /** Where the shards present at start are read from (default `trim_horizon`); shards that appear later are read from their start. */
  startAt?: "trim_horizon" | "latest";
  /** How often the shard list is re-read to find new shards (default 5 000 ms; also done when a shard closes and on `drain()`). */
  shardRefreshMs?: number;
  /** Pause before retrying a failed batch (default 50 ms). */
  retryDelayMs?: number;
  /** Pump diagnostics, one line each (default console.log). */
  log?: (line: string) => void;
  /** A streams client of your own (e.g. with test middleware); the pump leaves it open on stop. */
  streamsClient?: DynamoDBStreamsClient;
  /** A DynamoDB client of your own for `DescribeTable`; the pump leaves it open on stop. */
  dynamoClient?: DynamoDBClient;
  /**
   * A file that keeps every consumer's position in every shard across restarts (created when
   * missing). A checkpoint wins over `startAt`; checkpoints of another stream are ignored.
   */
  checkpointFile?: string;
}

export interface ConsumerStats {
  invocations: number;
  /** Records handed to the handler, re-deliveries included. */
  recordsDelivered: number;
  /** Records its filters dropped. */
  recordsSkipped: number;
  /** Records whose delivery finally succeeded. */
  recordsSucceeded: number;
  /** Records given to `onFailure`. */
  recordsFailed: number;
  /** Invocations that threw, timed out or answered a malformed failure report. */
  functionErrors: number;
  /** Invocations answered with a non-empty `batchItemFailures`. */
  partialFailures: number;
  retries: number;
  bisections: number;
}

export interface StreamPumpStats {
  streamArn: string;
  /** Shards seen in the stream. */
  shards: number;
  getRecordsCalls: number;
  /** Records read (by every consumer: each reads for itself). */
  recordsRead: number;
  /** Iterators replaced after ExpiredIteratorException, TrimmedDataAccessException or a missing NextShardIterator on an open shard. */
  iteratorRefreshes: number;
  /** Reads or shard-list refreshes that failed (logged, retried). */
  pollErrors: number;
  consumers: Record<string, ConsumerStats>;
}

export interface StreamPump {
  readonly streamArn: string;
  /** A snapshot of the counters. */
  readonly stats: StreamPumpStats;
  /**
   * Resolves once every record written before the call has been handed to every consumer
   * whose filters accept it, and its retries have settled (delivered or given to onFailure).
   * Rejects after `timeoutMs` (default 30 000) naming what is still pending, or on `stop()`.
   */
  drain(options?: { timeoutMs?: number }): Promise<void>;
  /** Stops polling, waits for invocations in flight (bounded by their timeout), closes its clients. Idempotent. */
  stop(): Promise<void>;
}

/** GetRecords' maximum page. */
const GET_RECORDS_LIMIT = 1000;

/** Starts the pump; resolves once the stream is found and every starting iterator is pinned. */
export async function startStreamPump(options: StreamPumpOptions): Promise<StreamPump> {
  const pump = new Pump(options);
  try {
    await pump.start();
  } catch (error) {
    await pump.stop();
    throw error;
  }
  return pump;
}

// ---- configuration ----

interface ConsumerRuntime {
  name: string;
  handler: StreamHandler;
  accepts: (record: DynamoDBRecord) => boolean;
  batchSize: number;
  maxBatchingWindowMs: number;
  maximumRetryAttempts: number;
  bisect: boolean;
  reportBatchItemFailures: boolean;
  timeoutMs: number;
  onFailure: StreamConsumer["onFailure"];
  stats: ConsumerStats;
  /** This consumer's run of each shard it has started, by shard id. */
  runs: Map<string, ShardRun>;
}

function resolveConsumers(consumers: readonly StreamConsumer[], log: (line: string) => void): ConsumerRuntime[] {
  if (consumers.length === 0) throw new Error("startStreamPump needs at least one consumer");
  const names = new Set<string>();
  const resolved = consumers.map((c) => {
    if (!c.name) throw new Error("every stream consumer needs a name");
    if (names.has(c.name)) throw new Error(`two stream consumers are named ${c.name}`);
    names.add(c.name);
    const batchSize = c.batchSize ?? 100;
    checkRange(c.name, "batchSize", batchSize, 1, 10_000);
    const maximumRetryAttempts = c.maximumRetryAttempts ?? 3;
    checkRange(c.name, "maximumRetryAttempts", maximumRetryAttempts, -1, 10_000);
    const maxBatchingWindowMs = c.maxBatchingWindowMs ?? 0;
    checkRange(c.name, "maxBatchingWindowMs", maxBatchingWindowMs, 0, 300_000);
    const timeoutMs = c.timeoutMs ?? 30_000;
    checkRange(c.name, "timeoutMs", timeoutMs, 1, 900_000);
    // Compiled now so a bad pattern fails at start, as Lambda refuses it at CreateEventSourceMapping.
    const accepts = compileFilters(c.filters);
    return {
      name: c.name,
      handler: c.handler,
      accepts,
      batchSize,
      maxBatchingWindowMs,
      maximumRetryAttempts,
      bisect: c.bisectBatchOnFunctionError ?? true,
      reportBatchItemFailures: c.reportBatchItemFailures ?? true,
      timeoutMs,
      onFailure: c.onFailure,
      stats: emptyConsumerStats(),
      runs: new Map<string, ShardRun>(),
    };
  });
  if (resolved.length > 2) {
    log(`[stream] warning: ${resolved.length} consumers read every shard; AWS advises at most two readers per shard`);
  }
  return resolved;
}

function checkRange(consumer: string, field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`stream consumer ${consumer}: ${field} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

function emptyConsumerStats(): ConsumerStats {
  return {
    invocations: 0,
    recordsDelivered: 0,
    recordsSkipped: 0,
    recordsSucceeded: 0,
    recordsFailed: 0,
    functionErrors: 0,
    partialFailures: 0,
    retries: 0,
    bisections: 0,
  };
}

// ---- the pump ----

/** What the pump knows about a shard from DescribeStream. */
interface ShardInfo {
  id: string;
  parentId: string | undefined;
  /** It has an EndingSequenceNumber: no record will be added to it. */
  closed: boolean;
}

/** One consumer reading one shard. */
interface ShardRun {
  shardId: string;
  cursor: ShardCursor;
  done: boolean;
  /** Accepted records read but not yet delivered, in shard order. */
  buffer: DynamoDBRecord[];
  /** When the oldest buffered record was read (for maxBatchingWindowMs). */
  bufferedSince: number;
  /** Start time of the last read that found nothing new while nothing was left to deliver. */
  caughtUpAt: number;
  delivering: boolean;
  /** The last poll error's message, so a failing shard logs once rather than every poll. */
  lastError: string | undefined;
}

/** A contiguous slice of a batch still to deliver, with its retry count. */
interface Piece {
  records: DynamoDBRecord[];
  retries: number;
}

type Outcome = { kind: "ok" } | { kind: "partial"; from: number; failed: number } | { kind: "error"; error: unknown };

interface Sleeper {
  timer: NodeJS.Timeout;
  resolve: () => void;
  /** Poll waits are cut short by drain(); retry pauses are not. */
  pollWait: boolean;
}

class Pump implements StreamPump {
  streamArn = "";
  private readonly log: (line: string) => void;
  private readonly consumers: ConsumerRuntime[];
  private readonly streams: DynamoDBStreamsClient;
  private readonly dynamo: DynamoDBClient;
  private readonly ownsClients: { streams: boolean; dynamo: boolean };
  private readonly pollIntervalMs: number;
  private readonly shardRefreshMs: number;
  private readonly retryDelayMs: number;
  private readonly startAt: "trim_horizon" | "latest";
  private readonly shards = new Map<string, ShardInfo>();
  /** Shards that existed when the pump started: only they honour `startAt: "latest"`. */
  private initialShards: Set<string> | undefined;
  private readonly loops = new Set<Promise<void>>();
  private readonly sleepers = new Set<Sleeper>();
  private readonly listeners = new Set<() => void>();
  private readonly counters = { getRecordsCalls: 0, recordsRead: 0, iteratorRefreshes: 0, pollErrors: 0 };
  private refreshing: Promise<void> | undefined;
  private discovery: Promise<void> | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private checkpoints: StreamCheckpoints | undefined;

  constructor(private readonly options: StreamPumpOptions) {
    this.log = options.log ?? ((line) => console.log(line));
    this.consumers = resolveConsumers(options.consumers, this.log);
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.shardRefreshMs = options.shardRefreshMs ?? 5_000;
    this.retryDelayMs = options.retryDelayMs ?? 50;
    this.startAt = options.startAt ?? "trim_horizon";
    for (const [field, value, min] of [
      ["pollIntervalMs", this.pollIntervalMs, 1],
      ["shardRefreshMs", this.shardRefreshMs, 10],
      ["retryDelayMs", this.retryDelayMs, 0],
    ] as const) {
      if (!Number.isFinite(value) || value < min) throw new Error(`startStreamPump: ${field} must be at least ${min}, got ${value}`);
    }
    this.ownsClients = { streams: !options.streamsClient, dynamo: !options.dynamoClient };
    this.dynamo = options.dynamoClient ?? localDynamoClient(options.endpoint);
    this.streams = options.streamsClient ?? localStreamsClient(options.endpoint);
  }

  async start(): Promise<void> {
    this.streamArn = await latestStreamArn(this.dynamo, this.options.tableName);
    if (this.options.checkpointFile) this.checkpoints = StreamCheckpoints.open(this.options.checkpointFile, this.streamArn, { log: this.log });
    await this.refreshShards();
    this.discovery = this.discoverPeriodically();
    const names = this.consumers.map((c) => c.name).join(", ");
    const from = this.checkpoints ? `from checkpoints in ${this.options.checkpointFile}, else ${this.startAt}` : `from ${this.startAt}`;
    this.log(`[stream] reading ${this.options.tableName} (${this.shards.size} shard(s), ${from}) for ${names}`);
  }

  get stats(): StreamPumpStats {
    return {
      streamArn: this.streamArn,
      shards: this.shards.size,
      ...this.counters,
      consumers: Object.fromEntries(this.consumers.map((c) => [c.name, { ...c.stats }])),
    };
  }

  async drain(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.stopping) throw new Error("the stream pump is stopped");
    const mark = performance.now();
    // Everything written before `mark` is readable now (DynamoDB Local appends stream records
    // before the write returns), so a read that starts after `mark` and finds nothing proves
    // a shard is caught up. Cut the poll waits short instead of waiting them out.
    this.wakePollers();
    await this.refreshing?.catch(() => {});
    await this.refreshShards(); // one that starts after `mark`, to see every shard that exists
    await this.waitUntil(() => this.caughtUpSince(mark), options.timeoutMs ?? 30_000);
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      for (const sleeper of this.sleepers) this.wake(sleeper);
      this.notify();
      await Promise.allSettled([...this.loops, this.discovery, this.refreshing]);
      this.checkpoints?.flush();
      if (this.ownsClients.streams) this.streams.destroy();
      if (this.ownsClients.dynamo) this.dynamo.destroy();
    })();
    return this.stopped;
  }

  // ---- shards ----

  /** Re-reads the shard list and starts every run that can start. Concurrent calls share one refresh. */
  private refreshShards(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        for (const shard of await describeAllShards(this.streams, this.streamArn)) this.remember(shard);
        this.initialShards ??= new Set(this.shards.keys());
        await this.startRunnableShards();
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private remember(shard: Shard): void {
    const id = shard.ShardId;
    if (!id) return;
    const known = this.shards.get(id);
    const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
    if (known) {
      known.closed ||= closed;
      return;
    }
    this.shards.set(id, { id, parentId: shard.ParentShardId, closed });
    if (this.initialShards) this.log(`[stream] new shard ${id}${shard.ParentShardId ? ` (child of ${shard.ParentShardId})` : ""}`);
  }

  /**
   * Starts, for every consumer, the shards whose parent it has finished (or that have none
   * it knows). Safe to run concurrently: a run is created (synchronously) only once, and
   * only the call that created it starts its loop.
   */
  private async startRunnableShards(): Promise<void> {
    const created: [ConsumerRuntime, ShardRun][] = [];
    for (const consumer of this.consumers) {
      for (const shard of this.shards.values()) {
        if (this.stopping || consumer.runs.has(shard.id) || !this.parentFinished(consumer, shard)) continue;
        const run = this.newRun(consumer, shard);
        consumer.runs.set(shard.id, run);
        if (!run.done) created.push([consumer, run]);
      }
    }
    // Pinned before the loops start: with `latest`, records written right after start must be seen.
    await Promise.all(created.map(([consumer, run]) => run.cursor.open().catch((error: unknown) => this.pollFailed(consumer, run, error))));
    if (this.stopping) return;
    for (const [consumer, run] of created) this.startLoop(consumer, run);
  }

  private parentFinished(consumer: ConsumerRuntime, shard: ShardInfo): boolean {
    // A parent trimmed from the stream (older than 24 h) is as good as finished.
    if (!shard.parentId || !this.shards.has(shard.parentId)) return true;
    return consumer.runs.get(shard.parentId)?.done ?? false;
  }

  private newRun(consumer: ConsumerRuntime, shard: ShardInfo): ShardRun {
    const saved = this.checkpoints?.get(consumer.name, shard.id);
    const atStart = this.initialShards?.has(shard.id) ?? true;
    const latest = atStart && this.startAt === "latest" && saved === undefined;
    const run: ShardRun = {
      shardId: shard.id,
      cursor: new ShardCursor(
        this.streams,
        this.streamArn,
        shard.id,
        latest ? "LATEST" : "TRIM_HORIZON",
        { counters: this.counters, log: this.log, isClosed: () => this.isShardClosed(shard.id) },
        saved?.sequenceNumber,
      ),
      // With `latest`, a shard that was already closed at start has nothing after its end;
      // a checkpoint may say the consumer finished it before the restart.
      done: (latest && shard.closed) || saved?.finished === true,
      buffer: [],
      bufferedSince: 0,
      caughtUpAt: -1,
      delivering: false,
      lastError: undefined,
    };
    return run;
  }

  /** Asks DynamoDB afresh: a missing NextShardIterator means "closed" only if the shard says so. */
  private async isShardClosed(shardId: string): Promise<boolean> {
    await this.refreshShards();
    return this.shards.get(shardId)?.closed ?? true;
  }

  private async discoverPeriodically(): Promise<void> {
    while (!this.stopping) {
      await this.sleep(this.shardRefreshMs, false);
      if (this.stopping) return;
      try {
        await this.refreshShards();
      } catch (error) {
        this.counters.pollErrors++;
        this.log(`[stream] could not list the shards of ${this.streamArn}: ${describe(error)}`);
      }
    }
  }

  // ---- one consumer on one shard ----

  private startLoop(consumer: ConsumerRuntime, run: ShardRun): void {
    const loop = this.runShard(consumer, run).finally(() => {
      this.loops.delete(loop);
      this.notify();
    });
    this.loops.add(loop);
  }

  private async runShard(consumer: ConsumerRuntime, run: ShardRun): Promise<void> {
    while (!this.stopping && !run.done) {
      let again: boolean;
      try {
        again = await this.step(consumer, run);
        if (run.lastError !== undefined) {
          this.log(`[stream] ${consumer.name}: ${run.shardId} reads again`);
          run.lastError = undefined;
        }
      } catch (error) {
        this.pollFailed(consumer, run, error);
        await this.sleep(this.pollIntervalMs * 4, false);
        continue;
      }
      this.notify();
      if (!again && !run.done) await this.sleep(this.waitBeforeNextRead(consumer, run), true);
    }
    if (run.done && !this.stopping) {
      if (this.shards.get(run.shardId)?.closed) this.log(`[stream] ${consumer.name}: finished closed shard ${run.shardId}`);
      // Its children may start now; look for them at once rather than at the next refresh.
      // The refresh may be one that began before this run finished, hence the second call.
      await this.refreshShards().catch((error: unknown) => this.pollFailed(consumer, run, error));
      await this.startRunnableShards();
    }
  }

  /** Tops up the buffer and delivers a batch when one is due. True when there is more to do at once. */
  private async step(consumer: ConsumerRuntime, run: ShardRun): Promise<boolean> {
    let fullPage = false;
    if (run.buffer.length < consumer.batchSize && !run.cursor.finished) {
      const startedAt = performance.now();
      const records = await run.cursor.read(GET_RECORDS_LIMIT);
      this.accept(consumer, run, records);
      if (records.length === 0 && run.buffer.length === 0) run.caughtUpAt = startedAt;
      fullPage = records.length >= GET_RECORDS_LIMIT;
      // Everything read was dropped by the filters (or there was nothing): done with all of it.
      if (run.buffer.length === 0) this.checkpoint(consumer, run, run.cursor.position);
    }
    if (run.buffer.length > 0 && this.batchDue(consumer, run)) {
      const batch = run.buffer.splice(0, consumer.batchSize);
      run.delivering = true;
      let settled: boolean;
      try {
        settled = await this.deliver(consumer, run, batch);
      } finally {
        run.delivering = false;
      }
      // Lambda's checkpoint: past the batch once it settled (succeeded, or went to onFailure).
      if (settled) this.checkpoint(consumer, run, run.buffer.length === 0 ? run.cursor.position : batch.at(-1)?.dynamodb?.SequenceNumber);
      return true;
    }
    if (run.buffer.length === 0 && run.cursor.finished) {
      run.done = true;
      this.checkpoints?.set(consumer.name, run.shardId, { ...this.checkpoints.get(consumer.name, run.shardId), finished: true });
    }
    return fullPage;
  }

  private checkpoint(consumer: ConsumerRuntime, run: ShardRun, sequenceNumber: string | undefined): void {
    if (!this.checkpoints || sequenceNumber === undefined) return;
    this.checkpoints.set(consumer.name, run.shardId, { sequenceNumber });
  }

  /** Converts to Lambda's shape and keeps what the filters accept, as Lambda drops the rest. */
  private accept(consumer: ConsumerRuntime, run: ShardRun, records: readonly StreamsRecord[]): void {
    for (const raw of records) {
      const record = toLambdaRecord(raw, this.streamArn);
      if (!consumer.accepts(record)) {
        consumer.stats.recordsSkipped++;
        continue;
      }
      if (run.buffer.length === 0) run.bufferedSince = performance.now();
      run.buffer.push(record);
    }
  }

  private batchDue(consumer: ConsumerRuntime, run: ShardRun): boolean {
    return (
      run.buffer.length >= consumer.batchSize ||
      run.cursor.finished ||
      performance.now() - run.bufferedSince >= consumer.maxBatchingWindowMs
    );
  }

  private waitBeforeNextRead(consumer: ConsumerRuntime, run: ShardRun): number {
    if (run.buffer.length === 0) return this.pollIntervalMs;
    const windowLeft = consumer.maxBatchingWindowMs - (performance.now() - run.bufferedSince);
    return Math.max(1, Math.min(this.pollIntervalMs, windowLeft));
  }

  private pollFailed(consumer: ConsumerRuntime, run: ShardRun, error: unknown): void {
    this.counters.pollErrors++;
    const message = describe(error);
    if (message !== run.lastError) this.log(`[stream] ${consumer.name}: reading ${run.shardId} failed (retrying): ${message}`);
    run.lastError = message;
  }

  // ---- delivery: retries, partial failures, bisection, on-failure ----

  /** Delivers a batch with Lambda's retry rules; false when the pump stopped before it settled. */
  private async deliver(consumer: ConsumerRuntime, run: ShardRun, batch: DynamoDBRecord[]): Promise<boolean> {
    const pending: Piece[] = [{ records: batch, retries: 0 }];
    while (pending.length > 0 && !this.stopping) {
      const piece = pending.shift() as Piece;
      const outcome = await this.invoke(consumer, piece.records);
      if (outcome.kind === "ok") {
        consumer.stats.recordsSucceeded += piece.records.length;
        continue;
      }
      if (outcome.kind === "partial") {
        // Lambda checkpoints before the lowest failed record and runs everything from it again.
        consumer.stats.partialFailures++;
        consumer.stats.recordsSucceeded += outcome.from;
        const rest = piece.records.slice(outcome.from);
        const error = new Error(`${outcome.failed} record(s) reported in batchItemFailures`);
        this.log(`[stream] ${consumer.name}: ${error.message}; ${rest.length} record(s) from ${rest[0]?.dynamodb?.SequenceNumber} run again`);
        await this.retryOrGiveUp(consumer, run, pending, { records: rest, retries: piece.retries }, error);
        continue;
      }
      consumer.stats.functionErrors++;
      // Lambda would put this in the function's log; here it goes to the pump's.
      this.log(`[stream] ${consumer.name}: invocation with ${piece.records.length} record(s) failed: ${describe(outcome.error)}`);
      if (consumer.bisect && piece.records.length > 1) {
        // Each half starts with a fresh retry count: splitting is how Lambda isolates the poison record.
        consumer.stats.bisections++;
        const half = Math.ceil(piece.records.length / 2);
        pending.unshift({ records: piece.records.slice(0, half), retries: 0 }, { records: piece.records.slice(half), retries: 0 });
        continue;
      }
      await this.retryOrGiveUp(consumer, run, pending, piece, outcome.error);
    }
    return pending.length === 0;
  }

  private async retryOrGiveUp(consumer: ConsumerRuntime, run: ShardRun, pending: Piece[], piece: Piece, error: unknown): Promise<void> {
    const limit = consumer.maximumRetryAttempts;
    if (limit >= 0 && piece.retries >= limit) {
      await this.giveUp(consumer, run, piece, error);
      return;
    }
    consumer.stats.retries++;
    pending.unshift({ records: piece.records, retries: piece.retries + 1 });
    await this.sleep(this.retryDelayMs, false);
  }

  private async giveUp(consumer: ConsumerRuntime, run: ShardRun, piece: Piece, error: unknown): Promise<void> {
    consumer.stats.recordsFailed += piece.records.length;
    const first = piece.records[0]?.dynamodb?.SequenceNumber;
    const last = piece.records.at(-1)?.dynamodb?.SequenceNumber;
    const attempts = piece.retries + 1;
    this.log(
      `[stream] ${consumer.name}: gave up on ${piece.records.length} record(s) ${first}…${last} of ${run.shardId} ` +
        `after ${attempts} attempt(s)${consumer.onFailure ? "; sent to onFailure" : "; no onFailure, dropped"}: ${describe(error)}`,
    );
    if (!consumer.onFailure) return;
    try {
      await consumer.onFailure(structuredClone(piece.records), error, {
        consumer: consumer.name,
        streamArn: this.streamArn,
        shardId: run.shardId,
        attempts,
      });
    } catch (failure) {
      this.log(`[stream] ${consumer.name}: onFailure threw: ${describe(failure)}`);
    }
  }

  /** One Lambda invocation: a fresh copy of the records (as each invocation gets its own JSON), a context, a timeout. */
  private async invoke(consumer: ConsumerRuntime, records: DynamoDBRecord[]): Promise<Outcome> {
    consumer.stats.invocations++;
    consumer.stats.recordsDelivered += records.length;
    const deadline = Date.now() + consumer.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Task timed out after ${consumer.timeoutMs} ms`)), consumer.timeoutMs);
    });
    try {
      const event: DynamoDBStreamEvent = { Records: structuredClone(records) };
      const reply = await Promise.race([consumer.handler(event, lambdaContext(consumer.name, deadline)), timeout]);
      return consumer.reportBatchItemFailures ? readBatchResponse(reply, records) : { kind: "ok" };
    } catch (error) {
      return { kind: "error", error };
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- waiting ----

  private caughtUpSince(mark: number): string | undefined {
    for (const consumer of this.consumers) {
      for (const shard of this.shards.values()) {
        const run = consumer.runs.get(shard.id);
        if (!run) return `${consumer.name} has not started ${shard.id} (its parent ${shard.parentId} is not finished)`;
        if (run.done) continue;
        if (run.delivering || run.buffer.length > 0) return `${consumer.name} is still delivering from ${shard.id}`;
        if (run.caughtUpAt < mark) return `${consumer.name} has not read ${shard.id} to its end yet${run.lastError ? ` (${run.lastError})` : ""}`;
      }
    }
    return undefined;
  }

  /** Resolves when `pending()` says nothing is pending; re-checked whenever a run makes progress. */
  private waitUntil(pending: () => string | undefined, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: Error) => {
        this.listeners.delete(check);
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (this.stopping) return finish(new Error("the stream pump stopped before it drained"));
        if (pending() === undefined) finish();
      };
      const timer = setTimeout(() => finish(new Error(`stream pump did not drain within ${timeoutMs} ms: ${pending() ?? "?"}`)), timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private sleep(ms: number, pollWait: boolean): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const sleeper: Sleeper = { timer: setTimeout(() => this.wake(sleeper), ms), resolve, pollWait };
      this.sleepers.add(sleeper);
    });
  }

  private wake(sleeper: Sleeper): void {
    clearTimeout(sleeper.timer);
    this.sleepers.delete(sleeper);
    sleeper.resolve();
  }

  private wakePollers(): void {
    for (const sleeper of this.sleepers) if (sleeper.pollWait) this.wake(sleeper);
  }
}

// ---- reading a shard ----

interface CursorContext {
  counters: { getRecordsCalls: number; recordsRead: number; iteratorRefreshes: number };
  log: (line: string) => void;
  isClosed: () => Promise<boolean>;
}

/** One consumer's position in one shard: the iterator chain, and where to pick it up again. */
class ShardCursor {
  private iterator: string | undefined;
  private lastSequenceNumber: string | undefined;
  /** Closed and read to its end: nothing more will ever come from this shard. */
  finished = false;

  constructor(
    private readonly streams: DynamoDBStreamsClient,
    private readonly streamArn: string,
    private readonly shardId: string,
    private start: ShardIteratorType,
    private readonly context: CursorContext,
    /** A checkpoint: resume right after this record instead of at `start`. */
    after?: string,
  ) {
    this.lastSequenceNumber = after;
  }

  /** The last record read (or the checkpoint it resumed after). */
  get position(): string | undefined {
    return this.lastSequenceNumber;
  }

  async open(): Promise<void> {
    this.iterator ??= await this.freshIterator();
  }

  /** The next page of records (possibly none); survives expired and trimmed iterators. */
  async read(limit: number): Promise<StreamsRecord[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.readOnce(limit);
      } catch (error) {
        if (attempt >= 3 || !this.recover(error)) throw error;
      }
    }
  }

  private async readOnce(limit: number): Promise<StreamsRecord[]> {
    if (this.finished) return [];
    this.iterator ??= await this.freshIterator();
    if (this.finished) return [];
    this.context.counters.getRecordsCalls++;
    const page = await this.streams.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: limit }));
    const records = page.Records ?? [];
    this.context.counters.recordsRead += records.length;
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last) this.lastSequenceNumber = last;
    this.iterator = page.NextShardIterator;
    if (!this.iterator) {
      // No next iterator: the shard is closed and read to its end — or, on an open shard
      // (DynamoDB Local has been seen doing this), simply pick the chain up again next time.
      if (await this.context.isClosed()) this.finished = true;
      else this.context.counters.iteratorRefreshes++;
    }
    return records;
  }

  /** Decides whether an error is one a fresh iterator cures, and prepares that iterator's position. */
  private recover(error: unknown): boolean {
    switch ((error as { name?: string }).name) {
      case "ExpiredIteratorException":
        // Iterators die 15 minutes after they are handed out; resume right after the last record read.
        this.context.counters.iteratorRefreshes++;
        this.context.log(`[stream] iterator of ${this.shardId} expired; resuming after ${this.lastSequenceNumber ?? this.start}`);
        this.iterator = undefined;
        return true;
      case "TrimmedDataAccessException":
        // Records older than 24 h are gone; carry on from the oldest one still there.
        this.context.counters.iteratorRefreshes++;
        this.context.log(`[stream] records of ${this.shardId} were trimmed before they were read; resuming at the oldest left`);
        this.iterator = undefined;
        this.lastSequenceNumber = undefined;
        this.start = "TRIM_HORIZON";
        return true;
      case "ResourceNotFoundException":
        // The shard itself is gone (trimmed after 24 h, or the table was deleted).
        this.context.log(`[stream] shard ${this.shardId} no longer exists; leaving it`);
        this.finished = true;
        return true;
      default:
        return false;
    }
  }

  private async freshIterator(): Promise<string | undefined> {
    const position = this.lastSequenceNumber
      ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER" as const, SequenceNumber: this.lastSequenceNumber }
      : { ShardIteratorType: this.start };
    try {
      const { ShardIterator } = await this.streams.send(
        new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: this.shardId, ...position }),
      );
      return ShardIterator;
    } catch (error) {
      if ((error as { name?: string }).name !== "ResourceNotFoundException") throw error;
      this.finished = true;
      return undefined;
    }
  }
}

// ---- DynamoDB Streams plumbing ----

function localStreamsClient(endpoint: string): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({
    endpoint,
    region: "us-east-1",
    // Dummy credentials: DynamoDB Local runs with -sharedDb, and no real identity belongs here.
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 3,
  });
}

async function latestStreamArn(dynamo: DynamoDBClient, tableName: string): Promise<string> {
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  const arn = Table?.LatestStreamArn;
  if (!arn || Table?.StreamSpecification?.StreamEnabled === false) {
    throw new Error(`table ${tableName} has no stream enabled; the table definition asks for NEW_AND_OLD_IMAGES`);
  }
  return arn;
}

/** Every shard of the stream, following DescribeStream's pages. */
async function describeAllShards(streams: DynamoDBStreamsClient, streamArn: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let exclusiveStartShardId: string | undefined;
  do {
    const { StreamDescription } = await streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn, ...(exclusiveStartShardId ? { ExclusiveStartShardId: exclusiveStartShardId } : {}) }),
    );
    shards.push(...(StreamDescription?.Shards ?? []));
    exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
  } while (exclusiveStartShardId);
  return shards;
}

// ---- Lambda's shapes ----

/**
 * A DynamoDB Streams record as Lambda delivers it: the same fields, binary values as base64
 * strings and the creation time as epoch seconds (the SDK hands us Uint8Array and Date).
 */
export function toLambdaRecord(record: StreamsRecord, streamArn: string): DynamoDBRecord {
  const d = record.dynamodb ?? {};
  const lambda: DynamoDBRecord = {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource ?? "aws:dynamodb",
    awsRegion: record.awsRegion,
    dynamodb: omitUndefined({
      ApproximateCreationDateTime: d.ApproximateCreationDateTime ? Math.floor(d.ApproximateCreationDateTime.getTime() / 1000) : undefined,
      Keys: d.Keys ? toLambdaImage(d.Keys) : undefined,
      NewImage: d.NewImage ? toLambdaImage(d.NewImage) : undefined,
      OldImage: d.OldImage ? toLambdaImage(d.OldImage) : undefined,
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType,
    }),
    eventSourceARN: streamArn,
  };
  // TTL deletions carry the service identity, which is how a handler tells them from user deletes.
  if (record.userIdentity) lambda.userIdentity = { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId };
  return omitUndefined(lambda);
}

function toLambdaImage(image: Record<string, StreamsAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaAttribute(value)]));
}

function toLambdaAttribute(value: StreamsAttributeValue): AttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString("base64") };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString("base64")) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaAttribute) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  // The SDK deserialises an empty map `{ "M": {} }` to `{}`: no other value loses its tag.
  if (Object.keys(value).length === 0) return { M: {} };
  // Never throw here: the records are already read, and a throw would lose them.
  return value as unknown as AttributeValue;
}

/**
 * Reads a handler's reply the way Lambda does with ReportBatchItemFailures: nothing, `{}`,
 * or an empty list is success; an identifier that is empty, missing or not in the batch
 * fails the whole batch; otherwise the batch resumes at the lowest reported record.
 */
function readBatchResponse(reply: unknown, records: readonly DynamoDBRecord[]): Outcome {
  if (reply === null || typeof reply !== "object") return { kind: "ok" };
  const failures = (reply as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null || (Array.isArray(failures) && failures.length === 0)) return { kind: "ok" };
  const malformed = (why: string): Outcome => ({ kind: "error", error: new Error(`malformed batchItemFailures (${why}): the whole batch fails`) });
  if (!Array.isArray(failures)) return malformed("not a list");
  let lowest = Number.POSITIVE_INFINITY;
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== "string" || id === "") return malformed(`itemIdentifier ${JSON.stringify(id)}`);
    const index = records.findIndex((record) => record.dynamodb?.SequenceNumber === id);
    if (index < 0) return malformed(`${id} is not a sequence number of this batch`);
    lowest = Math.min(lowest, index);
  }
  return { kind: "partial", from: lowest, failed: failures.length };
}


function omitUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name === "Error" ? "" : `${error.name}: `}${error.message}`;
  return String(error);
}
