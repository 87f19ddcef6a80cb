import { lazyHandler, type Runtime } from "../runtime.ts";
import { scheduledRun } from "./event.ts";

/**
 * EventBridge Scheduler → releases every pending hold past its expiry and marks it
 * expired. Expired holds already stopped counting against the balance; this tidies the
 * records. Safe to run twice or concurrently.
 */
export const makeHandler = (rt: Runtime) => scheduledRun(rt.log, "expire-holds", () => rt.ledger.sweepExpiredHolds());

/**
 * EventBridge Scheduler → writes the `bonus_expiry` entry of every bonus lot past its expiry
 * (docs/credits.md). The lots stopped counting at their expiry; this records it. Safe to run
 * twice, concurrently, or racing a spend that writes the same expiry.
 */
export const makeExpireBonusLots = (rt: Runtime) => scheduledRun(rt.log, "expire-bonus-lots", () => rt.ledger.sweepExpiredLots());

/** The Lambda entry points (the runtime from the environment, built at the first invocation). */
export const handler = lazyHandler(makeHandler);
export const expireBonusLots = lazyHandler(makeExpireBonusLots);
