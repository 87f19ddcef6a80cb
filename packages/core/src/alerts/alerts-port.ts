import type { AlertReadIntent, WriteIntent } from "../intents.ts";
import type { Alert } from "./alert.ts";

/** What raising an alert writes: the alert itself, once, and the mark that it reached the bus. */
export type AlertWriteIntent = Extract<WriteIntent, { kind: "alert" | "alert_published" }>;

/** An alert as stored, with when it reached the bus (null: not recorded yet). */
export interface StoredAlert {
  alert: Alert;
  publishedAt: string | null;
}

/**
 * What alerts need of storage: the stored alert with its publication mark, and the
 * conditional writes alerts/raising.ts decides. The DynamoDB adapter (store/alerts-store.ts)
 * implements it; reading lists and the feed back is insights-port.ts's `AlertsReader` and the adapter's own.
 */
export interface AlertsPort {
  /** The alert, read strongly consistently; null when there is none. */
  stored(userId: string, alertId: string): Promise<StoredAlert | null>;
  /**
   * Writes an intent on its condition; false when the condition failed: the alert was stored
   * already (a redelivered trigger), or marked published already (a concurrent raise).
   */
  commit(intent: AlertWriteIntent): Promise<boolean>;
  /** Writes a read mark and answers the alert as it now is; null when there is none. */
  markRead(intent: AlertReadIntent): Promise<Alert | null>;
}
