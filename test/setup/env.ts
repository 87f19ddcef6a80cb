/**
 * Vitest setup file, run in every worker before its tests: points the store at the run's
 * DynamoDB Local and makes sure nothing in a test can reach a real AWS table.
 */
import { inject } from "vitest";
import { isLoopbackEndpoint } from "@nyang/local";

const endpoint = inject("dynamoDbEndpoint");
const table = inject("dynamoDbTable");

if (!endpoint || !isLoopbackEndpoint(endpoint)) {
  throw new Error(
    `refusing to run tests against DynamoDB at ${JSON.stringify(endpoint)}: only 127.0.0.1/localhost is allowed ` +
      "(the endpoint comes from test/setup/dynamodb.global.ts)",
  );
}

process.env.DYNAMODB_ENDPOINT = endpoint;
process.env.NYANG_TABLE = table;
// Forced, not defaulted: a developer's real credentials or profile must never sign a test request.
process.env.AWS_REGION = "us-east-1";
process.env.AWS_ACCESS_KEY_ID = "local";
process.env.AWS_SECRET_ACCESS_KEY = "local";
delete process.env.AWS_SESSION_TOKEN;
// The SDK warns on Node 20 that 2027 releases will need Node 22: known, and noise in every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
delete process.env.AWS_PROFILE;
// No test may publish to a real EventBridge: unless a test points the publisher at the local
// stand-in (startEventBridgeSink), publishing fails fast against a closed local port.
process.env.NYANG_EVENTBRIDGE_ENDPOINT = "http://127.0.0.1:9";
