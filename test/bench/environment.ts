/**
 * The bench's own world: an in-memory DynamoDB Local with the real table, the real Lambda
 * handler behind the local API Gateway emulator, and accounts opened and charged through
 * core. Every piece registers its stopper with the lifecycle.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { coinsToMinor, createDynamoClients, Ledger, LedgerStore, loadConfig, type CapacityListener } from "@nyang/core";
import { parseRuntimeEnv } from "@nyang/functions/env";
import { makeHandler } from "@nyang/functions/http/handler";
import { createRuntime, type Runtime } from "@nyang/functions/runtime";
import { ensureTable, localDynamoClient, startDynamoDbLocal, startHttpFleet, startHttpGateway, type HttpFleet, type HttpHandler } from "@nyang/local";
import { findDynamoDbLocalPid } from "./cpu.ts";
import { abortSignal, onCleanup, progress, throwIfAborted } from "./lifecycle.ts";

export const BENCH_TABLE = "nyang-bench";

export interface Dynamo {
  endpoint: string;
  port: number;
  /** The JVM's pid, for CPU accounting (undefined off Linux). */
  jvmPid: number | undefined;
  /** A plain SDK client (no document marshalling) for the baseline and for reading items back. */
  raw: DynamoDBClient;
  /** Stops this DynamoDB Local and its raw client early (the lifecycle stops them anyway). */
  stop: () => Promise<void>;
}

export async function startDynamo(): Promise<Dynamo> {
  const t0 = performance.now();
  const local = await startDynamoDbLocal();
  const stopLocal = onCleanup("DynamoDB Local", () => local.stop());
  process.env.DYNAMODB_ENDPOINT = local.endpoint;
  process.env.NYANG_TABLE = BENCH_TABLE;
  // Generous sockets: the baseline runs up to the highest concurrency level through it.
  const raw = localDynamoClient(local.endpoint, { maxAttempts: 1 });
  const stopRaw = onCleanup("raw DynamoDB client", () => raw.destroy());
  await ensureTable(raw, BENCH_TABLE);
  const jvmPid = findDynamoDbLocalPid(local.port);
  progress(`DynamoDB Local (in memory) at ${local.endpoint}, table ${BENCH_TABLE}, ready in ${Math.round(performance.now() - t0)} ms`);
  const stop = async () => {
    await stopRaw();
    await stopLocal();
  };
  return { endpoint: local.endpoint, port: local.port, jvmPid, raw, stop };
}

/**
 * A runtime as a Lambda instance builds it: the bench's environment (DynamoDB Local and the
 * bench table, set by startDynamo) with `vars` on top, parsed once.
 */
export function benchRuntime(vars: Record<string, string> = {}): Runtime {
  return createRuntime(parseRuntimeEnv({ ...process.env, NYANG_TABLE: BENCH_TABLE, ...vars }));
}

/** The real Lambda handler (its factory over a bench runtime) served on a free 127.0.0.1 port. */
export async function startApi(): Promise<{ url: string }> {
  const handler = makeHandler(benchRuntime()) as unknown as HttpHandler;
  const gateway = await startHttpGateway({ port: 0, host: "127.0.0.1", handler });
  onCleanup("HTTP gateway", () => gateway.close());
  const health = await fetch(`${gateway.url}/v1/health`);
  if (health.status !== 200) throw new Error(`GET /v1/health answered ${health.status}`);
  progress(`HTTP API (real Lambda handler behind the local API Gateway) at ${gateway.url}`);
  return { url: gateway.url };
}

/**
 * The real Lambda handler in `workers` processes of their own (each with its own SDK
 * clients, like Lambda instances; @nyang/local's http-fleet.ts) behind one local API
 * Gateway on a free 127.0.0.1 port. The environment (DynamoDB Local, table) is set by now.
 */
export async function startFleetApi(workers: number): Promise<{ url: string; fleet: HttpFleet }> {
  const fleet = await startHttpFleet({ workers, handlerModule: "@nyang/functions/http/handler" });
  onCleanup(`${workers} HTTP handler processes`, () => fleet.close());
  const gateway = await startHttpGateway({ port: 0, host: "127.0.0.1", handler: fleet.handler });
  onCleanup("HTTP gateway (fleet)", () => gateway.close());
  const health = await fetch(`${gateway.url}/v1/health`);
  if (health.status !== 200) throw new Error(`GET /v1/health answered ${health.status}`);
  progress(`HTTP API (real Lambda handler in ${workers} processes, pids ${fleet.pids().join(", ")}) at ${gateway.url}`);
  return { url: gateway.url, fleet };
}

/** A core Ledger on the bench table, optionally metering request units. */
export function coreLedger(onCapacity?: CapacityListener): { ledger: Ledger; store: LedgerStore } {
  const clients = createDynamoClients(process.env);
  onCleanup("core DynamoDB clients", () => clients.client.destroy());
  const store = new LedgerStore(clients, BENCH_TABLE, onCapacity);
  return { ledger: new Ledger(store, loadConfig(process.env)), store };
}

/** The accounts the spread scenarios (spends, holds, stream consumers) rotate over. */
export const spreadAccountIds = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `bench-spread-${String(i).padStart(4, "0")}`);

const readyAccounts = new Set<string>();

/**
 * Opens and charges (as openAndCharge) the accounts among `userIds` that no earlier phase
 * of this run has set up: the spend matrix, the holds and the stream phase share accounts.
 */
export async function ensureAccounts(ledger: Ledger, userIds: readonly string[], coins: number): Promise<void> {
  const missing = userIds.filter((u) => !readyAccounts.has(u));
  if (missing.length === 0) return;
  await openAndCharge(ledger, missing, coins);
  for (const u of missing) readyAccounts.add(u);
}

/** Opens each account and charges it `coins` through core (not HTTP), `parallel` at a time. */
export async function openAndCharge(ledger: Ledger, userIds: readonly string[], coins: number, parallel = 16): Promise<void> {
  const t0 = performance.now();
  let next = 0;
  let done = 0;
  let reported = 0;
  const amount = coinsToMinor(String(coins));
  const worker = async () => {
    while (next < userIds.length) {
      throwIfAborted();
      const userId = userIds[next++]!;
      await ledger.openAccount(userId);
      await ledger.charge(userId, { amount, type: "purchase", paymentMethod: "card" }, { key: `bench-setup-charge` });
      done++;
      if (userIds.length >= 200 && done - reported >= userIds.length / 4 && done < userIds.length) {
        reported = done;
        progress(`  set up ${done}/${userIds.length} accounts`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, userIds.length) }, worker));
  if (abortSignal.aborted) throwIfAborted();
  progress(`  set up ${userIds.length} account(s) with ${coins} coins each in ${Math.round(performance.now() - t0)} ms (core: open + charge)`);
}
