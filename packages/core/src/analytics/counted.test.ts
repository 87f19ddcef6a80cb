import { describe, expect, it } from "vitest";
import { countOf, hasCounted, runsFromStored, runsToList, withCounted, type CountedRuns } from "./counted.ts";

const add = (seqs: number[], runs: CountedRuns = []) => seqs.reduce(withCounted, runs);

describe("counted runs", () => {
  it("in order: one run, whatever the number of entries", () => {
    const runs = add(Array.from({ length: 100_000 }, (_, i) => 5_000 + i));
    expect(runs).toEqual([[5_000, 104_999]]);
    expect(countOf(runs)).toBe(100_000);
  });

  it("out of order: a gap stays open until its seqs arrive, then the runs merge", () => {
    let runs = add([10, 11, 14, 15, 13]);
    expect(runs).toEqual([[10, 11], [13, 15]]);
    expect(hasCounted(runs, 12)).toBe(false);
    expect(hasCounted(runs, 14)).toBe(true);
    runs = withCounted(runs, 12);
    expect(runs).toEqual([[10, 15]]);
    expect(withCounted(add([20, 18]), 19)).toEqual([[18, 20]]);
  });

  it("a redelivered seq changes nothing", () => {
    const runs = add([3, 4, 7]);
    expect(withCounted(runs, 4)).toBe(runs);
    expect(withCounted(runs, 7)).toBe(runs);
  });

  it("every order of the same seqs ends in the same runs", () => {
    const permutations = (xs: number[]): number[][] =>
      xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
    const all = permutations([1, 2, 3, 4, 5, 6]);
    expect(all).toHaveLength(720);
    for (const order of all) expect(add(order)).toEqual([[1, 6]]);
  });

  it("stored as a flat list and read back; an older item's seq set converts", () => {
    const runs = add([1, 2, 3, 9]);
    expect(runsToList(runs)).toEqual([1, 3, 9, 9]);
    expect(runsFromStored(runsToList(runs))).toEqual(runs);
    expect(runsFromStored(undefined, new Set([4, 2, 3, 8]))).toEqual([[2, 4], [8, 8]]);
    expect(runsFromStored(undefined, undefined)).toEqual([]);
  });
});
