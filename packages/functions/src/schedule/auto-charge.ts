import { lazyHandler, type Runtime } from "../runtime.ts";
import { scheduledRun } from "./event.ts";

/**
 * EventBridge Scheduler → the auto-charge sweeps. The ledger stream charges a crossing the
 * moment it happens; these catch what it missed or what failed. Both are safe to run twice,
 * concurrently with each other and with the stream trigger: a crossing is charged once.
 * Each entry point `x` has its factory `makeX(runtime)`, as every handler module does.
 */

/** Daily (09:00 KST): every account with auto-charge on, and every charge record that is due. */
export const makeDaily = (rt: Runtime) => scheduledRun(rt.log, "auto-charge-daily", () => rt.autoCharge.sweep("all"));

/** Hourly: charge records that are due (a retry after its backoff, an attempt whose worker stopped). */
export const makeHourly = (rt: Runtime) => scheduledRun(rt.log, "auto-charge-hourly", () => rt.autoCharge.sweep("due"));

/** The Lambda entry points (the runtime from the environment, built at the first invocation). */
export const daily = lazyHandler(makeDaily);
export const hourly = lazyHandler(makeHourly);
