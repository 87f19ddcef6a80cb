import { entities } from "@nyang/core";

/**
 * The two consumers of the table's stream (AWS allows two readers per shard), with the
 * event filters and retry settings their event source mappings use. `stacks/streams.ts`
 * subscribes them with exactly these; the local stream pump applies the same filters,
 * batch sizes and retry semantics.
 */
export interface StreamSubscription {
  handler: string;
  /** Lambda FilterCriteria patterns; a record matching any of them is delivered. */
  filters: Record<string, unknown>[];
  batchSize: number;
  maximumRetryAttempts: number;
  bisectBatchOnFunctionError: boolean;
  description: string;
}

const entryInserted = entities.entry.streamFilter(["INSERT"]);
const accountDayChanged = entities.accountDay.streamFilter(["INSERT", "MODIFY"]);
/** Every write of an account item (entries, holds, captures, releases, sweeps): WebSocket `balance_update`s. */
const accountWritten = entities.account.streamFilter(["INSERT", "MODIFY"]);
/**
 * A stored `auto_charge` alert: raised by whichever auto-charge trigger settled the charge
 * (this consumer, a sweep, the settings route), pushed from here so every one reaches the
 * browser through the same path, and only this consumer needs to post to connections.
 */
const autoChargeAlertStored = entities.alert.streamFilter(["INSERT"], { type: "auto_charge" });

export const streamSubscriptions = {
  analytics: {
    handler: "packages/functions/src/stream/analytics.handler",
    filters: [entryInserted],
    batchSize: 100,
    maximumRetryAttempts: 5,
    bisectBatchOnFunctionError: true,
    description: "Daily aggregates per account and platform; publishes LedgerEntryCreated",
  },
  alerts: {
    handler: "packages/functions/src/stream/alerts.handler",
    filters: [entryInserted, accountDayChanged, accountWritten, autoChargeAlertStored],
    batchSize: 100,
    maximumRetryAttempts: 5,
    bisectBatchOnFunctionError: true,
    description: "low_balance, high_usage and unusual_activity alerts; publishes AlertRaised; WebSocket pushes; the auto-charge trigger",
  },
} as const satisfies Record<string, StreamSubscription>;
