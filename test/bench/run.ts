/**
 * `npm run bench`: spends through the HTTP API against a raw-transaction baseline, request
 * units per operation, holds (reserve + capture) next to plain spends, one hot account
 * through a fleet of handler processes against a raw transaction, the stream consumers
 * fed from DynamoDB Local's stream, spend → WebSocket balance_update latency, the integrity
 * audit's throughput, and the Lambda bundle's size and cold import — all on
 * this machine, with its own DynamoDB Local. See BENCHMARKS.md for how to read and reproduce the figures.
 */
import "./env.ts";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { measureBundles } from "./bundle.ts";
import { backgroundLoad } from "./cpu.ts";
import { startApi, startDynamo, type Dynamo } from "./environment.ts";
import { cleanup, installSignalHandlers, progress } from "./lifecycle.ts";
import { describeMachine } from "./machine.ts";
import { parseOptions, USAGE, type Phase } from "./options.ts";
import { printResults, writeBenchmarksMd, type Results } from "./report.ts";
import { runHolds } from "./holds.ts";
import { runHotFleet } from "./hot-fleet.ts";
import { measureRequestUnits } from "./request-units.ts";
import { runSpendMatrix } from "./spend-throughput.ts";
import { runStreamConsumers } from "./stream-consumers.ts";
import { runRealtime } from "./realtime.ts";
import { runAudit } from "./audit.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  installSignalHandlers();
  const t0 = performance.now();
  const machine = describeMachine();
  progress(`machine: nproc ${machine.nproc}, ${machine.cpuModel}, Node ${machine.node}, Java ${machine.java}`);
  progress(
    `phases: ${[...options.phases].join(", ")}; ${options.quick ? "quick" : "default"} sizes: ${options.accounts} accounts, ` +
      `≤ ${options.requests} ops or ≤ ${options.seconds} s per cell, concurrency ${options.concurrency.join("/")}` +
      (options.phases.has("fleet") ? `; fleet: one account at ${options.hotConcurrency.join("/")} on ${options.workers} handler processes` : ""),
  );
  const background = (await backgroundLoad(undefined, 1_000)).otherCores;
  progress(`other processes on this machine keep ${background === undefined ? "?" : background.toFixed(2)} of ${machine.nproc} cores busy right now`);
  const results: Results = { machine, options, durationMs: 0, backgroundCores: background };

  // The bundle first, while the machine is otherwise idle: cold imports are sensitive to load.
  if (options.phases.has("bundle")) results.bundle = await measureBundles(options.coldRuns, options.settleSeconds);

  const has = (...phases: Phase[]) => phases.some((p) => options.phases.has(p));
  if (has("units", "spend", "holds", "fleet", "streams", "realtime", "audit")) {
    const dynamo = await startDynamo();
    if (has("units")) results.units = await measureRequestUnits(dynamo.raw);
    const api = has("spend", "holds") ? await startApi() : undefined;
    if (api && has("spend")) results.spend = await runSpendMatrix(options, dynamo, api.url);
    if (api && has("holds")) results.holds = await runHolds(options, dynamo, api.url);
    // Before the streams phase: the handler processes take the environment as it is when they start.
    if (has("fleet")) results.fleet = await runHotFleet(options, dynamo);
    // Last: it points the handlers' runtime at the local EventBridge sink and starts the pump.
    if (has("streams")) results.streams = await runStreamConsumers(options, dynamo);
    // After the streams phase (its pump stopped): a pump of its own per poll interval, the alerts consumer, the WebSocket gateway.
    if (has("realtime")) results.realtime = await runRealtime(options, dynamo);
    // A DynamoDB Local of its own (the audit scans its whole table): after the write-heavy
    // phases, every request to the shared instance costs several times what it costs on a
    // fresh one (its single SQLite thread is the bottleneck), whatever table it names.
    if (has("audit")) {
      const own = has("units", "spend", "holds", "fleet", "streams", "realtime") ? await freshDynamo(dynamo) : dynamo;
      results.audit = await runAudit(options, own);
    }
  }

  results.durationMs = performance.now() - t0;
  printResults(results);
  if (options.write) {
    writeBenchmarksMd(join(ROOT, "BENCHMARKS.md"), results);
    progress("BENCHMARKS.md: generated section refreshed");
  } else {
    progress("BENCHMARKS.md left as it is (it is refreshed by a full default run, or with --write)");
  }
}

/** Stops the shared DynamoDB Local and starts another in its place (process.env follows it). */
async function freshDynamo(shared: Dynamo): Promise<Dynamo> {
  await shared.stop();
  return startDynamo();
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  exitCode = 1;
  console.error(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await cleanup();
}
// Anything still holding the event loop (a stray socket) must not keep a finished bench alive.
process.exit(exitCode);
