/**
 * `npm run dev`: the whole Nyang backend on one machine — DynamoDB Local, the table, a fake
 * Toss Payments gateway, a local EventBridge (PutEvents sink), the unchanged stream
 * handlers fed from the table's real stream, the unchanged HTTP Lambda handler behind a
 * local API Gateway, and the unchanged scheduled handlers on a local cron loop — until
 * Ctrl-C stops it all, in reverse order.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { tableNameFromEnv } from "@nyang/core";
import type { DynamoDBRecord } from "aws-lambda";
import { parseRuntimeEnv } from "../../functions/src/env.ts";
import { httpHandlerPath, scheduledJobsFor } from "../../functions/src/http/routes.ts";
import { createRuntime, type Runtime } from "../../functions/src/runtime.ts";
import { streamSubscriptions } from "../../functions/src/stream/subscriptions.ts";
import { wsRoutes } from "../../functions/src/ws/routes.ts";
import { cadenceMs, startCronLoop, type CronJob, type CronTick } from "./cron-loop.ts";
import { isLoopbackEndpoint, startDynamoDbLocal } from "./dynamodb-local.ts";
import { ensureTable, localDynamoClient } from "./ensure-table.ts";
import { startEventBridgeSink, type EventBridgeSink, type SinkEvent } from "./eventbridge-sink.ts";
import { fakeTossEnv, startFakeTossGateway } from "./fake-toss/index.ts";
import { startHttpFleet } from "./http-fleet.ts";
import { startHttpGateway, type HttpHandler } from "./http-gateway.ts";
import { startStreamPump, type StreamConsumer, type StreamFailureInfo, type StreamHandler } from "./stream-pump.ts";
import { startWebApps } from "./web-apps.ts";
import { startWebSocketGateway, type WebSocketGateway, type WebSocketHandler } from "./ws-gateway.ts";
// The handlers and the token signer (which imports @nyang/functions) are imported only after
// the environment is set: modules that build SDK clients at import time must see it.

const USAGE = `Usage: npm run dev -- [--data DIR] [--workers N] [--no-cron] [--no-streams] [--no-web] [--verbose]

Runs the Nyang API locally on http://127.0.0.1:$PORT (default 3020) against DynamoDB Local,
with a fake Toss Payments gateway, the stream consumers (alerts, analytics) fed from the
table's stream, a local EventBridge that logs every published event as an [events] line,
the scheduled jobs on a local cron loop, and the WebSocket API (real-time balance_update
and alert pushes) on ws://127.0.0.1:$WS_PORT (default 3021).

  --data DIR     keep DynamoDB Local's tables in DIR (created if needed), and the stream
                 consumers' positions (DIR/stream-checkpoints.json); default: in memory
  --workers N    run the HTTP handler in N processes behind the one port, each with its own
                 SDK clients, like N Lambda instances (default 2; 1: in this process, as before)
  --no-cron      do not run the scheduled jobs (hold expiry, order reconciliation)
  --no-streams   do not run the stream consumers: no aggregates, alerts or events
  --no-web       do not serve the console and the demo page
  --verbose      show DynamoDB Local's own output, and every scheduled run (idle ones too)
  --help         show this help

Environment:
  PORT               HTTP port (default 3020)
  WS_PORT            WebSocket port (default 3021); its PostToConnection endpoint is the same port
  ADMIN_PORT         the operators' console (default 3024), logged in with an admin token dev mints
  DEMO_PORT          a demo product page embedding the widget (default 3025) for the account demo-user
  NYANG_CORS_ORIGINS browser origins the API answers CORS for; the console's and the demo's are added
  NYANG_TABLE        table name (default nyang)
  DYNAMODB_ENDPOINT  use this running DynamoDB Local instead of starting one
  NYANG_JWT_SECRET   HS256 secret for local tokens (default: the documented dev secret)
  TOSS_FAKE_PORT     port of the fake Toss gateway (default 3022)
  EVENTS_PORT        port of the local EventBridge (default 3023, or a free one if that is
                     taken; 0 for any free port)
  NYANG_EVENT_BUS    the bus name events are published to (default nyang-local)
  TOSS_SECRET_KEY    set it to use a real (test) Toss gateway instead of the fake, with
  TOSS_API_BASE_URL  (optional) that gateway's URL (default https://api.tosspayments.com)`;

/** The repository root, where SST's handler paths start (this file is packages/local/src/dev.ts). */
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** Something dev started and must stop on the way out. */
interface Component {
  name: string;
  stop(): Promise<void>;
}

