/**
 * The local schedule loop, on croner's real timers with a per-second pattern and fake jobs:
 * runs and their log lines, quiet idle runs, no overlap, stop waits, failures logged.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { cadenceMs, isIdleReport, startCronLoop, type CronLoop, type CronTick } from "./cron-loop.ts";

const EVERY_SECOND = "* * * * * *";
/** Never fires during a test (1 January, 00:00), so only runNow runs the job. */
const NEVER_SOON = "0 0 0 1 1 *";

const loops: CronLoop[] = [];
function start(...args: Parameters<typeof startCronLoop>): CronLoop {
  const loop = startCronLoop(...args);
  loops.push(loop);
  return loop;
}

afterEach(async () => {
  await Promise.all(loops.splice(0).map((l) => l.stop()));
  vi.restoreAllMocks();
});

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("startCronLoop", () => {
  it("runs each job on its pattern and logs one line per run with the report and time", async () => {
    const lines: string[] = [];
    const ticks: CronTick[] = [];
    start({
      jobs: [
        {
          name: "expire-holds",
          cron: EVERY_SECOND,
          run: async (tick) => {
            ticks.push(tick);
            return { examined: 2, expired: 1, alreadySettled: 1 };
          },
        },
      ],
      log: (line) => lines.push(line),
    });
    await vi.waitFor(() => expect(ticks.length).toBeGreaterThanOrEqual(2), { timeout: 3500, interval: 50 });
    expect(lines[0]).toMatch(/^\[cron\] expire-holds: \{"examined":2,"expired":1,"alreadySettled":1\} \d+ ms$/);
    expect(ticks.every((t) => !t.manual && t.scheduledAt.getUTCMilliseconds() === 0)).toBe(true);
  }, 6000);

  it("stays quiet when a run did nothing, unless verbose", async () => {
    const quiet: string[] = [];
    const loud: string[] = [];
    let quietRuns = 0;
    const idle = { examined: 0, expired: 0, alreadySettled: 0 };
    start({ jobs: [{ name: "q", cron: EVERY_SECOND, run: async () => (quietRuns++, idle) }], log: (l) => quiet.push(l) });
    start({ jobs: [{ name: "v", cron: EVERY_SECOND, run: async () => idle }], log: (l) => loud.push(l), verbose: true });
    await vi.waitFor(() => expect(loud.length).toBeGreaterThanOrEqual(1), { timeout: 2500, interval: 50 });
    await vi.waitFor(() => expect(quietRuns).toBeGreaterThanOrEqual(1), { timeout: 2500, interval: 50 });
    expect(quiet).toEqual([]);
    expect(loud[0]).toMatch(/^\[cron\] v: \{"examined":0,"expired":0,"alreadySettled":0\} \d+ ms$/);
  }, 6000);

  it("never overlaps runs of one job: a tick during a run is skipped, and logged", async () => {
    const lines: string[] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    start({
      jobs: [
        {
          name: "slow",
          cron: EVERY_SECOND,
          run: async () => {
            concurrent++;
            maxConcurrent = Math.max(maxConcurrent, concurrent);
            await sleep(2200);
            concurrent--;
            return { examined: 1 };
          },
        },
      ],
      log: (l) => lines.push(l),
    });
    await vi.waitFor(() => expect(lines.some((l) => l.startsWith("[cron] slow: {"))).toBe(true), { timeout: 7000, interval: 50 });
    expect(maxConcurrent).toBe(1);
    const skipped = lines.filter((l) => /^\[cron\] slow: previous run still going \(\d+\.\d s\); skipped the \S+Z tick$/.test(l));
    expect(skipped.length).toBeGreaterThanOrEqual(1);
  }, 10_000);

  it("stop() stops the timers and waits for the runs still going", async () => {
    const release = deferred();
    let runs = 0;
    let finished = false;
    const loop = start({
      jobs: [
        {
          name: "held",
          cron: EVERY_SECOND,
          run: async () => {
            runs++;
            await release.promise;
            finished = true;
            return { examined: 1 };
          },
        },
      ],
      log: () => {},
    });
    await vi.waitFor(() => expect(runs).toBe(1), { timeout: 2500, interval: 20 });

    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await sleep(1200);
    expect(stopped).toBe(false);
    release.resolve();
    await stopping;
    expect(finished).toBe(true);

    await sleep(1200);
    expect(runs).toBe(1);
    await expect(loop.runNow("held")).rejects.toThrow(/stopped/);
  }, 8000);

  it("logs a failing run and goes on: the next tick runs again, nothing is thrown", async () => {
    const lines: string[] = [];
    let runs = 0;
    const unhandled = vi.fn();
    process.on("unhandledRejection", unhandled);
    try {
      start({
        jobs: [
          {
            name: "broken",
            cron: EVERY_SECOND,
            run: async () => {
              runs++;
              throw new Error("table not found");
            },
          },
        ],
        log: (l) => lines.push(l),
      });
      await vi.waitFor(() => expect(runs).toBeGreaterThanOrEqual(2), { timeout: 3500, interval: 50 });
      await sleep(20);
      expect(lines[0]).toMatch(/^\[cron\] broken failed after \d+ ms: Error: table not found/);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off("unhandledRejection", unhandled);
    }
  }, 6000);

  it("runNow runs a job at once and returns its report; a failure comes back as a result", async () => {
    let fail = false;
    const loop = start({
      jobs: [
        {
          name: "job",
          cron: NEVER_SOON,
          run: async (tick) => {
            if (fail) throw new Error("boom");
            return { manual: tick.manual, examined: 3 };
          },
        },
      ],
      log: () => {},
    });
    await expect(loop.runNow("job")).resolves.toMatchObject({ name: "job", status: "ok", report: { manual: true, examined: 3 } });
    fail = true;
    const failed = await loop.runNow("job");
    expect(failed).toMatchObject({ status: "failed" });
    expect(failed.status === "failed" && (failed.error as Error).message).toBe("boom");
    await expect(loop.runNow("nope")).rejects.toThrow(/no job named "nope" \(jobs: job\)/);
  });

  it("runNow during a run waits for it, then runs again (never two at once)", async () => {
    const gates = [deferred(), deferred()];
    let runs = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const loop = start({
      jobs: [
        {
          name: "job",
          cron: NEVER_SOON,
          run: async () => {
            const n = runs++;
            concurrent++;
            maxConcurrent = Math.max(maxConcurrent, concurrent);
            await gates[n]!.promise;
            concurrent--;
            return { run: n };
          },
        },
      ],
      log: () => {},
    });
    const first = loop.runNow("job");
    const second = loop.runNow("job");
    await sleep(20);
    expect(runs).toBe(1);
    gates[0]!.resolve();
    await expect(first).resolves.toMatchObject({ report: { run: 0 } });
    await vi.waitFor(() => expect(runs).toBe(2));
    gates[1]!.resolve();
    await expect(second).resolves.toMatchObject({ report: { run: 1 } });
    expect(maxConcurrent).toBe(1);
  });

  it("with quietIdleConsole, holds what an idle run console.logs and prints a busy run's", async () => {
    const printed: unknown[][] = [];
    // Stands in for the terminal: the loop patches over it and writes held lines to it.
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void printed.push(args));
    let examined = 0;
    const loop = start({
      jobs: [
        {
          name: "job",
          cron: NEVER_SOON,
          run: async () => {
            await sleep(1);
            console.log(`{"message":"job finished","examined":${examined}}`);
            return { examined };
          },
        },
      ],
      log: (l) => printed.push([l]),
      quietIdleConsole: true,
    });
    await loop.runNow("job");
    expect(printed).toEqual([]);

    // Output from outside a run passes straight through.
    console.log("an HTTP request line");
    expect(printed).toEqual([["an HTTP request line"]]);

    examined = 2;
    await loop.runNow("job");
    expect(printed.slice(1).map((a) => String(a[0]))).toEqual([
      '{"message":"job finished","examined":2}',
      expect.stringMatching(/^\[cron\] job: \{"examined":2\} \d+ ms$/),
    ]);

    const patched = console.log;
    await loop.stop();
    expect(console.log).not.toBe(patched);
  });

  it("refuses an invalid pattern or a duplicate name, naming the job", () => {
    expect(() => startCronLoop({ jobs: [{ name: "bad", cron: "every minute", run: async () => null }] })).toThrow(
      /job bad has an invalid pattern "every minute"/,
    );
    const run = async () => null;
    expect(() => startCronLoop({ jobs: [{ name: "a", cron: EVERY_SECOND, run }, { name: "a", cron: EVERY_SECOND, run }] })).toThrow(
      /two jobs are named "a"/,
    );
  });
});

describe("isIdleReport", () => {
  it("is true only when every count is zero", () => {
    expect(isIdleReport({ examined: 0, expired: 0, alreadySettled: 0 })).toBe(true);
    expect(isIdleReport({ examined: 0, credited: 0, failed: 0, canceled: 0, stillPending: 0, errors: 0 })).toBe(true);
    expect(isIdleReport(undefined)).toBe(true);
    expect(isIdleReport({ examined: 0, note: "nothing due", nested: { n: 0 } })).toBe(true);
    expect(isIdleReport({ examined: 1, expired: 0 })).toBe(false);
    expect(isIdleReport({ examined: 0, errors: 1 })).toBe(false);
    expect(isIdleReport({ nested: { n: 2 } })).toBe(false);
    expect(isIdleReport("done")).toBe(false);
  });
});

describe("cadenceMs", () => {
  it("reads the fixed interval of a pattern, in UTC", () => {
    expect(cadenceMs("* * * * *")).toBe(60_000);
    expect(cadenceMs("*/5 * * * *")).toBe(300_000);
    expect(cadenceMs("* * * * * *")).toBe(1_000);
    expect(cadenceMs("0 9 * * 1-5", new Date("2026-01-05T00:00:00Z"))).toBeUndefined();
  });
});
