/** The final tables: printed to the console and, as markdown, into BENCHMARKS.md. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { BundleResult } from "./bundle.ts";
import type { LoadResult } from "./load.ts";
import type { Machine } from "./machine.ts";
import type { BenchOptions } from "./options.ts";
import { costPerMillion, PRICE_PER_MILLION, type RequestUnitsResult, type Units } from "./request-units.ts";
import { NOISY_CORES } from "./cpu.ts";
import type { SpendCell } from "./spend-throughput.ts";
import { bytes, markdownTable, ms, num, ratio, textTable, usd } from "./stats.ts";

export interface Results {
  machine: Machine;
  options: BenchOptions;
  spend?: SpendCell[];
  units?: RequestUnitsResult;
  bundle?: BundleResult;
  durationMs: number;
  /** Cores other processes kept busy in the second before the run. */
  backgroundCores: number | undefined;
}

type Table = { title: string; headers: string[]; rows: string[][]; notes: string[]; left?: number[] };

function spendTables(cells: SpendCell[]): Table[] {
  const failed = (r: LoadResult) => (r.failed === 0 ? "0" : `${r.failed}`);
  const perOp = (v: number | undefined, n: number) => (v === undefined || n === 0 ? "?" : (v / n).toFixed(2));
  const other = (r: LoadResult) =>
    r.cpu.otherCores === undefined ? "?" : `${r.cpu.otherCores.toFixed(2)}${r.cpu.otherCores > NOISY_CORES ? " ⚠" : ""}`;
  // Total CPU per operation (this process + JVM): far less sensitive to neighbours than wall time.
  const cpuPerOp = (r: LoadResult) => (r.cpu.jvmMs === undefined || r.ok === 0 ? Number.NaN : (r.cpu.nodeMs + r.cpu.jvmMs) / r.ok);
  const cpuRatio = (c: SpendCell) => ratio(cpuPerOp(c.baseline) / cpuPerOp(c.api));
  const label = (c: SpendCell) => (c.scenario === "spread" ? `spread (${c.accounts} accts)` : "hot (1 acct)");
  return [
    {
      title: "Spends through the HTTP API vs the raw two-item TransactWriteItems baseline (same run, same DynamoDB Local)",
      headers: ["scenario", "conc", "API spends/s", "base tx/s", "API÷base", "API p50", "base p50", "p50 ×", "API p99", "base p99", "p99 ×", "API ok/failed", "base ok/failed"],
      rows: cells.map((c) => [
        label(c),
        String(c.concurrency),
        num(c.api.throughput),
        num(c.baseline.throughput),
        ratio(c.api.throughput / c.baseline.throughput),
        ms(c.api.latency.p50),
        ms(c.baseline.latency.p50),
        ratio(c.api.latency.p50 / c.baseline.latency.p50),
        ms(c.api.latency.p99),
        ms(c.baseline.latency.p99),
        ratio(c.api.latency.p99 / c.baseline.latency.p99),
        `${c.api.ok}/${failed(c.api)}`,
        `${c.baseline.ok}/${failed(c.baseline)}`,
      ]),
      notes: [
        "API÷base is the throughput ratio; p50 ×/p99 × are API latency ÷ baseline latency. Latency is per successful operation, retries included.",
        ...cells
          .flatMap((c) => [
            ...[...c.api.errors].map(([e, n]) => `${label(c)} c=${c.concurrency} API: ${n}× ${e}`),
            ...[...c.baseline.errors].map(([e, n]) => `${label(c)} c=${c.concurrency} baseline: ${n}× ${e}`),
          ]),
      ],
    },
    {
      title: "Where the CPU went (per successful operation)",
      headers: ["scenario", "conc", "API node ms", "API JVM ms", "base node ms", "base JVM ms", "CPU base÷API", "others API", "others base", "base retries/op"],
      rows: cells.map((c) => [
        label(c),
        String(c.concurrency),
        perOp(c.api.cpu.nodeMs, c.api.ok),
        perOp(c.api.cpu.jvmMs, c.api.ok),
        perOp(c.baseline.cpu.nodeMs, c.baseline.ok),
        perOp(c.baseline.cpu.jvmMs, c.baseline.ok),
        cpuRatio(c),
        other(c.api),
        other(c.baseline),
        c.baseline.ok ? (c.baseline.retries / c.baseline.ok).toFixed(2) : "?",
      ]),
      notes: [
        "node = CPU ms of the bench's Node process, which holds the load generator, the API Gateway emulator and the Lambda handler (API) or just the SDK client (baseline); JVM = CPU ms of DynamoDB Local; CPU base÷API = (node + JVM) CPU per baseline transaction ÷ per API spend, the throughput ratio a CPU-bound machine would show, and far less sensitive to neighbours than wall-clock figures; others = cores that other processes on the machine kept busy on average during the cell (⚠ above " + NOISY_CORES + ": that figure shared the machine).",
      ],
    },
  ];
}

