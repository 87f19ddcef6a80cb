/**
 * Holds through the HTTP API: a reserve (`POST /v1/accounts/{id}/holds`) and then its
 * capture (`POST …/holds/{holdId}/capture`) make one operation, measured next to plain
 * spends (`POST …/usage`) over the same spread accounts, at the same concurrency, in the
 * same run; plus the request units of a reserve, a capture and a release through core.
 */
import { signLocalToken } from "@nyang/local";
import { coreLedger, ensureAccounts, spreadAccountIds, type Dynamo } from "./environment.ts";
import { keepAliveClient, replyError, type HttpClient } from "./http-client.ts";
import { progress, throwIfAborted } from "./lifecycle.ts";
import type { LoadResult, OpResult } from "./load.ts";
import type { BenchOptions } from "./options.ts";
import { measureHoldUnits, type HoldUnitsResult } from "./request-units.ts";
import { apiSpendOp, line, measuredCell, SERVICE, SPREAD_COINS } from "./spend-throughput.ts";
import { ratio, summarize, type LatencySummary } from "./stats.ts";

export interface HoldCell {
  concurrency: number;
  /** One operation = a reserve and its capture, back to back on one account. */
  pairs: LoadResult;
  spends: LoadResult;
  /** The two halves of the successful pairs. */
  reserve: LatencySummary;
  capture: LatencySummary;
}

export interface HoldsResult {
  accounts: number;
  cells: HoldCell[];
  units: HoldUnitsResult;
}

/** Reserve then capture on account `i mod n`, each with its own Idempotency-Key. */
function holdPairOp(client: HttpClient, token: string, userIds: readonly string[], tag: string, halves: { reserve: number[]; capture: number[] }) {
  const holdBody = JSON.stringify({ serviceType: SERVICE });
  const headers = (key: string) => ({ authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": key });
  return async (i: number): Promise<OpResult> => {
    const userId = userIds[i % userIds.length]!;
    const t0 = performance.now();
    const reserved = await client.post(`/v1/accounts/${userId}/holds`, headers(`${tag}-${i}-hold`), holdBody);
    if (reserved.status !== 201) return { ok: false, error: `reserve ${replyError(reserved)}` };
    let holdId: string | undefined;
    try {
      holdId = (JSON.parse(reserved.body) as { hold?: { id?: string } }).hold?.id;
    } catch {
      // reported below
    }
    if (!holdId) return { ok: false, error: "reserve answered 201 without hold.id" };
    const t1 = performance.now();
    const captured = await client.post(`/v1/accounts/${userId}/holds/${encodeURIComponent(holdId)}/capture`, headers(`${tag}-${i}-capture`), "{}");
    if (captured.status !== 201) return { ok: false, error: `capture ${replyError(captured)}` };
    halves.reserve.push(t1 - t0);
    halves.capture.push(performance.now() - t1);
    return { ok: true };
  };
}

export async function runHolds(o: BenchOptions, dynamo: Dynamo, apiUrl: string): Promise<HoldsResult> {
  const units = await measureHoldUnits(dynamo.raw, SERVICE);
  throwIfAborted();

  const { ledger } = coreLedger();
  const ids = spreadAccountIds(o.accounts);
  await ensureAccounts(ledger, ids, SPREAD_COINS);
  const token = await signLocalToken({ sub: "bench-service", roles: ["service"], ttlSeconds: 6 * 3600 });
  const client = keepAliveClient(apiUrl, Math.max(...o.holdConcurrency));

  // The spend matrix warms the spend path when it runs; the hold routes need their own.
  const warm = o.phases.has("spend") ? "hold+capture pairs" : "hold+capture pairs and spends";
  progress(`holds: warm-up ${o.warmupSeconds} s of ${warm} over ${ids.length} spread accounts (not measured)`);
  await measuredCell(o, dynamo, 8, holdPairOp(client, token, ids, "hold-warm", { reserve: [], capture: [] }), Number.MAX_SAFE_INTEGER, o.warmupSeconds * 1000);
  if (!o.phases.has("spend")) await measuredCell(o, dynamo, 8, apiSpendOp(client, token, ids, "hold-warm-spend"), Number.MAX_SAFE_INTEGER, o.warmupSeconds * 1000);

  const cells: HoldCell[] = [];
  for (const concurrency of o.holdConcurrency) {
    throwIfAborted();
    const tag = `holds-c${concurrency}`;
    const spends = await measuredCell(o, dynamo, concurrency, apiSpendOp(client, token, ids, `${tag}-spend`));
    throwIfAborted();
    progress(`${tag.padEnd(10)} spends    ${line(spends)}`);
    const halves = { reserve: [] as number[], capture: [] as number[] };
    const pairs = await measuredCell(o, dynamo, concurrency, holdPairOp(client, token, ids, tag, halves));
    throwIfAborted();
    progress(`${tag.padEnd(10)} hold+capt ${line(pairs)}  → ${ratio(pairs.throughput / spends.throughput)} of spend throughput`);
    cells.push({ concurrency, pairs, spends, reserve: summarize(halves.reserve), capture: summarize(halves.capture) });
  }
  return { accounts: ids.length, cells, units };
}
