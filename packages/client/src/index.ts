/**
 * @nyang/client: the typed client for the Nyang coin API.
 *
 * ```ts
 * import { createClient, keyFor, isInsufficientCoins, coins } from "@nyang/client";
 * const nyang = createClient({ baseUrl: "http://127.0.0.1:3020", token });
 * const { hold } = await nyang.holds.create("u1", { serviceType: "image_generation_max" }, { idempotencyKey: keyFor("ai-request", id, "hold") });
 * ```
 */
export { createClient, NyangClient } from "./client.ts";
export type * from "./client.ts";
export { coins, toMinor, fromMinor, toWire, type Amount, type DecimalLike, type FormatOptions } from "./coins.ts";
export * from "./errors.ts";
export { keyFor, newIdempotencyKey, isValidIdempotencyKey } from "./keys.ts";
export { defaultRetryPolicy, decideRetry, backoffDelay, isRetryable, parseRetryAfter } from "./retry.ts";
export type { RetryPolicy, AttemptOutcome, RetryDecision } from "./retry.ts";
export { isNewer } from "./realtime.ts";
export type * from "./realtime.ts";
export { Transport, sleep } from "./transport.ts";
export type * from "./transport.ts";
export type * from "./types.ts";
