/** Helpers integration tests share; import from `test/support/index.ts`. */
export * from "./dynamo.ts";
export * from "./ids.ts";
export * from "./http-api.ts";
export * from "./ledger.ts";
export * from "./refusals.ts";
export * from "./faults.ts";
export * from "./openapi.ts";
export * from "./custom-api.ts";
export * from "./runtime.ts";
