import { runtime } from "../runtime.ts";
import { logRun, type ScheduledEvent } from "./event.ts";

/**
 * EventBridge Scheduler → the auto-charge sweeps. The ledger stream charges a crossing the
 * moment it happens; these catch what it missed or what failed. Both are safe to run twice,
 * concurrently with each other and with the stream trigger: a crossing is charged once.
 */

/** Daily (09:00 KST): every account with auto-charge on, and every charge record that is due. */
export async function daily(event: ScheduledEvent = {}) {
  const started = Date.now();
  const report = await runtime().autoCharge.sweep("all");
  logRun("auto-charge-daily", event, report, started);
  return report;
}

/** Hourly: charge records that are due (a retry after its backoff, an attempt whose worker stopped). */
export async function hourly(event: ScheduledEvent = {}) {
  const started = Date.now();
  const report = await runtime().autoCharge.sweep("due");
  logRun("auto-charge-hourly", event, report, started);
  return report;
}
