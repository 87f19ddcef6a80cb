import type { AutoChargeMonthIntent } from "../intents.ts";
import type { AutoChargeSettings, ChargeRecord } from "./model.ts";

/**
 * The auto-charge monthly cap, as pure functions. Guarantees (each proven by a test):
 * - the KRW counted for an account and Korea-time month never passes the cap through new
 *   charges, whatever the interleaving of triggers: a new charge record is written in the same
 *   transaction as the month counter's `ADD`, conditioned on the room left
 *   ({@link monthIntents}); the loser decides again on fresh state;
 * - a charge that closes without money taken (canceled, gave_up, refunded) gives its KRW back
 *   to the month it was counted in; a paid one keeps it;
 * - a month starts at 00:00 Korea time (UTC+9, no daylight saving): {@link seoulMonth}.
 */

const SEOUL_OFFSET_MS = 9 * 3600_000;

/** The calendar month in Korea time of an instant, as `YYYY-MM` (2026-11-30T15:00:00Z is `2026-12`). */
export function seoulMonth(now: Date): string {
  return new Date(now.getTime() + SEOUL_OFFSET_MS).toISOString().slice(0, 7);
}

/** The first instant of a Korea-time month, in UTC (`2026-12` → 2026-11-30T15:00:00.000Z). */
export function seoulMonthStart(month: string): string {
  return new Date(Date.parse(`${month}-01T00:00:00.000Z`) - SEOUL_OFFSET_MS).toISOString();
}

/** The cap in force for an account: its own value, else the service's default; null: no cap. */
export const effectiveMonthlyCap = (settings: Pick<AutoChargeSettings, "monthlyCapKrw"> | null, defaultCapKrw: number | null): number | null =>
  settings?.monthlyCapKrw ?? defaultCapKrw;

/** Whether a charge of `amountKrw` fits in the month with `chargedKrw` counted so far (exactly at the cap fits). */
export const fitsUnderCap = (chargedKrw: number, amountKrw: number, capKrw: number | null): boolean =>
  capKrw === null || chargedKrw + amountKrw <= capKrw;

/**
 * Whether a record's KRW counts against its month: while money is taken or may still be
 * (charging, waiting for a retry, paid, being refunded, or canceled with a gateway recheck
 * still due). Closed without money taken, it does not.
 */
export function holdsRoom(r: ChargeRecord): boolean {
  if (r.capMonth === null) return false;
  switch (r.status) {
    case "charging":
    case "retry_wait":
    case "paid":
    case "refund_pending":
      return true;
    case "canceled":
      return r.leaseUntil !== null;
    case "gave_up":
    case "refunded":
      return false;
  }
}

/**
 * The month-counter writes that go with a record's change from `before` to `after`:
 * - a record that starts counting: `+amountKrw`, conditioned on the room left under `capKrw`.
 *   The caller passes the cap for a new charge (a new record, or a cap-skipped crossing resumed
 *   in a later month): the one write that can be refused for the cap. It passes null for a
 *   closed record counted again (a payment approved after it closed, now being refunded): the
 *   money is already taken; the cap only stops new charges;
 * - a record that stops counting (closed unpaid): `−amountKrw`, unconditional.
 */
export function monthIntents(before: ChargeRecord | null, after: ChargeRecord, capKrw: number | null): AutoChargeMonthIntent[] {
  const month = after.capMonth;
  if (month === null) return [];
  const was = before !== null && holdsRoom(before);
  const is = holdsRoom(after);
  if (was === is) return [];
  const base = { kind: "auto_charge_month" as const, userId: after.userId, month };
  if (is) return [{ ...base, addKrw: after.amountKrw, capKrw }];
  return [{ ...base, addKrw: -after.amountKrw, capKrw: null }];
}
