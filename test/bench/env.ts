/**
 * Imported first by run.ts, before any AWS SDK module loads: dummy local credentials (a
 * developer's real AWS identity must never sign a bench request) and no SDK Node-version
 * warning. DYNAMODB_ENDPOINT and NYANG_TABLE are set once DynamoDB Local is up, and
 * NYANG_EVENTBRIDGE_ENDPOINT once the local EventBridge sink is.
 */
process.env.AWS_REGION = "us-east-1";
process.env.AWS_ACCESS_KEY_ID = "local";
process.env.AWS_SECRET_ACCESS_KEY = "local";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;
delete process.env.DYNAMODB_ENDPOINT;
// Nothing may publish to a real bus: a closed local port until the stream phase starts its sink.
process.env.NYANG_EVENTBRIDGE_ENDPOINT = "http://127.0.0.1:9";
process.env.NYANG_EVENT_BUS = "nyang-bench";
