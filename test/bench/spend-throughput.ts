/**
 * Spends through the HTTP API (keep-alive HTTP → local API Gateway → real Lambda handler →
 * DynamoDB Local) against the raw-transaction baseline, at each concurrency level, spread
 * over many accounts and all on one hot account. Baseline and API run back to back per cell.
 */
import { signLocalToken } from "@nyang/local";
import { baselineSpendOp, createBaselineAccounts, readTemplates } from "./baseline.ts";
import { BENCH_TABLE, coreLedger, ensureAccounts, spreadAccountIds, type Dynamo } from "./environment.ts";
import { keepAliveClient, replyError, type HttpClient } from "./http-client.ts";
import { abortSignal, progress, throwIfAborted } from "./lifecycle.ts";
import { describeErrors, runLoad, type LoadResult, type OpResult } from "./load.ts";
import { NOISY_CORES, waitForQuiet } from "./cpu.ts";
import type { BenchOptions } from "./options.ts";
import { ms, num, ratio } from "./stats.ts";

export type Scenario = "spread" | "hot";

export interface SpendCell {
  scenario: Scenario;
  concurrency: number;
  accounts: number;
  api: LoadResult;
  baseline: LoadResult;
}

/** The service each spend pays for: 1 coin, so a hot account lasts ~99,000 spends. */
export const SERVICE = "image_generation_dev";
/** What each spread account is charged with. */
export const SPREAD_COINS = 10_000;

export function apiSpendOp(client: HttpClient, token: string, userIds: readonly string[], tag: string) {
  const body = JSON.stringify({ serviceType: SERVICE });
  return async (i: number): Promise<OpResult> => {
    const userId = userIds[i % userIds.length]!;
    const reply = await client.post(
      `/v1/accounts/${userId}/usage`,
      { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": `${tag}-${i}` },
      body,
    );
    return reply.status === 201 ? { ok: true } : { ok: false, error: replyError(reply) };
  };
}

export async function runSpendMatrix(o: BenchOptions, dynamo: Dynamo, apiUrl: string): Promise<SpendCell[]> {
  const maxConcurrency = Math.max(...o.concurrency);
  const { ledger } = coreLedger();
  const spreadIds = spreadAccountIds(o.accounts);
  const hotId = "bench-hot";
  progress(`setting up ${o.accounts} spread accounts and 1 hot account through core…`);
  await ensureAccounts(ledger, spreadIds, SPREAD_COINS);
  await ensureAccounts(ledger, [hotId], 99_000);

  const token = await signLocalToken({ sub: "bench-service", roles: ["service"], ttlSeconds: 6 * 3600 });
  const client = keepAliveClient(apiUrl, maxConcurrency);

  // One real spend through the API gives the entry the baseline copies.
  const first = await apiSpendOp(client, token, [hotId], "template")(0);
  if (!first.ok) throw new Error(`the first spend through the API failed: ${first.error}`);
  const templates = await readTemplates(dynamo.raw, BENCH_TABLE, hotId);
  const baseSpread = await createBaselineAccounts(dynamo.raw, BENCH_TABLE, templates, "bench-base", o.accounts);
  const baseHot = await createBaselineAccounts(dynamo.raw, BENCH_TABLE, templates, "bench-base-hot", 1);
  progress(`baseline: ${o.accounts + 1} account items cloned from a real account (entry template ${templates.entry.sk?.S})`);

  const cell = (concurrency: number, op: (i: number) => Promise<OpResult>, maxOps = o.requests, maxMs = o.seconds * 1000) =>
    measuredCell(o, dynamo, concurrency, op, maxOps, maxMs);

  progress(`warm-up: ${o.warmupSeconds} s of API spends and ${o.warmupSeconds} s of baseline transactions (not measured)`);
  await cell(8, apiSpendOp(client, token, spreadIds, "warm"), Number.MAX_SAFE_INTEGER, o.warmupSeconds * 1000);
  await cell(8, baselineSpendOp(dynamo.raw, BENCH_TABLE, templates, baseSpread, "warm"), Number.MAX_SAFE_INTEGER, o.warmupSeconds * 1000);

  const cells: SpendCell[] = [];
  for (const scenario of ["spread", "hot"] as const) {
    const apiIds = scenario === "spread" ? spreadIds : [hotId];
    const baseAccounts = scenario === "spread" ? baseSpread : baseHot;
    for (const concurrency of o.concurrency) {
      throwIfAborted();
      const tag = `${scenario}-c${concurrency}`;
      const baseline = await cell(concurrency, baselineSpendOp(dynamo.raw, BENCH_TABLE, templates, baseAccounts, tag));
      throwIfAborted();
      progress(`${pad(tag)} baseline  ${line(baseline)}`);
      const api = await cell(concurrency, apiSpendOp(client, token, apiIds, tag));
      throwIfAborted();
      progress(`${pad(tag)} HTTP API  ${line(api)}  → ${ratio(api.throughput / baseline.throughput)} of baseline throughput`);
      cells.push({ scenario, concurrency, accounts: apiIds.length, api, baseline });
    }
  }
  return cells;
}

/** One measured cell: waits (≤ --settle s) for the machine to quieten, then runs the closed loop. */
export async function measuredCell(
  o: BenchOptions,
  dynamo: Dynamo,
  concurrency: number,
  op: (i: number) => Promise<OpResult>,
  maxOps = o.requests,
  maxMs = o.seconds * 1000,
  workerPids?: readonly number[],
): Promise<LoadResult> {
  if (o.settleSeconds > 0) {
    const other = await waitForQuiet(dynamo.jvmPid, o.settleSeconds * 1000, NOISY_CORES, abortSignal);
    if (other !== undefined && other >= NOISY_CORES) progress(`  (other processes still keep ${other.toFixed(2)} cores busy after ${o.settleSeconds} s; measuring anyway)`);
  }
  return runLoad({ concurrency, maxOps, maxMs, signal: abortSignal, jvmPid: dynamo.jvmPid, workerPids, op });
}

const pad = (s: string) => s.padEnd(10);

/** A progress line's figures for one cell. */
export function line(r: LoadResult): string {
  const perOp = (v: number | undefined) => (v === undefined || r.ok === 0 ? "?" : (v / r.ok).toFixed(2));
  const parts = [
    `${num(r.throughput)}/s`,
    `p50 ${ms(r.latency.p50)}`,
    `p99 ${ms(r.latency.p99)}`,
    `${r.ok} ok in ${(r.elapsedMs / 1000).toFixed(1)} s`,
    `CPU/op node ${perOp(r.cpu.nodeMs)} ms, JVM ${perOp(r.cpu.jvmMs)} ms`,
    `other processes ${r.cpu.otherCores === undefined ? "?" : r.cpu.otherCores.toFixed(2)} cores${(r.cpu.otherCores ?? 0) > NOISY_CORES ? " ⚠ noisy" : ""}`,
  ];
  if (r.retries > 0) parts.push(`${r.retries} retries`);
  if (r.failed > 0) parts.push(`FAILED ${describeErrors(r.errors)}`);
  return parts.join(", ");
}
