import { runtime } from "../runtime.ts";
import { logRun, type ScheduledEvent } from "./event.ts";

/**
 * EventBridge Scheduler → releases every pending hold past its expiry and marks it
 * expired. Expired holds already stopped counting against the balance; this tidies the
 * records. Safe to run twice or concurrently.
 */
export async function handler(event: ScheduledEvent = {}) {
  const started = Date.now();
  const report = await runtime().ledger.sweepExpiredHolds();
  logRun("expire-holds", event, report, started);
  return report;
}
