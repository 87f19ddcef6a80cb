/** Command-line flags and environment variables of `npm run bench`. */

export type Phase = "bundle" | "units" | "spend" | "holds" | "fleet" | "streams" | "realtime" | "audit";
export const PHASES: readonly Phase[] = ["bundle", "units", "spend", "holds", "fleet", "streams", "realtime", "audit"];

export interface BenchOptions {
  quick: boolean;
  /** Accounts the "spread" scenario rotates over. */
  accounts: number;
  /** Per measured cell: stop after this many operations… */
  requests: number;
  /** …or after this many seconds, whichever comes first. */
  seconds: number;
  /** Unmeasured warm-up per path before the spend matrix, in seconds. */
  warmupSeconds: number;
  concurrency: number[];
  /** Concurrency levels of the holds section (hold+capture pairs next to plain spends). */
  holdConcurrency: number[];
  /** Concurrency levels of the "hot account across the fleet" phase… */
  hotConcurrency: number[];
  /** …whose HTTP handler runs in this many processes. */
  workers: number;
  /** Spends written (through core) for the stream consumers to process… */
  streamSpends: number;
  /** …spread round-robin over this many of the spread accounts. */
  streamAccounts: number;
  /** Realtime: spends timed per poll interval, at most… */
  realtimeSpends: number;
  /** …or for at most this many seconds. */
  realtimeSeconds: number;
  /** Accounts generated for the integrity audit. */
  auditAccounts: number;
  /** Scan page size (Limit) of the audit and its baseline; undefined: DynamoDB's 1 MB pages. */
  auditPageSize: number | undefined;
  phases: Set<Phase>;
  /** Before each measured cell, wait up to this many seconds for other processes to quieten. */
  settleSeconds: number;
  /** Cold imports per bundle variant (the median is reported). */
  coldRuns: number;
  /** Refresh the generated section of BENCHMARKS.md. */
  write: boolean;
  help: boolean;
}

