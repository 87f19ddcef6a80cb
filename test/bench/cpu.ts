/**
 * CPU accounting for a measured cell: this Node process (load generator, HTTP gateway and
 * Lambda handler all live here), the DynamoDB Local JVM, and the whole machine. On a
 * 2-core box they compete, so the split explains the throughput figures.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Other processes keeping this many cores busy during a cell make its figures suspect. */
export const NOISY_CORES = 0.25;

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** The pid of the DynamoDB Local JVM listening on `port`, found in /proc (Linux only). */
export function findDynamoDbLocalPid(port: number): number | undefined {
  if (process.platform !== "linux") return undefined;
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      const at = args.indexOf("-port");
      if (args.some((a) => a.endsWith("DynamoDBLocal.jar")) && at !== -1 && args[at + 1] === String(port)) return Number(name);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

/** User + system CPU time of a process in ms, from /proc/<pid>/stat. */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks / clockTicks()) * 1000;
  } catch {
    return undefined;
  }
}

function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

export interface CpuSample {
  at: number;
  nodeMs: number;
  jvmMs: number | undefined;
  machine: { busy: number; total: number } | undefined;
}

export interface CpuUse {
  /** CPU ms this process used (with the HTTP handler's worker processes, when a fleet serves the API). */
  nodeMs: number;
  /** CPU ms the DynamoDB Local JVM used (undefined when it could not be found). */
  jvmMs: number | undefined;
  /** Share of all cores busy over the interval, 0–1. */
  machineBusy: number | undefined;
  /**
   * Cores that everything else on the machine kept busy on average (other people's test
   * runs, builds, the kernel): a figure measured next to a busy neighbour is suspect.
   */
  otherCores: number | undefined;
}

/** `workerPids`: processes of the bench's own counted as this one (the HTTP handler's fleet). */
export function sampleCpu(jvmPid: number | undefined, workerPids: readonly number[] = []): CpuSample {
  const u = process.cpuUsage();
  return {
    at: performance.now(),
    nodeMs: (u.user + u.system) / 1000 + workerPids.reduce((sum, pid) => sum + (processCpuMs(pid) ?? 0), 0),
    jvmMs: jvmPid === undefined ? undefined : processCpuMs(jvmPid),
    machine: machineTicks(),
  };
}

export function cpuBetween(a: CpuSample, b: CpuSample): CpuUse {
  const nodeMs = b.nodeMs - a.nodeMs;
  const jvmMs = a.jvmMs !== undefined && b.jvmMs !== undefined ? b.jvmMs - a.jvmMs : undefined;
  const machine = a.machine && b.machine && b.machine.total > a.machine.total ? { busy: b.machine.busy - a.machine.busy, total: b.machine.total - a.machine.total } : undefined;
  const wallMs = b.at - a.at;
  const busyMs = machine ? (machine.busy / clockTicks()) * 1000 : undefined;
  return {
    nodeMs,
    jvmMs,
    machineBusy: machine ? machine.busy / machine.total : undefined,
    otherCores: busyMs !== undefined && wallMs > 0 ? Math.max(0, (busyMs - nodeMs - (jvmMs ?? 0)) / wallMs) : undefined,
  };
}

/** Cores the rest of the machine keeps busy over `ms` while the bench itself idles. */
export async function backgroundLoad(jvmPid: number | undefined, ms: number): Promise<CpuUse> {
  const a = sampleCpu(jvmPid);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return cpuBetween(a, sampleCpu(jvmPid));
}

/**
 * Waits (at most `maxMs`) until the rest of the machine keeps fewer than `threshold` cores
 * busy over a half-second window; returns the last reading. The bench shares its machine.
 */
export async function waitForQuiet(jvmPid: number | undefined, maxMs: number, threshold: number, signal: AbortSignal): Promise<number | undefined> {
  const deadline = performance.now() + maxMs;
  let last: number | undefined;
  do {
    last = (await backgroundLoad(jvmPid, 500)).otherCores;
    if (last === undefined || last < threshold) return last;
  } while (performance.now() < deadline && !signal.aborted);
  return last;
}