const started: Component[] = [];

/**
 * The one runtime the handlers of this process share (as one Lambda instance's modules do),
 * built from the environment once everything it names is running: the stream pump starts
 * before the WebSocket gateway whose endpoint the pushes need. A handler invoked before
 * (a stream record read at once) waits for it.
 */
let runtimeIsReady: (rt: Runtime) => void = () => undefined;
const runtimeReady = new Promise<Runtime>((resolve) => (runtimeIsReady = resolve));
let shuttingDown = false;
/** When the first stop signal came (performance.now()). */
let shutdownAt = 0;
/**
 * One Ctrl-C can arrive twice: the terminal signals the whole process group, and tsx (which
 * `npm run dev` runs this under) relays the signal to this process again when it does not
 * hear back from it within 30 ms. A repeat this soon is that echo, not a second Ctrl-C.
 */
const SIGNAL_ECHO_MS = 500;

function say(line: string): void {
  console.log(`[dev] ${line}`);
}

async function stopAll(): Promise<void> {
  // Reverse start order: the gateway stops taking requests before the database goes away.
  for (const component of started.splice(0).reverse()) {
    try {
      await component.stop();
      say(`stopped ${component.name}`);
    } catch (error) {
      console.error(`[dev] could not stop ${component.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  if (shuttingDown) {
    if (performance.now() - shutdownAt < SIGNAL_ECHO_MS) return;
    // A second Ctrl-C means "now"; the 'exit' hook still kills DynamoDB Local.
    process.exit(130);
  }
  shuttingDown = true;
  shutdownAt = performance.now();
  say(`${signal}: shutting down…`);
  void stopAll().then(() => process.exit(0));
}

async function main(): Promise<void> {
  // Node 20 is this machine's runtime; the SDK's notice that 2027 releases need Node 22 is known.
  // Set first: DynamoDB Local's readiness probe is the first SDK client made.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        data: { type: "string" },
        workers: { type: "string" },
        "no-cron": { type: "boolean" },
        "no-streams": { type: "boolean" },
        "no-web": { type: "boolean" },
        verbose: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = parsePort(process.env.PORT ?? "3020", "PORT");
  const workers = parseWorkers(values.workers ?? "2");
  // A TOSS_SECRET_KEY in the environment means "use that gateway"; otherwise the fake runs.
  const useFakeToss = !process.env.TOSS_SECRET_KEY?.trim();
  const tossPort = parsePort(process.env.TOSS_FAKE_PORT ?? "3022", "TOSS_FAKE_PORT");
  if (useFakeToss && tossPort === port && port !== 0) throw new Error(`PORT and TOSS_FAKE_PORT are both ${port}; give them different ports`);
  const wsPort = parsePort(process.env.WS_PORT ?? "3021", "WS_PORT");
  for (const [other, name] of [[port, "PORT"], [useFakeToss ? tossPort : -1, "TOSS_FAKE_PORT"]] as const) {
    if (wsPort === other && wsPort !== 0) throw new Error(`WS_PORT and ${name} are both ${wsPort}; give them different ports`);
  }
  // An EVENTS_PORT the user chose must be free; the default falls back to any free port
  // (only this process talks to the sink, through NYANG_EVENTBRIDGE_ENDPOINT).
  const eventsPortChosen = process.env.EVENTS_PORT !== undefined;
  const eventsPort = parsePort(process.env.EVENTS_PORT ?? "3023", "EVENTS_PORT");
  for (const [other, name] of [[port, "PORT"], [useFakeToss ? tossPort : -1, "TOSS_FAKE_PORT"]] as const) {
    if (eventsPortChosen && eventsPort === other && eventsPort !== 0) throw new Error(`EVENTS_PORT and ${name} are both ${eventsPort}; give them different ports`);
  }
  // npm runs scripts from the repo root; a relative --data means relative to where the user typed it.
  const dataDir =
    values.data === undefined ? undefined : isAbsolute(values.data) ? values.data : resolve(process.env.INIT_CWD ?? process.cwd(), values.data);
  const tableName = tableNameFromEnv(process.env);

  // Registered before anything starts, so a Ctrl-C during start-up cleans up too.
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  // Checked up front too, so a busy port fails in milliseconds rather than after the JVM boots.
  await assertPortFree(port, "PORT");
  if (useFakeToss) await assertPortFree(tossPort, "TOSS_FAKE_PORT");
  if (eventsPortChosen) await assertPortFree(eventsPort, "EVENTS_PORT");
  await assertPortFree(wsPort, "WS_PORT");
  const web = values["no-web"] ? undefined : { adminPort: parsePort(process.env.ADMIN_PORT ?? "3024", "ADMIN_PORT"), demoPort: parsePort(process.env.DEMO_PORT ?? "3025", "DEMO_PORT") };
  if (web) {
    await assertPortFree(web.adminPort, "ADMIN_PORT");
    await assertPortFree(web.demoPort, "DEMO_PORT");
  }

  let endpoint = process.env.DYNAMODB_ENDPOINT;
  // Kept data keeps the stream consumers' positions beside it, so a restart resumes there.
  const checkpointFile = endpoint || dataDir === undefined ? undefined : join(dataDir, STREAM_CHECKPOINTS_FILE);
  let storage: string;
  if (endpoint) {
    if (/amazonaws\.com/i.test(endpoint)) {
      throw new Error(`DYNAMODB_ENDPOINT=${endpoint} is real AWS; npm run dev only talks to DynamoDB Local`);
    }
    if (dataDir !== undefined) say("--data is ignored: DYNAMODB_ENDPOINT is set, so no DynamoDB Local is started");
    storage = "external, from DYNAMODB_ENDPOINT";
    say(`using DynamoDB at ${endpoint}`);
  } else {
    say(dataDir ? `starting DynamoDB Local (data in ${dataDir})…` : "starting DynamoDB Local (in memory)…");
    const t0 = performance.now();
    const dynamo = await startDynamoDbLocal({
      dataDir,
      ...(values.verbose ? { log: (line: string) => console.log(`[dynamodb] ${line}`) } : {}),
    });
    started.push({ name: "DynamoDB Local", stop: dynamo.stop });
    endpoint = dynamo.endpoint;
    storage = dataDir ? `data in ${dataDir}` : "in memory: everything is gone after Ctrl-C; use --data DIR to keep it";
    say(`DynamoDB Local ready at ${endpoint} in ${Math.round(performance.now() - t0)} ms`);
  }

  // The environment the handlers' runtime is parsed from (once everything runs, below) and the
  // HTTP worker processes inherit.
  process.env.DYNAMODB_ENDPOINT = endpoint;
  process.env.NYANG_TABLE = tableName;
  process.env.AWS_REGION ??= "us-east-1";
  process.env.AWS_ACCESS_KEY_ID ??= "local";
  process.env.AWS_SECRET_ACCESS_KEY ??= "local";

  let tossLine: string;
  let fakeUrl: string | undefined;
  if (useFakeToss) {
    if (process.env.TOSS_API_BASE_URL) say(`TOSS_API_BASE_URL is ignored without TOSS_SECRET_KEY: payments go to the fake`);
    const fake = await startFakeTossGateway({ port: tossPort, host: "127.0.0.1", log: (line) => console.log(line) }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") throw portInUse(tossPort, "TOSS_FAKE_PORT");
      throw error;
    });
    started.push({ name: "fake Toss gateway", stop: () => fake.close() });
    Object.assign(process.env, fakeTossEnv(fake));
    fakeUrl = fake.url;
    tossLine = `${fake.url} (fake Toss Payments, in memory; secret key ${fake.secretKey})`;
  } else {
    const key = process.env.TOSS_SECRET_KEY!.trim();
    const url = process.env.TOSS_API_BASE_URL?.trim() || "https://api.tosspayments.com";
    if (key.startsWith("live_")) say("warning: TOSS_SECRET_KEY is a live key: confirmed payments charge real money");
    tossLine = `${url} (TOSS_SECRET_KEY is set, ${key.slice(0, 8)}…: no fake started)`;
  }

  say(`creating table ${tableName} (if missing)…`);
  // Sign as the handler will, so an external DynamoDB Local without -sharedDb shows both the same tables.
  const client = localDynamoClient(endpoint, {
    region: process.env.AWS_REGION,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
      ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
    },
  });
  try {
    await ensureTable(client, tableName);
  } finally {
    client.destroy();
  }

  // The local EventBridge. Always started, --no-streams too: with its endpoint in the
  // environment no publish can ever reach a real AWS account from here.
  const sink = await startLocalEventBridge(eventsPort, eventsPortChosen, [port, useFakeToss ? tossPort : -1]);
  started.push({ name: "local EventBridge", stop: () => sink.close() });
  process.env.NYANG_EVENTBRIDGE_ENDPOINT = sink.endpoint;
  process.env.NYANG_EVENT_BUS ??= "nyang-local";
  const eventsLine = `${sink.endpoint} (local EventBridge, bus ${process.env.NYANG_EVENT_BUS}; each event is logged as an [events] line)`;

  // Started before the HTTP gateway and the cron loop (see startStreams for where it reads from).
  let streamsLine: string;
  if (values["no-streams"]) {
    streamsLine = "off (--no-streams): no aggregates, alerts or events";
  } else {
    say("loading the stream handlers…");
    streamsLine = await startStreams(endpoint, tableName, checkpointFile);
  }

  // The web apps start before the HTTP handler: their origins must be in NYANG_CORS_ORIGINS,
  // which the handler reads when it loads. What they serve as config is filled in below.
  const webConfig: { admin: Record<string, unknown>; demo: Record<string, unknown> } = { admin: {}, demo: {} };
  let apps: Awaited<ReturnType<typeof startWebApps>> | undefined;
  if (web) {
    say("starting the console and the demo page (Vite)…");
    apps = await startWebApps({ ...web, adminConfig: () => webConfig.admin, demoConfig: () => webConfig.demo });
    started.push({ name: "console", stop: () => apps!.admin.close() }, { name: "demo page", stop: () => apps!.demo.close() });
    process.env.NYANG_CORS_ORIGINS = [process.env.NYANG_CORS_ORIGINS, ...webOrigins(apps.admin.url), ...webOrigins(apps.demo.url)].filter(Boolean).join(",");
  }

  const { handler, handlerLine } = await startHttpHandler(workers);
  const { signLocalToken } = await import("./local-token.ts");

  const gateway = await startHttpGateway({
    port,
    host: "127.0.0.1",
    handler,
    log: (line) => console.error(line),
    accessLog: ({ method, path, status, ms }) => console.log(`${method} ${path} ${status} ${ms}ms`),
  }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") throw portInUse(port, "PORT");
    throw error;
  });
  started.push({ name: "HTTP gateway", stop: () => gateway.close() });

  say("loading the WebSocket handlers…");
  const ws = await startWebSockets(wsPort);
  // Everything the handlers' environment names is up: parse it once, as a cold start does.
  runtimeIsReady(createRuntime(parseRuntimeEnv(process.env)));

  let schedulesLine: string;
  if (values["no-cron"]) {
    schedulesLine = "off (--no-cron)";
  } else {
    say("loading the scheduled handlers…");
    const jobs = await loadScheduledJobs();
    const cron = startCronLoop({ jobs, verbose: values.verbose ?? false, quietIdleConsole: !values.verbose });
    started.push({ name: "cron loop", stop: () => cron.stop() });
    schedulesLine = jobs.map((job) => `${job.name} ${describeCadence(job.cron)}`).join(", ");
  }

  const adminToken = await signLocalToken({ sub: "dev-admin", roles: ["admin"], ttlSeconds: 12 * 3600 });
  let webLines: string[] = [];
  if (apps) {
    // The demo page's user: opened here (idempotent by userId, so --data keeps its history).
    const demoUser = "demo-user";
    const opened = await fetch(`${gateway.url}/v1/accounts`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ userId: demoUser }),
    });
    if (!opened.ok) throw new Error(`could not open the demo account: ${opened.status} ${await opened.text()}`);
    const userToken = await signLocalToken({ sub: demoUser, roles: ["user"], ttlSeconds: 12 * 3600 });
    webConfig.admin = { apiUrl: gateway.url, adminToken, ...(fakeUrl ? { fakeTossUrl: fakeUrl } : {}) };
    webConfig.demo = { apiUrl: gateway.url, realtimeUrl: ws.url, userToken, userId: demoUser, ...(fakeUrl ? { fakeTossUrl: fakeUrl } : {}) };
    webLines = [
      `  Console      ${apps.admin.url}  (operators' console, signed in as dev-admin)`,
      `  Demo page    ${apps.demo.url}  (a product page with the widget, signed in as ${demoUser})`,
    ];
  }
  const u1Token = await signLocalToken({ sub: "u1", roles: ["user"], ttlSeconds: 12 * 3600 });
  const api = gateway.url;
  console.log(
    [
      "",
      "  Nyang is running locally",
      "",
      `  API          ${api}  (reference: ${api}/v1/docs, OpenAPI: ${api}/v1/openapi.json)`,
      `  handler      ${handlerLine}`,
      `  DynamoDB     ${endpoint} (${storage})${isLoopbackEndpoint(endpoint) ? "" : "  [not on this machine]"}`,
      `  table        ${tableName}`,
      `  Toss         ${tossLine}`,
      `  schedules    ${schedulesLine}`,
      `  streams      ${streamsLine}`,
      `  events       ${eventsLine}`,
      ...webLines,
      `  WebSocket    ${ws.url}?token=<JWT>  (pushes ${values["no-streams"] ? "off: --no-streams" : "balance_update and alert"}; PostToConnection at ${ws.managementEndpoint})`,
      "",
      "  Try it:",
      `    curl ${api}/v1/health`,
      "",
      "  An admin token (sub dev-admin, valid 12 h), minted for convenience:",
      `    export TOKEN=${adminToken}`,
      `    curl -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"userId":"u1"}' ${api}/v1/accounts`,
      `    curl -H "Authorization: Bearer $TOKEN" ${api}/v1/accounts/u1`,
      "",
      "  Watch u1's pushes (a user token for u1, valid 12 h), then spend from another shell:",
      `    export U1=${u1Token}`,
      `    node -e "const s=new (require('ws'))(process.argv[1]);s.on('message',m=>console.log(String(m)))" "${ws.url}?token=$U1"`,
      `    curl -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -H 'Idempotency-Key: spend-1' -d '{"serviceType":"ai_writing"}' ${api}/v1/accounts/u1/usage`,
      "",
      ...(fakeUrl
        ? [
            "  Buy coins: open an order, play the customer's checkout at the fake, confirm with its paymentKey:",
            `    export FAKE=${fakeUrl}`,
            `    curl -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -H 'Idempotency-Key: buy-1' -d '{"packageId":"popular"}' ${api}/v1/accounts/u1/purchases`,
            `    curl -X POST $FAKE/__fake/authorize -d '{"orderId":"<order.id>","amount":<order.amountKrw>}'`,
            `    curl -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -H 'Idempotency-Key: confirm-1' -d '{"paymentKey":"<paymentKey>"}' ${api}/v1/accounts/u1/purchases/<order.id>/confirm`,
            `  Gateway failures: curl -X POST $FAKE/__fake/mode -d '{"mode":"decline"}'  (approve | decline | timeout | lose_response; "times":1 for once)`,
            `  What the fake holds: curl $FAKE/__fake/payments`,
            "",
          ]
        : []),
      "  Other tokens:  npm run -s token -- --sub u1 --roles admin   (roles: user, service, admin)",
      "  Stop:          Ctrl-C",
      "",
    ].join("\n"),
  );
}

/**
 * The HTTP Lambda handler: in this process (`--workers 1`), or a fleet of N worker
 * processes that each import it (http-fleet.ts), forked now that the environment is set.
 * Returns the handler for the gateway and the banner line.
 */
async function startHttpHandler(workers: number): Promise<{ handler: HttpHandler; handlerLine: string }> {
  const module = "@nyang/functions/http/handler";
  if (workers === 1) {
    say("loading the HTTP handler…");
    // Hono's handler types its event with its own (null-vs-undefined) flavour of the same shape.
    const handler = (await importHandler(httpHandlerPath, "HTTP")) as unknown as HttpHandler;
    return { handler, handlerLine: "in this process (--workers 1)" };
  }
  say(`starting ${workers} HTTP handler processes…`);
  const fleet = await startHttpFleet({ workers, handlerModule: module, log: (line) => console.error(line) });
  started.push({ name: `${workers} HTTP handler processes`, stop: () => fleet.close() });
  return {
    handler: fleet.handler,
    handlerLine: `${workers} processes (pids ${fleet.pids().join(", ")}), each its own Lambda instance; least busy first; --workers N`,
  };
}

/**
 * The WebSocket API on `port` (127.0.0.1): the unchanged `$connect`/`$disconnect`/`$default`
 * handlers of `wsRoutes` behind the local API Gateway WebSocket, whose PostToConnection
 * endpoint (the same port) the stream consumer pushes through: `NYANG_WS_MANAGEMENT_ENDPOINT`
 * is set here, before any push needs it (the pusher reads it on first use). Connections
 * kept in a `--data` table from an earlier run are dead; the first push to each meets 410
 * and removes it.
 */
async function startWebSockets(port: number): Promise<WebSocketGateway> {
  const routes: Partial<Record<keyof typeof wsRoutes, WebSocketHandler>> = {};
  for (const [route, handlerPath] of Object.entries(wsRoutes) as [keyof typeof wsRoutes, string][]) {
    routes[route] = (await importHandler(handlerPath, "WebSocket")) as WebSocketHandler;
  }
  const ws = await startWebSocketGateway({
    port,
    host: "127.0.0.1",
    routes,
    log: (line) => console.error(line),
    accessLog: (line) => console.log(line),
  }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") throw portInUse(port, "WS_PORT");
    throw error;
  });
  started.push({ name: "WebSocket gateway", stop: () => ws.close() });
  process.env.NYANG_WS_MANAGEMENT_ENDPOINT = ws.managementEndpoint;
  return ws;
}

/**
 * The local EventBridge on `port` (127.0.0.1). Each event it accepts is logged as one short
 * `[events]` line; refused requests and entries are logged as the sink words them.
 */
async function startLocalEventBridge(port: number, chosen: boolean, taken: readonly number[]) {
  const ref: { sink?: EventBridgeSink } = {};
  const log = (line: string) => {
    // The sink logs an accepted event right after storing it: the line ends with its id.
    const last = ref.sink?.events.at(-1);
    if (last && line.endsWith(` ${last.id}`)) console.log(describeEvent(last));
    else console.log(line);
  };
  const start = (p: number) => startEventBridgeSink({ port: p, host: "127.0.0.1", log });
  // The default port is only a preference: if it is taken (or is another of ours), any free port does.
  const preferred = !chosen && taken.includes(port) ? 0 : port;
  ref.sink = await start(preferred).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    if (chosen) throw portInUse(port, "EVENTS_PORT");
    say(`port ${port} is taken; the local EventBridge listens on a free port instead`);
    return start(0);
  });
  return ref.sink;
}

