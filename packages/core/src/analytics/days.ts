/**
 * Daily figures belong to the platform's business day, not UTC's: a day starts at
 * midnight `offsetHours` from UTC (Korea: +9, no daylight saving).
 */

/** The business day (YYYY-MM-DD) an instant falls on. */
export function dayOf(at: Date | string, offsetHours: number): string {
  const t = typeof at === "string" ? Date.parse(at) : at.getTime();
  return new Date(t + offsetHours * 3600_000).toISOString().slice(0, 10);
}

/** The first instant of a business day, as a UTC Date. */
export function startOfDay(day: string, offsetHours: number): Date {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - offsetHours * 3600_000);
}

/** The day `n` days after `day` (negative for before). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** The `n` days ending with `last`, oldest first. */
export function lastDays(last: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => addDays(last, i - n + 1));
}

/** YYYY-MM of a day. */
export const monthOf = (day: string) => day.slice(0, 7);
