/**
 * Every rule the ledger can refuse, as one closed set of codes. The HTTP layer maps each
 * code to a status in one place (packages/functions/src/http/api-error.ts); tests match on
 * `code`, never on `message`.
 */
export const errorCodes = [
  "validation_failed",
  "invalid_amount",
  "unknown_service",
  "insufficient_coins",
  "account_not_found",
  "transaction_not_found",
  "idempotency_conflict",
  "refund_exceeds_original",
  "balance_limit_exceeded",
  "account_frozen",
  "hold_not_found",
  "hold_not_pending",
  "too_many_holds",
  "order_not_found",
  "package_not_found",
  "order_not_pending",
  "below_minimum_purchase",
  "payment_declined",
  "payment_pending",
  "payment_mismatch",
  "refund_window_closed",
  "purchase_coins_spent",
  "alert_not_found",
  "auto_charge_unavailable",
  "customer_key_mismatch",
  "charge_not_found",
  "charge_not_refund_pending",
  "contention",
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** Base of every error the domain raises on purpose; anything else is a bug (500). */
export class NyangError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "NyangError";
  }
}

/** Type guard for domain errors, optionally of one code. */
export function isNyangError(e: unknown, code?: ErrorCode): e is NyangError {
  return e instanceof NyangError && (code === undefined || e.code === code);
}

/** The account does not have enough available (balance − held) coins for a debit. */
export const insufficientCoins = (required: string, available: string) =>
  new NyangError("insufficient_coins", "Not enough coins (코인이 부족합니다)", { required, available });

/** No account exists for the user id. */
export const accountNotFound = (userId: string) =>
  new NyangError("account_not_found", `No account for user ${userId}`, { userId });

/** No ledger entry with this id in the account. */
export const transactionNotFound = (transactionId: string) =>
  new NyangError("transaction_not_found", `No transaction ${transactionId}`, { transactionId });

/** The idempotency key was already used for a different request on this account. */
export const idempotencyConflict = (key: string) =>
  new NyangError(
    "idempotency_conflict",
    "This Idempotency-Key was already used with a different request",
    { idempotencyKey: key },
  );

/** Refunds of an entry would add up to more than the entry itself. */
export const refundExceedsOriginal = (transactionId: string, refundable: string, requested: string) =>
  new NyangError("refund_exceeds_original", "Refunds would exceed the original amount", {
    transactionId,
    refundable,
    requested,
  });

/** A credit would lift the balance above MAX_COIN_AMOUNT. */
export const balanceLimitExceeded = (max: string, balanceAfter: string) =>
  new NyangError("balance_limit_exceeded", `The balance would exceed the maximum of ${max}`, {
    max,
    balanceAfter,
  });

/** An admin froze the account; coins cannot be spent from it. */
export const accountFrozen = (userId: string) =>
  new NyangError("account_frozen", "The account is frozen", { userId });

/** A service type that is not in the price list. */
export const unknownService = (serviceType: string) =>
  new NyangError("unknown_service", `Unknown service type ${serviceType}`, { serviceType });

/** Another writer kept winning the account's version race, past every retry. */
export const contention = (userId: string) =>
  new NyangError("contention", "The account is too busy right now; retry with the same Idempotency-Key", {
    userId,
  });

/** No hold with this id on the account. */
export const holdNotFound = (holdId: string) => new NyangError("hold_not_found", `No hold ${holdId}`, { holdId });

/** No auto-charge record with this id on the account. */
export const chargeNotFound = (userId: string, chargeId: string) =>
  new NyangError("charge_not_found", `No auto-charge ${chargeId} on account ${userId}`, { userId, chargeId });

/** An operator asked to retry the refund of an auto-charge that is not waiting for one (refunded, never refunding, or a refund still under way). */
export const chargeNotRefundPending = (charge: { id: string; status: string; leaseUntil: string | null }) =>
  new NyangError(
    "charge_not_refund_pending",
    charge.status === "refund_pending"
      ? `The refund of auto-charge ${charge.id} is under way (until ${charge.leaseUntil}); it is retried by itself`
      : `Auto-charge ${charge.id} is ${charge.status}: no refund waits for an operator`,
    { chargeId: charge.id, status: charge.status },
  );