/** `[events] AlertRaised low_balance u1 warning balance=15.00 threshold=20.00`, `[events] LedgerEntryCreated usage u1 -3.00 → 97.00 ai_writing`. */
function describeEvent(event: SinkEvent): string {
  const detail = (event.detail ?? {}) as {
    userId?: string;
    transaction?: { type?: string; amount?: string; balanceAfter?: string; serviceType?: string | null };
    alert?: { type?: string; severity?: string; data?: Record<string, unknown> | null };
  };
  const parts = [event.detailType];
  if (detail.transaction) {
    const t = detail.transaction;
    parts.push(String(t.type), String(detail.userId), `${t.amount} → ${t.balanceAfter}`);
    if (t.serviceType) parts.push(t.serviceType);
  } else if (detail.alert) {
    const a = detail.alert;
    parts.push(String(a.type), String(detail.userId), String(a.severity));
    for (const [key, value] of Object.entries(a.data ?? {})) {
      if (/id$/i.test(key) || (typeof value !== "string" && typeof value !== "number")) continue;
      parts.push(`${key}=${value}`);
    }
  } else {
    parts.push(event.source, String(detail.userId ?? ""));
  }
  return `[events] ${parts.join(" ")}`;
}

/**
 * The two consumers of `streamSubscriptions` on a stream pump, with the filters, batch
 * sizes, retries and bisecting their AWS event source mappings have (stacks/streams.ts).
 * Returns the banner line.
 *
 * Where the pump starts: `trim_horizon`, the oldest record the stream holds, as the AWS
 * mappings do (stacks/streams.ts) when they are created. On the fresh in-memory table that is
 * the same as `latest` (the pump starts before the HTTP gateway and the cron loop, so the
 * stream is empty). With `--data` the pump keeps each consumer's position per shard in
 * `<data dir>/stream-checkpoints.json` (written as batches settle, flushed on the way out), as
 * an event source mapping keeps its position, and a restart resumes right after it: records
 * handled before are not delivered (nor their events published) again, records written while
 * it was down are. Only shards without a checkpoint start at their oldest record. A `kill -9`
 * may lose the last fraction of a second of checkpoints: those records come again, at least
 * once as on AWS (the consumers are redelivery-safe). With DYNAMODB_ENDPOINT nothing is kept.
 */
