/**
 * The AWS wiring, checked without the SST CLI, AWS or the network.
 *
 * `sst.config.ts` and the modules in `stacks/` only ever see SST's globals (`$config`,
 * `$app`, `sst`, `$interpolate`, …). Here those globals are recording stand-ins installed on
 * `globalThis` before the modules are imported: each component constructor records its
 * name and args, each method (`api.route`, `table.subscribe`) records its call, and each
 * Pulumi output is a symbolic value such as `«Ledger.arn»`, so what a stack passes where
 * can be compared exactly. The real component types are checked separately by
 * `npm run typecheck:infra` (tsc against .sst/platform).
 *
 * The stand-ins only know the members the stacks use today: a stack that starts using
 * another component or method fails here with "is not a constructor" / "is not a
 * function" until the stand-in learns it, which is the point.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Cron } from "croner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOSS_DEFAULT_BASE_URL, TOSS_DEFAULT_TIMEOUT_MS } from "../../packages/core/src/payments/toss-gateway";
import { tableDefinition } from "../../packages/core/src/store/table";
import { parseRuntimeEnv } from "../../packages/functions/src/env";
import { corsPreflightRoute, docsAssetPackage, docsAssets, documentationRoutes, httpHandlerPath, httpRoutes, scheduledJobs, scheduledJobsFor } from "../../packages/functions/src/http/routes";
import { streamSubscriptions } from "../../packages/functions/src/stream/subscriptions";
import { wsRoutes } from "../../packages/functions/src/ws/routes";
import { cadenceMs } from "../../packages/local/src/cron-loop";
import { documentedOperations, servedOpenApiDocument } from "../support/openapi.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

// ---------------------------------------------------------------------------------------
// Recording stand-ins for SST's globals
// ---------------------------------------------------------------------------------------

/** A Pulumi output stand-in: a symbolic value, e.g. `«Ledger.arn»/index/*`. */
class FakeOutput {
  constructor(readonly value: string) {}
  /** Runs the callback on the symbolic value, so `arn.apply((a) => a)` stays `«X.arn»`. */
  apply(fn: (value: string) => unknown): FakeOutput {
    return toOutput(fn(this.value));
  }
  toString(): string {
    return this.value;
  }
}

function toOutput(value: unknown): FakeOutput {
  return value instanceof FakeOutput ? value : new FakeOutput(String(value));
}

function interpolate(strings: TemplateStringsArray, ...values: unknown[]): FakeOutput {
  return new FakeOutput(
    strings.reduce((acc, s, i) => acc + s + (i < values.length ? toOutput(values[i]).value : ""), ""),
  );
}

interface Call {
  method: string;
  args: unknown[];
}

interface Created {
  type: string;
  name: string;
  args: unknown;
  instance: object;
  calls: Call[];
}

function makeRecorder() {
  const created: Created[] = [];

  abstract class Resource {
    readonly record: Created;
    constructor(type: string, name: string, args: unknown) {
      this.record = { type, name, args, instance: this, calls: [] };
      created.push(this.record);
    }
    protected out(prop: string): FakeOutput {
      return new FakeOutput(`«${this.record.name}.${prop}»`);
    }
    protected called(method: string, args: unknown[]): void {
      this.record.calls.push({ method, args });
    }
  }

  class Dynamo extends Resource {
    constructor(name: string, args: unknown) {
      super("sst.aws.Dynamo", name, args);
    }
    get arn() {
      return this.out("arn");
    }
    get name() {
      return this.out("name");
    }
    subscribe(...args: unknown[]) {
      this.called("subscribe", args);
      return this.out(`subscriber.${String(args[0])}`);
    }
  }

  class Function extends Resource {
    constructor(name: string, args: unknown) {
      super("sst.aws.Function", name, args);
    }
    get arn() {
      return this.out("arn");
    }
    get name() {
      return this.out("name");
    }
    get url() {
      return this.out("url");
    }
  }

  class ApiGatewayV2 extends Resource {
    constructor(name: string, args?: unknown) {
      super("sst.aws.ApiGatewayV2", name, args);
    }
    get url() {
      return this.out("url");
    }
    get id() {
      return this.out("id");
    }
    route(...args: unknown[]) {
      this.called("route", args);
      return {};
    }
  }

  class ApiGatewayWebSocket extends Resource {
    constructor(name: string, args?: unknown) {
      super("sst.aws.ApiGatewayWebSocket", name, args);
    }
    get url() {
      return this.out("url");
    }
    get managementEndpoint() {
      return this.out("managementEndpoint");
    }
    get nodes() {
      return { api: { id: this.out("api.id"), executionArn: this.out("api.executionArn") } };
    }
    route(...args: unknown[]) {
      this.called("route", args);
      return {};
    }
  }

  class CronV2 extends Resource {
    constructor(name: string, args: unknown) {
      super("sst.aws.CronV2", name, args);
    }
  }

  /** Recorded so that a stack that used it is caught: schedules are CronV2 (EventBridge Scheduler). */
  class Cron extends Resource {
    constructor(name: string, args: unknown) {
      super("sst.aws.Cron", name, args);
    }
  }

  class Queue extends Resource {
    constructor(name: string, args?: unknown) {
      super("sst.aws.Queue", name, args);
    }
    get arn() {
      return this.out("arn");
    }
    get url() {
      return this.out("url");
    }
  }

  class Bus extends Resource {
    constructor(name: string, args?: unknown) {
      super("sst.aws.Bus", name, args);
    }
    get arn() {
      return this.out("arn");
    }
    get name() {
      return this.out("name");
    }
  }

  class Secret extends Resource {
    constructor(name: string, placeholder?: unknown) {
      super("sst.Secret", name, placeholder);
    }
    get value() {
      return this.out("value");
    }
    get name() {
      return this.out("name");
    }
  }

  class StaticSite extends Resource {
    constructor(name: string, args?: unknown) {
      super("sst.aws.StaticSite", name, args);
    }
    get url() {
      return this.out("url");
    }
  }

  const byType = (type: string) => created.filter((c) => c.type === type);
  const one = (type: string, name?: string): Created => {
    const found = byType(type).filter((c) => name === undefined || c.name === name);
    expect(found.map((c) => c.name), `expected exactly one ${type}${name ? ` named ${name}` : ""}`).toHaveLength(1);
    return found[0]!;
  };

  return {
    created,
    byType,
    one,
    globals: {
      sst: { aws: { Dynamo, Function, ApiGatewayV2, ApiGatewayWebSocket, CronV2, Cron, Queue, Bus, StaticSite }, Secret },
      $interpolate: interpolate,
      $dev: false,
    },
  };
}

type Recorder = ReturnType<typeof makeRecorder>;

const globalNames = ["sst", "$app", "$config", "$interpolate", "$dev"] as const;
const g = globalThis as Record<string, unknown>;

/** Installs fresh stand-ins for one stage and returns what they record. */
function install(stage: string): Recorder {
  const recorder = makeRecorder();
  Object.assign(g, recorder.globals, {
    $app: { name: "nyang", stage },
    $config: (config: unknown) => config,
  });
  return recorder;
}

// The stack modules only touch SST's globals when their functions run, so one import of
// each serves every stage. The specifiers are not literals, so `tsc -b` (which has no SST
// globals) does not pull the stacks into the test project; typecheck:infra checks them.
interface StorageModule {
  storage(): { table: object };
}
interface ApiModule {
  api(deps: { table: object; toss: object; webConsole?: (apiUrl: unknown) => { url: unknown } }): { api: object; handler: object };
  tossSecrets(): object;
  httpTableActions: string[];
}
interface SchedulesModule {
  schedules(deps: { table: object; toss: object; bus: object }): { crons: Record<string, object>; failures: object };
  scheduleTableActions: string[];
}
interface EventsModule {
  events(): { bus: object };
}
interface StreamsModule {
  streams(deps: { table: object; bus: object; realtime: object; toss: object }): { subscribers: Record<string, unknown>; failures: object };
  chargingConsumer: string;
  pushingConsumer: string;
  streamTableActions: string[];
  streamFunctionResponseTypes: string[];
  streamStartingPosition: string;
}
interface RealtimeModule {
  realtime(deps: { table: object; jwt: { issuer: object; audience: object } }): { api: object; manageConnections: { actions: string[]; resources: unknown[] } };
  wsTableActions: Record<string, readonly string[]>;
  pushTableActions: string[];
  manageConnectionsAction: string;
}
interface SstConfig {
  app(input: { stage: string }): Record<string, unknown>;
  run(): Promise<Record<string, unknown>>;
}

