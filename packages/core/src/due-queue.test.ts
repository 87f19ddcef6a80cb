import { describe, expect, it } from "vitest";
import { NyangError } from "./errors.ts";
import { DUE_SHARDS, sweepDueQueue, type DueItem, type DueQueueReader } from "./due-queue.ts";

/**
 * Unit tests of the walk alone, over an in-memory queue that pages as the store does (a
 * `nextKey` while more is left). The sweeps themselves are tested on DynamoDB Local
 * (test/ledger/holds…, test/purchases/…, test/autocharge/…).
 */

/** A queue with `perShard[s]` items in shard s, read `limit` at a time; records every page read. */
function queue(perShard: number[]) {
  const reads: { shard: number; startKey: number }[] = [];
  const reader: DueQueueReader = {
    async due(_queue, shard, _now, limit, startKey) {
      const from = Number(startKey?.at ?? 0);
      reads.push({ shard, startKey: from });
      const all = Array.from({ length: perShard[shard] ?? 0 }, (_, i) => ({ userId: `u${shard}`, id: `x_${shard}_${i}` }));
      const items = all.slice(from, from + limit);
      return { items, nextKey: from + limit < all.length ? { at: from + limit } : undefined };
    },
  };
  return { reader, reads };
}

const sweep = { queue: "HOLDS" as const, now: new Date("2026-11-24T00:00:00.000Z"), pageSize: 2, failure: "hold expiry failed", idField: "holdId" };

describe("the due-queue walk", () => {
  it("hands every item of every shard to the step, page by page", async () => {
    const { reader, reads } = queue([3, 0, 5, 0, 0, 0, 0, 1]);
    const seen: DueItem[] = [];
    const tally = await sweepDueQueue(reader, sweep, async (item) => void seen.push(item));
    expect(tally).toEqual({ examined: 9, errors: 0 });
    expect(seen.map((i) => i.id)).toEqual(["x_0_0", "x_0_1", "x_0_2", "x_2_0", "x_2_1", "x_2_2", "x_2_3", "x_2_4", "x_7_0"]);
    expect(new Set(reads.map((r) => r.shard)).size).toBe(DUE_SHARDS);
    expect(reads.filter((r) => r.shard === 2).map((r) => r.startKey)).toEqual([0, 2, 4]);
  });

  it("an item that throws is logged as one line (queue, item, error code) and counted; the walk goes on", async () => {
    // The sweeping service's logger port, recording what it is told at error level.
    const lines: unknown[] = [];
    const log = { info: () => undefined, warn: () => undefined, error: (message: string, fields = {}) => void lines.push({ message, ...fields }) };
    const { reader } = queue([2, 2]);
    const done: string[] = [];
    const tally = await sweepDueQueue(reader, { ...sweep, log }, async ({ id }) => {
      if (id === "x_0_1") throw new NyangError("contention", "busy", {});
      if (id === "x_1_0") throw new Error("socket hang up");
      done.push(id);
    });
    expect(tally).toEqual({ examined: 4, errors: 2 });
    expect(done).toEqual(["x_0_0", "x_1_1"]);
    expect(lines).toEqual([
      { message: "hold expiry failed", queue: "HOLDS", userId: "u0", holdId: "x_0_1", code: "contention", error: "NyangError: busy" },
      { message: "hold expiry failed", queue: "HOLDS", userId: "u1", holdId: "x_1_0", error: "Error: socket hang up" },
    ]);
  });

  it("a failing read of the queue itself fails the run (nothing to isolate)", async () => {
    const reader: DueQueueReader = { due: async () => Promise.reject(new Error("throttled")) };
    await expect(sweepDueQueue(reader, sweep, async () => {})).rejects.toThrow("throttled");
  });
});
