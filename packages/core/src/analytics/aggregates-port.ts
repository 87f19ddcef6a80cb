import type { WriteIntent } from "../intents.ts";
import type { CountedRuns } from "./counted.ts";

/** What the aggregates decide to write: an entry counted on its account's day and on the platform's. */
export type AggregateIntent = Extract<WriteIntent, { kind: "account_day" | "platform_day" }>;

/** An account's business day as counting reads it. */
export interface AccountDayState {
  /** The entries it has counted (analytics/counted.ts). */
  counted: CountedRuns;
  /** Kept as a set of every seq (written before the runs existed): the next count converts it. */
  legacySeqs: boolean;
  /** The day's usage entries so far: the first one makes the account active that day on the platform. */
  usageCount: number;
}

/**
 * What counting entries into the daily aggregates needs of storage (ledger rule 7: fed by
 * the stream, never on the write path): the account's day as it stands, and one commit of
 * a decision's intents. The DynamoDB adapter (store/aggregates-store.ts) implements it;
 * reading the aggregates back is insights-port.ts's `AggregatesReader`.
 */
export interface AggregatesPort {
  /** The account's day, read strongly consistently; null when it has counted nothing yet. */
  accountDay(userId: string, day: string): Promise<AccountDayState | null>;
  /** Writes every intent or none; false when a guard failed (another count moved the day first): read and decide again. */
  commit(intents: AggregateIntent[]): Promise<boolean>;
}