/** The stream consumers' positions, in the `--data` directory. */
export const STREAM_CHECKPOINTS_FILE = "stream-checkpoints.json";

async function startStreams(endpoint: string, tableName: string, checkpointFile: string | undefined): Promise<string> {
  const consumers: StreamConsumer[] = [];
  for (const [name, sub] of Object.entries(streamSubscriptions)) {
    consumers.push({
      name,
      handler: (await importHandler(sub.handler, "stream")) as StreamHandler,
      filters: sub.filters,
      batchSize: sub.batchSize,
      maximumRetryAttempts: sub.maximumRetryAttempts,
      bisectBatchOnFunctionError: sub.bisectBatchOnFunctionError,
      reportBatchItemFailures: true,
      onFailure: logGivenUp,
    });
  }
  const pump = await startStreamPump({
    endpoint,
    tableName,
    consumers,
    startAt: "trim_horizon",
    ...(checkpointFile ? { checkpointFile } : {}),
    log: (line) => console.log(line),
  });
  started.push({ name: "stream consumers", stop: () => pump.stop() });
  const each = Object.entries(streamSubscriptions).map(
    ([name, sub]) => `${name} (batch ${sub.batchSize}, ${sub.maximumRetryAttempts} retries${sub.bisectBatchOnFunctionError ? ", bisect" : ""})`,
  );
  const from = checkpointFile ? `resuming where they stopped (${checkpointFile})` : "from its oldest record";
  return `${each.join(", ")} on ${tableName}'s stream, ${from}`;
}

