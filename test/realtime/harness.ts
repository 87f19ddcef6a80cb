import type { Connection } from "@nyang/core";
import { makeHandler as makeAlerts } from "@nyang/functions/stream/alerts";
import { makeHandler as makeAnalytics } from "@nyang/functions/stream/analytics";
import { streamSubscriptions } from "@nyang/functions/stream/subscriptions";
import { makeHandler as makeConnect } from "@nyang/functions/ws/connect";
import { makeHandler as makeDefault } from "@nyang/functions/ws/default";
import { makeHandler as makeDisconnect } from "@nyang/functions/ws/disconnect";
import { startEventBridgeSink, startStreamPump, startWebSocketGateway, type WebSocketHandler } from "@nyang/local";
import type { Context, DynamoDBStreamEvent } from "aws-lambda";
import { WebSocket } from "ws";
import { ledgerOn, privateTable, testDynamoEndpoint, testRuntime } from "../support/index.ts";

/**
 * The realtime path end to end on one machine, as `npm run dev` runs it: the ledger on a
 * table of the file's own in DynamoDB Local, the table's real stream read by the stream
 * pump into the unchanged alerts and analytics handlers (with their subscriptions'
 * filters), the unchanged `$connect`/`$disconnect`/`$default` handlers behind the local
 * WebSocket gateway, and PostToConnection through the real SDK client to that gateway's
 * management endpoint. Clients are `ws` sockets. The handlers are made by their factories
 * over one runtime of the harness's variables (`vars`, for an HTTP API on the same table).
 */
export async function startRealtime(name: string, options: { env?: Record<string, string> } = {}) {
  const table = await privateTable(name);
  const sink = await startEventBridgeSink({});
  const logged: string[] = [];
  // The gateway's management endpoint is only known once it listens: the handlers it calls
  // are bound after it started, over a runtime that knows the endpoint.
  const routes: Partial<Record<"$connect" | "$disconnect" | "$default", WebSocketHandler>> = {};
  const gateway = await startWebSocketGateway({
    port: 0,
    routes: {
      $connect: (e, c) => routes.$connect!(e, c),
      $disconnect: (e, c) => routes.$disconnect!(e, c),
      $default: (e, c) => routes.$default!(e, c),
    },
    log: (line) => logged.push(line),
  });
  const vars = { NYANG_TABLE: table, NYANG_EVENTBRIDGE_ENDPOINT: sink.endpoint, NYANG_EVENT_BUS: "nyang-test", NYANG_WS_MANAGEMENT_ENDPOINT: gateway.managementEndpoint, ...options.env };
  const runtime = testRuntime(vars);
  routes.$connect = makeConnect(runtime) as WebSocketHandler;
  routes.$disconnect = makeDisconnect(runtime) as WebSocketHandler;
  routes.$default = makeDefault(runtime) as WebSocketHandler;
  type StreamHandler = (e: DynamoDBStreamEvent, c: Context) => Promise<unknown>;
  const handlers = { alerts: makeAlerts(runtime) as StreamHandler, analytics: makeAnalytics(runtime) as StreamHandler };
  const pump = await startStreamPump({
    endpoint: testDynamoEndpoint(),
    tableName: table,
    pollIntervalMs: 20,
    retryDelayMs: 10,
    log: (line) => logged.push(line),
    consumers: (["analytics", "alerts"] as const).map((consumer) => ({
      name: consumer,
      handler: handlers[consumer],
      filters: streamSubscriptions[consumer].filters,
      batchSize: streamSubscriptions[consumer].batchSize,
      maximumRetryAttempts: 2,
      bisectBatchOnFunctionError: true,
      reportBatchItemFailures: true,
      onFailure: (records) => void logged.push(`[on-failure] ${consumer}: ${records.length} record(s)`),
    })),
  });
  const { ledger, store } = ledgerOn(table);
  const clients: WsClient[] = [];
  return {
    table,
    vars,
    sink,
    gateway,
    pump,
    ledger,
    store,
    runtime,
    logged,
    /** Connects a client with `?token=`; rejects with the HTTP status when the upgrade is refused. */
    async connect(token: string | null): Promise<WsClient> {
      const before = new Set(gateway.connectionIds());
      const c = await WsClient.open(`${gateway.url}/${token === null ? "" : `?token=${encodeURIComponent(token)}`}`);
      clients.push(c);
      c.connectionId = gateway.connectionIds().find((id) => !before.has(id)) ?? null;
      return c;
    },
    /** The stored live connections of a user. */
    connectionsOf: (userId: string): Promise<Connection[]> => runtime.connections.listForUser(userId, new Date()),
    async stop() {
      for (const c of clients) c.ws.terminate();
      await gateway.close();
      await pump.stop();
      await sink.close();
    },
  };
}

export type Realtime = Awaited<ReturnType<typeof startRealtime>>;

/** A refused upgrade, with API Gateway's answer. */
export class Refused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade refused: ${status} ${body}`);
  }
}

/** A WebSocket client that keeps every message it receives (parsed JSON). */
export class WsClient {
  readonly inbox: Record<string, any>[] = [];
  connectionId: string | null = null;
  private waiters: { predicate: (m: Record<string, any>) => boolean; resolve: (m: Record<string, any>) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const message = JSON.parse(data.toString()) as Record<string, any>;
      this.inbox.push(message);
      for (const w of [...this.waiters]) {
        if (!w.predicate(message)) continue;
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(message);
      }
    });
  }

  static open(url: string): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const client = new WsClient(ws);
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => reject(new Refused(res.statusCode ?? 0, body)));
        res.on("error", () => reject(new Refused(res.statusCode ?? 0, body)));
      });
      ws.on("error", (e) => reject(e));
    });
  }

  /** The first message (received or still to come) that matches; rejects after `ms`. */
  waitFor(predicate: (m: Record<string, any>) => boolean, ms = 10_000): Promise<Record<string, any>> {
    const found = this.inbox.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (m: Record<string, any>) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no matching message within ${ms} ms; inbox: ${JSON.stringify(this.inbox)}`));
      }, ms);
      this.waiters.push(waiter);
    });
  }

  /** Closes cleanly and waits for the close handshake. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once("close", () => resolve());
      this.ws.close(1000);
    });
  }
}

export const balanceUpdates = (c: WsClient) => c.inbox.filter((m) => m.type === "balance_update");

/** Waits until `check` holds (polling), or throws after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}
