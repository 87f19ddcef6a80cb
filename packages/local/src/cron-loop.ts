/**
 * The local stand-in for EventBridge Scheduler: runs each scheduled handler on its cron
 * pattern (croner), in this process, for `npm run dev`.
 *
 * - A job never overlaps itself: a tick that comes while the previous run is still going is
 *   skipped, and says so. (On AWS overlapping runs are possible and harmless — the sweeps are
 *   idempotent — but locally there is no reason to have them.)
 * - One log line per run with the job's report and time, e.g.
 *   `[cron] expire-holds: {"examined":2,"expired":2,"alreadySettled":0} 12 ms`;
 *   a run that did nothing (a report whose counts are all zero) is silent unless `verbose`.
 * - A failing run is logged, never thrown: the loop goes on, as the next tick on AWS would.
 * - `stop()` stops the timers and waits for the runs still going.
 *
 * Patterns are read in UTC, as EventBridge Scheduler reads cron expressions by default.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { Cron } from "croner";

export interface CronTick {
  /** When the tick was due (the timer's time), or when `runNow` was called. */
  scheduledAt: Date;
  /** True for `runNow`. */
  manual: boolean;
}

export interface CronJob {
  /** Shown in the log, and the key for `runNow`. */
  name: string;
  /** A croner pattern: 5 fields (minute precision) or 6 (seconds first). */
  cron: string;
  /** One run; its result is the report that is logged. */
  run: (tick: CronTick) => Promise<unknown>;
}

export interface CronLoopOptions {
  jobs: readonly CronJob[];
  /** Where the loop's lines go (default: console.log, failures console.error). */
  log?: (line: string) => void;
  /** Log idle runs too. */
  verbose?: boolean;
  /**
   * Hold back what a run prints with console.log (the handlers log a JSON line per run) and
   * print it only if the run did something, failed, or `verbose` is set. Only output made in
   * the run's own async context is held; everything else, and console.error, passes straight
   * through. console.log is patched while the loop runs and restored by `stop()`.
   */
  quietIdleConsole?: boolean;
}

export type CronRunResult =
  | { name: string; status: "ok"; report: unknown; ms: number }
  | { name: string; status: "failed"; error: unknown; ms: number };

export interface CronLoop {
  /** The jobs with their patterns, in the order given. */
  readonly jobs: readonly { name: string; cron: string }[];
  /**
   * Runs a job now, outside its schedule. If a run of it is going, waits for that run to
   * end first (no overlap), then runs it again, so the result reflects the state at the call.
   * Never rejects for a failing run (see `status`); rejects for an unknown name or after `stop()`.
   */
  runNow(name: string): Promise<CronRunResult>;
  /** Stops every timer and waits for the runs still going. Idempotent. */
  stop(): Promise<void>;
}

interface JobState {
  job: CronJob;
  timer: Cron | undefined;
  running: Promise<CronRunResult> | undefined;
  startedAt: number;
}

interface RunContext {
  held: unknown[][] | undefined;
}

