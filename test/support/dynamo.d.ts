import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
/** The run's DynamoDB Local endpoint, as `test/setup/env.ts` set it; throws if it is not on this machine. */
export declare function testDynamoEndpoint(): string;
/** The run's test table name. */
export declare function testTableName(): string;
/** A raw DynamoDB client for the run's DynamoDB Local; call `destroy()` when done. */
export declare function localDynamoClient(): DynamoDBClient;
