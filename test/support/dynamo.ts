import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { isLoopbackEndpoint, localDynamoClient as clientFor } from "@nyang/local";

/** The run's DynamoDB Local endpoint, as `test/setup/env.ts` set it; throws if it is not on this machine. */
export function testDynamoEndpoint(): string {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint || !isLoopbackEndpoint(endpoint)) {
    throw new Error(`DYNAMODB_ENDPOINT is ${JSON.stringify(endpoint)}; tests only ever use a local DynamoDB (is test/setup/env.ts loaded?)`);
  }
  return endpoint;
}

/** The run's test table name. */
export function testTableName(): string {
  const table = process.env.NYANG_TABLE;
  if (!table) throw new Error("NYANG_TABLE is not set (is test/setup/env.ts loaded?)");
  return table;
}

/** A raw DynamoDB client for the run's DynamoDB Local; call `destroy()` when done. */
export function localDynamoClient(): DynamoDBClient {
  return clientFor(testDynamoEndpoint());
}
