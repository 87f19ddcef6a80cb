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
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tableDefinition } from "../../packages/core/src/store/table";
import { httpHandlerPath, httpRoutes } from "../../packages/functions/src/http/routes";

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
      return this.out(`subscriber`);
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
      sst: { aws: { Dynamo, Function, ApiGatewayV2 }, Secret },
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
  api(deps: { table: object }): { api: object; handler: object };
  httpTableActions: string[];
}
interface SstConfig {
  app(input: { stage: string }): Record<string, unknown>;
  run(): Promise<Record<string, unknown>>;
}

let storageModule: StorageModule;
let apiModule: ApiModule;
let sstConfig: SstConfig;

beforeAll(async () => {
  install("dev");
  const load = (file: string) => import(path.join(repoRoot, file));
  storageModule = (await load("stacks/storage.ts")) as StorageModule;
  apiModule = (await load("stacks/api.ts")) as ApiModule;
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
  environment?: Record<string, unknown>;
  permissions?: { actions: string[]; resources: unknown[]; effect?: string }[];
  link?: unknown[];
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

  it("run() builds one table, one HTTP function, one HTTP API and returns their outputs", async () => {
    const { recorder, outputs } = await runApp("dev");
    const table = recorder.one("sst.aws.Dynamo");
    const fn = recorder.one("sst.aws.Function");
    const api = recorder.one("sst.aws.ApiGatewayV2");

    expect(outputs).toEqual({
      apiUrl: new FakeOutput(`«${api.name}.url»`),
      tableName: new FakeOutput(`«${table.name}.name»`),
      httpFunctionName: new FakeOutput(`«${fn.name}.name»`),
    });
    expect(recorder.created.map((c) => c.type).sort()).toEqual([
      "sst.Secret",
      "sst.Secret",
      "sst.aws.ApiGatewayV2",
      "sst.aws.Dynamo",
      "sst.aws.Function",
    ]);
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

  it("builds every global index of the definition, keys-only", () => {
    const args = tableArgs("dev");
    expect(Object.keys(args.globalIndexes ?? {}).sort()).toEqual(Object.keys(def.globalIndexes).sort());
    for (const [name, index] of Object.entries(def.globalIndexes)) {
      // createTableInput projects KEYS_ONLY: the sweep reads the hold item itself.
      expect(args.globalIndexes?.[name], `global index ${name}`).toEqual({
        hashKey: index.partitionKey,
        rangeKey: index.sortKey,
        projection: "keys-only",
      });
    }
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
    const built = apiModule.api({ table });
    const fn = recorder.one("sst.aws.Function");
    const api = recorder.one("sst.aws.ApiGatewayV2");
    const tableRecord = recorder.one("sst.aws.Dynamo");
    return { recorder, table, built, fn, fnArgs: fn.args as FunctionArgsSeen, api, tableRecord };
  };

  it("routes every key in httpRoutes exactly once, and nothing else", () => {
    const { api } = build();
    const routed = api.calls.filter((c) => c.method === "route").map((c) => c.args[0]);
    const counts = new Map<unknown, number>();
    for (const key of routed) counts.set(key, (counts.get(key) ?? 0) + 1);

    const missing = httpRoutes.filter((key) => !counts.has(key));
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([key]) => key);
    const extra = routed.filter((key) => !(httpRoutes as readonly unknown[]).includes(key));
    expect({ missing, duplicated, extra }).toEqual({ missing: [], duplicated: [], extra: [] });
    // No catch-all: unknown paths get API Gateway's own 404 and never reach the Lambda.
    expect(routed).not.toContain("$default");
    expect(api.calls.map((c) => c.method).filter((m) => m !== "route")).toEqual([]);
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
    expect(fnArgs.timeout).toBe("10 seconds");
  });

  it("passes the table name, the JWT settings from stage secrets, and source maps", () => {
    const { fnArgs, recorder, tableRecord } = build();
    const issuer = recorder.one("sst.Secret", "NyangJwtIssuer");
    const audience = recorder.one("sst.Secret", "NyangJwtAudience");
    // No placeholder: a stage without its real issuer/audience fails at deploy.
    expect(issuer.args).toBeUndefined();
    expect(audience.args).toBeUndefined();
    expect(fnArgs.environment).toEqual({
      NYANG_TABLE: new FakeOutput(`«${tableRecord.name}.name»`),
      NYANG_JWT_ISSUER: new FakeOutput("«NyangJwtIssuer.value»"),
      NYANG_JWT_AUDIENCE: new FakeOutput("«NyangJwtAudience.value»"),
      NODE_OPTIONS: "--enable-source-maps",
    });
    // --enable-source-maps only helps if the bundle carries source maps.
    expect(fnArgs.nodejs?.sourcemap).toBe(true);
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
    for (const call of c.calls) {
      if (call.method === "route") visit(call.args[1]);
      if (call.method === "subscribe") visit(call.args[1]);
    }
  }
  return [...paths].sort();
}

describe("handler paths", () => {
  it("every handler the app references is a file that exports that function", async () => {
    const { recorder } = await runApp("dev");
    const paths = handlerPaths(recorder);
    expect(paths).toContain(httpHandlerPath);

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
    }
  });
});

// ---------------------------------------------------------------------------------------
// The contract: API.md lists every route the API serves
// ---------------------------------------------------------------------------------------

/** Routes the API serves beyond API.md, documented only in its OpenAPI document. */
const implementerAdditions = [
  "POST /v1/accounts/{userId}/freeze",
  "POST /v1/accounts/{userId}/unfreeze",
  "GET /v1/accounts/{userId}/holds/{holdId}",
];

/** `GET /v1/x/{userId}/y/{id}` → `GET /v1/x/{}/y/{}`: path parameter names may differ. */
const normalizeRoute = (key: string) => key.replace(/\{[^}]+\}/g, "{}");

/** The "method and path" cells of API.md's route table, one key per method. */
function documentedRoutes(markdown: string): string[] {
  const start = markdown.indexOf("## Routes");
  expect(start, 'API.md has no "## Routes" section').toBeGreaterThanOrEqual(0);
  const rest = markdown.slice(start + 1);
  const end = rest.search(/^## /m);
  const section = end < 0 ? rest : rest.slice(0, end);
  const keys: string[] = [];
  for (const line of section.split("\n")) {
    const cell = /^\|\s*`([A-Z/]+) (\/[^`\s]*)`\s*\|/.exec(line);
    if (!cell) continue;
    const [, methods, routePath] = cell;
    for (const method of methods!.split("/")) keys.push(`${method} ${routePath}`);
  }
  return keys;
}

describe("API.md", () => {
  const apiMdPath = path.resolve(repoRoot, "../shared/API.md");

  it("lists every route in httpRoutes (except the documented implementer's additions)", () => {
    if (!existsSync(apiMdPath)) {
      expect.fail(`${apiMdPath} is missing: CI checks out shared/ beside the repository and this test reads it`);
    }
    const documented = new Set(documentedRoutes(readFileSync(apiMdPath, "utf8")).map(normalizeRoute));
    expect(documented.size, "parsed no routes from API.md's route table").toBeGreaterThan(0);

    for (const addition of implementerAdditions) {
      expect(httpRoutes as readonly string[], `stale implementer addition ${addition}`).toContain(addition);
    }
    const undocumented = httpRoutes.filter(
      (key) => !implementerAdditions.includes(key) && !documented.has(normalizeRoute(key)),
    );
    expect(undocumented, "routes served but not in API.md's route table").toEqual([]);
  });
});