/** The local on-failure destination: the records a consumer gave up on, one line each (at most 10). */
function logGivenUp(records: DynamoDBRecord[], error: unknown, info: StreamFailureInfo): void {
  const reason = error instanceof Error ? error.message : String(error);
  console.error(`[stream] ${info.consumer}: on-failure destination got ${records.length} record(s) of ${info.shardId} after ${info.attempts} attempt(s): ${reason}`);
  for (const record of records.slice(0, 10)) {
    const keys = record.dynamodb?.Keys;
    const key = keys ? Object.values(keys).map((v) => v.S ?? v.N ?? "?").join(" / ") : "?";
    console.error(`[stream]   ${record.eventName ?? "?"} ${key} seq ${record.dynamodb?.SequenceNumber ?? "?"}`);
  }
  if (records.length > 10) console.error(`[stream]   … and ${records.length - 10} more`);
}

/**
 * An SST handler path (`packages/functions/src/stream/alerts.handler`: a file from the
 * repository root, then its export), made by that module's factory for the export
 * (`handler` → `makeHandler`, `daily` → `makeDaily`) over this process's runtime once it is ready.
 */
async function importHandler(handlerPath: string, kind: string): Promise<(...args: never[]) => unknown> {
  const dot = handlerPath.lastIndexOf(".");
  const modulePath = handlerPath.slice(0, dot);
  const exportName = handlerPath.slice(dot + 1);
  const file = resolve(repoRoot, `${modulePath}.ts`);
  if (!existsSync(file)) throw new Error(`${kind} handler ${handlerPath}: no file ${file}`);
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const factoryName = `make${exportName[0]!.toUpperCase()}${exportName.slice(1)}`;
  const factory = mod[factoryName];
  if (typeof factory !== "function") throw new Error(`${kind} handler ${handlerPath}: ${file} exports no factory "${factoryName}"`);
  let handler: ((...args: never[]) => unknown) | undefined;
  return async (...args: never[]) => {
    handler ??= (factory as (rt: Runtime) => (...args: never[]) => unknown)(await runtimeReady);
    return handler(...args);
  };
}

