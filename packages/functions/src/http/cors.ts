import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

/**
 * Cross-origin access for browsers (the console, product pages embedding the widget).
 * The app answers CORS itself — preflight included — in Lambda and locally alike; on AWS the
 * HTTP API has no CORS configuration of its own and routes `OPTIONS /{proxy+}` to the
 * function (stacks/api.ts), so one piece of code decides everywhere.
 */

/** What a browser may send and read besides the CORS-safelisted headers. */
export const corsPolicy = {
  allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
  allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key"],
  exposeHeaders: ["Idempotent-Replayed", "Retry-After"],
  /** Seconds a browser may cache a preflight (Chromium caps it at 7200). */
  maxAge: 600,
} as const;

/**
 * `NYANG_CORS_ORIGINS`: comma-separated origins (`https://console.example.com,http://127.0.0.1:3024`).
 * Each must be a bare origin (scheme, host, optional port); `*` is refused because every call
 * carries a bearer token and an allow-all list would hand it to any page.
 */
export function corsOriginsFromEnv(env: { NYANG_CORS_ORIGINS?: string | undefined }): string[] {
  return parseCorsOrigins(env.NYANG_CORS_ORIGINS);
}

/** The origins of `NYANG_CORS_ORIGINS`'s text (see corsOriginsFromEnv); throws naming a bad one. */
export function parseCorsOrigins(value: string | undefined): string[] {
  const raw = value?.trim();
  if (!raw) return [];
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((origin) => {
      const url = URL.canParse(origin) ? new URL(origin) : undefined;
      if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.origin !== origin.replace(/\/$/, "")) {
        throw new Error(`NYANG_CORS_ORIGINS: ${JSON.stringify(origin)} is not a bare http(s) origin (scheme://host[:port], no path)`);
      }
      return url.origin;
    });
}

/** Hono's CORS middleware for exactly these origins; other origins get no CORS headers at all. */
export function corsFor(origins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(origins);
  return cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: [...corsPolicy.allowMethods],
    allowHeaders: [...corsPolicy.allowHeaders],
    exposeHeaders: [...corsPolicy.exposeHeaders],
    maxAge: corsPolicy.maxAge,
  });
}