export const USAGE = `npm run bench -- [flags]

  --quick                 ~45 s run: 200 accounts, 400 requests or 1 s per cell; stream rounds live (120 spends)
                          and hot account (60), no backlog round (BENCHMARKS.md untouched)
  --accounts N            accounts in the spread scenarios           (BENCH_ACCOUNTS, default 1000)
  --requests N            max operations per measured cell           (BENCH_REQUESTS, default 4000)
  --seconds S             max seconds per measured cell              (BENCH_SECONDS, default 8)
  --concurrency 1,8,32    concurrency levels of the spend matrix     (BENCH_CONCURRENCY)
  --hold-concurrency 1,8  concurrency levels of the holds section    (BENCH_HOLD_CONCURRENCY)
  --hot-concurrency 8,32,128  concurrency levels of the fleet phase: one account, spends through the API
                          served by --workers handler processes vs a raw two-item transaction
                                                                     (BENCH_HOT_CONCURRENCY)
  --workers N             HTTP handler processes of the fleet phase  (BENCH_WORKERS, default 2)
  --stream-spends N       spends per stream round                    (BENCH_STREAM_SPENDS, default 2000; 120 with --quick)
  --stream-accounts N     accounts a stream round rotates over       (BENCH_STREAM_ACCOUNTS, default 200; 12 with --quick)
  --realtime-spends N     spends timed per poll interval (250, 25 ms)  (BENCH_REALTIME_SPENDS, default 200; 30 with --quick)
  --realtime-seconds S    …or at most S seconds per poll interval    (BENCH_REALTIME_SECONDS, default 60; 10 with --quick)
  --audit-accounts N      accounts generated for the integrity audit (BENCH_AUDIT_ACCOUNTS, default 1000; 150 with --quick)
  --audit-page-size N     Scan Limit of the audit and its baseline   (BENCH_AUDIT_PAGE_SIZE, default: 1 MB pages)
  --warmup S              unmeasured warm-up per path before the spend and hold cells
                                                                     (BENCH_WARMUP, default 3; 0.75 with --quick)
  --settle S              before each cell, wait ≤ S s for other processes on the machine to go quiet
                                                                     (BENCH_SETTLE, default 5; 0 with --quick)
  --only bundle,units,spend,holds,fleet,streams,realtime,audit   run only these phases
  --skip bundle,units,spend,holds,fleet,streams,realtime,audit   skip these phases
  --write / --no-write    refresh BENCHMARKS.md (default: only on a full, non-quick run)
  --help`;

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new Error(`unexpected argument ${JSON.stringify(arg)}\n\n${USAGE}`);
    const eq = arg.indexOf("=");
    if (eq !== -1) {
      flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (["quick", "write", "no-write", "help"].includes(arg.slice(2))) {
      flags.set(arg.slice(2), true);
    } else {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value\n\n${USAGE}`);
      flags.set(arg.slice(2), value);
    }
  }
  const known = [
    "quick", "accounts", "requests", "seconds", "concurrency", "hold-concurrency", "hot-concurrency", "workers", "stream-spends", "stream-accounts",
    "realtime-spends", "realtime-seconds", "audit-accounts", "audit-page-size",
    "settle", "warmup", "only", "skip", "write", "no-write", "help",
  ];
  for (const name of flags.keys()) {
    if (!known.includes(name)) throw new Error(`unknown flag --${name}\n\n${USAGE}`);
  }

  const quick = flags.get("quick") === true;
  const str = (name: string, envName: string): string | undefined => {
    const v = flags.get(name);
    return typeof v === "string" ? v : env[envName] || undefined;
  };
  const int = (name: string, envName: string, fallback: number, min: number): number => {
    const text = str(name, envName);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} (${envName}) must be a whole number ≥ ${min}, got ${text}`);
    return n;
  };
  const seconds = (() => {
    const text = str("seconds", "BENCH_SECONDS");
    if (text === undefined) return quick ? 1 : 8;
    const n = Number(text);
    if (!(n > 0)) throw new Error(`--seconds (BENCH_SECONDS) must be > 0, got ${text}`);
    return n;
  })();
  const warmupSeconds = (() => {
    const text = str("warmup", "BENCH_WARMUP");
    if (text === undefined) return quick ? 0.75 : 3;
    const n = Number(text);
    if (!(n >= 0)) throw new Error(`--warmup (BENCH_WARMUP) must be ≥ 0, got ${text}`);
    return n;
  })();
  const realtimeSeconds = (() => {
    const text = str("realtime-seconds", "BENCH_REALTIME_SECONDS");
    if (text === undefined) return quick ? 10 : 60;
    const n = Number(text);
    if (!(n > 0)) throw new Error(`--realtime-seconds (BENCH_REALTIME_SECONDS) must be > 0, got ${text}`);
    return n;
  })();
  const settleSeconds = (() => {
    const text = str("settle", "BENCH_SETTLE");
    if (text === undefined) return quick ? 0 : 5;
    const n = Number(text);
    if (!(n >= 0)) throw new Error(`--settle (BENCH_SETTLE) must be ≥ 0, got ${text}`);
    return n;
  })();
  const levels = (text: string) =>
    text.split(",").map((c) => {
      const n = Number(c.trim());
      if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`concurrency levels must be whole numbers 1–256, got ${c}`);
      return n;
    });
  const concurrency = levels(str("concurrency", "BENCH_CONCURRENCY") ?? "1,8,32");
  const holdConcurrency = levels(str("hold-concurrency", "BENCH_HOLD_CONCURRENCY") ?? "1,8");
  const hotConcurrency = levels(str("hot-concurrency", "BENCH_HOT_CONCURRENCY") ?? "8,32,128");
  const phaseList = (text: string, flag: string): Phase[] =>
    text.split(",").map((p) => {
      const phase = p.trim() as Phase;
      if (!PHASES.includes(phase)) throw new Error(`--${flag} takes ${PHASES.join(", ")}; got ${p}`);
      return phase;
    });
  const only = flags.get("only");
  const skip = flags.get("skip");
  const phases = new Set<Phase>(typeof only === "string" ? phaseList(only, "only") : PHASES);
  if (typeof skip === "string") for (const p of phaseList(skip, "skip")) phases.delete(p);

  const full = !quick && phases.size === PHASES.length;
  return {
    quick,
    accounts: int("accounts", "BENCH_ACCOUNTS", quick ? 200 : 1000, 1),
    requests: int("requests", "BENCH_REQUESTS", quick ? 400 : 4000, 1),
    seconds,
    warmupSeconds,
    concurrency,
    holdConcurrency,
    hotConcurrency,
    workers: int("workers", "BENCH_WORKERS", 2, 1),
    streamSpends: int("stream-spends", "BENCH_STREAM_SPENDS", quick ? 120 : 2000, 1),
    streamAccounts: int("stream-accounts", "BENCH_STREAM_ACCOUNTS", quick ? 12 : 200, 1),
    realtimeSpends: int("realtime-spends", "BENCH_REALTIME_SPENDS", quick ? 30 : 200, 1),
    realtimeSeconds,
    auditAccounts: int("audit-accounts", "BENCH_AUDIT_ACCOUNTS", quick ? 150 : 1000, 1),
    auditPageSize: str("audit-page-size", "BENCH_AUDIT_PAGE_SIZE") === undefined ? undefined : int("audit-page-size", "BENCH_AUDIT_PAGE_SIZE", 0, 1),
    phases,
    settleSeconds,
    coldRuns: 5,
    write: flags.has("no-write") ? false : flags.has("write") ? true : full,
    help: flags.get("help") === true,
  };
}
