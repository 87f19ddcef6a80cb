import { DeleteTableCommand, DescribeTableCommand, CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { createTableInput, tableDefinition } from "@nyang/core";
import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { localDynamoClient } from "../support/dynamo.ts";
import { ensureTable } from "@nyang/local";

/** Against the run's DynamoDB Local: a table kept from before an index existed is brought up to the definition. */
it("adds a global index that a kept table lacks, with the definition's keys and projection", async () => {
  const client = localDynamoClient();
  const tableName = `nyang-test-ensure-${randomBytes(3).toString("hex")}`;
  try {
    const full = createTableInput(tableName);
    const old = {
      ...full,
      GlobalSecondaryIndexes: full.GlobalSecondaryIndexes.filter((i) => i.IndexName !== "byAlertTime"),
      AttributeDefinitions: full.AttributeDefinitions.filter((a) => !a.AttributeName.startsWith("gsi3")),
    };
    await client.send(new CreateTableCommand(old));
    await ensureTable(client, tableName);
    await ensureTable(client, tableName); // a second start finds everything in place
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const byName = new Map((Table?.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, i]));
    expect([...byName.keys()].sort()).toEqual(Object.keys(tableDefinition.globalIndexes).sort());
    const added = byName.get("byAlertTime");
    expect(added?.KeySchema?.map((k) => k.AttributeName)).toEqual(["gsi3pk", "gsi3sk"]);
    expect(added?.Projection?.NonKeyAttributes?.sort()).toEqual([...tableDefinition.globalIndexes.byAlertTime.projection].sort());
  } finally {
    await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    client.destroy();
  }
});
