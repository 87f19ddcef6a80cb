import type { LedgerEntry } from "../ledger/types.ts";
import type { Minor } from "../money.ts";

/**
 * Usage, defined once for every figure that reports it.
 *
 * - **gross**: coins taken for services: the `usage` and `hold_capture` entries.
 * - **refunded**: coins given back for services: `refund` entries of those entries (a
 *   purchase cancel is also a `refund` entry, of a purchase, and is not usage).
 * - **net** = gross − refunded.
 *
 * A refund counts when it is made (on its own business day), not on the day of the usage it
 * refunds, so a day's net may be below zero. The Account's `used` is the account's net
 * usage over its whole life (`usedDelta` in ledger/rules.ts), so it equals the sum of the
 * daily nets; the daily figures' `total` and the platform's `usageCoins` are gross.
 */
export interface Usage {
  gross: Minor;
  refunded: Minor;
  net: Minor;
}

export const usageFigures = (gross: Minor, refunded: Minor): Usage => ({ gross, refunded, net: gross - refunded });

/** An entry that takes coins for a service (gross usage). */
export const isServiceUsage = (e: Pick<LedgerEntry, "type">): boolean => e.type === "usage" || e.type === "hold_capture";

/** A refund of service usage (not a purchase cancel, which names its order). */
export const isUsageRefund = (e: Pick<LedgerEntry, "type" | "details">): boolean =>
  e.type === "refund" && !(e.details && typeof e.details.orderId === "string");

/** What one ledger entry adds to usage. */
export function usageOfEntry(e: LedgerEntry): Usage {
  if (isServiceUsage(e)) return usageFigures(-e.amount, 0);
  if (isUsageRefund(e)) return usageFigures(0, e.amount);
  return usageFigures(0, 0);
}

/** Sums usage figures. */
export function addUsage(a: Usage, b: Usage): Usage {
  return usageFigures(a.gross + b.gross, a.refunded + b.refunded);
}
