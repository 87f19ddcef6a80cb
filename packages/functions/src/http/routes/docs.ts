import { errorSchema } from "../schemas.ts";

/** What each error status can mean, as documented on every route that answers it. */
const errorStatusDescriptions: Record<number, string> = {
  400: "validation_failed, invalid_amount, unknown_service or idempotency_key_required",
  401: "unauthorized: no, invalid or expired token",
  402: "insufficient_coins (details: required, available), or payment_declined",
  403: "forbidden: role or ownership",
  404: "account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found",
  409: "idempotency_conflict, or a state rule (refund_exceeds_original, hold_not_pending, too_many_holds, order_not_pending, payment_mismatch, charge_not_refund_pending, …)",
  413: "payload_too_large: body over 64 KiB",
  422: "balance_limit_exceeded or below_minimum_purchase",
  423: "account_frozen",
  429: "account_busy: too much contention on the account within the time budget; retry with the same Idempotency-Key after Retry-After seconds",
};

/** docs/api.md: an `account_busy` answer says when to retry. */
const retryAfterHeader = {
  "Retry-After": {
    description: "Seconds to wait before retrying with the same Idempotency-Key",
    schema: { type: "integer" as const, minimum: 1 },
  },
};

/** OpenAPI response entries for the error statuses a route can answer with. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: errorStatusDescriptions[s] ?? "error",
        content: { "application/json": { schema: errorSchema } },
        ...(s === 429 ? { headers: retryAfterHeader } : {}),
      },
    ]),
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
