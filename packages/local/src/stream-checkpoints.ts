/**
 * Where each consumer stopped in each shard, kept in a file so that a restarted stream pump
 * resumes there — as a Lambda event source mapping keeps its position across deploys and
 * restarts. Without it, `npm run dev -- --data DIR` re-delivered (and re-published) every
 * record still in the stream on each start.
 *
 * A checkpoint is the sequence number of the last record a consumer is done with (handed
 * over and settled, or dropped by its filters), and whether the shard is finished (closed
 * and read to its end). The pump resumes AFTER_SEQUENCE_NUMBER it; a shard without one (new,
 * or never settled) starts where the pump's `startAt` says. Checkpoints of another stream
 * (the table was recreated, so its stream ARN changed) are ignored.
 *
 * Writes are batched (at most one every `flushMs`) and atomic (a temporary file renamed over
 * the old one): a crash loses at most the last moments' progress, whose records are then
 * delivered again — at least once, as on AWS; the consumers are redelivery-safe.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** One consumer's position in one shard. */
export interface ShardCheckpoint {
  /** The last record it is done with; absent when it is done with none yet. */
  sequenceNumber?: string;
  /** Closed and read to its end: nothing more to read there. */
  finished?: boolean;
}

interface CheckpointFile {
  version: 1;
  streamArn: string;
  /** consumer → shard id → checkpoint */
  consumers: Record<string, Record<string, ShardCheckpoint>>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isCheckpoint = (v: unknown): v is ShardCheckpoint =>
  isRecord(v) && (v.sequenceNumber === undefined || typeof v.sequenceNumber === "string") && (v.finished === undefined || typeof v.finished === "boolean");

/** The file's content when it has the expected shape, else null. */
function readCheckpointFile(raw: string): CheckpointFile | null {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isRecord(v) || v.version !== 1 || typeof v.streamArn !== "string" || !isRecord(v.consumers)) return null;
  for (const shards of Object.values(v.consumers)) if (!isRecord(shards) || !Object.values(shards).every(isCheckpoint)) return null;
  return v as unknown as CheckpointFile;
}

export class StreamCheckpoints {
  private data: CheckpointFile;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;

  private constructor(
    private readonly path: string,
    streamArn: string,
    private readonly flushMs: number,
    private readonly log: (line: string) => void,
  ) {
    this.data = { version: 1, streamArn, consumers: {} };
  }

  /** The checkpoints in `path` for `streamArn` (none when the file is missing, unreadable or of another stream). */
  static open(path: string, streamArn: string, options: { flushMs?: number; log?: (line: string) => void } = {}): StreamCheckpoints {
    const log = options.log ?? (() => {});
    const store = new StreamCheckpoints(path, streamArn, options.flushMs ?? 200, log);
    let raw: string;
    try {
      raw = readFileSync(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") log(`[stream] cannot read checkpoints ${path}: ${String(error)}; starting without them`);
      return store;
    }
    const parsed = readCheckpointFile(raw);
    if (!parsed) {
      log(`[stream] checkpoints ${path} are not readable; starting without them`);
    } else if (parsed.streamArn !== streamArn) {
      log(`[stream] checkpoints ${path} belong to another stream (${parsed.streamArn}); starting without them`);
    } else {
      store.data = parsed;
    }
    return store;
  }

  get(consumer: string, shardId: string): ShardCheckpoint | undefined {
    return this.data.consumers[consumer]?.[shardId];
  }

  /** Records a consumer's new position in a shard; written out within `flushMs`. */
  set(consumer: string, shardId: string, checkpoint: ShardCheckpoint): void {
    const shards = (this.data.consumers[consumer] ??= {});
    const old = shards[shardId];
    if (old?.sequenceNumber === checkpoint.sequenceNumber && old?.finished === checkpoint.finished) return;
    shards[shardId] = { ...checkpoint };
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.flushMs);
  }

  /** Writes what changed now (the pump calls it on stop). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const tmp = `${this.path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(this.data, null, 2));
      renameSync(tmp, this.path);
    } catch (error) {
      this.dirty = true;
      this.log(`[stream] cannot write checkpoints ${this.path}: ${String(error)}`);
    }
  }
}
