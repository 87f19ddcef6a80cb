import { createClient, type ClientOptions, type NyangClient } from "@nyang/client";
import { makeHandler } from "@nyang/functions/http/handler";
import { startHttpGateway, type HttpGateway, type HttpHandler } from "@nyang/local";
import { testRuntime } from "./runtime.ts";

/**
 * The HTTP API as a client meets it: API Gateway's local emulator (packages/local) in front
 * of the Lambda handler (its `makeHandler`), on 127.0.0.1 and a free port, over a runtime with
 * the test's own variables (table, fake gateway) on top of the setup's.
 */
export async function startHttpApi(vars: Record<string, string> = {}): Promise<HttpGateway> {
  return startHttpGateway({ port: 0, handler: makeHandler(testRuntime(vars)) as unknown as HttpHandler, log: () => undefined });
}

/** A client for `baseUrl` with `token`; retries wait little, so tests stay quick. */
export function clientFor(baseUrl: string, token: string, extra: Partial<ClientOptions> = {}): NyangClient {
  return createClient({ baseUrl, token, retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 8 }, ...extra });
}
