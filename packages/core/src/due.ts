/**
 * What a schedule must come back to (holds at their expiry, orders awaiting the gateway at
 * their settle time, auto-charges awaiting a retry or a stalled attempt, accounts with
 * auto-charge on) sits on due queues, each spread over {@link DUE_SHARDS} shards so that no
 * index partition runs hot. The sweeps walk every shard of their queue; the store adapter
 * keeps the queues (keys.ts, dueKeys).
 */
export const DUE_SHARDS = 8;

/** AUTOCHARGE: charge records awaiting a retry or a crashed attempt; AUTOCHARGE_ON: every account with auto-charge on. */
export type DueQueue = "HOLDS" | "ORDERS" | "AUTOCHARGE" | "AUTOCHARGE_ON";

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
