import { createClient, type ClientOptions, type NyangClient } from "@nyang/client";
import { startHttpGateway, type HttpGateway, type HttpHandler } from "@nyang/local";

/**
 * The HTTP API as a client meets it: API Gateway's local emulator (packages/local) in front
 * of the unchanged Lambda handler, on 127.0.0.1 and a free port. The handler is imported
 * lazily so that the test file's environment (table, fake gateway) is set first.
 */
export async function startHttpApi(): Promise<HttpGateway> {
  const { handler } = await import("@nyang/functions/http/handler");
  return startHttpGateway({ port: 0, handler: handler as unknown as HttpHandler, log: () => undefined });
}

/** A client for `baseUrl` with `token`; retries wait little, so tests stay quick. */
export function clientFor(baseUrl: string, token: string, extra: Partial<ClientOptions> = {}): NyangClient {
  return createClient({ baseUrl, token, retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 8 }, ...extra });
}
