/**
 * "Hot account across the fleet" (issue 12): one account spent from at several concurrency
 * levels through the HTTP API served by N handler processes (like N Lambda instances, the
 * shape the hot-account design must hold on), against the floor a single account allows:
 * a raw two-item transaction on one account of the same table — `SET balance = balance - :c`
 * on `balance >= :c` plus an entry put on `attribute_not_exists`, no read, no version — sent
 * with the plain SDK client. Raw and API run back to back per level, on the same DynamoDB Local.
 */
import { TransactWriteItemsCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { accountPk } from "@nyang/core";
import { signLocalToken } from "@nyang/local";
import { clonedEntry, createBaselineAccounts, readTemplates, type Templates } from "./baseline.ts";
import { BENCH_TABLE, coreLedger, ensureAccounts, startFleetApi, type Dynamo } from "./environment.ts";
import { keepAliveClient } from "./http-client.ts";
import { progress, sleep, throwIfAborted } from "./lifecycle.ts";
import type { LoadResult, OpResult } from "./load.ts";
import type { BenchOptions } from "./options.ts";
import { apiSpendOp, line, measuredCell } from "./spend-throughput.ts";
import { ratio } from "./stats.ts";

export interface HotFleetCell {
  concurrency: number;
  api: LoadResult;
  raw: LoadResult;
}

export interface HotFleetResult {
  workers: number;
  cells: HotFleetCell[];
  /** Spends each handler process answered over the whole phase (warm-up included). */
  perWorker: number[];
}

/** One coin (100 minor units): what each spend of SERVICE costs. */
const COST_MINOR = "100";
const RETRY = { attempts: 60, baseDelayMs: 4, maxDelayMs: 200 };

export async function runHotFleet(o: BenchOptions, dynamo: Dynamo): Promise<HotFleetResult> {
  const hotId = "bench-hot-fleet";
  const { ledger } = coreLedger();
  progress(`hot account across the fleet: setting up ${hotId} through core…`);
  await ensureAccounts(ledger, [hotId], 99_000);
  const { url, fleet } = await startFleetApi(o.workers);
  const token = await signLocalToken({ sub: "bench-service", roles: ["service"], ttlSeconds: 6 * 3600 });
  const client = keepAliveClient(url, Math.max(...o.hotConcurrency));

  const first = await apiSpendOp(client, token, [hotId], "fleet-template")(0);
  if (!first.ok) throw new Error(`the first spend through the fleet failed: ${first.error}`);
  const templates = await readTemplates(dynamo.raw, BENCH_TABLE, hotId);
  const [rawAccount] = await createBaselineAccounts(dynamo.raw, BENCH_TABLE, templates, "bench-raw-hot-fleet", 1);
  const rawId = rawAccount!.userId;

  const cell = (concurrency: number, op: (i: number) => Promise<OpResult>, maxOps = o.requests, maxMs = o.seconds * 1000) =>
    measuredCell(o, dynamo, concurrency, op, maxOps, maxMs, fleet.pids());

  progress(`warm-up: ${o.warmupSeconds} s of API spends and ${o.warmupSeconds} s of raw transactions on one account each (not measured)`);
  await cell(8, apiSpendOp(client, token, [hotId], "fleet-warm"), Number.MAX_SAFE_INTEGER, o.warmupSeconds * 1000);
  await cell(8, rawHotSpendOp(dynamo.raw, BENCH_TABLE, templates, rawId, "fleet-warm"), Number.MAX_SAFE_INTEGER, o.warmupSeconds * 1000);

  const cells: HotFleetCell[] = [];
  for (const concurrency of o.hotConcurrency) {
    throwIfAborted();
    const tag = `fleet-c${concurrency}`;
    const raw = await cell(concurrency, rawHotSpendOp(dynamo.raw, BENCH_TABLE, templates, rawId, tag));
    throwIfAborted();
    progress(`${tag.padEnd(12)} raw tx    ${line(raw)}`);
    const api = await cell(concurrency, apiSpendOp(client, token, [hotId], tag));
    throwIfAborted();
    progress(`${tag.padEnd(12)} HTTP API  ${line(api)}  → ${ratio(api.throughput / raw.throughput)} of raw throughput`);
    cells.push({ concurrency, api, raw });
  }
  const perWorker = [...fleet.invocations().values()];
  progress(`spends answered per handler process: ${perWorker.join(", ")}`);
  return { workers: o.workers, cells, perWorker };
}

/**
 * The raw floor on one account: decrement on a balance condition plus an entry put, one
 * TransactWriteItems, no read. A cancellation for TransactionConflict (another transaction
 * held the item) is retried with the ledger's kind of jittered backoff; anything else fails
 * the operation under its name.
 */
export function rawHotSpendOp(raw: DynamoDBClient, table: string, t: Templates, userId: string, tag: string) {
  return async (i: number): Promise<OpResult> => {
    for (let attempt = 0; attempt < RETRY.attempts; attempt++) {
      const entry = clonedEntry(t, userId, `${tag}-${i}`, i + 1, new Date().toISOString());
      try {
        await raw.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: { pk: { S: accountPk(userId) }, sk: { S: "ACCOUNT" } },
                  UpdateExpression: "SET balance = balance - :c",
                  ConditionExpression: "balance >= :c",
                  ExpressionAttributeValues: { ":c": { N: COST_MINOR } },
                },
              },
              { Put: { TableName: table, Item: entry, ConditionExpression: "attribute_not_exists(pk)" } },
            ],
          }),
        );
        return { ok: true, attempts: attempt + 1 };
      } catch (error) {
        const name = (error as { name?: string }).name ?? String(error);
        const codes = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons?.map((r) => r.Code ?? "None") ?? [];
        if (name !== "TransactionCanceledException" || !codes.includes("TransactionConflict")) {
          return { ok: false, error: codes.length > 0 ? `${name} [${codes.join(",")}]` : name };
        }
        await sleep(Math.random() * Math.min(RETRY.maxDelayMs, RETRY.baseDelayMs * 2 ** attempt));
      }
    }
    return { ok: false, error: `contention (${RETRY.attempts} attempts)` };
  };
}
