import { lazyHandler, type Runtime } from "../runtime.ts";
import { scheduledRun } from "./event.ts";

/**
 * EventBridge Scheduler → releases every pending hold past its expiry and marks it
 * expired. Expired holds already stopped counting against the balance; this tidies the
 * records. Safe to run twice or concurrently.
 */
export const makeHandler = (rt: Runtime) => scheduledRun(rt.log, "expire-holds", () => rt.ledger.sweepExpiredHolds());

/** The Lambda entry point (the runtime from the environment, built at the first invocation). */
export const handler = lazyHandler(makeHandler);
