/**
 * A closed-loop load generator: `concurrency` workers each run one operation at a time
 * until the cell has done `maxOps` operations or `maxMs` have passed (whichever first),
 * or the run is interrupted.
 */
import { cpuBetween, sampleCpu, type CpuUse } from "./cpu.ts";
import { summarize, type LatencySummary } from "./stats.ts";

/** One operation's outcome; `attempts` > 1 when it had to retry a lost race. */
export type OpResult = { ok: true; attempts?: number } | { ok: false; error: string };

export interface LoadOptions {
  concurrency: number;
  maxOps: number;
  maxMs: number;
  signal: AbortSignal;
  /** Used to account the DynamoDB Local JVM's CPU. */
  jvmPid?: number | undefined;
  /** Worker processes serving the API, whose CPU counts as the bench's own. */
  workerPids?: readonly number[] | undefined;
  op: (index: number) => Promise<OpResult>;
}

export interface LoadResult {
  concurrency: number;
  ok: number;
  failed: number;
  /** Failure reasons and how often each occurred. */
  errors: Map<string, number>;
  elapsedMs: number;
  /** Successful operations per second over the whole cell (tail included). */
  throughput: number;
  /** Latency of successful operations, ms. */
  latency: LatencySummary;
  /** Retries beyond the first attempt, summed over all operations. */
  retries: number;
  cpu: CpuUse;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const errors = new Map<string, number>();
  let next = 0;
  let failed = 0;
  let retries = 0;
  const cpu0 = sampleCpu(o.jvmPid, o.workerPids);
  const start = performance.now();
  const deadline = start + o.maxMs;

  const worker = async () => {
    while (next < o.maxOps && performance.now() < deadline && !o.signal.aborted) {
      const index = next++;
      const t0 = performance.now();
      let result: OpResult;
      try {
        result = await o.op(index);
      } catch (error) {
        result = { ok: false, error: (error as Error).name || String(error) };
      }
      const t1 = performance.now();
      if (result.ok) {
        latencies.push(t1 - t0);
        retries += (result.attempts ?? 1) - 1;
      } else {
        failed++;
        errors.set(result.error, (errors.get(result.error) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const elapsedMs = performance.now() - start;
  return {
    concurrency: o.concurrency,
    ok: latencies.length,
    failed,
    errors,
    elapsedMs,
    throughput: latencies.length / (elapsedMs / 1000),
    latency: summarize(latencies),
    retries,
    cpu: cpuBetween(cpu0, sampleCpu(o.jvmPid, o.workerPids)),
  };
}

/** `3× HTTP 500 internal, 1× ECONNRESET` */
export function describeErrors(errors: Map<string, number>): string {
  return [...errors].map(([e, n]) => `${n}× ${e}`).join(", ");
}
