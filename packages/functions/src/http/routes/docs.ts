import { errorSchema } from "../schemas.ts";

/** OpenAPI response entries for the error statuses a route can answer with. */
export function errorResponses(...statuses: number[]) {
  const described: Record<number, string> = {
    400: "validation_failed, invalid_amount, unknown_service or idempotency_key_required",
    401: "unauthorized: no, invalid or expired token",
    402: "insufficient_coins",
    403: "forbidden: role or ownership",
    404: "account_not_found or transaction_not_found",
    409: "idempotency_conflict or refund_exceeds_original",
    413: "payload_too_large: body over 64 KiB",
    422: "balance_limit_exceeded",
    423: "account_frozen",
  };
  return Object.fromEntries(
    statuses.map((s) => [s, { description: described[s] ?? "error", content: { "application/json": { schema: errorSchema } } }]),
  );
}

export const jsonContent = <T>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const bearer = [{ bearerAuth: [] }];

/** Idempotency-Key, documented on every coin-moving POST. */
export const idempotencyHeaderDoc = {
  name: "Idempotency-Key",
  in: "header" as const,
  required: true,
  schema: { type: "string" as const, minLength: 1, maxLength: 255 },
  description: "Scoped to the account; a replay returns the original result with Idempotent-Replayed: true",
};
