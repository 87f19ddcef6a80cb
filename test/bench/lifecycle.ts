/**
 * What the bench starts, it stops: every resource registers a stopper here, and the stoppers
 * run (newest first, each once) when the run ends, fails, or is interrupted with Ctrl-C.
 */

interface Stopper {
  name: string;
  stop: () => void | Promise<void>;
}

const stoppers: Stopper[] = [];
const controller = new AbortController();
let cleaning: Promise<void> | undefined;
const started = performance.now();

/** Aborted on Ctrl-C/SIGTERM: load loops and long phases check it and wind down. */
export const abortSignal: AbortSignal = controller.signal;

/** Registers a stopper; returns the resource's own stop, made idempotent, for early release. */
export function onCleanup(name: string, stop: () => void | Promise<void>): () => Promise<void> {
  const entry: Stopper = { name, stop };
  let done: Promise<void> | undefined;
  const once = async () => {
    done ??= (async () => {
      const at = stoppers.indexOf(entry);
      if (at !== -1) stoppers.splice(at, 1);
      await stop();
    })();
    return done;
  };
  entry.stop = once;
  stoppers.push(entry);
  return once;
}

/** Runs every registered stopper, newest first; errors are logged, never thrown. */
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    while (stoppers.length > 0) {
      const s = stoppers[stoppers.length - 1]!;
      try {
        await withTimeout(Promise.resolve(s.stop()), 10_000, s.name);
      } catch (error) {
        console.error(`[bench] stopping ${s.name} failed: ${(error as Error).message}`);
        const at = stoppers.indexOf(s);
        if (at !== -1) stoppers.splice(at, 1);
      }
    }
  })();
  return cleaning;
}

/** Ctrl-C (or SIGTERM) aborts the run, stops everything and exits 130; a second Ctrl-C exits at once. */
export function installSignalHandlers(): void {
  let interruptedAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    // A terminal's Ctrl-C reaches the whole process group and tsx relays it once more: the
    // same keypress arrives twice within moments, and only a later one means "hurry up".
    if (interruptedAt !== undefined && performance.now() - interruptedAt < 1_500) return;
    if (interruptedAt !== undefined) {
      console.error(`[bench] ${signal} again: exiting without waiting`);
      process.exit(130);
    }
    interruptedAt = performance.now();
    console.error(`\n[bench] ${signal}: stopping everything the bench started…`);
    controller.abort(new Error(`interrupted by ${signal}`));
    void cleanup().finally(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

/** Throws the abort reason when the run was interrupted. */
export function throwIfAborted(): void {
  if (abortSignal.aborted) throw abortSignal.reason instanceof Error ? abortSignal.reason : new Error("aborted");
}

/** A progress line: `[bench +12.3s] message`. */
export function progress(message: string): void {
  const s = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`[bench +${s}s] ${message}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not stop within ${ms} ms`)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}
