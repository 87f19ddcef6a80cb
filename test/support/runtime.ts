import { parseRuntimeEnv } from "@nyang/functions/env";
import { createRuntime, type Runtime } from "@nyang/functions/runtime";

/**
 * A runtime for a test: the setup's environment (test/setup/env.ts: DynamoDB Local, the
 * run's table) with the test's own variables on top — a table of its own, the fake Toss
 * gateway, a local EventBridge — parsed as a Lambda parses its environment. Handlers are then
 * made with their `makeHandler(runtime)`; nothing changes `process.env`.
 */
export function testRuntime(vars: Record<string, string> = {}): Runtime {
  return createRuntime(parseRuntimeEnv({ ...process.env, ...vars }));
}
