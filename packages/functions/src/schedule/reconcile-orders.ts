import { runtime } from "../runtime.ts";
import { logRun, type ScheduledEvent } from "./event.ts";

/**
 * EventBridge Scheduler → settles every payment order that has waited on the gateway past
 * its settle time: credits approved payments, fails abandoned ones, finishes cancels.
 * Safe to run twice or concurrently.
 */
export async function handler(event: ScheduledEvent = {}) {
  const started = Date.now();
  const report = await runtime().purchases.reconcile();
  logRun("reconcile-orders", event, report, started);
  return report;
}