/**
 * The scheduled handlers of `scheduledJobsFor`, as cron-loop jobs: each SST handler path
 * (`packages/functions/src/schedule/expire-holds.handler`) names a file from the repository
 * root and its export, imported here as it is (after the environment is set).
 */
async function loadScheduledJobs(): Promise<CronJob[]> {
  const jobs: CronJob[] = [];
  // The cadence settings as the runtime parsed them (env.ts): the same values stacks/schedules.ts deploys.
  const { vars } = (await runtimeReady).env;
  for (const [key, job] of Object.entries(scheduledJobsFor(vars))) {
    const run = (await importHandler(job.handler, "scheduled")) as (event: object) => Promise<unknown>;
    jobs.push({
      // By the job's key (expireHolds → expire-holds): one file may export several jobs.
      name: key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
      cron: job.cron,
      // The ScheduledEvent shape EventBridge Scheduler sends (stacks/schedules.ts).
      run: (tick: CronTick) =>
        run({
          id: randomUUID(),
          "detail-type": "Scheduled Event",
          source: tick.manual ? "nyang.local.manual" : "nyang.local",
          time: tick.scheduledAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
          detail: {},
        }),
    });
  }
  return jobs;
}

/** `* * * * *` → "every 1 min"; an irregular pattern is shown as it is. */
function describeCadence(pattern: string): string {
  const ms = cadenceMs(pattern);
  if (ms === undefined) return `(${pattern})`;
  const every = ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
  return `every ${every} (${pattern})`;
}

/** A local web app's origin, under both loopback names a browser may use. */
function webOrigins(url: string): string[] {
  return [url, url.replace("//127.0.0.1:", "//localhost:")];
}

function portInUse(port: number, name: string): Error {
  return new Error(`port ${port} is already in use; stop whatever holds it or run with ${name}=<another port>`);
}

function assertPortFree(port: number, name: string): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolveFree, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => reject(error.code === "EADDRINUSE" ? portInUse(port, name) : error));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolveFree()));
  });
}

function parseWorkers(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 64) throw new Error(`--workers must be a whole number from 1 to 64, got ${JSON.stringify(value)}`);
  return n;
}

function parsePort(value: string, name: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new Error(`${name} must be a number from 0 to 65535, got ${JSON.stringify(value)}`);
  return port;
}

try {
  await main();
} catch (error) {
  console.error(`[dev] failed: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll();
  process.exit(1);
}
