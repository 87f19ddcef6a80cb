import type { Alert } from "../alerts/alert.ts";
import type { DayFigures } from "./aggregates.ts";

/** What the insights read of the stream-fed daily aggregates (store/aggregates-store.ts). */
export interface AggregatesReader {
  /** An account's days between two business days (inclusive), oldest first. */
  accountDays(userId: string, fromDay: string, toDay: string): Promise<DayFigures[]>;
  /** The platform's days between two business days (inclusive), oldest first. */
  platformDays(fromDay: string, toDay: string): Promise<DayFigures[]>;
  /** Every account that used coins, or was refunded some, on a day, with its usage that day. */
  activeAccounts(day: string): Promise<{ userId: string; usageCoins: number; usageCount: number; refundCoins: number }[]>;
}

/** What the insights read of an account's alerts (store/alerts-store.ts). */
export interface AlertsReader {
  /** Newest first, at most `limit`, optionally only unread ones. */
  list(userId: string, opts: { unreadOnly: boolean; limit: number }): Promise<Alert[]>;
}
