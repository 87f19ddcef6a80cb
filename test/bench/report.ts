/** The final tables: printed to the console and, as markdown, into BENCHMARKS.md. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { BundleResult } from "./bundle.ts";
import { REPS, type AuditResult } from "./audit.ts";
import type { HoldsResult } from "./holds.ts";
import type { HotFleetResult } from "./hot-fleet.ts";
import type { RealtimeResult } from "./realtime.ts";
import type { LoadResult } from "./load.ts";
import type { Machine } from "./machine.ts";
import type { BenchOptions } from "./options.ts";
import { costPerMillion, PRICE_PER_MILLION, type RequestUnitsResult, type Units } from "./request-units.ts";
import { NOISY_CORES, type CpuUse } from "./cpu.ts";
import type { SpendCell } from "./spend-throughput.ts";
import type { CallTally } from "./sdk-meter.ts";
import { handlerRate, isDynamoOperation, type RoundFigures, type StreamResult } from "./stream-consumers.ts";
import { bytes, markdownTable, ms, num, ratio, textTable, usd } from "./stats.ts";

export interface Results {
  machine: Machine;
  options: BenchOptions;
  spend?: SpendCell[];
  units?: RequestUnitsResult;
  holds?: HoldsResult;
  fleet?: HotFleetResult;
  streams?: StreamResult;
  realtime?: RealtimeResult;
  audit?: AuditResult;
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

function hotFleetTables(f: HotFleetResult): Table[] {
  const non2xx = (r: LoadResult) => (r.failed === 0 ? "0" : describeErrorsText(r.errors));
  return [
    {
      title: `Hot account across the fleet: one account, spends through the HTTP API served by ${f.workers} handler processes vs a raw two-item transaction (same run, same DynamoDB Local)`,
      headers: ["conc", "API spends/s", "raw tx/s", "API÷raw", "API p50", "API p99", "raw p50", "raw p99", "API ok", "API non-2xx", "raw ok", "raw failed"],
      rows: f.cells.map((c) => [
        String(c.concurrency),
        num(c.api.throughput),
        num(c.raw.throughput),
        ratio(c.api.throughput / c.raw.throughput),
        ms(c.api.latency.p50),
        ms(c.api.latency.p99),
        ms(c.raw.latency.p50),
        ms(c.raw.latency.p99),
        String(c.api.ok),
        non2xx(c.api),
        String(c.raw.ok),
        non2xx(c.raw),
      ]),
      left: [9, 11],
      notes: [
        "raw = `SET balance = balance - :c` on `balance >= :c` plus an entry put on `attribute_not_exists`, one TransactWriteItems, no read and no version (a TransactionConflict cancellation is retried with jitter). API = POST …/usage on one account (1 coin each), keep-alive HTTP → local API Gateway → the real handler in its own processes. Latency is per successful operation, retries included; API non-2xx counts answers by status and error code.",
        `Spends answered per handler process over the phase: ${f.perWorker.join(", ")}.`,
        `CPU per operation (bench process + handler processes | DynamoDB Local): ${f.cells
          .map((c) => `c=${c.concurrency} API ${perOpMs(c.api.cpu.nodeMs, c.api.ok)} | ${perOpMs(c.api.cpu.jvmMs, c.api.ok)} ms, raw ${perOpMs(c.raw.cpu.nodeMs, c.raw.ok)} | ${perOpMs(c.raw.cpu.jvmMs, c.raw.ok)} ms; others ${othersOf(c.api)}`)
          .join("; ")}.`,
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

const perOpMs = (v: number | undefined, n: number) => (v === undefined || n === 0 ? "?" : (v / n).toFixed(2));
const othersOf = (r: LoadResult) =>
  r.cpu.otherCores === undefined ? "?" : `${r.cpu.otherCores.toFixed(2)}${r.cpu.otherCores > NOISY_CORES ? " ⚠" : ""}`;
const okFailed = (r: LoadResult) => `${r.ok}/${r.failed}`;
const units2 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "–" : Number.isInteger(v) ? String(v) : num(v, 2));

function holdsTables(h: HoldsResult): Table[] {
  const label = `spread (${h.accounts} accts)`;
  const cpuPerOp = (r: LoadResult) => (r.cpu.jvmMs === undefined || r.ok === 0 ? Number.NaN : (r.cpu.nodeMs + r.cpu.jvmMs) / r.ok);
  const u = h.units;
  const find = (name: string) => u.operations.find((o) => o.operation === name);
  const sum = (...names: string[]): { read: number; write: number } | undefined => {
    const ops = names.map(find);
    if (ops.some((o) => !o)) return undefined;
    return ops.reduce((a, o) => ({ read: a.read + o!.computed.read, write: a.write + o!.computed.write }), { read: 0, write: 0 });
  };
  const sumMeasured = (...names: string[]): { read: number; write: number } | undefined => {
    const ops = names.map(find);
    if (ops.some((o) => !o?.measured)) return undefined;
    return ops.reduce((a, o) => ({ read: a.read + o!.measured!.read, write: a.write + o!.measured!.write }), { read: 0, write: 0 });
  };
  const cost = (x: Units | undefined) => (x ? usd(costPerMillion(x)) : "–");
  const opRow = (name: string, measured: Units | undefined, computed: Units | undefined, calls: string) => [
    name,
    units2(measured?.read),
    units2(measured?.write),
    units2(computed?.read),
    units2(computed?.write),
    cost(measured),
    cost(computed),
    calls,
  ];
  const callsOf = (o: (typeof u.operations)[number]) =>
    o.calls.map((c) => `${c.name} ${c.name.startsWith("read") ? units2(c.units.read) : units2(c.units.write)}`).join(" + ");
  const pair = sum("reserve", "capture");
  const spend = find("spend (same account)");
  return [
    {
      title: "Holds through the HTTP API: reserve + capture pairs vs plain spends (same run, same spread accounts, same concurrency, back to back)",
      headers: [
        "scenario", "conc", "pairs/s", "spends/s", "pairs÷spends", "pair p50", "pair p99", "spend p50", "spend p99",
        "reserve p50", "capture p50", "reserve p99", "capture p99", "pairs ok/failed", "spends ok/failed",
      ],
      rows: h.cells.map((c) => [
        label,
        String(c.concurrency),
        num(c.pairs.throughput),
        num(c.spends.throughput),
        ratio(c.pairs.throughput / c.spends.throughput),
        ms(c.pairs.latency.p50),
        ms(c.pairs.latency.p99),
        ms(c.spends.latency.p50),
        ms(c.spends.latency.p99),
        ms(c.reserve.p50),
        ms(c.capture.p50),
        ms(c.reserve.p99),
        ms(c.capture.p99),
        okFailed(c.pairs),
        okFailed(c.spends),
      ]),
      notes: [
        "A pair is `POST …/holds` `{\"serviceType\":\"image_generation_dev\"}` then `POST …/holds/{holdId}/capture` `{}` on the same account, each with its own Idempotency-Key (service token); a spend is `POST …/usage` with the same service. Both move 1 coin. pairs÷spends = pairs/s ÷ spends/s (HTTP requests per second ÷ spends/s is twice that). Latency of a pair = both requests back to back.",
        ...h.cells.flatMap((c) => [
          ...[...c.pairs.errors].map(([e, n]) => `c=${c.concurrency} pairs: ${n}× ${e}`),
          ...[...c.spends.errors].map(([e, n]) => `c=${c.concurrency} spends: ${n}× ${e}`),
        ]),
      ],
    },
    {
      title: "Where the CPU went: hold+capture pairs vs spends (per successful operation)",
      headers: ["scenario", "conc", "pair node ms", "pair JVM ms", "spend node ms", "spend JVM ms", "CPU spend÷pair", "others pairs", "others spends"],
      rows: h.cells.map((c) => [
        label,
        String(c.concurrency),
        perOpMs(c.pairs.cpu.nodeMs, c.pairs.ok),
        perOpMs(c.pairs.cpu.jvmMs, c.pairs.ok),
        perOpMs(c.spends.cpu.nodeMs, c.spends.ok),
        perOpMs(c.spends.cpu.jvmMs, c.spends.ok),
        ratio(cpuPerOp(c.spends) / cpuPerOp(c.pairs)),
        othersOf(c.pairs),
        othersOf(c.spends),
      ]),
      notes: ["Same columns as the spend CPU table: CPU spend÷pair is the pairs÷spends ratio a CPU-bound machine would show."],
    },
    {
      title: `Request units of holds (core's Ledger with LedgerStore's capacity listener; computed: AWS size rules on the real items)`,
      headers: ["operation", "RRU measured", "WRU measured", "RRU computed", "WRU computed", "$/1M measured", "$/1M computed", "DynamoDB calls (measured units)"],
      left: [7],
      rows: [
        ...u.operations.slice(0, 3).map((o) => opRow(o.operation, o.measured, o.computed, callsOf(o))),
        opRow("reserve + capture", sumMeasured("reserve", "capture"), pair, "the pair the HTTP section times"),
        opRow("reserve + release", sumMeasured("reserve", "release"), sum("reserve", "release"), "work that failed: coins back, no entry"),
        ...u.operations.slice(3).map((o) => opRow(o.operation, o.measured, o.computed, callsOf(o))),
      ],
      notes: [
        ...(pair && spend
          ? [
              `A million held-and-captured spends: ${usd(costPerMillion(pair))} computed, vs ${usd(costPerMillion(spend.computed))} as plain spends (${ratio(costPerMillion(pair) / costPerMillion(spend.computed))}).`,
            ]
          : []),
        ...u.operations.map((o) => `computed ${o.operation}: ${o.computedFrom}`),
        `item sizes (AWS rules, bytes): ${Object.entries(u.itemSizes).map(([k, v]) => `${k} ${v}`).join(", ")}; one pending hold adds ≈ ${u.bytesPerPendingHold} B to the account item (and to every entry and hold item written meanwhile: they keep a copy of the account as \`accountAfter\`).`,
        `byDue: a pending hold carries gsi1pk/gsi1sk (KEYS_ONLY entry: table keys + index keys); capture and release REMOVE them, which deletes the index entry (1 WRU each way).`,
      ],
    },
  ];
}

function streamTables(r: StreamResult): Table[] {
  const live = r.rounds.find((x) => x.kind === "live");
  const perEntry = (v: number | undefined, n: number) => (v === undefined || n === 0 ? "?" : (v / n).toFixed(2));
  const roundLabel = (x: RoundFigures) =>
    x.kind === "live"
      ? "live: consumers run while spends are written"
      : x.kind === "backlog"
        ? "backlog: consumers held until all are written"
        : "hot account: backlog of one account's spends";
  const callsPerEntry = (calls: Map<string, CallTally>, n: number) => {
    const dynamo = [...calls].filter(([op]) => isDynamoOperation(op));
    const other = [...calls].filter(([op]) => !isDynamoOperation(op));
    const text = (list: [string, CallTally][]) =>
      list.map(([op, t]) => `${op} ${num(t.calls / Math.max(1, n), 2)}${t.failed ? ` (${t.failed} failed)` : ""}`).join(" + ");
    return `${dynamo.length ? text(dynamo) : "none"}${other.length ? `; ${text(other)}` : ""}`;
  };
  const liveUnits = r.units.filter((u) => u.round === "live");
  const analytics = liveUnits.find((u) => u.name === "analytics");
  const both = liveUnits.reduce((u, c) => ({ read: u.read + c.computed.read, write: u.write + c.computed.write }), { read: 0, write: 0 });
  const price = (u: Units) => (Number.isFinite(u.read) && Number.isFinite(u.write) ? usd(costPerMillion(u)) : "–");
  return [
    {
      title: "Stream consumers fed by the local stream pump from DynamoDB Local's stream (spends written through core)",
      headers: ["round", "spends", "accounts", "written in", "spends/s written", "→ drain()", "entries/s", "→ 2nd drain()", "node CPU ms/entry", "JVM CPU ms/entry", "others"],
      left: [],
      rows: r.rounds.map((x) => [
        roundLabel(x),
        String(x.writes.ok),
        String(x.accounts),
        ms(x.writes.elapsedMs),
        num(x.writes.throughput),
        ms(x.drainMs),
        num(x.writes.ok / (x.drainMs / 1000)),
        ms(x.cascadeMs),
        perEntry(x.cpu.nodeMs, x.writes.ok),
        perEntry(x.cpu.jvmMs, x.writes.ok),
        x.cpu.otherCores === undefined ? "?" : `${x.cpu.otherCores.toFixed(2)}${x.cpu.otherCores > NOISY_CORES ? " ⚠" : ""}`,
      ]),
      notes: [
        `Spends of image_generation_dev (1 coin) by core's Ledger, round-robin over spread accounts (each round its own), ${r.writers} at a time; the pump (${r.shards} shard(s), polling every ${r.pollIntervalMs} ms, started at LATEST) feeds both consumers in this process. live: clock from the first write until drain() resolves, i.e. every record written so far has reached both consumers and settled (entries/s = spends ÷ that); backlog: the handlers wait until every spend is written, then the clock runs from their release, so entries/s is what the consumers drain on their own; hot account: the same with every spend on one account (one writer), so a batch holds records of that account only. The 2nd drain() also covers the account-day changes analytics wrote meanwhile, which the alerts consumer subscribes to. CPU per entry: live = writing the spend + both consumers; backlog and hot = both consumers only.`,
        ...r.rounds.map(
          (x) =>
            `${x.kind}: LedgerEntryCreated on the sink ${x.events.ledgerEntryCreated} (${x.events.distinctEntries} distinct entries) for ${x.writes.ok} spends; AlertRaised ${x.events.alertRaised}; records given up ${x.givenUp}` +
            (x.writes.failed ? `; spends that failed: ${describeErrorsText(x.writes.errors)}` : ""),
        ),
        `Check (live round): the aggregates count ${r.check.usageCount} usage entries on ${r.check.dayItems} account days for ${r.check.expected} spends written.`,
      ],
    },
    {
      title: "Each stream consumer (the real handlers from packages/functions with their subscription's filters and batch size)",
      headers: ["consumer", "round", "records in", "filtered out", "invocations", "records/batch", "handler time", "records/s in handler", "batch p50", "batch p99", "errors", "DynamoDB calls per entry; others"],
      left: [1, 11],
      rows: r.rounds.flatMap((x) =>
        x.consumers.map((c) => [
          c.name,
          x.kind,
          String(c.records),
          String(c.stats.recordsSkipped),
          String(c.invocations),
          num(c.records / Math.max(1, c.invocations), 1),
          ms(c.handlerMs),
          num(handlerRate(c)),
          ms(c.batchMs.p50),
          ms(c.batchMs.p99),
          `${c.stats.functionErrors + c.stats.partialFailures}`,
          callsPerEntry(c.calls, x.writes.ok),
        ]),
      ),
      notes: [
        ...(live ? live.consumers.map((c) => `${c.name}: batch size ${c.batchSize}; filters ${c.filters}`) : []),
        "records in = records handed to the handler (re-deliveries included); filtered out = records its FilterCriteria dropped; handler time = summed wall time of its invocations, so records/s in handler is the consumer's own rate while it runs (the consumers take a batch's records one at a time, in stream order); errors = invocations that threw or reported item failures; calls per entry = SDK calls the handler made ÷ spends written.",
      ],
    },
    {
      title: "DynamoDB request units the consumers spend per ledger entry (measured: ConsumedCapacity returned to the handlers' own calls; computed: AWS rules, live round)",
      headers: ["consumer", "round", "RRU/entry measured", "WRU/entry measured", "RRU/entry computed", "WRU/entry computed", "$/1M spends measured", "$/1M spends computed"],
      left: [1],
      rows: [
        ...r.units.map((u) => [
          u.name,
          u.round,
          units2(u.measured.read),
          units2(u.measured.write),
          units2(u.computed.read),
          units2(u.computed.write),
          price(u.measured),
          price(u.computed),
        ]),
        ["both", "live", "", "", units2(both.read), units2(both.write), "", price(both)],
      ],
      notes: [
        "Measured: the bench wraps the AWS SDK's send (on the smithy Client base class every SDK client shares) while a handler runs, and adds up the ConsumedCapacity DynamoDB Local returned to the handlers' own calls. AggregatesStore asks for it on every call; the alerts consumer's other calls (connection lookups, AlertsStore) do not, so they count in computed only. DynamoDB Local's accounting of transactions is not AWS's (see the units section): price with the computed column.",
        ...liveUnits.map((u) => `computed ${u.name}: ${u.computedFrom}${u.unreportedCalls ? `; ${u.unreportedCalls} calls returned no ConsumedCapacity` : ""}`),
        `Analytics per million spends at on-demand prices ($${PRICE_PER_MILLION.write}/M WRU, $${PRICE_PER_MILLION.read}/M RRU): ${analytics ? usd(costPerMillion(analytics.computed)) : "–"} computed, both consumers ${usd(costPerMillion(both))}, on top of the spend's own write path. Not included: one EventBridge PutEvents entry per ledger entry, and Lambda time.`,
        ...r.rounds.flatMap((x) => {
          const c = x.consumers.find((y) => y.name === "analytics");
          const get = c?.calls.get("GetItem");
          const txn = c?.calls.get("TransactWriteItems");
          if (!c || !get || !txn || !txn.failed || x.writes.ok === 0) return [];
          return [
            `${x.kind} round (${num(c.records / Math.max(1, c.invocations), 0)} records per batch on ${x.accounts} account(s)): analytics made ${num(get.calls / x.writes.ok, 2)} GetItem and ${num(txn.calls / x.writes.ok, 2)} TransactWriteItems per entry, ${txn.failed} of the transactions cancelled` +
              `${c.stats.recordsFailed ? `, ${c.stats.recordsFailed} records given up` : ""}${c.stats.functionErrors + c.stats.partialFailures ? `, ${c.stats.functionErrors + c.stats.partialFailures} failed invocations` : ""}: ` +
              "the BatchProcessor runs a batch's records concurrently, and entries of one account in the same batch race on its day item; each loser reads it again and resends its transaction (up to 20 attempts). Measured RRU include those re-reads; a cancelled transaction returns no ConsumedCapacity, so its WRU are not in any column.",
          ];
        }),
        `Aggregate items of this run (AWS rules): account day ${r.sizes.accountDay} B (median, after its last entry), platform day shard ≤ ${r.sizes.platformDay} B, byDay index entry ≤ ${r.sizes.byDayEntry} B.`,
      ],
    },
    {
      title: "Analytics cost per entry as an account's entries in one business day grow (computed from this run's account day item; its seq set grows by 4 B per entry)",
      headers: ["entries per account-day", "day item after the last", "RRU/entry", "WRU/entry", "$/1M entries", "note"],
      left: [5],
      rows: r.projection.map((p) => [
        num(p.entriesPerDay, 0),
        bytes(p.itemBytes),
        units2(p.perEntry.read),
        units2(p.perEntry.write),
        usd(costPerMillion(p.perEntry)),
        p.overLimitAt ? `past DynamoDB's 400 KB item limit from entry ${num(p.overLimitAt, 0)}: analytics cannot count the rest of that day` : "",
      ]),
      notes: [
        `The account day item keeps which entries it counted as a few runs of consecutive seqs (its redelivery guard: a watermark plus the few seqs counted beyond a gap), so each entry reads and rewrites an item of the same few hundred bytes however many entries the account has that day: the cost per entry does not grow${Number.isFinite(r.entriesToItemLimit) ? `, and the item passes 400 KB after ≈ ${num(r.entriesToItemLimit, 0)} entries` : ""}.`,
      ],
    },
  ];
}

function realtimeTables(r: RealtimeResult): Table[] {
  const others = (c: CpuUse) => (c.otherCores === undefined ? "?" : `${c.otherCores.toFixed(2)}${c.otherCores > NOISY_CORES ? " ⚠" : ""}`);
  return [
    {
      title: "Realtime: a spend (core's Ledger.spend) → its balance_update on the user's WebSocket, vs → the alerts handler invoked with its record (same spends)",
      headers: ["pump poll", "spends", "spend call p50", "→ handler p50", "→ handler p99", "→ WS msg p50", "→ WS msg p99", "p50 ×", "p99 ×", "push adds p50", "push adds p99", "missing", "others"],
      rows: r.cells.map((c) => [
        `${c.pollIntervalMs} ms${c.pollIntervalMs === 250 ? " (dev default)" : ""}`,
        String(c.spends),
        ms(c.spend.p50),
        ms(c.pump.p50),
        ms(c.pump.p99),
        ms(c.push.p50),
        ms(c.push.p99),
        ratio(c.push.p50 / c.pump.p50),
        ratio(c.push.p99 / c.pump.p99),
        ms(c.added.p50),
        ms(c.added.p99),
        `${c.missingMessage}`,
        others(c.cpu),
      ]),
      notes: [
        `Per poll interval: up to ${r.maxSpends} spends or ${r.maxSeconds} s, one at a time, each after a random pause of up to one poll interval (so spends do not fall into step with the polls), rotating over ${r.users} users with one ws client each (token from signLocalToken, ?token= on the upgrade). Clock from just before Ledger.spend (no HTTP) to: → handler = the pump invokes the real alerts handler with a batch holding the spend's account-item record (the baseline: DynamoDB Local's stream + the pump's poll); → WS msg = the client receives the balance_update with that seq (alerts handler → connection lookup → PostToConnection through the SDK to the local WebSocket gateway's Management API → frame to the client). p50 ×/p99 × = WS msg ÷ handler; push adds = per spend, message − handler invocation (the handler's work on the batch before the push included). Only the alerts consumer runs (batch size ${r.batchSize}, its subscription's filters); analytics does not. missing = no message within 10 s. Warm-up of 8 spends per interval not counted.`,
      ],
    },
  ];
}

function auditTables(r: AuditResult): Table[] {
  const perS = (n: number, t: number) => num(n / (t / 1000));
  const cpuPer = (c: CpuUse, n: number) => (c.jvmMs === undefined ? "?" : num((c.nodeMs + c.jvmMs) / n, 2));
  const others = (c: CpuUse) => (c.otherCores === undefined ? "?" : `${c.otherCores.toFixed(2)}${c.otherCores > NOISY_CORES ? " ⚠" : ""}`);
  return [
    {
      title: `Integrity audit (IntegrityMonitor.runAudit) vs a plain parallel Scan of the same table (${r.accounts} accounts, ${r.items} items; same segments, same pages)`,
      headers: ["segments", "audit accts/s", "scan accts/s", "audit÷scan", "audit items/s", "scan items/s", "audit RRU/acct", "scan RRU/acct", "RRU ×", "audit pages", "scan pages", "CPU ms/acct audit", "CPU ms/acct scan", "confirmed", "violations", "others"],
      rows: r.cells.map((c) => [
        String(c.segments),
        perS(c.audit.accounts, c.audit.ms),
        perS(r.accounts, c.baseline.ms),
        ratio(c.baseline.ms / c.audit.ms),
        perS(c.baseline.items, c.audit.ms),
        perS(c.baseline.items, c.baseline.ms),
        num(c.audit.readUnits / c.audit.accounts, 2),
        num(c.baseline.readUnits / r.accounts, 2),
        ratio(c.audit.readUnits / c.baseline.readUnits),
        String(c.audit.pages),
        String(c.baseline.pages),
        cpuPer(c.audit.cpu, c.audit.accounts),
        cpuPer(c.baseline.cpu, r.accounts),
        String(c.audit.confirmed),
        String(c.audit.violations),
        others(c.audit.cpu),
      ]),
      notes: [
        `Accounts generated through core's Ledger on a table of their own (${AUDIT_TABLE_NOTE}) in a DynamoDB Local of their own (a fresh one, started once the other phases are done: the shared one has slowed several-fold by then), 16 at a time, in ${(r.setupMs / 1000).toFixed(1)} s: open (signup bonus) + a purchase charge + 1–3 spends, every 5th with a pending hold — ${r.entries} ledger entries. audit = one runAudit({ segments${r.pageSize ? `, pageSize: ${r.pageSize}` : ""} }) over the whole table (accounts checked ÷ its wall time; RRU = its report's requestUnits.read, as DynamoDB Local reported them); scan = a plain Scan of every item (no projection, no filter), the same segments in parallel, ${r.pageSize ? `Limit ${r.pageSize}` : "DynamoDB's 1 MB pages"}, ReturnConsumedCapacity TOTAL, eventually consistent, alternating with the audit, ${REPS} runs each, the median run of each reported. audit÷scan = scan time ÷ audit time; audit items/s = the table's items ÷ audit time; RRU × = audit ÷ scan read units. CPU = this Node process + the DynamoDB Local JVM. confirmed = accounts re-read strongly consistently because the scan found fault (0 on a quiet table). An unmeasured scan and audit run first.`,
        ...r.cells.filter((c) => !c.audit.complete).map((c) => `${c.segments} segment(s): the audit did not complete`),
      ],
    },
  ];
}
const AUDIT_TABLE_NOTE = "nyang-bench-audit";

const describeErrorsText = (errors: Map<string, number>) => [...errors].map(([e, n]) => `${n}× ${e}`).join(", ");

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
  return [
    ...(r.spend ? spendTables(r.spend) : []),
    ...(r.units ? unitsTables(r.units) : []),
    ...(r.holds ? holdsTables(r.holds) : []),
    ...(r.fleet ? hotFleetTables(r.fleet) : []),
    ...(r.streams ? streamTables(r.streams) : []),
    ...(r.realtime ? realtimeTables(r.realtime) : []),
    ...(r.audit ? auditTables(r.audit) : []),
    ...(r.bundle ? bundleTables(r.bundle) : []),
  ];
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
