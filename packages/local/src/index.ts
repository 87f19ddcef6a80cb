/**
 * The one-machine runtime behind `npm run dev`, and the pieces tests and the bench reuse:
 * DynamoDB Local, table setup, the HTTP API gateway and local tokens.
 */
export * from "./dynamodb-local.ts";
export * from "./ensure-table.ts";
export * from "./http-gateway.ts";
export * from "./http-fleet.ts";
export * from "./local-token.ts";
export * from "./fake-toss/index.ts";
export * from "./stream-filter.ts";
export * from "./stream-pump.ts";
export * from "./stream-checkpoints.ts";
export * from "./eventbridge-sink.ts";
export * from "./lambda-context.ts";
export * from "./ws-gateway.ts";
