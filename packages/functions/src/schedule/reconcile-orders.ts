import { lazyHandler, type Runtime } from "../runtime.ts";
import { scheduledRun } from "./event.ts";

/**
 * EventBridge Scheduler → settles every payment order that has waited on the gateway past
 * its settle time: credits approved payments, fails abandoned ones, finishes cancels.
 * Safe to run twice or concurrently.
 */
export const makeHandler = (rt: Runtime) => scheduledRun(rt.log, "reconcile-orders", () => rt.purchases.reconcile());

/** The Lambda entry point (the runtime from the environment, built at the first invocation). */
export const handler = lazyHandler(makeHandler);