export function startCronLoop(options: CronLoopOptions): CronLoop {
  const log = options.log ?? ((line: string) => console.log(line));
  const logError = options.log ?? ((line: string) => console.error(line));
  const verbose = options.verbose ?? false;
  const context = new AsyncLocalStorage<RunContext>();

  const states = new Map<string, JobState>();
  for (const job of options.jobs) {
    if (states.has(job.name)) throw new Error(`cron: two jobs are named ${JSON.stringify(job.name)}`);
    states.set(job.name, { job, timer: undefined, running: undefined, startedAt: 0 });
  }

  let stopped = false;
  const console_ = options.quietIdleConsole ? holdConsoleLog(context) : undefined;
  const print = (held: unknown[][] | undefined) => {
    if (held && console_) for (const args of held) console_.original(...args);
  };

  function start(state: JobState, tick: CronTick): Promise<CronRunResult> {
    const { name } = state.job;
    const t0 = performance.now();
    state.startedAt = Date.now();
    const run = (async (): Promise<CronRunResult> => {
      const ctx: RunContext = { held: console_ ? [] : undefined };
      try {
        const report = await context.run(ctx, async () => state.job.run(tick));
        const ms = Math.round(performance.now() - t0);
        if (verbose || !isIdleReport(report)) {
          print(ctx.held);
          log(`[cron] ${name}: ${formatReport(report)} ${ms} ms`);
        }
        return { name, status: "ok", report, ms };
      } catch (error) {
        const ms = Math.round(performance.now() - t0);
        print(ctx.held);
        logError(`[cron] ${name} failed after ${ms} ms: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        return { name, status: "failed", error, ms };
      } finally {
        state.running = undefined;
      }
    })();
    state.running = run;
    return run;
  }

  function onTick(state: JobState, due: Date): void {
    if (stopped) return;
    if (state.running) {
      const seconds = ((Date.now() - state.startedAt) / 1000).toFixed(1);
      log(`[cron] ${state.job.name}: previous run still going (${seconds} s); skipped the ${due.toISOString()} tick`);
      return;
    }
    void start(state, { scheduledAt: due, manual: false });
  }

  try {
    for (const state of states.values()) {
      let timer: Cron;
      try {
        timer = new Cron(state.job.cron, { timezone: "UTC" }, (self: Cron) => {
          // croner hands the job itself; the due time is the run it is firing for.
          onTick(state, self.currentRun() ?? new Date());
        });
      } catch (error) {
        throw new Error(
          `cron: job ${state.job.name} has an invalid pattern ${JSON.stringify(state.job.cron)}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      state.timer = timer;
    }
  } catch (error) {
    for (const state of states.values()) state.timer?.stop();
    console_?.restore();
    throw error;
  }

  let stopping: Promise<void> | undefined;

  return {
    jobs: options.jobs.map(({ name, cron }) => ({ name, cron })),

    async runNow(name) {
      const state = states.get(name);
      if (!state) throw new Error(`cron: no job named ${JSON.stringify(name)} (jobs: ${[...states.keys()].join(", ")})`);
      // Re-checked after each wait: another caller may have started a run meanwhile.
      while (state.running) await state.running;
      if (stopped) throw new Error("cron: the loop is stopped");
      return start(state, { scheduledAt: new Date(), manual: true });
    },

    stop() {
      stopping ??= (async () => {
        stopped = true;
        for (const state of states.values()) state.timer?.stop();
        await Promise.all([...states.values()].map((s) => s.running));
        console_?.restore();
      })();
      return stopping;
    },
  };
}

/**
 * True when a report says nothing happened: no report, zero, or an object (nested objects
 * included) whose numbers are all zero. Other fields (text, flags) do not count.
 */
export function isIdleReport(report: unknown): boolean {
  if (report === undefined || report === null) return true;
  if (typeof report === "number") return report === 0;
  if (Array.isArray(report)) return report.every(isIdleReport);
  if (typeof report === "object") {
    return Object.values(report).every((v) => (typeof v === "number" || (typeof v === "object" && v !== null) ? isIdleReport(v) : true));
  }
  return false;
}

/**
 * The fixed interval of a pattern in milliseconds (`* * * * *` → 60 000), or undefined when its
 * runs are not evenly spaced (e.g. `0 9 * * 1-5`). Read in UTC, over its next few runs.
 */
export function cadenceMs(pattern: string, from: Date = new Date()): number | undefined {
  const runs = new Cron(pattern, { timezone: "UTC" }).nextRuns(6, from);
  const gaps = new Set(runs.slice(1).map((run, i) => run.getTime() - runs[i]!.getTime()));
  return gaps.size === 1 ? [...gaps][0] : undefined;
}

const MAX_REPORT_CHARS = 500;

function formatReport(report: unknown): string {
  let text: string;
  try {
    text = report === undefined ? "done" : (JSON.stringify(report) ?? String(report));
  } catch {
    text = String(report);
  }
  return text.length > MAX_REPORT_CHARS ? `${text.slice(0, MAX_REPORT_CHARS)}…` : text;
}

/** Patches console.log so that what a run prints in its own async context is held in it. */
function holdConsoleLog(context: AsyncLocalStorage<RunContext>) {
  const original = console.log;
  const patched = (...args: unknown[]) => {
    const held = context.getStore()?.held;
    if (held) held.push(args);
    else original(...args);
  };
  console.log = patched;
  return {
    original: (...args: unknown[]) => original(...args),
    restore() {
      // Leave a later patch (someone else's) in place.
      if (console.log === patched) console.log = original;
    },
  };
}
