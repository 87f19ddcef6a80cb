import type { Log } from "@nyang/core";
import type { RuntimeLog } from "../logger.ts";

/**
 * What EventBridge Scheduler hands a Lambda target: the schedule's input, by default the
 * scheduled-event envelope. Nothing in it is needed beyond logging; the handlers read the
 * clock themselves.
 */
export interface ScheduledEvent {
  id?: string;
  "detail-type"?: string;
  source?: string;
  time?: string;
  detail?: unknown;
}

/** What a scheduled handler may be given beside its event (the local cron loop gives none). */
export interface ScheduleContext {
  awsRequestId?: string;
  getRemainingTimeInMillis?: () => number;
}

/** One log line per run: what it did, when it was scheduled and how long it took. */
export function logRun(log: Log, name: string, event: ScheduledEvent, report: object, startedAt: number): void {
  log.info(`${name} finished`, { scheduledAt: event.time ?? null, ms: Date.now() - startedAt, ...report });
}

/**
 * A scheduled handler around one run: the run's lines keyed by the invocation's request id,
 * and its report logged and returned.
 */
export function scheduledRun<R extends object>(log: RuntimeLog, name: string, run: () => Promise<R>) {
  return (event: ScheduledEvent = {}, context?: ScheduleContext): Promise<R> =>
    log.within({ requestId: context?.awsRequestId }, async () => {
      const started = Date.now();
      const report = await run();
      logRun(log, name, event, report, started);
      return report;
    });
}
