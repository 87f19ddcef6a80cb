/**
 * `npm run dev`: the whole Nyang backend on one machine — DynamoDB Local, the table, and the
 * unchanged HTTP Lambda handler behind a local API Gateway — until Ctrl-C stops it all.
 */
import { createServer } from "node:net";
import { isAbsolute, resolve } from "node:path";
import { parseArgs } from "node:util";
import { tableNameFromEnv } from "@nyang/core";
import { isLoopbackEndpoint, startDynamoDbLocal } from "./dynamodb-local.ts";
import { ensureTable, localDynamoClient } from "./ensure-table.ts";
import { startHttpGateway, type HttpHandler } from "./http-gateway.ts";
// The handler and the token signer (which imports @nyang/functions) are imported only after
// the environment is set: modules that build SDK clients at import time must see it.

const USAGE = `Usage: npm run dev -- [--data DIR] [--verbose]

Runs the Nyang API locally on http://127.0.0.1:$PORT (default 3020) against DynamoDB Local.

  --data DIR   keep DynamoDB Local's tables in DIR (created if needed); default: in memory
  --verbose    show DynamoDB Local's own output
  --help       show this help

Environment:
  PORT               HTTP port (default 3020)
  NYANG_TABLE        table name (default nyang)
  DYNAMODB_ENDPOINT  use this running DynamoDB Local instead of starting one
  NYANG_JWT_SECRET   HS256 secret for local tokens (default: the documented dev secret)`;

/** Something dev started and must stop on the way out; later: stream pump, cron loop, WebSocket gateway. */
interface Component {
  name: string;
  stop(): Promise<void>;
}

const started: Component[] = [];
let shuttingDown = false;

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
    // A second Ctrl-C means "now"; the 'exit' hook still kills DynamoDB Local.
    process.exit(130);
  }
  shuttingDown = true;
  say(`${signal}: shutting down…`);
  void stopAll().then(() => process.exit(0));
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        data: { type: "string" },
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
  const port = parsePort(process.env.PORT ?? "3020");
  // npm runs scripts from the repo root; a relative --data means relative to where the user typed it.
  const dataDir =
    values.data === undefined ? undefined : isAbsolute(values.data) ? values.data : resolve(process.env.INIT_CWD ?? process.cwd(), values.data);
  const tableName = tableNameFromEnv();

  // Registered before anything starts, so a Ctrl-C during start-up cleans up too.
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  // Checked up front too, so a busy port fails in milliseconds rather than after the JVM boots.
  await assertPortFree(port);

  let endpoint = process.env.DYNAMODB_ENDPOINT;
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

  // The handler reads these when it builds its client; set them before it is imported.
  process.env.DYNAMODB_ENDPOINT = endpoint;
  process.env.NYANG_TABLE = tableName;
  process.env.AWS_REGION ??= "us-east-1";
  process.env.AWS_ACCESS_KEY_ID ??= "local";
  process.env.AWS_SECRET_ACCESS_KEY ??= "local";
  // Node 20 is this machine's runtime; the SDK's notice that 2027 releases need Node 22 is known.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

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

  say("loading the HTTP handler…");
  const { handler: lambdaHandler } = await import("@nyang/functions/http/handler");
  // Hono's handler types its event with its own (null-vs-undefined) flavour of the same shape.
  const handler = lambdaHandler as unknown as HttpHandler;
  const { signLocalToken } = await import("./local-token.ts");

  const gateway = await startHttpGateway({
    port,
    host: "127.0.0.1",
    handler,
    log: (line) => console.error(line),
    accessLog: ({ method, path, status, ms }) => console.log(`${method} ${path} ${status} ${ms}ms`),
  }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") throw portInUse(port);
    throw error;
  });
  started.push({ name: "HTTP gateway", stop: () => gateway.close() });

  const adminToken = await signLocalToken({ sub: "dev-admin", roles: ["admin"], ttlSeconds: 12 * 3600 });
  const api = gateway.url;
  console.log(
    [
      "",
      "  Nyang is running locally",
      "",
      `  API          ${api}`,
      `  DynamoDB     ${endpoint} (${storage})${isLoopbackEndpoint(endpoint) ? "" : "  [not on this machine]"}`,
      `  table        ${tableName}`,
      "",
      "  Try it:",
      `    curl ${api}/v1/health`,
      "",
      "  An admin token (sub dev-admin, valid 12 h), minted for convenience:",
      `    export TOKEN=${adminToken}`,
      `    curl -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"userId":"u1"}' ${api}/v1/accounts`,
      `    curl -H "Authorization: Bearer $TOKEN" ${api}/v1/accounts/u1`,
      "",
      "  Other tokens:  npm run -s token -- --sub u1 --roles admin   (roles: user, service, admin)",
      "  Stop:          Ctrl-C",
      "",
    ].join("\n"),
  );
}

function portInUse(port: number): Error {
  return new Error(`port ${port} is already in use; stop whatever holds it or run with PORT=<another port>`);
}

function assertPortFree(port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolveFree, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => reject(error.code === "EADDRINUSE" ? portInUse(port) : error));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolveFree()));
  });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new Error(`PORT must be a number from 0 to 65535, got ${JSON.stringify(value)}`);
  return port;
}

try {
  await main();
} catch (error) {
  console.error(`[dev] failed: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll();
  process.exit(1);
}