function unitsTables(u: RequestUnitsResult): Table[] {
  const f = (v: number | undefined) => (v === undefined ? "–" : num(v, Number.isInteger(v) ? 0 : 1));
  const spend = u.operations.find((o) => o.operation === "spend")!;
  const cost = (units: Units | undefined) => (units ? usd(costPerMillion(units)) : "–");
  return [
    {
      title: `Request units per operation (${u.capacityReported ? "measured: ConsumedCapacity returned by DynamoDB Local" : "DynamoDB Local returned no ConsumedCapacity: computed figures only"}; computed: AWS size rules on the real items)`,
      headers: ["operation", "RRU measured", "WRU measured", "RRU computed", "WRU computed", "$/1M measured", "$/1M computed", "DynamoDB calls (measured units)"],
      left: [7],
      rows: u.operations.map((o) => [
        o.operation,
        f(o.measured?.read),
        f(o.measured?.write),
        f(o.computed.read),
        f(o.computed.write),
        cost(o.measured),
        cost(o.computed),
        o.calls.map((c) => `${c.name} ${c.name.startsWith("read") ? f(c.units.read) : f(c.units.write)}`).join(" + "),
      ]),
      notes: [
        `One million spends at on-demand us-east-1 prices ($${PRICE_PER_MILLION.write} per million WRU, $${PRICE_PER_MILLION.read} per million RRU): ` +
          (spend.measured ? `${usd(costPerMillion(spend.measured))} measured, ` : "") +
          `${usd(costPerMillion(spend.computed))} computed` +
          (spend.lsiWrite > 0
            ? ` (${usd(costPerMillion({ ...spend.computed, write: spend.computed.write + spend.lsiWrite }))} if AWS charges the LSI entry write at the transactional 2× as DynamoDB Local does).`
            : "."),
        ...u.operations.map((o) => `computed ${o.operation}: ${o.computedFrom}`),
        `DynamoDB Local self-check: two small puts in one transaction are reported as ${u.localAccounting.twoEqualPuts ?? "nothing"} WRU (AWS charges 2 + 2 = 4), ` +
          `and a transactional put's LSI entry as ${u.localAccounting.lsiEntry ?? "nothing"} WRU (the rule used here: 1 WRU per KB of index entry). ` +
          "Where measured and computed differ below, the computed figure is the one to price with.",
        `item sizes (AWS rules, bytes): ${Object.entries(u.itemSizes).map(([k, v]) => `${k} ${v}`).join(", ")}`,
        ...u.operations
          .filter((o) => o.measured && (o.measured.read !== o.computed.read || o.measured.write !== o.computed.write))
          .map((o) => `${o.operation}: measured ${f(o.measured!.read)} R / ${f(o.measured!.write)} W differs from computed ${f(o.computed.read)} R / ${f(o.computed.write)} W`),
      ],
    },
  ];
}

