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

/** One JSON log line per run, in the shape the other handlers log. */
export function logRun(name: string, event: ScheduledEvent, report: object, startedAt: number): void {
  console.log(
    JSON.stringify({ level: "INFO", message: `${name} finished`, scheduledAt: event.time ?? null, ms: Date.now() - startedAt, ...report }),
  );
}
