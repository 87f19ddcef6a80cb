/**
 * `npm run migrate -- [--endpoint URL] [--table NAME] [--dry-run] [--only NAME]`: runs the
 * table's one-off backfills (packages/core/src/store/migrations.ts) against DynamoDB Local
 * or, with no endpoint, real DynamoDB through the AWS SDK's default credentials and region.
 * Progress and the summary go to stderr; docs/migrations.md says what each migration does.
 */
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from "@aws-sdk/client-dynamodb";
import { migrations, MigrationStopped, runMigration, tableNameFromEnv, type MigrationCursor, type MigrationReport } from "@nyang/core";
import { parseArgs } from "node:util";
import { isLoopbackEndpoint } from "./dynamodb-local.ts";
import { localDynamoClient } from "./ensure-table.ts";

const USAGE = `Usage: npm run migrate -- [--endpoint URL] [--table NAME] [--dry-run] [--only NAME[,NAME…]]
                          [--segments N] [--resume CURSOR]

Brings items written before a change of their shape to the shape a new write has. Every
migration is idempotent: it updates only items still of the old shape, each update
conditioned on that, so running it again updates nothing and a concurrent write is kept.

Migrations, in the order they run:
${migrations.map((m) => `  ${m.name.padEnd(18)} ${m.about}`).join("\n")}

  --endpoint URL  DynamoDB endpoint, e.g. the DynamoDB Local that \`npm run dev\` prints
                  (default: DYNAMODB_ENDPOINT, else real DynamoDB with the AWS SDK's
                  default credentials and region: AWS_PROFILE, AWS_REGION, …)
  --table NAME    table name (default: NYANG_TABLE, else nyang)
  --dry-run       scan and count what would change; write nothing
  --only NAME     run only these migrations (comma-separated)
  --segments N    parallel scan segments per migration, 1–64 (default 1)
  --resume CURSOR continue one migration from the cursor its last progress line printed
  --help          show this help

Exit status: 0 done, 1 DynamoDB failed (the last progress line's cursor resumes), 2 bad arguments.`;

/** Where the command writes its lines, and the environment it reads defaults from. */
export interface MigrateIo {
  stderr(line: string): void;
  env: Record<string, string | undefined>;
}

class UsageError extends Error {}

interface Plan {
  endpoint: string | undefined;
  table: string;
  dryRun: boolean;
  names: string[];
  segments: number;
  resume: MigrationCursor | undefined;
}

function parse(argv: string[], env: MigrateIo["env"]): Plan | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        endpoint: { type: "string" },
        table: { type: "string" },
        "dry-run": { type: "boolean" },
        only: { type: "string" },
        segments: { type: "string" },
        resume: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return "help";
  const known = migrations.map((m) => m.name);
  const resume = values.resume === undefined ? undefined : decodeCursor(values.resume);
  let names = known;
  if (values.only !== undefined) {
    names = values.only.split(",").map((n) => n.trim());
    const unknown = names.filter((n) => !known.includes(n));
    if (unknown.length > 0 || names.length === 0) throw new UsageError(`--only: unknown migration ${JSON.stringify(unknown.join(",") || values.only)}; known: ${known.join(", ")}`);
  }
  if (resume) {
    if (!known.includes(resume.migration)) throw new UsageError(`--resume: the cursor names an unknown migration ${JSON.stringify(resume.migration)}`);
    if (values.only !== undefined && (names.length !== 1 || names[0] !== resume.migration)) {
      throw new UsageError(`--resume: the cursor is of ${resume.migration}; --only must name it alone (or be left out)`);
    }
    if (values.segments !== undefined) throw new UsageError("--resume: the cursor keeps its own segments; leave --segments out");
    names = [resume.migration];
  }
  let segments = 1;
  if (values.segments !== undefined) {
    if (!/^\d+$/.test(values.segments) || Number(values.segments) < 1 || Number(values.segments) > 64) {
      throw new UsageError(`--segments must be a whole number from 1 to 64, got ${JSON.stringify(values.segments)}`);
    }
    segments = Number(values.segments);
  }
  const endpoint = values.endpoint ?? (env.DYNAMODB_ENDPOINT || undefined);
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) throw new UsageError(`--endpoint must be an http(s) URL, got ${JSON.stringify(endpoint)}`);
  const table = values.table ?? tableNameFromEnv(env);
  if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(table)) throw new UsageError(`--table: not a DynamoDB table name: ${JSON.stringify(table)}`);
  return { endpoint, table, dryRun: values["dry-run"] ?? false, names, segments, resume };
}