function bundleTables(b: BundleResult): Table[] {
  return [
    {
      title: `HTTP Lambda bundle (${b.entry}; esbuild ${b.esbuildVersion}, platform node, target node22, ESM, minified) and cold import (median of ${b.variants[0]?.importMs.length ?? 0} fresh node processes)`,
      headers: ["variant", "size", "gzip -9", "cold import", "whole process", "largest parts"],
      left: [5],
      rows: b.variants.map((v) => [
        v.name,
        bytes(v.bytes),
        bytes(v.gzipBytes),
        ms(v.medianImportMs),
        ms(v.medianProcessMs),
        v.top.slice(0, 4).map((t) => `${t.name} ${bytes(t.bytes)}`).join(", "),
      ]),
      notes: [
        ...b.variants.map(
          (v) =>
            `${v.name}: import runs ${v.importMs.map((x) => x.toFixed(0)).join(", ")} ms; zod's error-message locales (all languages) take ${bytes(v.zodLocalesBytes)} (${Math.round((100 * v.zodLocalesBytes) / v.bytes)}%) of it`,
        ),
        "cold import = `await import(bundle)` in a fresh `node` (the Node of this machine) with a Lambda-like environment pointing DynamoDB at a closed local port; whole process = spawn to exit, Node's own start-up included. The external variant loads @aws-sdk/* from node_modules as Lambda loads its runtime copy.",
      ],
    },
  ];
}

function machineLine(m: Machine): string {
  return `${m.date} · nproc ${m.nproc} · ${m.cpuModel} · ${m.memory} RAM · ${m.os} · Node ${m.node} · Java ${m.java} · DynamoDB Local ${m.dynamoDbLocal}`;
}

function settingsLine(r: Results): string {
  const o = r.options;
  const bg = r.backgroundCores === undefined ? "?" : r.backgroundCores.toFixed(2);
  return `${o.quick ? "--quick" : "default"} settings: ${o.accounts} spread accounts, per cell ≤ ${o.requests} operations or ≤ ${o.seconds} s, concurrency ${o.concurrency.join("/")}, warm-up ${o.warmupSeconds} s per path, settle ≤ ${o.settleSeconds} s before each cell; whole run ${(r.durationMs / 1000).toFixed(0)} s; other processes busy at start: ${bg} cores`;
}

function tables(r: Results): Table[] {
  return [...(r.spend ? spendTables(r.spend) : []), ...(r.units ? unitsTables(r.units) : []), ...(r.bundle ? bundleTables(r.bundle) : [])];
}

export function printResults(r: Results): void {
  const out: string[] = ["", "═".repeat(100), "Nyang bench results", machineLine(r.machine), settingsLine(r), ""];
  for (const t of tables(r)) {
    out.push(t.title, textTable(t.headers, t.rows, t.left), ...t.notes.map((n) => `  · ${n}`), "");
  }
  console.log(out.join("\n"));
}

const BEGIN = "<!-- bench:results:begin (written by `npm run bench`; edits inside are overwritten) -->";
const END = "<!-- bench:results:end -->";

export function resultsMarkdown(r: Results): string {
  const parts = [
    BEGIN,
    "",
    `**Machine:** ${machineLine(r.machine)}`,
    "",
    `**Run:** ${settingsLine(r)}`,
    "",
  ];
  for (const t of tables(r)) {
    parts.push(`#### ${t.title}`, "", markdownTable(t.headers, t.rows, t.left), "", ...t.notes.map((n) => `- ${n}`), "");
  }
  parts.push(END);
  return parts.join("\n");
}

/** Replaces the generated section of BENCHMARKS.md (appends it when the markers are missing). */
export function writeBenchmarksMd(path: string, r: Results): void {
  const section = resultsMarkdown(r);
  const current = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmarks\n\n";
  const begin = current.indexOf("<!-- bench:results:begin");
  const end = current.indexOf(END);
  const next =
    begin !== -1 && end > begin
      ? current.slice(0, begin) + section + current.slice(end + END.length)
      : `${current.trimEnd()}\n\n## Latest results\n\n${section}\n`;
  writeFileSync(path, next);
}
