/**
 * Vitest global setup: one in-memory DynamoDB Local and the test table for the whole run,
 * handed to the workers through `provide` (they read it in `test/setup/env.ts`).
 */
import { ensureTable, localDynamoClient, startDynamoDbLocal, type DynamoDbLocal } from "@nyang/local";
import type { TestProject } from "vitest/node";

/** The table every test uses; never `nyang`, so a stray run can never touch the dev table. */
export const TEST_TABLE = "nyang-test";

declare module "vitest" {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the run's DynamoDB Local. */
    dynamoDbEndpoint: string;
    /** Name of the table created for the run. */
    dynamoDbTable: string;
  }
}

let dynamo: DynamoDbLocal | undefined;

export async function setup(project: TestProject): Promise<void> {
  const t0 = performance.now();
  // Throws JavaMissingError (with the install command) when there is no Java; that fails the run.
  dynamo = await startDynamoDbLocal();
  const client = localDynamoClient(dynamo.endpoint);
  try {
    await ensureTable(client, TEST_TABLE);
  } catch (error) {
    await dynamo.stop();
    throw error;
  } finally {
    client.destroy();
  }
  if (process.env.NYANG_TEST_VERBOSE) {
    console.log(`[test] DynamoDB Local at ${dynamo.endpoint}, table ${TEST_TABLE}, ready in ${Math.round(performance.now() - t0)} ms`);
  }
  project.provide("dynamoDbEndpoint", dynamo.endpoint);
  project.provide("dynamoDbTable", TEST_TABLE);
}

export async function teardown(): Promise<void> {
  await dynamo?.stop();
  dynamo = undefined;
}