/** A cursor as a progress line prints it: base64url JSON, so it is one shell word. */
export function encodeCursor(cursor: MigrationCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

function decodeCursor(text: string): MigrationCursor {
  try {
    const c = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as MigrationCursor;
    const segmentOk = (s: unknown) => s === null || (typeof s === "object" && !Array.isArray(s));
    if (typeof c.migration === "string" && Array.isArray(c.segments) && c.segments.length >= 1 && c.segments.length <= 64 && c.segments.every(segmentOk)) return c;
  } catch {
    // Falls through to the usage error.
  }
  throw new UsageError("--resume: not a cursor this command printed");
}

function clientFor(endpoint: string | undefined): DynamoDBClient {
  // Throttling on a busy table: the SDK backs off and retries; give it more room than a request path does.
  if (endpoint === undefined) return new DynamoDBClient({ maxAttempts: 10 });
  if (isLoopbackEndpoint(endpoint)) return localDynamoClient(endpoint);
  return new DynamoDBClient({ endpoint, maxAttempts: 10 });
}

const units = (n: number) => String(Math.round(n * 10) / 10);

function line(r: MigrationReport): string {
  return `scanned ${r.scanned}, old ${r.old}, ${r.dryRun ? "would update" : "updated"} ${r.dryRun ? r.old - r.underivable : r.updated}` +
    `, changed meanwhile ${r.changedMeanwhile}, underivable ${r.underivable}, ${units(r.readUnits)} RRU, ${units(r.writeUnits)} WRU`;
}

/** Runs the command; answers its exit status. */
export async function migrateCommand(argv: string[], io: MigrateIo): Promise<number> {
  let plan: Plan | "help";
  try {
    plan = parse(argv, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`migrate: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (plan === "help") {
    io.stderr(USAGE);
    return 0;
  }
  const client = clientFor(plan.endpoint);
  const reports: MigrationReport[] = [];
  try {
    await client.send(new DescribeTableCommand({ TableName: plan.table }));
    const region = await client.config.region();
    io.stderr(`migrate: table ${plan.table} at ${plan.endpoint ?? `DynamoDB in ${region}`}${plan.dryRun ? " (dry run: nothing is written)" : ""}`);
    for (const name of plan.names) {
      const m = migrations.find((x) => x.name === name)!;
      const report = await runMigration(client, plan.table, m, {
        dryRun: plan.dryRun,
        segments: plan.segments,
        ...(plan.resume ? { resume: plan.resume } : {}),
        onProgress: (r) => io.stderr(`migrate: ${r.name}: ${line(r)}; cursor ${encodeCursor(r.cursor)}`),
      });
      reports.push(report);
    }
  } catch (error) {
    if (error instanceof MigrationStopped) reports.push(error.report);
    const cause = error instanceof MigrationStopped ? error.cause : error;
    const why = cause instanceof ResourceNotFoundException ? `table ${plan.table} not found` : cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    summary(reports, io);
    io.stderr(`migrate: failed: ${why}`);
    if (error instanceof MigrationStopped) io.stderr(`migrate: resume ${error.report.name} with --resume ${encodeCursor(error.report.cursor)}`);
    return 1;
  } finally {
    client.destroy();
  }
  summary(reports, io);
  return 0;
}

function summary(reports: MigrationReport[], io: MigrateIo): void {
  if (reports.length === 0) return;
  io.stderr(`migrate: summary${reports[0]!.dryRun ? " (dry run)" : ""}`);
  for (const r of reports) io.stderr(`  ${r.name.padEnd(18)} ${line(r)}`);
  const sum = (f: (r: MigrationReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  io.stderr(`  ${"total".padEnd(18)} ${units(sum((r) => r.readUnits))} RRU, ${units(sum((r) => r.writeUnits))} WRU`);
}
