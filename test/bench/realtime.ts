/**
 * Realtime latency: from a spend (core's `Ledger.spend`, no HTTP) to the `balance_update`
 * WebSocket message arriving at a `ws` client connected as that user — through DynamoDB
 * Local's stream, the local stream pump, the real alerts consumer (which pushes, see
 * packages/functions/src/ws/push.ts), the real `$connect` handler and the local WebSocket
 * gateway's Management API. Wired as test/realtime/harness.ts wires it.
 *
 * Baseline, on the same spends: the pump's own latency, i.e. from the same start to the
 * alerts handler being invoked with the spend's account-item record. The difference is what
 * the push path adds (the handler's work before it, the connection lookup, PostToConnection
 * through the SDK to the gateway, the frame to the client).
 *
 * The pump's poll interval dominates; it is run at the dev default (250 ms) and at 25 ms.
 * Spends are sequential (one in flight), each after a random pause of up to one poll
 * interval so that they do not fall into step with the pump's polls.
 */
import { makeHandler as makeAlerts } from "@nyang/functions/stream/alerts";
import { streamSubscriptions } from "@nyang/functions/stream/subscriptions";
import { makeHandler as makeConnect } from "@nyang/functions/ws/connect";
import { makeHandler as makeDefault } from "@nyang/functions/ws/default";
import { makeHandler as makeDisconnect } from "@nyang/functions/ws/disconnect";
import { signLocalToken, startEventBridgeSink, startStreamPump, startWebSocketGateway, type StreamHandler, type WebSocketHandler } from "@nyang/local";
import type { Context, DynamoDBStreamEvent } from "aws-lambda";
import { WebSocket } from "ws";
import { cpuBetween, NOISY_CORES, sampleCpu, waitForQuiet, type CpuUse } from "./cpu.ts";
import { BENCH_TABLE, benchRuntime, coreLedger, ensureAccounts, type Dynamo } from "./environment.ts";
import { abortSignal, onCleanup, progress, sleep, throwIfAborted } from "./lifecycle.ts";
import type { BenchOptions } from "./options.ts";
import { SERVICE, SPREAD_COINS } from "./spend-throughput.ts";
import { ms, summarize, type LatencySummary } from "./stats.ts";

/** The dev pump's default (packages/local/src/dev.ts, and startStreamPump's own). */
export const DEV_POLL_INTERVAL_MS = 250;
export const POLL_INTERVALS_MS = [DEV_POLL_INTERVAL_MS, 25] as const;
/** Users with one live connection each; spends rotate over them. */
const USERS = 4;
/** A spend whose message has not come after this long counts as missing. */
const WAIT_MS = 10_000;

export interface RealtimeCell {
  pollIntervalMs: number;
  spends: number;
  elapsedMs: number;
  /** The spend call itself (Ledger.spend resolved). */
  spend: LatencySummary;
  /** Baseline: spend start → alerts handler invoked with that spend's account record. */
  pump: LatencySummary;
  /** Spend start → balance_update received by the client. */
  push: LatencySummary;
  /** Per spend: message received − handler invoked. */
  added: LatencySummary;
  missingHandler: number;
  missingMessage: number;
  cpu: CpuUse;
}

export interface RealtimeResult {
  users: number;
  maxSpends: number;
  maxSeconds: number;
  batchSize: number;
  cells: RealtimeCell[];
}

