import type { AlertIntent, AlertPublishedIntent, AlertReadIntent } from "../intents.ts";
import type { Alert } from "./alert.ts";
import type { StoredAlert } from "./alerts-port.ts";

/**
 * The decisions of raising and reading an alert, as write intents (intents.ts). The
 * redelivery rule every raiser follows (packages/functions/src/raise-alert.ts): an alert is
 * stored once, by its id (fixed by its trigger), and published until its stored item records
 * that it was (`publishedAt`, the first mark kept).
 */

/** Stores a new alert; a second store of the same id (a redelivered trigger) writes nothing. */
export const newAlert = (alert: Alert): AlertIntent => ({ kind: "alert", alert });

/**
 * What a raise that found its alert already stored still has to publish: the stored alert
 * while it is not marked published (its first raise stopped, or the bus refused, between
 * storing and marking), else nothing.
 */
export function stillToPublish(stored: StoredAlert | null): Alert | null {
  return stored !== null && stored.publishedAt === null ? stored.alert : null;
}

/**
 * Records that the alert reached the bus at `now`: kept from the first mark, on a stored alert
 * only. Not part of the alert as the API shows it; a MODIFY no stream consumer is subscribed to.
 */
export const publishedMark = (alert: Pick<Alert, "userId" | "id">, now: Date): AlertPublishedIntent => ({
  kind: "alert_published",
  userId: alert.userId,
  alertId: alert.id,
  publishedAt: now.toISOString(),
});

/** Marks an alert read at `now`; a second read keeps the first `readAt`. */
export const readMark = (userId: string, alertId: string, now: Date): AlertReadIntent => ({
  kind: "alert_read",
  userId,
  alertId,
  readAt: now.toISOString(),
});
