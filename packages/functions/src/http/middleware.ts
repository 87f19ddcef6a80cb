import type { Context, MiddlewareHandler } from "hono";
import { ApiError } from "./api-error.ts";
import { authorize, type Access, type TokenVerifier } from "./auth.ts";
import type { AppEnv } from "./context.ts";

/**
 * Route guards, run before any body is parsed so that a caller who may not act learns
 * nothing about the request's shape: authenticate (401), authorize (403), then the
 * Idempotency-Key rule (400).
 */

/** Verifies the bearer token and docs/api.md's role and ownership rule for the route. */
export function guard(verifyToken: TokenVerifier, access: Access): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new ApiError("unauthorized", "An Authorization: Bearer <token> header is required");
    const principal = await verifyToken(match[1]!);
    c.set("principal", principal);
    const userId = authorize(principal, access, c.req.param("userId"));
    if (userId !== undefined) c.set("userId", userId);
    await next();
  };
}

const printableAscii = /^[\x20-\x7e]{1,255}$/;

/** Coin-moving POSTs need an Idempotency-Key: 1–255 printable ASCII characters. */
export const requireIdempotencyKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const key = rawIdempotencyKey(c);
  if (key === undefined || key === "") {
    throw new ApiError("idempotency_key_required", "This request moves coins: send an Idempotency-Key header");
  }
  if (!printableAscii.test(key)) {
    throw new ApiError("validation_failed", "Idempotency-Key must be 1–255 printable ASCII characters", {
      fields: { "Idempotency-Key": "1–255 printable ASCII characters" },
    });
  }
  c.set("idempotencyKey", key);
  await next();
};

/** Release takes an Idempotency-Key when the caller sends one; it moves no coins. */
export const optionalIdempotencyKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const key = rawIdempotencyKey(c);
  if (key !== undefined && key !== "" && !printableAscii.test(key)) {
    throw new ApiError("validation_failed", "Idempotency-Key must be 1–255 printable ASCII characters", {
      fields: { "Idempotency-Key": "1–255 printable ASCII characters" },
    });
  }
  if (key) c.set("idempotencyKey", key);
  await next();
};

/**
 * The header as the caller sent it. Hono's Lambda adapter percent-encodes non-ASCII
 * header values, which would turn a bad key into a valid-looking one; the raw event
 * still has it as sent.
 */
function rawIdempotencyKey(c: Context<AppEnv>): string | undefined {
  const event = (c.env as { event?: { headers?: Record<string, string | undefined> } } | undefined)?.event;
  if (event?.headers) {
    const found = Object.entries(event.headers).find(([name]) => name.toLowerCase() === "idempotency-key");
    return found?.[1];
  }
  return c.req.header("idempotency-key");
}

/** A JSON body is required: anything else would validate as an empty object. */
export const requireJsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const type = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") {
    throw new ApiError("validation_failed", "Send the body as JSON (Content-Type: application/json)", {
      fields: { body: "Content-Type must be application/json" },
    });
  }
  await next();
};
