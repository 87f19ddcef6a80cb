/**
 * The deploy-time cadence of the scheduled jobs whose cadence is a setting: the auto-charge
 * sweeps (AUTO_CHARGE_DAILY_SCHEDULE / AUTO_CHARGE_HOURLY_SCHEDULE, in Scheduler's syntax,
 * UTC). env.ts parses them with every other variable; stacks/schedules.ts parses the
 * deployer's environment with {@link scheduleCadences}; both give http/routes.ts's
 * `scheduledJobsFor` the same values, so AWS and `npm run dev` run the same cadence.
 * No imports: stacks/ load this file as it is.
 */

/** The original module's cadence: a daily run at 09:00 KST and an hourly check. */
export const defaultSchedules = {
  AUTO_CHARGE_DAILY_SCHEDULE: "cron(0 0 * * ? *)",
  AUTO_CHARGE_HOURLY_SCHEDULE: "cron(30 * * * ? *)",
} as const satisfies Record<string, ScheduleExpression>;

export type ScheduleVariable = keyof typeof defaultSchedules;
export type ScheduleCadences = Record<ScheduleVariable, Cadence>;

/** One schedule variable's cadence from its text (unset or blank: the default); throws naming the variable. */
export function scheduleCadence(name: ScheduleVariable, value: string | undefined): Cadence {
  try {
    return cadence(value, defaultSchedules[name]);
  } catch (e) {
    throw new Error(`${name}: ${(e as Error).message}`);
  }
}

/** Every schedule variable's cadence from an environment (the deployer's, at `sst deploy`). */
export function scheduleCadences(env: Readonly<Record<string, string | undefined>>): ScheduleCadences {
  return {
    AUTO_CHARGE_DAILY_SCHEDULE: scheduleCadence("AUTO_CHARGE_DAILY_SCHEDULE", env.AUTO_CHARGE_DAILY_SCHEDULE),
    AUTO_CHARGE_HOURLY_SCHEDULE: scheduleCadence("AUTO_CHARGE_HOURLY_SCHEDULE", env.AUTO_CHARGE_HOURLY_SCHEDULE),
  };
}

/** A schedule expression in EventBridge Scheduler's syntax. */
export type ScheduleExpression = `rate(${string})` | `cron(${string})`;

/** A job's cadence: Scheduler's expression (AWS) and the same as a local cron pattern (`npm run dev`). */
export interface Cadence {
  schedule: ScheduleExpression;
  cron: string;
}

/**
 * A job's cadence as Scheduler's expression and the same as a local cron pattern: `rate(N
 * minutes|hours|days)` or `cron(min hour day-of-month month day-of-week year)` with `*` as
 * the year. Anything else stops the deploy (and `npm run dev`) with the variable's value.
 */
export function cadence(override: string | undefined, fallback: ScheduleExpression): Cadence {
  const schedule = (override?.trim() || fallback) as ScheduleExpression;
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(schedule);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2]!.replace(/s$/, "");
    if (n >= 1 && unit === "minute" && 60 % n === 0) return { schedule, cron: n === 1 ? "* * * * *" : `*/${n} * * * *` };
    if (n >= 1 && unit === "hour" && 24 % n === 0) return { schedule, cron: n === 1 ? "0 * * * *" : `0 */${n} * * *` };
    if (n === 1 && unit === "day") return { schedule, cron: "0 0 * * *" };
  }
  const cron = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(schedule);
  if (cron && cron[6] === "*") {
    const fields = cron.slice(1, 6).map((f) => (f === "?" ? "*" : f));
    if (fields.every((f) => /^[0-9*,/-]+$/.test(f))) return { schedule, cron: fields.join(" ") };
  }
  throw new Error(
    `schedule ${JSON.stringify(schedule)}: use rate(N minutes|hours) dividing an hour or a day, rate(1 day), or cron(min hour dom month dow *) with numbers`,
  );
}
