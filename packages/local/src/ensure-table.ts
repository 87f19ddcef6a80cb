/**
 * Creates Nyang's one table in a DynamoDB Local exactly as `stacks/storage.ts` creates it
 * in AWS (both read `tableDefinition`), so local runs and tests exercise the real schema.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
import { createTableInput, tableDefinition } from "@nyang/core";

/** Options for {@link localDynamoClient}. */
export interface LocalDynamoClientOptions {
  /** SDK attempts per call (default 3: enough to ride out a JVM hiccup, few enough to fail fast). */
  maxAttempts?: number;
  /** Per-request socket timeout in ms (default: the SDK's). */
  requestTimeoutMs?: number;
  /** Region to sign with (default `us-east-1`). */
  region?: string;
  /** Credentials to sign with (default dummy `local`/`local`). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** A DynamoDB client for a local endpoint, signing with dummy credentials so no real AWS identity is ever involved. */
export function localDynamoClient(endpoint: string, options: LocalDynamoClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: options.region ?? "us-east-1",
    credentials: options.credentials ?? { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: options.maxAttempts ?? 3,
    ...(options.requestTimeoutMs === undefined ? {} : { requestHandler: { requestTimeout: options.requestTimeoutMs } }),
  });
}

/** Creates the table if it is missing, waits until ACTIVE and turns TTL on; checks an existing table matches the definition. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  let created = false;
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    created = true;
  } catch (error) {
    // Another process (or an earlier run with a data dir) got there first.
    if (!(error instanceof ResourceInUseException)) throw error;
  }

  const table = await waitUntilActive(client, tableName);
  if (!created) {
    assertMatchesDefinition(table, tableName);
    await addMissingGlobalIndexes(client, tableName, table);
  }
  await enableTtl(client, tableName);
}

/**
 * A table kept in a `--data` directory from before a global index was defined gets it, as a
 * deploy adds it on AWS. Items written before carry no key attributes of the new index, so
 * (as on AWS) the index lists only what is written from now on.
 */
async function addMissingGlobalIndexes(client: DynamoDBClient, tableName: string, table: TableDescription): Promise<void> {
  const present = new Set((table.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  const wanted = createTableInput(tableName);
  for (const index of wanted.GlobalSecondaryIndexes.filter((i) => !present.has(i.IndexName))) {
    const keys = new Set<string>(index.KeySchema.map((k) => k.AttributeName));
    try {
      // One index per UpdateTable: DynamoDB takes a single index creation at a time.
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: wanted.AttributeDefinitions.filter((a) => keys.has(a.AttributeName)),
          GlobalSecondaryIndexUpdates: [{ Create: index }],
        }),
      );
    } catch (error) {
      // Two processes ensuring the same table race here; the loser finds the index there.
      if (!(error instanceof Error && /already exists/i.test(error.message))) throw error;
    }
    await waitUntilActive(client, tableName);
  }
}

async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs = 30_000): Promise<TableDescription> {
  // Polled by hand: the SDK's waiter sleeps at least 20 s between checks, and DynamoDB Local
  // is ACTIVE almost at once.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === "ACTIVE") return Table;
    if (Date.now() > deadline) {
      throw new Error(`table ${tableName} is still ${Table?.TableStatus ?? "unknown"} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A table kept in a `--data` directory may predate a schema change; failing loudly here beats
 * a confusing ValidationException from the first query that uses a missing index.
 */
function assertMatchesDefinition(table: TableDescription, tableName: string): void {
  const problems: string[] = [];
  const key = (type: string) => table.KeySchema?.find((k) => k.KeyType === type)?.AttributeName;
  if (key("HASH") !== tableDefinition.partitionKey || key("RANGE") !== tableDefinition.sortKey) {
    problems.push(`key schema is ${key("HASH")}/${key("RANGE")}`);
  }
  const indexes = new Set((table.LocalSecondaryIndexes ?? []).map((i) => i.IndexName));
  for (const name of Object.keys(tableDefinition.localIndexes)) {
    if (!indexes.has(name)) problems.push(`local index ${name} is missing`);
  }
  const stream = table.StreamSpecification;
  if (!stream?.StreamEnabled || stream.StreamViewType !== tableDefinition.stream) {
    problems.push(`stream is ${stream?.StreamEnabled ? stream.StreamViewType : "disabled"}`);
  }
  if (problems.length > 0) {
    throw new Error(
      `table ${tableName} exists but does not match the table definition (${problems.join("; ")}). ` +
        "Delete it (or the DynamoDB Local data directory) and start again.",
    );
  }
}

async function enableTtl(client: DynamoDBClient, tableName: string): Promise<void> {
  const attribute = tableDefinition.ttlAttribute;
  const { TimeToLiveDescription: ttl } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (ttl?.TimeToLiveStatus === "ENABLED" && ttl.AttributeName === attribute) return;
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
      }),
    );
  } catch (error) {
    // Two processes ensuring the same table race here; the loser is told it is already on.
    if (!(error instanceof Error && /already enabled/i.test(error.message))) throw error;
  }
}
