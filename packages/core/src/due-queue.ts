import { isNyangError } from "./errors.ts";
import { consoleLog, type Log } from "./log.ts";

/**
 * What a schedule must come back to (holds and bonus lots at their expiry, orders awaiting the gateway at
 * their settle time, auto-charges awaiting a retry or a stalled attempt, accounts with
 * auto-charge on) sits on due queues, each spread over {@link DUE_SHARDS} shards so that no
 * index partition runs hot. The sweeps walk every shard of their queue; the store adapter
 * keeps the queues (keys.ts, dueKeys).
 */
export const DUE_SHARDS = 8;

/**
 * AUTOCHARGE: charge records awaiting a retry or a crashed attempt; AUTOCHARGE_ON: every account
 * with auto-charge on; LOTS: bonus lots at their expiry (ledger/bonus-expiry.ts).
 */
export type DueQueue = "HOLDS" | "ORDERS" | "AUTOCHARGE" | "AUTOCHARGE_ON" | "LOTS";

/** An item a due queue names: its account and its id. */
export interface DueItem {
  userId: string;
  id: string;
}

/** One page of what has come due in one shard of a queue; `nextKey` (opaque) goes on from it. */
export interface DuePage {
  items: DueItem[];
  nextKey: Record<string, unknown> | undefined;
}

/** Reads one shard of a due queue, oldest first. */
export interface DueQueueReader {
  due(queue: DueQueue, shard: number, now: Date, limit: number, startKey?: Record<string, unknown>): Promise<DuePage>;
}

/**
 * The one walk every sweep shares (expired holds, orders awaiting the gateway, auto-charge
 * records and accounts): every shard of a due queue, page by page, oldest first, each item
 * handed to the sweep's own step. A step that throws fails that item alone: it is logged as
 * one structured line, counted, and the walk goes on. An item that failed stays in the
 * queue (its step wrote nothing, or wrote only what a repeat decides again), so the next run
 * comes back to it.
 */
export interface DueQueueSweep {
  queue: DueQueue;
  /** Items due before this time. */
  now: Date;
  pageSize: number;
  /** The log line's message when an item fails, e.g. "hold expiry failed". */
  failure: string;
  /** The item's id under this name in the log line: `holdId`, `orderId`, … */
  idField: string;
  /** Where a failing item is logged (the sweeping service's logger port). */
  log?: Log | undefined;
}

/** How many items the walk handed to the step, and how many of them failed. */
export interface DueQueueTally {
  examined: number;
  errors: number;
}

export async function sweepDueQueue(
  reader: DueQueueReader,
  sweep: DueQueueSweep,
  step: (item: DueItem) => Promise<void>,
): Promise<DueQueueTally> {
  const tally: DueQueueTally = { examined: 0, errors: 0 };
  for (let shard = 0; shard < DUE_SHARDS; shard++) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await reader.due(sweep.queue, shard, sweep.now, sweep.pageSize, startKey);
      for (const item of page.items) {
        tally.examined++;
        try {
          await step(item);
        } catch (e) {
          tally.errors++;
          logItemFailure(sweep, item, e);
        }
      }
      startKey = page.nextKey;
    } while (startKey);
  }
  return tally;
}

function logItemFailure(sweep: DueQueueSweep, item: DueItem, error: unknown): void {
  (sweep.log ?? consoleLog).error(sweep.failure, {
    queue: sweep.queue,
    userId: item.userId,
    [sweep.idField]: item.id,
    ...(isNyangError(error) ? { code: error.code } : {}),
    error: String(error),
  });
}
