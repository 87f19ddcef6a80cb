import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeTableCommand, DescribeTimeToLiveCommand, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { tableDefinition } from "@nyang/core";
import { afterAll, describe, expect, it } from "vitest";
import { isLoopbackEndpoint, JavaMissingError, startDynamoDbLocal } from "./dynamodb-local.ts";
import { ensureTable, localDynamoClient } from "./ensure-table.ts";

describe("the run's DynamoDB Local (global setup)", () => {
  const endpoint = process.env.DYNAMODB_ENDPOINT!;
  const table = process.env.NYANG_TABLE!;
  const client = localDynamoClient(endpoint);
  afterAll(() => client.destroy());

  it("is on this machine and serves the test table", () => {
    expect(isLoopbackEndpoint(endpoint)).toBe(true);
    expect(table).toBe("nyang-test");
  });

  it("has the table as defined: keys, byTime LSI, NEW_AND_OLD_IMAGES stream, TTL", async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    expect(Table?.TableStatus).toBe("ACTIVE");
    expect(Table?.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" });
    expect(Table?.LatestStreamArn).toBeTruthy();
    const byTime = Table?.LocalSecondaryIndexes?.find((i) => i.IndexName === "byTime");
    expect(byTime?.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "lsi1sk", KeyType: "RANGE" },
    ]);
    expect(byTime?.Projection?.ProjectionType).toBe("ALL");

    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
    expect(TimeToLiveDescription).toEqual({ TimeToLiveStatus: "ENABLED", AttributeName: tableDefinition.ttlAttribute });
  });

  it("ensureTable is idempotent on an existing table", async () => {
    await expect(ensureTable(client, table)).resolves.toBeUndefined();
  });
});

describe("startDynamoDbLocal", () => {
  it("keeps tables in a data directory across restarts, and stop() is idempotent", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "nyang-ddb-"));
    try {
      const first = await startDynamoDbLocal({ dataDir });
      expect(first.inMemory).toBe(false);
      let client = localDynamoClient(first.endpoint);
      await ensureTable(client, "persisted");
      client.destroy();
      await first.stop();
      await first.stop();
      await expect(fetch(first.endpoint)).rejects.toThrow();

      const second = await startDynamoDbLocal({ dataDir });
      client = localDynamoClient(second.endpoint);
      try {
        const { TableNames } = await client.send(new ListTablesCommand({}));
        expect(TableNames).toContain("persisted");
        // Reopening a kept table must not fail on the TTL that is already on.
        await ensureTable(client, "persisted");
      } finally {
        client.destroy();
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("fails with the install command when java is missing", async () => {
    const attempt = startDynamoDbLocal({ java: "/nonexistent/bin/java" });
    await expect(attempt).rejects.toBeInstanceOf(JavaMissingError);
    await expect(attempt).rejects.toThrow(/apt-get install -y openjdk-17-jre-headless/);
  });
});