let storageModule: StorageModule;
let apiModule: ApiModule;
let schedulesModule: SchedulesModule;
let eventsModule: EventsModule;
let streamsModule: StreamsModule;
let realtimeModule: RealtimeModule;
let sstConfig: SstConfig;

beforeAll(async () => {
  install("dev");
  const load = (file: string) => import(path.join(repoRoot, file));
  storageModule = (await load("stacks/storage.ts")) as StorageModule;
  apiModule = (await load("stacks/api.ts")) as ApiModule;
  schedulesModule = (await load("stacks/schedules.ts")) as SchedulesModule;
  eventsModule = (await load("stacks/events.ts")) as EventsModule;
  streamsModule = (await load("stacks/streams.ts")) as StreamsModule;
  realtimeModule = (await load("stacks/realtime.ts")) as RealtimeModule;
  sstConfig = ((await load("sst.config.ts")) as { default: SstConfig }).default;
});

afterAll(() => {
  for (const name of globalNames) delete g[name];
});

/** Runs the whole app (`sst.config.ts` → `run()`) on a stage and returns what it built. */
async function runApp(stage: string) {
  const recorder = install(stage);
  const outputs = await sstConfig.run();
  return { recorder, outputs };
}

// ---------------------------------------------------------------------------------------
// Shapes of the args as the stacks pass them (only the parts asserted on)
// ---------------------------------------------------------------------------------------

interface DynamoArgsSeen {
  fields: Record<string, string>;
  primaryIndex: { hashKey: string; rangeKey?: string };
  globalIndexes?: Record<string, unknown>;
  localIndexes?: Record<string, { rangeKey: string; projection?: unknown }>;
  stream?: string;
  ttl?: string;
  deletionProtection?: boolean;
  transform?: { table?: { pointInTimeRecovery?: { enabled?: boolean }; billingMode?: string } };
}

interface FunctionArgsSeen {
  handler: string;
  runtime?: string;
  architecture?: string;
  memory?: string;
  timeout?: string;
  nodejs?: { sourcemap?: boolean; format?: string };
  copyFiles?: { from: string; to?: string }[];
  environment?: Record<string, unknown>;
  permissions?: { actions: string[]; resources: unknown[]; effect?: string }[];
  link?: unknown[];
  description?: string;
  retries?: number;
  transform?: { eventInvokeConfig?: { destinationConfig?: { onFailure?: { destination?: unknown } } } };
}

interface CronV2ArgsSeen {
  schedule: string;
  function?: FunctionArgsSeen | string;
  job?: unknown;
  event?: Record<string, unknown>;
  retries?: number;
  dlq?: unknown;
  enabled?: boolean;
  timezone?: string;
}

const dynamoTypeToField = { S: "string", N: "number", B: "binary" } as const;

// ---------------------------------------------------------------------------------------
// sst.config.ts
// ---------------------------------------------------------------------------------------

