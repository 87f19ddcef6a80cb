/**
 * Which ledger entries an account's day has counted, as a few runs of consecutive seqs
 * (`[from, to]` pairs, sorted, disjoint, never touching) instead of one number per entry.
 *
 * Why it stays small: an account's seqs are gapless (ledger rule 2) and entries' times
 * follow their seqs, so the entries of one business day are one run of consecutive seqs.
 * Delivered in order, the day holds one run; a record delivered late or out of order opens
 * a gap that its missing neighbours close when they arrive (at-least-once delivery brings
 * every one of them). The state therefore settles back to one run whatever the day's
 * number of entries: a watermark plus the few entries counted beyond a gap.
 */
export type CountedRuns = readonly (readonly [number, number])[];

/** Whether `seq` has been counted. */
export function hasCounted(runs: CountedRuns, seq: number): boolean {
  return runs.some(([from, to]) => seq >= from && seq <= to);
}

/** The runs with `seq` counted too, merged with its neighbours. */
export function withCounted(runs: CountedRuns, seq: number): CountedRuns {
  if (!Number.isSafeInteger(seq)) throw new RangeError(`not a seq: ${seq}`);
  if (hasCounted(runs, seq)) return runs;
  const out: [number, number][] = [];
  let added: [number, number] = [seq, seq];
  for (const [from, to] of runs) {
    if (to + 1 === added[0]) added = [from, added[1]];
    else if (added[1] + 1 === from) added = [added[0], to];
    else out.push([from, to]);
  }
  out.push(added);
  return out.sort((a, b) => a[0] - b[0]);
}

/** How many entries the runs count. */
export function countOf(runs: CountedRuns): number {
  return runs.reduce((n, [from, to]) => n + (to - from + 1), 0);
}

/** Runs → the flat list stored on the item (`[from1, to1, from2, to2, …]`). */
export function runsToList(runs: CountedRuns): number[] {
  return runs.flatMap(([from, to]) => [from, to]);
}

/** The stored list → runs; an older item's set of every seq (`seqs`) converts the same way. */
export function runsFromStored(list: unknown, legacySeqs?: unknown): CountedRuns {
  if (Array.isArray(list)) {
    const runs: [number, number][] = [];
    for (let i = 0; i + 1 < list.length; i += 2) runs.push([Number(list[i]), Number(list[i + 1])]);
    return runs;
  }
  let runs: CountedRuns = [];
  if (legacySeqs instanceof Set) for (const s of legacySeqs) runs = withCounted(runs, Number(s));
  return runs;
}
