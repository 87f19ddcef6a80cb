import type { LedgerEntry } from "../ledger/types.ts";
import { AGAIN, shortRetry, untilSettled } from "../retry.ts";
import { contributionOf, type Contribution } from "./aggregates.ts";
import type { AccountDayState, AggregateIntent, AggregatesPort } from "./aggregates-port.ts";
import { countOf, hasCounted, withCounted } from "./counted.ts";

/**
 * Counting a ledger entry into the daily aggregates, once. Redelivery-safe without
 * markers: the account's day keeps which entry seqs it has counted as a few runs
 * (counted.ts: its size does not grow with the day's entries), the write is guarded on the
 * count it was decided from, and the platform's day moves in the same transaction as the
 * account's, so an entry counted once is seen as counted and changes nothing.
 */

/**
 * What counting `entry` writes, decided on its account's day as read (`day`, null when
 * absent): the account's day and, when the entry adds anything there, the platform's day;
 * null when the day has counted the entry already (a redelivery).
 */
export function countEntry(entry: LedgerEntry, c: Contribution, day: AccountDayState | null): AggregateIntent[] | null {
  const runs = day?.counted ?? [];
  if (hasCounted(runs, entry.seq)) return null;
  const intents: AggregateIntent[] = [
    {
      kind: "account_day",
      userId: entry.userId,
      day: c.day,
      before: day ? { countedEntries: countOf(runs), legacySeqs: day.legacySeqs } : null,
      counted: withCounted(runs, entry.seq),
      add: c.counters,
      entryAt: entry.createdAt,
      listedByDay: c.listedByDay,
    },
  ];
  // The platform counts an account as active on its first usage of the day.
  const firstUsage = c.isUsage && !((day?.usageCount ?? 0) > 0);
  const platformAdd = firstUsage ? { ...c.counters, activeAccounts: 1 } : c.counters;
  if (Object.keys(platformAdd).length > 0) intents.push({ kind: "platform_day", userId: entry.userId, day: c.day, add: platformAdd });
  return intents;
}

export type ApplyOutcome = "applied" | "duplicate";

/**
 * Adds an entry to its account's day and to the platform's day, once. Safe to call again
 * with the same entry (redelivery) and in any order across entries.
 */
export async function applyEntry(port: AggregatesPort, entry: LedgerEntry, dayOffsetHours: number): Promise<ApplyOutcome> {
  const c = contributionOf(entry, dayOffsetHours);
  return untilSettled(
    shortRetry,
    async (): Promise<ApplyOutcome | typeof AGAIN> => {
      const intents = countEntry(entry, c, await port.accountDay(entry.userId, c.day));
      if (intents === null) return "duplicate";
      return (await port.commit(intents)) ? "applied" : AGAIN;
    },
    () => new Error(`aggregates for ${entry.userId} kept conflicting`),
  );
}
