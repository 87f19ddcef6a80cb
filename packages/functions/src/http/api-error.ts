import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isNyangError, type ErrorCode } from "@nyang/core";

/** Codes only the HTTP edge produces: who is calling, and how the request is framed. */
export type EdgeErrorCode =
  | "unauthorized"
  | "forbidden"
  | "idempotency_key_required"
  | "payload_too_large"
  | "not_found"
  | "account_busy"
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

/** docs/api.md's status for every code: the one place a domain error becomes HTTP. */
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
  // An operator's refund retry (admin) of an auto-charge: unknown, or not waiting for one.
  charge_not_found: 404,
  charge_not_refund_pending: 409,
  payment_declined: 402,
  // The gateway did not answer: the payment may have gone through. Confirm again later.
  payment_pending: 504,
  // The payment key is not a payment of this order (unknown, expired, or another order's): nothing was charged for it.
  payment_mismatch: 409,
  payload_too_large: 413,
  balance_limit_exceeded: 422,
  account_frozen: 423,
  // Retries ran out against other writers within the time budget: the caller retries
  // with the same Idempotency-Key after Retry-After. Never a 5xx (docs/api.md).
  contention: 429,
  account_busy: 429,
  internal: 500,
};

/** Every code a client can see, with its status (the domain's `contention` shows as `account_busy`). */
export function publicErrorStatuses(): Record<string, number> {
  return Object.fromEntries(Object.entries(statusByCode).filter(([code]) => publicCode(code as ErrorCode) === code));
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** How long a caller told `account_busy` waits before retrying: the race it lost is over by then. */
export const ACCOUNT_BUSY_RETRY_AFTER_SECONDS = 1;

/** The code a client sees: the domain's `contention` is docs/api.md's `account_busy`. */
const publicCode = (code: EdgeErrorCode | ErrorCode): EdgeErrorCode | ErrorCode => (code === "contention" ? "account_busy" : code);

/** Turns anything thrown into docs/api.md's error shape, status and headers; never leaks a stack. */
export function toErrorResponse(e: unknown): { status: ContentfulStatusCode; body: ErrorBody; headers: Record<string, string> } {
  if (e instanceof ApiError || isNyangError(e)) {
    const code = publicCode(e.code);
    const status = statusByCode[code];
    const headers: Record<string, string> = code === "account_busy" ? { "Retry-After": String(ACCOUNT_BUSY_RETRY_AFTER_SECONDS) } : {};
    return { status, headers, body: { error: { code, message: e.message, ...(e.details ? { details: e.details } : {}) } } };
  }
  return { status: 500, headers: {}, body: { error: { code: "internal", message: "Internal server error" } } };
}