describe("sst.config.ts", () => {
  it("names the app nyang, homes it on AWS and retains/protects only production", () => {
    expect(sstConfig.app({ stage: "dev" })).toEqual({
      name: "nyang",
      removal: "remove",
      protect: false,
      home: "aws",
    });
    expect(sstConfig.app({ stage: "production" })).toEqual({
      name: "nyang",
      removal: "retain",
      protect: true,
      home: "aws",
    });
  });

  it("run() builds one table, one HTTP function, one HTTP API, a schedule per job, the bus, and returns their outputs", async () => {
    const { recorder, outputs } = await runApp("dev");
    const table = recorder.one("sst.aws.Dynamo");
    const fn = recorder.one("sst.aws.Function");
    const api = recorder.one("sst.aws.ApiGatewayV2");
    const failures = recorder.one("sst.aws.Queue", "ScheduleFailures");
    const streamFailures = recorder.one("sst.aws.Queue", "StreamFailures");
    const bus = recorder.one("sst.aws.Bus");
    const ws = recorder.one("sst.aws.ApiGatewayWebSocket");
    const site = recorder.one("sst.aws.StaticSite");

    expect(outputs).toEqual({
      apiUrl: new FakeOutput(`«${api.name}.url»`),
      tableName: new FakeOutput(`«${table.name}.name»`),
      httpFunctionName: new FakeOutput(`«${fn.name}.name»`),
      scheduleFailuresQueueUrl: new FakeOutput(`«${failures.name}.url»`),
      eventBusName: new FakeOutput(`«${bus.name}.name»`),
      streamFailuresQueueUrl: new FakeOutput(`«${streamFailures.name}.url»`),
      realtimeUrl: new FakeOutput(`«${ws.name}.url»`),
      consoleUrl: new FakeOutput(`«${site.name}.url»`),
    });
    expect(recorder.created.map((c) => c.type).sort()).toEqual(
      [
        "sst.Secret", // NyangJwtIssuer
        "sst.Secret", // NyangJwtAudience
        "sst.Secret", // TossSecretKey
        "sst.Secret", // TossApiBaseUrl
        "sst.aws.ApiGatewayV2",
        "sst.aws.ApiGatewayWebSocket", // Realtime
        "sst.aws.Dynamo",
        "sst.aws.Function",
        "sst.aws.Queue", // ScheduleFailures
        "sst.aws.Queue", // StreamFailures
        "sst.aws.Bus",
        "sst.aws.StaticSite", // Console
        ...Object.keys(scheduledJobs).map(() => "sst.aws.CronV2"),
      ].sort(),
    );
  });

  it("run() forwards the business settings set at deploy, identically, to every function that reads the configuration", async () => {
    const settings = { DEFAULT_COIN_AMOUNT: "50", PRICE_AI_WRITING: "3.5", AUTO_CHARGE_ENABLED: "true", LOW_BALANCE_THRESHOLD: "15", AUTO_CHARGE_MONTHLY_CAP_KRW: "50000" };
    const saved = { ...process.env };
    Object.assign(process.env, settings, { SOMETHING_ELSE: "not forwarded" });
    try {
      const { recorder } = await runApp("dev");
      const envs: Record<string, unknown>[] = [
        (recorder.one("sst.aws.Function").args as FunctionArgsSeen).environment ?? {},
        ...recorder.byType("sst.aws.CronV2").map((c) => ((c.args as CronV2ArgsSeen).function as FunctionArgsSeen).environment ?? {}),
        ...recorder
          .one("sst.aws.Dynamo")
          .calls.filter((c) => c.method === "subscribe")
          .map((c) => (c.args[1] as FunctionArgsSeen).environment ?? {}),
      ];
      expect(envs.length).toBe(1 + Object.keys(scheduledJobs).length + 2);
      for (const env of envs) {
        expect(env).toMatchObject(settings);
        expect(env.SOMETHING_ELSE).toBeUndefined();
      }
      // A bad value stops the deploy, naming the field, as a local start would.
      process.env.DEFAULT_COIN_AMOUNT = "ten";
      await expect(runApp("dev")).rejects.toThrow(/defaultCoinAmount/);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it("run() subscribes exactly the two stream consumers to the table (at most two readers per shard)", async () => {
    const { recorder } = await runApp("dev");
    const table = recorder.one("sst.aws.Dynamo");
    const subscribed = table.calls.filter((c) => c.method === "subscribe");
    expect(subscribed).toHaveLength(2);
    expect(Object.keys(streamSubscriptions)).toHaveLength(2);
    expect(subscribed.map((c) => (c.args[1] as FunctionArgsSeen).handler).sort()).toEqual(
      Object.values(streamSubscriptions)
        .map((s) => s.handler)
        .sort(),
    );
    // Every other component only reads the table through the API: nothing else touches its stream.
    expect(table.calls.map((c) => c.method).filter((m) => m !== "subscribe")).toEqual([]);
  });

  it("run() makes each secret once and hands the same Toss secrets to the API, the schedules and the charging stream consumer", async () => {
    const { recorder } = await runApp("dev");
    const names = recorder.byType("sst.Secret").map((c) => c.name);
    expect(new Set(names).size, `secret names ${names.join(", ")}`).toBe(names.length);
    const http = recorder.one("sst.aws.Function").args as FunctionArgsSeen;
    const scheduled = recorder.byType("sst.aws.CronV2").map((c) => (c.args as CronV2ArgsSeen).function as FunctionArgsSeen);
    const tossEnv = (env: Record<string, unknown> | undefined) => ({
      TOSS_SECRET_KEY: env?.TOSS_SECRET_KEY,
      TOSS_API_BASE_URL: env?.TOSS_API_BASE_URL,
    });
    const consumers = recorder
      .one("sst.aws.Dynamo")
      .calls.filter((c) => c.method === "subscribe")
      .map((c) => c.args[1] as FunctionArgsSeen);
    expect(consumers.filter((f) => f.environment?.TOSS_SECRET_KEY !== undefined).map((f) => f.handler)).toEqual([
      streamSubscriptions.alerts.handler,
    ]);
    const withToss = [...scheduled, ...consumers].filter((f) => f.environment?.TOSS_SECRET_KEY !== undefined);
    expect(withToss.filter((f) => scheduled.includes(f))).not.toEqual([]);
    for (const f of withToss) expect(tossEnv(f.environment)).toEqual(tossEnv(http.environment));
  });

  /** Runs `fn` with `vars` set in the deployer's environment, then puts it back. */
  async function withDeployEnv(vars: Record<string, string>, fn: () => Promise<void>) {
    const saved = { ...process.env };
    Object.assign(process.env, vars);
    try {
      await fn();
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  }

  it("run() forwards PAYMENT_GATEWAY and TOSS_TIMEOUT_MS set at deploy to every function that builds the gateway, as env.ts parses them; a bad value stops the deploy", async () => {
    const settings = { PAYMENT_GATEWAY: "toss", TOSS_TIMEOUT_MS: "2500" };
    await withDeployEnv(settings, async () => {
      const { recorder } = await runApp("dev");
      const fns = [
        recorder.one("sst.aws.Function").args as FunctionArgsSeen,
        ...recorder.byType("sst.aws.CronV2").map((c) => (c.args as CronV2ArgsSeen).function as FunctionArgsSeen),
        ...recorder
          .one("sst.aws.Dynamo")
          .calls.filter((c) => c.method === "subscribe")
          .map((c) => c.args[1] as FunctionArgsSeen),
      ];
      const paying = fns.filter((f) => f.environment?.TOSS_SECRET_KEY !== undefined);
      // The API, the payment sweeps and the charging stream consumer.
      expect(paying.map((f) => f.handler).sort()).toEqual(
        [httpHandlerPath, ...[...jobsUsingPayments].map((k) => scheduledJobs[k].handler), streamSubscriptions.alerts.handler].sort(),
      );
      for (const f of paying) {
        expect(f.environment, f.handler).toMatchObject(settings);
        const { vars } = parseRuntimeEnv({ PAYMENT_GATEWAY: String(f.environment!.PAYMENT_GATEWAY), TOSS_TIMEOUT_MS: String(f.environment!.TOSS_TIMEOUT_MS) });
        expect(vars).toMatchObject({ PAYMENT_GATEWAY: "toss", TOSS_TIMEOUT_MS: 2500 });
      }
      for (const f of fns.filter((x) => !paying.includes(x))) {
        expect(f.environment?.PAYMENT_GATEWAY, f.handler).toBeUndefined();
        expect(f.environment?.TOSS_TIMEOUT_MS, f.handler).toBeUndefined();
      }
      process.env.TOSS_TIMEOUT_MS = "2s";
      await expect(runApp("dev")).rejects.toThrow(/TOSS_TIMEOUT_MS/);
      process.env.TOSS_TIMEOUT_MS = "2500";
      process.env.PAYMENT_GATEWAY = "stripe";
      await expect(runApp("dev")).rejects.toThrow(/PAYMENT_GATEWAY must be one of toss/);
    });
  });

  it("run() schedules the auto-charge sweeps at AUTO_CHARGE_*_SCHEDULE set at deploy, the cadence `npm run dev` parses (env.ts); a bad one stops the deploy", async () => {
    const settings = { AUTO_CHARGE_DAILY_SCHEDULE: "cron(0 1 * * ? *)", AUTO_CHARGE_HOURLY_SCHEDULE: "rate(2 hours)" };
    await withDeployEnv(settings, async () => {
      const { recorder } = await runApp("dev");
      const scheduleOf = (handler: string) =>
        recorder.byType("sst.aws.CronV2").find((c) => ((c.args as CronV2ArgsSeen).function as FunctionArgsSeen).handler === handler)?.args as CronV2ArgsSeen;
      expect(scheduleOf(scheduledJobs.autoChargeDaily.handler).schedule).toBe("cron(0 1 * * ? *)");
      expect(scheduleOf(scheduledJobs.autoChargeHourly.handler).schedule).toBe("rate(2 hours)");
      // What the local cron loop runs: the same expressions, as cron patterns.
      const local = scheduledJobsFor(parseRuntimeEnv(settings).vars);
      expect(local.autoChargeDaily).toMatchObject({ schedule: "cron(0 1 * * ? *)", cron: "0 1 * * *" });
      expect(local.autoChargeHourly).toMatchObject({ schedule: "rate(2 hours)", cron: "0 */2 * * *" });
      for (const [key, job] of Object.entries(local)) expect(scheduleOf(job.handler).schedule, key).toBe(job.schedule);
      process.env.AUTO_CHARGE_DAILY_SCHEDULE = "every day";
      await expect(runApp("dev")).rejects.toThrow(/AUTO_CHARGE_DAILY_SCHEDULE/);
      expect(() => parseRuntimeEnv({ AUTO_CHARGE_DAILY_SCHEDULE: "every day" })).toThrow(/AUTO_CHARGE_DAILY_SCHEDULE: schedule "every day"/);
    });
    // Unset: the defaults, the same both ways.
    expect(scheduledJobsFor(parseRuntimeEnv({}).vars)).toEqual(scheduledJobs);
  });
});

// ---------------------------------------------------------------------------------------
// stacks/storage.ts
// ---------------------------------------------------------------------------------------

describe("stacks/storage.ts builds the table from tableDefinition", () => {
  const tableArgs = (stage: string) => {
    const recorder = install(stage);
    storageModule.storage();
    return recorder.one("sst.aws.Dynamo").args as DynamoArgsSeen;
  };
  const def = tableDefinition;

  it("declares exactly the key attributes, with their types", () => {
    const args = tableArgs("dev");
    expect(args.fields).toEqual(
      Object.fromEntries(
        Object.entries(def.keyAttributes).map(([name, type]) => [name, dynamoTypeToField[type]]),
      ),
    );
    // DynamoDB rejects attribute definitions that no key schema uses, and every key
    // attribute must be defined: the fields are exactly the keys of the table and indexes.
    const usedByKeys = new Set<string>([
      def.partitionKey,
      def.sortKey,
      ...Object.values(def.localIndexes).map((index) => index.sortKey),
      ...Object.values(def.globalIndexes).flatMap((index) => [index.partitionKey, index.sortKey]),
    ]);
    expect(new Set(Object.keys(args.fields))).toEqual(usedByKeys);
  });

  it("uses the definition's primary key and local indexes", () => {
    const args = tableArgs("dev");
    expect(args.primaryIndex).toEqual({ hashKey: def.partitionKey, rangeKey: def.sortKey });
    expect(Object.keys(args.localIndexes ?? {}).sort()).toEqual(Object.keys(def.localIndexes).sort());
    for (const [name, index] of Object.entries(def.localIndexes)) {
      const built = args.localIndexes?.[name];
      expect(built?.rangeKey, `local index ${name}`).toBe(index.sortKey);
      // createTableInput projects ALL; SST's default projection is "all".
      expect([undefined, "all"], `local index ${name} projection`).toContain(built?.projection);
    }
  });

  it("builds every global index of the definition with its projection", () => {
    const args = tableArgs("dev");
    expect(Object.keys(args.globalIndexes ?? {}).sort()).toEqual(Object.keys(def.globalIndexes).sort());
    for (const [name, index] of Object.entries(def.globalIndexes)) {
      // The same projection createTableInput gives DynamoDB Local: keys only, or the listed attributes.
      expect(args.globalIndexes?.[name], `global index ${name}`).toEqual({
        hashKey: index.partitionKey,
        rangeKey: index.sortKey,
        projection: index.projection.length === 0 ? "keys-only" : [...index.projection],
      });
    }
  });

  it("builds the admins' alert feed index (byAlertTime) with every field the feed answers", () => {
    const args = tableArgs("dev");
    expect(args.globalIndexes?.byAlertTime).toEqual({
      hashKey: "gsi3pk",
      rangeKey: "gsi3sk",
      projection: ["id", "userId", "type", "severity", "title", "message", "data", "read", "readAt", "createdAt"],
    });
    expect(args.fields).toMatchObject({ gsi3pk: "string", gsi3sk: "string" });
  });

  it("streams new and old images, expires on the ttl attribute, bills on demand, keeps PITR", () => {
    const args = tableArgs("dev");
    // sst.aws.Dynamo turns "new-and-old-images" into StreamViewType this same way.
    expect(args.stream?.toUpperCase().replaceAll("-", "_")).toBe(def.stream);
    expect(args.ttl).toBe(def.ttlAttribute);
    expect(args.transform?.table?.pointInTimeRecovery).toEqual({ enabled: true });
    expect(args.transform?.table?.billingMode).toBe(def.billingMode);
  });

  it("protects the table from deletion on production only", () => {
    expect(tableArgs("production").deletionProtection).toBe(true);
    expect(tableArgs("dev").deletionProtection).toBeFalsy();
  });
});

// ---------------------------------------------------------------------------------------
// stacks/api.ts
// ---------------------------------------------------------------------------------------

describe("stacks/api.ts wires every HTTP route to the one HTTP function", () => {
  const build = () => {
    const recorder = install("dev");
    const { table } = storageModule.storage();
    const built = apiModule.api({ table, toss: apiModule.tossSecrets() });
    const fn = recorder.one("sst.aws.Function");
    const api = recorder.one("sst.aws.ApiGatewayV2");
    const tableRecord = recorder.one("sst.aws.Dynamo");
    return { recorder, table, built, fn, fnArgs: fn.args as FunctionArgsSeen, api, tableRecord };
  };

  it("routes every key in httpRoutes and the CORS preflight exactly once, and nothing else", () => {
    const { api } = build();
    const routed = api.calls.filter((c) => c.method === "route").map((c) => c.args[0]);
    const counts = new Map<unknown, number>();
    for (const key of routed) counts.set(key, (counts.get(key) ?? 0) + 1);

    const expected: readonly string[] = [...httpRoutes, corsPreflightRoute];
    const missing = expected.filter((key) => !counts.has(key));
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([key]) => key);
    const extra = routed.filter((key) => !expected.includes(key as string));
    expect({ missing, duplicated, extra }).toEqual({ missing: [], duplicated: [], extra: [] });
    // No catch-all: unknown paths get API Gateway's own 404 and never reach the Lambda.
    expect(routed).not.toContain("$default");
    expect(api.calls.map((c) => c.method).filter((m) => m !== "route")).toEqual([]);
  });

  it("answers CORS in the function only: API Gateway's own CORS is off, so it neither answers preflights nor overrides headers", () => {
    const { api } = build();
    expect(api.args).toEqual({ cors: false });
    expect(corsPreflightRoute).toBe("OPTIONS /{proxy+}");
  });

  it("builds the console against the API's URL and allows its URL, with the origins set at deploy, as CORS origins", async () => {
    const saved = process.env.NYANG_CORS_ORIGINS;
    process.env.NYANG_CORS_ORIGINS = "https://shop.example.com, https://app.example.com";
    try {
      const { recorder } = await runApp("dev");
      const api = recorder.one("sst.aws.ApiGatewayV2");
      const site = recorder.one("sst.aws.StaticSite", "Console");
      expect(site.args).toEqual({
        path: "packages/admin",
        build: { command: "npm run build", output: "dist" },
        environment: { VITE_NYANG_API_URL: new FakeOutput(`«${api.name}.url»`) },
      });
      expect(existsSync(path.join(repoRoot, "packages/admin/package.json"))).toBe(true);
      const pkg = JSON.parse(readFileSync(path.join(repoRoot, "packages/admin/package.json"), "utf8")) as { scripts?: Record<string, string> };
      expect(pkg.scripts?.build).toBeDefined();
      const env = (recorder.one("sst.aws.Function").args as FunctionArgsSeen).environment ?? {};
      expect(env.NYANG_CORS_ORIGINS).toEqual(new FakeOutput(`https://shop.example.com,https://app.example.com,«${site.name}.url»`));
    } finally {
      if (saved === undefined) delete process.env.NYANG_CORS_ORIGINS;
      else process.env.NYANG_CORS_ORIGINS = saved;
    }
  });

  it("refuses a deploy whose NYANG_CORS_ORIGINS is not a list of origins", async () => {
    const saved = process.env.NYANG_CORS_ORIGINS;
    process.env.NYANG_CORS_ORIGINS = "*";
    try {
      await expect(runApp("dev")).rejects.toThrow(/NYANG_CORS_ORIGINS/);
    } finally {
      if (saved === undefined) delete process.env.NYANG_CORS_ORIGINS;
      else process.env.NYANG_CORS_ORIGINS = saved;
    }
  });

  it("sends every route to the same function, by its ARN", () => {
    const { api, fn } = build();
    for (const call of api.calls) {
      expect(call.args[1], `handler of ${String(call.args[0])}`).toEqual(new FakeOutput(`«${fn.name}.arn»`));
    }
  });

  it("runs the HTTP handler on nodejs22.x, arm64, with a bounded size and time", () => {
    const { fnArgs } = build();
    expect(fnArgs.handler).toBe(httpHandlerPath);
    expect(fnArgs.runtime).toBe("nodejs22.x");
    expect(fnArgs.architecture).toBe("arm64");
    expect(fnArgs.memory).toBe("512 MB");
    expect(fnArgs.timeout).toBe("25 seconds");
    // A purchase confirm may wait on Toss twice (confirm, then the settling look-up), each up
    // to the adapter's time-out; API Gateway's HTTP API gives up on an integration at 30 s.
    const seconds = durationSeconds(fnArgs.timeout);
    expect(seconds * 1000).toBeGreaterThan(2 * TOSS_DEFAULT_TIMEOUT_MS);
    expect(seconds).toBeLessThan(30);
  });

  it("passes the table name, the JWT and Toss settings from stage secrets, and source maps", () => {
    const { fnArgs, recorder, tableRecord } = build();
    const issuer = recorder.one("sst.Secret", "NyangJwtIssuer");
    const audience = recorder.one("sst.Secret", "NyangJwtAudience");
    const tossKey = recorder.one("sst.Secret", "TossSecretKey");
    const tossUrl = recorder.one("sst.Secret", "TossApiBaseUrl");
    // No placeholder: a stage without its real issuer/audience/Toss key fails at deploy.
    expect(issuer.args).toBeUndefined();
    expect(audience.args).toBeUndefined();
    expect(tossKey.args).toBeUndefined();
    // The base URL is optional: it defaults to Toss's own host, the adapter's default too.
    expect(tossUrl.args).toBe(TOSS_DEFAULT_BASE_URL);
    expect(fnArgs.environment).toEqual({
      NYANG_TABLE: new FakeOutput(`«${tableRecord.name}.name»`),
      NYANG_JWT_ISSUER: new FakeOutput("«NyangJwtIssuer.value»"),
      NYANG_JWT_AUDIENCE: new FakeOutput("«NyangJwtAudience.value»"),
      TOSS_SECRET_KEY: new FakeOutput("«TossSecretKey.value»"),
      TOSS_API_BASE_URL: new FakeOutput("«TossApiBaseUrl.value»"),
      NYANG_CORS_ORIGINS: "",
      NODE_OPTIONS: "--enable-source-maps",
    });
    // --enable-source-maps only helps if the bundle carries source maps.
    expect(fnArgs.nodejs?.sourcemap).toBe(true);
  });

  it("carries the docs page's Swagger UI files where the handler resolves the package (no CDN at run time)", () => {
    const { fnArgs } = build();
    expect(httpRoutes).toContain("GET /v1/docs");
    expect(httpRoutes).toContain("GET /v1/docs/{asset}");
    const expected = Object.keys(docsAssets).map((name) => `node_modules/${docsAssetPackage}/${name}`);
    expect(fnArgs.copyFiles).toEqual(expected.map((file) => ({ from: file, to: file })));
    // SST reads `from` relative to sst.config.ts: the files must be there after `npm ci`.
    for (const file of expected) expect(existsSync(path.join(repoRoot, file)), file).toBe(true);
  });

  it("grants only the item actions it needs, on the table and its indexes", () => {
    const { fnArgs, tableRecord, table } = build();
    expect(fnArgs.permissions).toHaveLength(1);
    const [statement] = fnArgs.permissions ?? [];
    expect([...(statement?.actions ?? [])].sort()).toEqual(
      [
        "dynamodb:ConditionCheckItem", // ConditionCheck inside TransactWriteItems
        "dynamodb:GetItem",
        "dynamodb:PutItem", // also authorizes Put inside TransactWriteItems
        "dynamodb:Query",
        "dynamodb:UpdateItem", // also authorizes Update inside TransactWriteItems
      ].sort(),
    );
    expect(statement?.effect ?? "allow").toBe("allow");
    expect(statement?.resources).toEqual([
      new FakeOutput(`«${tableRecord.name}.arn»`),
      new FakeOutput(`«${tableRecord.name}.arn»/index/*`),
    ]);
    // Linking an sst.aws.Dynamo grants dynamodb:* on the table and everything under it.
    expect(fnArgs.link ?? [], "the table must not be linked (link grants dynamodb:*)").not.toContain(table);
  });
});

// ---------------------------------------------------------------------------------------
// stacks/schedules.ts
// ---------------------------------------------------------------------------------------

/** `rate(5 minutes)` → 300 seconds; anything else (cron(…), at(…)) → undefined. */
function rateSeconds(expression: string): number | undefined {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!m) return undefined;
  const unit = { minute: 60, hour: 3600, day: 86_400 }[m[2]!.replace(/s$/, "") as "minute" | "hour" | "day"];
  return Number(m[1]) * unit;
}

/**
 * `cron(0 0 * * ? *)` → `0 0 * * *`: Scheduler's six fields (with `?` and a year) as the
 * five-field pattern croner runs locally; undefined for anything else (or a year other than `*`).
 */
function cronPatternOf(expression: string): string | undefined {
  const m = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
  if (!m || m[6] !== "*") return undefined;
  return m.slice(1, 6).map((f) => (f === "?" ? "*" : f)).join(" ");
}

/** Seconds between runs: a rate expression's, or a cron expression's (through its local pattern). */
function cadenceSeconds(job: { schedule: string; cron: string }): number | undefined {
  const rate = rateSeconds(job.schedule);
  if (rate !== undefined) return rate;
  const pattern = cronPatternOf(job.schedule);
  const ms = pattern === undefined ? undefined : cadenceMs(pattern);
  return ms === undefined ? undefined : ms / 1000;
}

/** SST's `"25 seconds"` / `"5 minutes"` → seconds. */
function durationSeconds(duration: string | undefined): number {
  const m = /^(\d+) (second|seconds|minute|minutes)$/.exec(duration ?? "");
  if (!m) return expect.fail(`not a seconds/minutes duration: ${String(duration)}`);
  return Number(m[1]) * (m[2]!.startsWith("minute") ? 60 : 1);
}

/** Which jobs talk to the payment gateway (and so get the Toss settings). */
const jobsUsingPayments = new Set<keyof typeof scheduledJobs>(["reconcileOrders", "autoChargeDaily", "autoChargeHourly"]);
/** The integrity audit: the one job that scans the table, and that publishes (IntegrityViolation). */
const auditJobs = new Set<keyof typeof scheduledJobs>(["audit"]);

describe("stacks/schedules.ts runs every scheduled job on EventBridge Scheduler", () => {
  const build = () => {
    const recorder = install("dev");
    const { table } = storageModule.storage();
    const { bus } = eventsModule.events();
    const built = schedulesModule.schedules({ table, toss: apiModule.tossSecrets(), bus });
    const tableRecord = recorder.one("sst.aws.Dynamo");
    const queue = recorder.one("sst.aws.Queue");
    const crons = recorder.byType("sst.aws.CronV2");
    return { recorder, built, tableRecord, queue, crons };
  };
  const argsOf = (c: Created) => c.args as CronV2ArgsSeen;
  const fnOf = (c: Created) => argsOf(c).function as FunctionArgsSeen;
  /** The one CronV2 that runs a job's handler. */
  const cronOf = (crons: Created[], job: (typeof scheduledJobs)[keyof typeof scheduledJobs]) => {
    const found = crons.filter((c) => {
      const fn = argsOf(c).function;
      return typeof fn === "object" && fn.handler === job.handler;
    });
    expect(found.map((c) => c.name), `schedules running ${job.handler}`).toHaveLength(1);
    return found[0]!;
  };
  const jobs = Object.entries(scheduledJobs) as [keyof typeof scheduledJobs, (typeof scheduledJobs)[keyof typeof scheduledJobs]][];

  it("wires each job of scheduledJobs exactly once, as a CronV2 (not an EventBridge rule), and nothing else", () => {
    const { recorder, crons } = build();
    // sst.aws.Cron builds an EventBridge rule; the design asks for EventBridge Scheduler.
    expect(recorder.byType("sst.aws.Cron").map((c) => c.name)).toEqual([]);
    // Each CronV2 builds its own function from the args: no stray sst.aws.Function.
    expect(recorder.byType("sst.aws.Function").map((c) => c.name)).toEqual([]);
    expect(crons).toHaveLength(jobs.length);
    for (const [key, job] of jobs) {
      const args = argsOf(cronOf(crons, job));
      expect(args.job, `${key}: "job" is CronV2's deprecated spelling of "function"`).toBeUndefined();
      expect(args.schedule, key).toBe(job.schedule);
      expect(args.enabled ?? true, key).toBe(true);
      // UTC, Scheduler's default: the local loop reads the jobs' cron patterns in UTC too.
      expect(args.timezone, key).toBeUndefined();
    }
  });

  it("runs each job locally (cron pattern) at the cadence of its AWS schedule expression", () => {
    for (const [key, job] of jobs) {
      const rate = rateSeconds(job.schedule);
      if (rate === undefined) {
        // A cron expression (the daily auto-charge at 09:00 KST): the same fields, in UTC both.
        expect(cronPatternOf(job.schedule), `${key}: ${job.schedule} is a rate or a cron expression`).toBe(job.cron);
        continue;
      }
      expect(cadenceMs(job.cron), `${key}: ${job.cron} vs ${job.schedule}`).toBe(rate * 1000);
    }
  });

  it("runs the auto-charge sweeps at the original module's cadence: daily at 09:00 KST, hourly", () => {
    expect(scheduledJobs.autoChargeDaily.schedule).toBe("cron(0 0 * * ? *)");
    const nextDaily = new Cron(scheduledJobs.autoChargeDaily.cron, { timezone: "UTC" }).nextRun(new Date("2026-11-24T12:00:00Z"))!;
    expect(nextDaily.toLocaleString("sv-SE", { timeZone: "Asia/Seoul" })).toBe("2026-11-25 09:00:00");
    expect(cadenceSeconds(scheduledJobs.autoChargeDaily)).toBe(86_400);
    expect(cadenceSeconds(scheduledJobs.autoChargeHourly)).toBe(3_600);
  });

  it("runs each job on nodejs22.x, arm64, ESM with source maps, described, within its cadence", () => {
    const { crons } = build();
    for (const [key, job] of jobs) {
      const fn = fnOf(cronOf(crons, job));
      expect(fn.runtime, key).toBe("nodejs22.x");
      expect(fn.architecture, key).toBe("arm64");
      expect(fn.nodejs, key).toEqual({ format: "esm", sourcemap: true });
      expect(fn.environment?.NODE_OPTIONS, key).toBe("--enable-source-maps");
      expect(fn.description, key).toBe(job.description);
      expect(fn.memory, key).toBeDefined();
      // A run longer than the cadence would only race the next tick over the same items.
      const timeout = durationSeconds(fn.timeout);
      expect(timeout, `${key} timeout`).toBeGreaterThanOrEqual(60);
      expect(timeout, `${key} timeout`).toBeLessThanOrEqual(cadenceSeconds(job)!);
    }
  });

  it("gives each job the table name, and the Toss settings only to the job that talks to the gateway", () => {
    const { crons, tableRecord } = build();
    expect(jobs.filter(([key]) => jobsUsingPayments.has(key))).not.toEqual([]);
    for (const [key, job] of jobs) {
      const fn = fnOf(cronOf(crons, job));
      expect(fn.environment, key).toEqual({
        NYANG_TABLE: new FakeOutput(`«${tableRecord.name}.name»`),
        ...(jobsUsingPayments.has(key)
          ? {
              TOSS_SECRET_KEY: new FakeOutput("«TossSecretKey.value»"),
              TOSS_API_BASE_URL: new FakeOutput("«TossApiBaseUrl.value»"),
            }
          : {}),
        ...(auditJobs.has(key) ? { NYANG_EVENT_BUS: new FakeOutput("«NyangEvents.name»") } : {}),
        NODE_OPTIONS: "--enable-source-maps",
      });
    }
  });

  it("grants only the item actions the sweeps need, on the table and its indexes, plus sending to the failure queue", () => {
    const { crons, tableRecord, queue, recorder } = build();
    const table = recorder.one("sst.aws.Dynamo").instance;
    expect([...schedulesModule.scheduleTableActions].sort()).toEqual(
      [
        "dynamodb:ConditionCheckItem", // ConditionCheck inside TransactWriteItems
        "dynamodb:GetItem",
        "dynamodb:PutItem", // Put inside TransactWriteItems (ledger entries)
        "dynamodb:Query", // the byDue global index
        "dynamodb:UpdateItem", // conditional updates, and Update inside TransactWriteItems
      ].sort(),
    );
    for (const [key, job] of jobs) {
      const fn = fnOf(cronOf(crons, job));
      expect(fn.link ?? [], `${key}: the table must not be linked (link grants dynamodb:*)`).not.toContain(table);
      expect(
        (fn.permissions ?? []).map((p) => ({ effect: p.effect ?? "allow", actions: [...p.actions].sort(), resources: p.resources })),
        key,
      ).toEqual([
        {
          effect: "allow",
          actions: [...schedulesModule.scheduleTableActions].sort(),
          resources: [new FakeOutput(`«${tableRecord.name}.arn»`), new FakeOutput(`«${tableRecord.name}.arn»/index/*`)],
        },
        { effect: "allow", actions: ["sqs:SendMessage"], resources: [new FakeOutput(`«${queue.name}.arn»`)] },
        ...(auditJobs.has(key)
          ? [
              { effect: "allow", actions: ["dynamodb:Scan"], resources: [new FakeOutput(`«${tableRecord.name}.arn»`)] },
              { effect: "allow", actions: ["events:PutEvents"], resources: [new FakeOutput("«NyangEvents.arn»")] },
            ]
          : []),
      ]);
    }
  });

  it("retries and dead-letters undelivered runs; a failed run is not retried by Lambda and lands in the same queue", () => {
    const { crons, queue, built } = build();
    const queueArn = new FakeOutput(`«${queue.name}.arn»`);
    // Scheduler rejects a FIFO dead-letter queue; keep failures two weeks (SQS's maximum).
    const queueArgs = queue.args as { fifo?: unknown; transform?: { queue?: { messageRetentionSeconds?: number } } } | undefined;
    expect(queueArgs?.fifo).toBeFalsy();
    expect(queueArgs?.transform?.queue?.messageRetentionSeconds).toBe(14 * 24 * 3600);
    expect(built.failures).toBe(queue.instance);
    for (const [key, job] of jobs) {
      const cron = cronOf(crons, job);
      const args = argsOf(cron);
      // Scheduler's own retries (it could not invoke), then its dead-letter queue.
      expect(args.retries, key).toBeGreaterThanOrEqual(1);
      expect(args.retries, key).toBeLessThanOrEqual(185);
      expect(args.dlq, key).toEqual(queueArn);
      // Scheduler invokes asynchronously: a run that throws is Lambda's to retry. The next
      // tick is the retry; the failed run goes to the same queue as an on-failure destination.
      const fn = fnOf(cron);
      expect(fn.retries, key).toBe(0);
      expect(fn.transform?.eventInvokeConfig?.destinationConfig?.onFailure?.destination, key).toEqual(queueArn);
      expect(built.crons[key], key).toBe(cron.instance);
    }
  });

  it("hands each run a ScheduledEvent carrying Scheduler's scheduled time and execution id", () => {
    const { crons } = build();
    for (const [key, job] of jobs) {
      expect(argsOf(cronOf(crons, job)).event, key).toMatchObject({
        id: "<aws.scheduler.execution-id>",
        "detail-type": "Scheduled Event",
        source: "aws.scheduler",
        time: "<aws.scheduler.scheduled-time>",
      });
    }
  });
});

// ---------------------------------------------------------------------------------------
// stacks/events.ts and stacks/streams.ts
// ---------------------------------------------------------------------------------------

/** The options `table.subscribe(name, subscriber, args)` is given (only the parts asserted on). */
interface SubscribeArgsSeen {
  filters?: unknown[];
  transform?: {
    eventSourceMapping?: {
      startingPosition?: string;
      batchSize?: number;
      bisectBatchOnFunctionError?: boolean;
      maximumRetryAttempts?: number;
      functionResponseTypes?: string[];
      destinationConfig?: { onFailure?: { destinationArn?: unknown } };
      [field: string]: unknown;
    };
  };
  [field: string]: unknown;
}

describe("stacks/events.ts builds the bus the domain events go to", () => {
  it("makes one EventBridge bus, NyangEvents, and nothing else", () => {
    const recorder = install("dev");
    const built = eventsModule.events();
    const bus = recorder.one("sst.aws.Bus");
    expect(bus.name).toBe("NyangEvents");
    expect(built.bus).toBe(bus.instance);
    expect(recorder.created.map((c) => c.type)).toEqual(["sst.aws.Bus"]);
  });
});

describe("stacks/streams.ts subscribes the two stream consumers to the table", () => {
  const build = () => {
    const recorder = install("dev");
    const { table } = storageModule.storage();
    const { bus } = eventsModule.events();
    const ws = realtimeModule.realtime({ table, jwt: { issuer: new FakeOutput("«issuer»"), audience: new FakeOutput("«audience»") } });
    const built = streamsModule.streams({ table, bus, realtime: ws, toss: apiModule.tossSecrets() });
    const tableRecord = recorder.one("sst.aws.Dynamo");
    const busRecord = recorder.one("sst.aws.Bus");
    const wsRecord = recorder.one("sst.aws.ApiGatewayWebSocket");
    const queue = recorder.one("sst.aws.Queue", "StreamFailures");
    const subscriptions = tableRecord.calls.filter((c) => c.method === "subscribe");
    return { recorder, built, table, bus, tableRecord, busRecord, wsRecord, queue, subscriptions };
  };
  const consumers = Object.entries(streamSubscriptions) as [
    keyof typeof streamSubscriptions,
    (typeof streamSubscriptions)[keyof typeof streamSubscriptions],
  ][];
  /** The one subscribe call whose function runs a consumer's handler. */
  const subscriptionOf = (subscriptions: Call[], sub: (typeof streamSubscriptions)[keyof typeof streamSubscriptions]) => {
    const found = subscriptions.filter((c) => typeof c.args[1] === "object" && (c.args[1] as FunctionArgsSeen).handler === sub.handler);
    expect(found, `subscriptions running ${sub.handler}`).toHaveLength(1);
    const [name, fn, args] = found[0]!.args as [string, FunctionArgsSeen, SubscribeArgsSeen | undefined];
    return { name, fn, args: args ?? {}, esm: args?.transform?.eventSourceMapping ?? {} };
  };

  it("subscribes exactly the two consumers of streamSubscriptions, once each, by name, and builds no other function", () => {
    const { subscriptions, recorder, built } = build();
    expect(consumers).toHaveLength(2);
    expect(subscriptions).toHaveLength(2);
    const names = subscriptions.map((c) => c.args[0]);
    expect(new Set(names).size).toBe(names.length);
    // SST's subscriber functions come from the subscribe args; no stray sst.aws.Function.
    expect(recorder.byType("sst.aws.Function")).toEqual([]);
    for (const [key, sub] of consumers) {
      const { name } = subscriptionOf(subscriptions, sub);
      expect(name.toLowerCase(), key).toBe(key.toLowerCase());
      // What table.subscribe returned is what the stack hands back.
      expect(built.subscribers[key], key).toEqual(new FakeOutput(`«Ledger.subscriber.${name}»`));
    }
  });

  it("filters each subscription with exactly the consumer's FilterCriteria patterns", () => {
    const { subscriptions } = build();
    for (const [key, sub] of consumers) {
      const { args, esm } = subscriptionOf(subscriptions, sub);
      expect(args.filters, key).toEqual(sub.filters);
      // SST turns each filter into one FilterCriteria pattern (JSON); Lambda takes at most 5 by default.
      expect(args.filters!.length, key).toBeGreaterThan(0);
      expect(args.filters!.length, key).toBeLessThanOrEqual(5);
      for (const filter of args.filters!) expect(JSON.parse(JSON.stringify(filter)), key).toEqual(filter);
      // A transform must not replace what SST derives from the table and the filters.
      for (const field of ["filterCriteria", "eventSourceArn", "functionName", "enabled"]) {
        expect(esm[field], `${key}: eventSourceMapping.${field}`).toBeUndefined();
      }
    }
  });

  it("sets the batch size, bisect, bounded retries, partial batch responses and the start position", () => {
    const { subscriptions } = build();
    expect(streamsModule.streamStartingPosition).toBe("TRIM_HORIZON");
    for (const [key, sub] of consumers) {
      const { esm } = subscriptionOf(subscriptions, sub);
      expect(esm.batchSize, key).toBe(sub.batchSize);
      expect(esm.bisectBatchOnFunctionError, key).toBe(sub.bisectBatchOnFunctionError);
      expect(esm.bisectBatchOnFunctionError, key).toBe(true);
      expect(esm.maximumRetryAttempts, key).toBe(sub.maximumRetryAttempts);
      // -1 (Lambda's default) retries forever and blocks the shard behind one bad record.
      expect(esm.maximumRetryAttempts, key).toBeGreaterThanOrEqual(0);
      expect(esm.maximumRetryAttempts, key).toBeLessThanOrEqual(10);
      expect(esm.functionResponseTypes, key).toEqual(["ReportBatchItemFailures"]);
      // SST's default is LATEST, which skips what was written before the mapping existed.
      expect(esm.startingPosition, key).toBe("TRIM_HORIZON");
    }
  });

  it("sends records it gave up on to the StreamFailures queue (on-failure destination)", () => {
    const { subscriptions, queue, built } = build();
    const queueArgs = queue.args as { fifo?: unknown; transform?: { queue?: { messageRetentionSeconds?: number } } } | undefined;
    // Lambda's on-failure destination for a stream must be a standard queue.
    expect(queueArgs?.fifo).toBeFalsy();
    expect(queueArgs?.transform?.queue?.messageRetentionSeconds).toBe(14 * 24 * 3600);
    expect(built.failures).toBe(queue.instance);
    for (const [key, sub] of consumers) {
      const { esm } = subscriptionOf(subscriptions, sub);
      expect(esm.destinationConfig, key).toEqual({ onFailure: { destinationArn: new FakeOutput(`«${queue.name}.arn»`) } });
    }
  });

  it("runs each consumer on nodejs22.x, arm64, ESM with source maps, described, with the table and bus names (and the pusher the WebSocket management endpoint)", () => {
    const { subscriptions, tableRecord, busRecord, wsRecord } = build();
    for (const [key, sub] of consumers) {
      const { fn } = subscriptionOf(subscriptions, sub);
      expect(fn.runtime, key).toBe("nodejs22.x");
      expect(fn.architecture, key).toBe("arm64");
      expect(fn.nodejs, key).toEqual({ format: "esm", sourcemap: true });
      expect(fn.description, key).toBe(sub.description);
      expect(fn.memory, key).toBeDefined();
      const timeout = durationSeconds(fn.timeout);
      expect(timeout, key).toBeGreaterThanOrEqual(10);
      expect(timeout, key).toBeLessThanOrEqual(60);
      expect(fn.environment, key).toEqual({
        NYANG_TABLE: new FakeOutput(`«${tableRecord.name}.name»`),
        NYANG_EVENT_BUS: new FakeOutput(`«${busRecord.name}.name»`),
        ...(key === streamsModule.pushingConsumer ? { NYANG_WS_MANAGEMENT_ENDPOINT: new FakeOutput(`«${wsRecord.name}.managementEndpoint»`) } : {}),
        // The alerts consumer carries the auto-charge trigger: it charges the registered card.
        ...(key === streamsModule.chargingConsumer
          ? { TOSS_SECRET_KEY: new FakeOutput("«TossSecretKey.value»"), TOSS_API_BASE_URL: new FakeOutput("«TossApiBaseUrl.value»") }
          : {}),
        NODE_OPTIONS: "--enable-source-maps",
      });
    }
  });

  it("grants the item actions on the table and its indexes, PutEvents on the bus, SendMessage on the queue, and nothing broader", () => {
    const { subscriptions, tableRecord, busRecord, wsRecord, queue, table, bus } = build();
    expect([...streamsModule.streamTableActions].sort()).toEqual(
      [
        "dynamodb:ConditionCheckItem", // ConditionCheck inside TransactWriteItems
        "dynamodb:GetItem", // account days, alerts
        "dynamodb:PutItem", // alerts, stored once (conditional put)
        "dynamodb:Query", // an account's recent days (unusual-activity baseline); a user's connections, the entry behind a balance change
        "dynamodb:UpdateItem", // the aggregates, Update inside TransactWriteItems
      ].sort(),
    );
    // Only the pushing consumer (alerts; WebSocket pushes ride inside it) may delete connections and post to them.
    expect(streamsModule.pushingConsumer).toBe("alerts");
    expect(realtimeModule.pushTableActions).toEqual(["dynamodb:DeleteItem"]);
    for (const [key, sub] of consumers) {
      const { fn } = subscriptionOf(subscriptions, sub);
      // Linking grants dynamodb:* on the table / events:* on the bus.
      expect(fn.link ?? [], `${key}: link`).not.toContain(table);
      expect(fn.link ?? [], `${key}: link`).not.toContain(bus);
      const statements = (fn.permissions ?? []).map((p) => ({
        effect: p.effect ?? "allow",
        actions: [...p.actions].sort(),
        resources: p.resources,
      }));
      expect(statements, key).toEqual([
        {
          effect: "allow",
          actions: [...streamsModule.streamTableActions].sort(),
          resources: [new FakeOutput(`«${tableRecord.name}.arn»`), new FakeOutput(`«${tableRecord.name}.arn»/index/*`)],
        },
        { effect: "allow", actions: ["events:PutEvents"], resources: [new FakeOutput(`«${busRecord.name}.arn»`)] },
        { effect: "allow", actions: ["sqs:SendMessage"], resources: [new FakeOutput(`«${queue.name}.arn»`)] },
        ...(key === streamsModule.pushingConsumer
          ? [
              { effect: "allow", actions: ["dynamodb:DeleteItem"], resources: [new FakeOutput(`«${tableRecord.name}.arn»`)] },
              {
                effect: "allow",
                actions: ["execute-api:ManageConnections"],
                resources: [new FakeOutput(`«${wsRecord.name}.api.executionArn»/*/*/@connections/*`)],
              },
            ]
          : []),
      ]);
      for (const s of statements) {
        for (const action of s.actions) expect(action, `${key}: wildcard action`).not.toMatch(/\*/);
        for (const resource of s.resources) expect(String(resource), `${key}: wildcard resource`).not.toBe("*");
      }
    }
  });
});

// ---------------------------------------------------------------------------------------
// stacks/realtime.ts
// ---------------------------------------------------------------------------------------

describe("stacks/realtime.ts builds the WebSocket API with its three routes", () => {
  const build = () => {
    const recorder = install("dev");
    const { table } = storageModule.storage();
    const jwt = { issuer: new FakeOutput("«NyangJwtIssuer.value»"), audience: new FakeOutput("«NyangJwtAudience.value»") };
    const issuer = { value: jwt.issuer };
    const audience = { value: jwt.audience };
    const built = realtimeModule.realtime({ table, jwt: { issuer, audience } });
    const tableRecord = recorder.one("sst.aws.Dynamo");
    const wsRecord = recorder.one("sst.aws.ApiGatewayWebSocket");
    const routes = wsRecord.calls.filter((c) => c.method === "route");
    const routeFn = (key: string) => {
      const found = routes.filter((c) => c.args[0] === key);
      expect(found, `routes ${key}`).toHaveLength(1);
      return found[0]!.args[1] as FunctionArgsSeen;
    };
    return { recorder, built, tableRecord, wsRecord, routes, routeFn, jwt };
  };
  const routeKeys = Object.keys(wsRoutes) as (keyof typeof wsRoutes)[];

  it("makes one ApiGatewayWebSocket, Realtime, and routes exactly $connect, $disconnect and $default to their handlers", () => {
    const { recorder, built, wsRecord, routes, routeFn } = build();
    expect(wsRecord.name).toBe("Realtime");
    expect(built.api).toBe(wsRecord.instance);
    expect(routeKeys.sort()).toEqual(["$connect", "$default", "$disconnect"]);
    expect(routes.map((c) => c.args[0]).sort()).toEqual(routeKeys.sort());
    for (const key of routeKeys) expect(routeFn(key).handler, key).toBe(wsRoutes[key]);
    // Each route builds its own function from the route args; nothing else is created.
    expect(recorder.created.map((c) => c.type).sort()).toEqual(["sst.aws.ApiGatewayWebSocket", "sst.aws.Dynamo"]);
  });

  it("runs each route on nodejs22.x, arm64, ESM with source maps, described, within API Gateway's 29 s", () => {
    const { routeFn } = build();
    for (const key of routeKeys) {
      const fn = routeFn(key);
      expect(fn.runtime, key).toBe("nodejs22.x");
      expect(fn.architecture, key).toBe("arm64");
      expect(fn.nodejs, key).toEqual({ format: "esm", sourcemap: true });
      expect(fn.description, key).toMatch(new RegExp(`^WebSocket \\${key}`));
      expect(fn.memory, key).toBeDefined();
      const timeout = durationSeconds(fn.timeout);
      expect(timeout, key).toBeGreaterThanOrEqual(3);
      expect(timeout, key).toBeLessThanOrEqual(29);
    }
  });

  it("gives $connect the table, the JWT settings and the management endpoint, $disconnect the table, $default the table and the management endpoint", () => {
    const { routeFn, tableRecord, wsRecord, jwt } = build();
    const tableName = new FakeOutput(`«${tableRecord.name}.name»`);
    const management = new FakeOutput(`«${wsRecord.name}.managementEndpoint»`);
    expect(routeFn("$connect").environment).toEqual({
      NYANG_TABLE: tableName,
      NYANG_JWT_ISSUER: jwt.issuer,
      NYANG_JWT_AUDIENCE: jwt.audience,
      NYANG_WS_MANAGEMENT_ENDPOINT: management,
      NODE_OPTIONS: "--enable-source-maps",
    });
    expect(routeFn("$disconnect").environment).toEqual({ NYANG_TABLE: tableName, NODE_OPTIONS: "--enable-source-maps" });
    expect(routeFn("$default").environment).toEqual({ NYANG_TABLE: tableName, NYANG_WS_MANAGEMENT_ENDPOINT: management, NODE_OPTIONS: "--enable-source-maps" });
  });

  it("forwards the WebSocket limits set at deploy to $connect and $default, the routes that enforce them", () => {
    const limits = { WS_MAX_CONNECTIONS_PER_USER: "5", WS_MESSAGES_PER_MINUTE: "30", WS_MESSAGE_BURST: "4" };
    const saved = { ...process.env };
    Object.assign(process.env, limits);
    try {
      const { routeFn } = build();
      expect(routeFn("$connect").environment).toMatchObject(limits);
      expect(routeFn("$default").environment).toMatchObject(limits);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it("grants each route only what it does: connect writes the pair and closes the oldest, disconnect reads and deletes it, default meters and posts", () => {
    const { routeFn, tableRecord, wsRecord, built } = build();
    const tableArn = new FakeOutput(`«${tableRecord.name}.arn»`);
    const manage = { actions: ["execute-api:ManageConnections"], resources: [new FakeOutput(`«${wsRecord.name}.api.executionArn»/*/*/@connections/*`)] };
    const statements = (key: string) => (routeFn(key).permissions ?? []).map((p) => ({ actions: [...p.actions].sort(), resources: p.resources }));
    expect(statements("$connect")).toEqual([
      { actions: ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:Query"], resources: [tableArn] },
      manage,
    ]);
    expect(statements("$disconnect")).toEqual([{ actions: ["dynamodb:DeleteItem", "dynamodb:GetItem"], resources: [tableArn] }]);
    expect(statements("$default")).toEqual([{ actions: ["dynamodb:GetItem", "dynamodb:UpdateItem"], resources: [tableArn] }, manage]);
    expect(built.manageConnections).toEqual(manage);
    expect(realtimeModule.manageConnectionsAction).toBe("execute-api:ManageConnections");
    for (const key of routeKeys) expect(routeFn(key).link ?? [], key).toEqual([]);
  });

  it("in the app, $connect verifies with the very secrets the HTTP API uses, and the alerts consumer posts to this API", async () => {
    const { recorder } = await runApp("dev");
    const ws = recorder.one("sst.aws.ApiGatewayWebSocket");
    const connect = ws.calls.find((c) => c.method === "route" && c.args[0] === "$connect")!.args[1] as FunctionArgsSeen;
    const http = recorder.one("sst.aws.Function").args as FunctionArgsSeen;
    expect(connect.environment?.NYANG_JWT_ISSUER).toEqual(http.environment?.NYANG_JWT_ISSUER);
    expect(connect.environment?.NYANG_JWT_AUDIENCE).toEqual(http.environment?.NYANG_JWT_AUDIENCE);
    expect(recorder.byType("sst.Secret").filter((c) => c.name.startsWith("NyangJwt"))).toHaveLength(2);
    const table = recorder.one("sst.aws.Dynamo");
    const alerts = table.calls.find((c) => c.method === "subscribe" && (c.args[1] as FunctionArgsSeen).handler === streamSubscriptions.alerts.handler)!;
    expect((alerts.args[1] as FunctionArgsSeen).environment?.NYANG_WS_MANAGEMENT_ENDPOINT).toEqual(new FakeOutput(`«${ws.name}.managementEndpoint»`));
    // The stream still has exactly two readers: pushes ride inside the alerts consumer.
    expect(table.calls.filter((c) => c.method === "subscribe")).toHaveLength(2);
  });
});

// ---------------------------------------------------------------------------------------
// Handlers referenced by the infra exist and export what they are called by
// ---------------------------------------------------------------------------------------

/** Every `handler` path the app passes to SST: function args, routes and subscribers. */
function handlerPaths(recorder: Recorder): string[] {
  const paths = new Set<string>();
  const visit = (value: unknown) => {
    if (typeof value === "string" && !value.startsWith("arn:") && !value.startsWith("$")) paths.add(value);
    else if (value && typeof value === "object" && !(value instanceof FakeOutput)) {
      const handler = (value as { handler?: unknown }).handler;
      if (typeof handler === "string") paths.add(handler);
    }
  };
  for (const c of recorder.created) {
    if (c.type === "sst.aws.Function") visit(c.args);
    if (c.type === "sst.aws.CronV2") visit((c.args as CronV2ArgsSeen).function ?? (c.args as CronV2ArgsSeen).job);
    for (const call of c.calls) {
      if (call.method === "route") visit(call.args[1]);
      if (call.method === "subscribe") visit(call.args[1]);
    }
  }
  return [...paths].sort();
}

describe("handler paths", () => {
  it("every handler the app references is a file that exports that function and its makeX(runtime) factory", async () => {
    const { recorder } = await runApp("dev");
    const paths = handlerPaths(recorder);
    expect(paths).toContain(httpHandlerPath);
    for (const job of Object.values(scheduledJobs)) expect(paths).toContain(job.handler);
    for (const sub of Object.values(streamSubscriptions)) expect(paths).toContain(sub.handler);
    for (const handler of Object.values(wsRoutes)) expect(paths).toContain(handler);

    for (const handlerPath of paths) {
      const dot = handlerPath.lastIndexOf(".");
      const base = handlerPath.slice(0, dot);
      const exportName = handlerPath.slice(dot + 1);
      const extensions = [".ts", ".mts", ".js", ".mjs"];
      const file = extensions.map((ext) => path.join(repoRoot, base + ext)).find((f) => existsSync(f));
      if (!file) {
        expect.fail(
          `handler "${handlerPath}": no file ${base}{${extensions.join(",")}} exists yet ` +
            `(the infra routes to it, so it must be written before this can deploy)`,
        );
      }
      const mod = (await import(file)) as Record<string, unknown>;
      expect(typeof mod[exportName], `${path.relative(repoRoot, file)} must export a function "${exportName}"`).toBe(
        "function",
      );
      // Its factory over a runtime, which tests and `npm run dev` build the handler with.
      const factory = `make${exportName[0]!.toUpperCase()}${exportName.slice(1)}`;
      expect(typeof mod[factory], `${path.relative(repoRoot, file)} must export a factory "${factory}"`).toBe("function");
    }
  });
});

// ---------------------------------------------------------------------------------------
// The contract: the OpenAPI document the API serves describes every route API Gateway routes
// ---------------------------------------------------------------------------------------

describe("the OpenAPI document", () => {
  it("describes every route in httpRoutes (which stacks/api.ts routes), except the routes that serve the documentation", async () => {
    const documented = documentedOperations(await servedOpenApiDocument());
    for (const key of documentationRoutes) expect(httpRoutes as readonly string[], `stale documentation route ${key}`).toContain(key);
    expect(documented.sort()).toEqual(httpRoutes.filter((key) => !(documentationRoutes as readonly string[]).includes(key)).sort());
  });
});
