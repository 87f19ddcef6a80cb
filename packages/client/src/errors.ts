/**
 * Errors as values a caller can switch on. Every failure of a call is one `NyangError`:
 * an API answer carries docs/api.md's `status`, `code`, `message` and `details` and the request
 * id API Gateway stamped on it; a call that got no answer is `network_error` or `timeout`
 * with status 0. Guards narrow on the code (tests match codes, never messages).
 */

/** Every code the API answers with (its OpenAPI document lists them per route); `errors.test.ts` checks the list against the API's. */
export const apiErrorCodes = [
  "validation_failed",
  "invalid_amount",
  "unknown_service",
  "idempotency_key_required",
  "payload_too_large",
  "unauthorized",
  "insufficient_coins",
  "payment_declined",
  "forbidden",
  "not_found",
  "account_not_found",
  "transaction_not_found",
  "hold_not_found",
  "package_not_found",
  "order_not_found",
  "alert_not_found",
  "charge_not_found",
  "idempotency_conflict",
  "hold_not_pending",
  "refund_exceeds_original",
  "too_many_holds",
  "order_not_pending",
  "charge_not_refund_pending",
  "refund_window_closed",
  "purchase_coins_spent",
  "payment_mismatch",
  "customer_key_mismatch",
  "auto_charge_unavailable",
  "balance_limit_exceeded",
  "below_minimum_purchase",
  "account_frozen",
  "account_busy",
  "internal",
  "payment_pending",
] as const;

export type ApiErrorCode = (typeof apiErrorCodes)[number];

/** Failures without an API answer. */
export type TransportErrorCode = "network_error" | "timeout";

/** Any code a NyangError may carry; unknown future codes stay strings. */
export type NyangErrorCode = ApiErrorCode | TransportErrorCode | (string & {});

const BRAND = Symbol.for("@nyang/client.NyangError");

export interface NyangErrorInit {
  status: number;
  code: NyangErrorCode;
  message: string;
  details?: Record<string, unknown>;
  requestId?: string | null;
  /** What `Retry-After` asked for, in ms, when the API sent it. */
  retryAfterMs?: number | null;
  /** Attempts made for the logical call (1 = no retry). */
  attempts?: number;
  cause?: unknown;
}

/** The one error the client throws for a failed call. */
export class NyangError extends Error {
  override readonly name = "NyangError";
  /** The HTTP status; 0 when no answer came (`network_error`, `timeout`). */
  readonly status: number;
  readonly code: NyangErrorCode;
  readonly details: Record<string, unknown>;
  /** The `apigw-requestid` of the answer: quote it when asking about a request. */
  readonly requestId: string | null;
  readonly retryAfterMs: number | null;
  readonly attempts: number;

  constructor(init: NyangErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? {};
    this.requestId = init.requestId ?? null;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.attempts = init.attempts ?? 1;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** A NyangError whose code (and details) are known. */
export type NyangErrorOf<C extends NyangErrorCode, D extends Record<string, unknown> = Record<string, unknown>> = NyangError & {
  readonly code: C;
  readonly details: D;
};

/** Works across two copies of the package (a bundler may load both), unlike `instanceof`. */
export function isNyangError(e: unknown): e is NyangError {
  return e instanceof NyangError || (typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[BRAND] === true);
}

/** The error has this code. */
export function hasCode<C extends NyangErrorCode>(e: unknown, code: C): e is NyangErrorOf<C> {
  return isNyangError(e) && e.code === code;
}

/** 402: not enough available coins; `details.required` and `details.available` are amounts. */
export type InsufficientCoinsError = NyangErrorOf<"insufficient_coins", { required: string; available: string }>;
export const isInsufficientCoins = (e: unknown): e is InsufficientCoinsError => hasCode(e, "insufficient_coins");

/** 429 (or, before the API mapped contention to 429, a 500 with `details.reason: "contention"`): retry with the same key. */
export type AccountBusyError = NyangErrorOf<"account_busy" | "internal", { reason?: string }>;
export const isAccountBusy = (e: unknown): e is AccountBusyError =>
  hasCode(e, "account_busy") || (hasCode(e, "internal") && e.details.reason === "contention");

/** 409: the key was used before for a different request. */
export const isIdempotencyConflict = (e: unknown): e is NyangErrorOf<"idempotency_conflict"> => hasCode(e, "idempotency_conflict");
/** 423: an admin froze the account. */
export const isAccountFrozen = (e: unknown): e is NyangErrorOf<"account_frozen"> => hasCode(e, "account_frozen");
/** 422: the credit would lift the balance above MAX_COIN_AMOUNT. */
export const isBalanceLimitExceeded = (e: unknown): e is NyangErrorOf<"balance_limit_exceeded"> => hasCode(e, "balance_limit_exceeded");
/** 409: capture or release of a hold that is captured, released or expired. */
export const isHoldNotPending = (e: unknown): e is NyangErrorOf<"hold_not_pending"> => hasCode(e, "hold_not_pending");
/** 409: refunds would exceed the original entry. */
export const isRefundExceedsOriginal = (e: unknown): e is NyangErrorOf<"refund_exceeds_original"> => hasCode(e, "refund_exceeds_original");
/** 400: an amount the API refused (see docs/api.md, Amounts). */
export const isInvalidAmount = (e: unknown): e is NyangErrorOf<"invalid_amount"> => hasCode(e, "invalid_amount");
/** 400: the request did not match the schema; `details.fields` names the fields. */
export type ValidationFailedError = NyangErrorOf<"validation_failed", { fields?: Record<string, string> }>;
export const isValidationFailed = (e: unknown): e is ValidationFailedError => hasCode(e, "validation_failed");
/** 401: no, invalid or expired token. */
export const isUnauthorized = (e: unknown): e is NyangErrorOf<"unauthorized"> => hasCode(e, "unauthorized");
/** 403: role or ownership. */
export const isForbidden = (e: unknown): e is NyangErrorOf<"forbidden"> => hasCode(e, "forbidden");
/** 402 from the payment gateway: the card was refused and the order failed. */
export const isPaymentDeclined = (e: unknown): e is NyangErrorOf<"payment_declined"> => hasCode(e, "payment_declined");
/** 504: the gateway did not answer; confirm again (same key) or let the reconciliation settle it. */
export const isPaymentPending = (e: unknown): e is NyangErrorOf<"payment_pending"> => hasCode(e, "payment_pending");

/** Every 404 code: `account_not_found`, `hold_not_found`, …, and `not_found` (no such route). */
export type NotFoundCode = Extract<ApiErrorCode, "not_found" | `${string}_not_found`>;
export const isNotFound = (e: unknown): e is NyangErrorOf<NotFoundCode> =>
  isNyangError(e) && e.status === 404 && (e.code === "not_found" || e.code.endsWith("_not_found"));

/** No answer came (connection refused or dropped): safe to retry with the same key. */
export const isNetworkError = (e: unknown): e is NyangErrorOf<"network_error"> => hasCode(e, "network_error");
/** The call's time budget (`timeoutMs`) ran out before an answer. */
export const isTimeout = (e: unknown): e is NyangErrorOf<"timeout"> => hasCode(e, "timeout");