/** Arrival times by `userId#seq`, with waiters. */
class Arrivals {
  private readonly times = new Map<string, number>();
  private readonly waiters = new Map<string, (t: number) => void>();
  mark(key: string, t: number): void {
    if (this.times.has(key)) return; // a re-delivery: the first arrival counts
    this.times.set(key, t);
    this.waiters.get(key)?.(t);
    this.waiters.delete(key);
  }
  wait(key: string, timeoutMs: number): Promise<number | undefined> {
    const t = this.times.get(key);
    if (t !== undefined) return Promise.resolve(t);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.set(key, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }
}

function openClient(url: string, onMessage: (m: Record<string, unknown>, at: number) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on("message", (data) => {
      const at = performance.now();
      try {
        onMessage(JSON.parse(data.toString()) as Record<string, unknown>, at);
      } catch {
        // not JSON: not ours
      }
    });
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`WebSocket upgrade refused: ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

export async function runRealtime(o: BenchOptions, dynamo: Dynamo): Promise<RealtimeResult> {
  const { ledger } = coreLedger();
  const users = Array.from({ length: USERS }, (_, i) => `bench-rt-${i}`);
  await ensureAccounts(ledger, users, SPREAD_COINS);

  // As the harness: a sink for the alerts consumer's events; the handlers are made over one
  // runtime once the gateway (whose management endpoint the pushes need) listens.
  const sink = await startEventBridgeSink({ maxEvents: 10_000 });
  onCleanup("EventBridge sink (realtime)", () => sink.close());
  const routes: Partial<Record<"$connect" | "$disconnect" | "$default", WebSocketHandler>> = {};
  const gateway = await startWebSocketGateway({
    port: 0,
    routes: {
      $connect: (e, c) => routes.$connect!(e, c),
      $disconnect: (e, c) => routes.$disconnect!(e, c),
      $default: (e, c) => routes.$default!(e, c),
    },
    log: (l) => progress(`  ws: ${l}`),
  });
  const closeGateway = onCleanup("WebSocket gateway", () => gateway.close());
  const rt = benchRuntime({ NYANG_EVENTBRIDGE_ENDPOINT: sink.endpoint, NYANG_EVENT_BUS: "nyang-bench", NYANG_WS_MANAGEMENT_ENDPOINT: gateway.managementEndpoint });
  routes.$connect = makeConnect(rt) as WebSocketHandler;
  routes.$disconnect = makeDisconnect(rt) as WebSocketHandler;
  routes.$default = makeDefault(rt) as WebSocketHandler;

  const handlerSeen = new Arrivals();
  const messageSeen = new Arrivals();
  const sockets: WebSocket[] = [];
  for (const u of users) {
    const token = await signLocalToken({ sub: u, ttlSeconds: 6 * 3600 });
    sockets.push(
      await openClient(`${gateway.url}/?token=${encodeURIComponent(token)}`, (m, at) => {
        if (m.type === "balance_update" && m.userId === u) messageSeen.mark(`${u}#${String(m.seq)}`, at);
      }),
    );
  }
  onCleanup("realtime clients", () => sockets.forEach((s) => s.terminate()));
  progress(`realtime: ${users.length} clients connected to the local WebSocket gateway at ${gateway.url}`);

  const sub = streamSubscriptions.alerts;
  const alertsHandler = makeAlerts(rt) as StreamHandler;
  // The baseline's clock stops here: the pump hands the handler a batch holding the record.
  const timed: StreamHandler = async (event: DynamoDBStreamEvent, context: Context) => {
    const at = performance.now();
    for (const r of event.Records) {
      const img = r.dynamodb?.NewImage;
      if (img?.kind?.S === "account" && img.userId?.S && img.version?.N) handlerSeen.mark(`${img.userId.S}#${img.version.N}`, at);
    }
    return alertsHandler(event, context);
  };

  const cells: RealtimeCell[] = [];
  let spendNo = 0;
  for (const pollIntervalMs of POLL_INTERVALS_MS) {
    throwIfAborted();
    const pump = await startStreamPump({
      endpoint: dynamo.endpoint,
      tableName: BENCH_TABLE,
      startAt: "latest",
      pollIntervalMs,
      log: (l) => progress(`  ${l}`),
      consumers: [
        {
          name: "alerts",
          handler: timed,
          filters: sub.filters,
          batchSize: sub.batchSize,
          maximumRetryAttempts: sub.maximumRetryAttempts,
          bisectBatchOnFunctionError: sub.bisectBatchOnFunctionError,
        },
      ],
    });
    const stopPump = onCleanup(`stream pump (realtime, ${pollIntervalMs} ms)`, () => pump.stop());

    const one = async (i: number) => {
      const u = users[i % users.length]!;
      await sleep(Math.random() * pollIntervalMs);
      const t0 = performance.now();
      const r = await ledger.spend(u, { serviceType: SERVICE }, { key: `rt-${pollIntervalMs}-${spendNo++}` });
      const tSpend = performance.now();
      const key = `${u}#${r.entry.seq}`;
      const tMessage = await messageSeen.wait(key, WAIT_MS);
      const tHandler = await handlerSeen.wait(key, tMessage === undefined ? 0 : WAIT_MS);
      return { spend: tSpend - t0, handler: tHandler === undefined ? undefined : tHandler - t0, message: tMessage === undefined ? undefined : tMessage - t0 };
    };
    // Warm-up (not measured): the handlers' runtime, the pusher, the JIT.
    for (let i = 0; i < 2 * users.length; i++) await one(i);
    if (o.settleSeconds > 0) await waitForQuiet(dynamo.jvmPid, o.settleSeconds * 1000, NOISY_CORES, abortSignal);

    const spend: number[] = [];
    const pumpMs: number[] = [];
    const pushMs: number[] = [];
    const added: number[] = [];
    let missingHandler = 0;
    let missingMessage = 0;
    const cpu0 = sampleCpu(dynamo.jvmPid);
    const t0 = performance.now();
    let n = 0;
    while (n < o.realtimeSpends && performance.now() - t0 < o.realtimeSeconds * 1000) {
      throwIfAborted();
      const r = await one(n++);
      spend.push(r.spend);
      if (r.handler === undefined) missingHandler++;
      else pumpMs.push(r.handler);
      if (r.message === undefined) missingMessage++;
      else pushMs.push(r.message);
      if (r.handler !== undefined && r.message !== undefined) added.push(r.message - r.handler);
    }
    const elapsedMs = performance.now() - t0;
    const cell: RealtimeCell = {
      pollIntervalMs,
      spends: n,
      elapsedMs,
      spend: summarize(spend),
      pump: summarize(pumpMs),
      push: summarize(pushMs),
      added: summarize(added),
      missingHandler,
      missingMessage,
      cpu: cpuBetween(cpu0, sampleCpu(dynamo.jvmPid)),
    };
    cells.push(cell);
    progress(
      `realtime poll ${pollIntervalMs} ms: ${n} spends in ${(elapsedMs / 1000).toFixed(1)} s; → handler p50 ${ms(cell.pump.p50)} p99 ${ms(cell.pump.p99)}; ` +
        `→ balance_update p50 ${ms(cell.push.p50)} p99 ${ms(cell.push.p99)}; missing ${missingMessage}`,
    );
    await stopPump();
  }
  for (const s of sockets) s.terminate();
  await closeGateway();
  return { users: users.length, maxSpends: o.realtimeSpends, maxSeconds: o.realtimeSeconds, batchSize: sub.batchSize, cells };
}
