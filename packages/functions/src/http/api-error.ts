import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isNyangError, type ErrorCode } from "@nyang/core";

/** Codes only the HTTP edge produces: who is calling, and how the request is framed. */
export type EdgeErrorCode =
  | "unauthorized"
  | "forbidden"
  | "idempotency_key_required"
  | "payload_too_large"
  | "not_found"
  | "internal";

/** A refusal decided at the HTTP edge, before the domain is asked. */
export class ApiError extends Error {
  constructor(
    readonly code: EdgeErrorCode | ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** API.md's status for every code: the one place a domain error becomes HTTP. */
const statusByCode: Record<EdgeErrorCode | ErrorCode, ContentfulStatusCode> = {
  validation_failed: 400,
  invalid_amount: 400,
  unknown_service: 400,
  idempotency_key_required: 400,
  unauthorized: 401,
  insufficient_coins: 402,
  forbidden: 403,
  account_not_found: 404,
  transaction_not_found: 404,
  hold_not_found: 404,
  not_found: 404,
  idempotency_conflict: 409,
  refund_exceeds_original: 409,
  hold_not_pending: 409,
  // An implementer's addition: an account carries at most 100 pending holds.
  too_many_holds: 409,
  order_not_found: 404,
  alert_not_found: 404,
  package_not_found: 404,
  order_not_pending: 409,
  refund_window_closed: 409,
  purchase_coins_spent: 409,
  below_minimum_purchase: 422,
  // Auto-charge cannot be turned on while the service's switch (AUTO_CHARGE_ENABLED) is off.
  auto_charge_unavailable: 409,
  // A card registration that is not the account's own (another account's authKey or customer key).
  customer_key_mismatch: 422,
  payment_declined: 402,
  // The gateway did not answer: the payment may have gone through. Confirm again later.
  payment_pending: 504,
  payload_too_large: 413,
  balance_limit_exceeded: 422,
  account_frozen: 423,
  // Retries ran out against other writers: API.md has no code of its own for it.
  contention: 500,
  internal: 500,
};

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** Turns anything thrown into API.md's error shape and status; never leaks a stack. */
export function toErrorResponse(e: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  if (e instanceof ApiError || isNyangError(e)) {
    const status = statusByCode[e.code];
    // contention is reported as API.md's `internal`, with the reason in details.
    const code = e.code === "contention" ? "internal" : e.code;
    const details = e.code === "contention" ? { ...e.details, reason: "contention" } : e.details;
    return { status, body: { error: { code, message: e.message, ...(details ? { details } : {}) } } };
  }
  return { status: 500, body: { error: { code: "internal", message: "Internal server error" } } };
}
