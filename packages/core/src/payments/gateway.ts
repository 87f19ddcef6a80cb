/**
 * The payment gateway port. The ledger never knows which gateway it talks to: Toss
 * Payments in AWS (`toss-gateway.ts`), a fake that speaks Toss's HTTP contract locally
 * and in tests (`packages/local`). Every call is safe to repeat: the caller passes the
 * idempotency key it will reuse on retries, and the gateway's answer for a repeated key
 * is the first answer.
 *
 * The port speaks no gateway's language: statuses are {@link PaymentStatus}, refusals carry a
 * {@link PaymentFailureReason}, and silence is {@link PaymentUnknownError}. A gateway's own codes
 * travel only as data. To add a gateway: an adapter beside `toss-gateway.ts` that maps its
 * statuses and codes onto these in one place, a case in `choose.ts` (the one place a deployment's
 * gateway is chosen), and a target for the contract suite in test/payments (see
 * `gateway.contract.ts`).
 */

/**
 * A payment's state, in the port's own words (each adapter maps its gateway's onto these, once):
 * - `pending`: authorised or under way, not approved yet (Toss: READY, IN_PROGRESS, WAITING_FOR_DEPOSIT);
 * - `approved`: the money is taken (Toss: DONE);
 * - `partially_canceled`: approved, part of it given back (Toss: PARTIAL_CANCELED);
 * - `canceled`: approved, then all of it given back (Toss: CANCELED);
 * - `failed`: refused or abandoned, nothing taken (Toss: ABORTED);
 * - `expired`: never completed in time, nothing taken (Toss: EXPIRED).
 */
export const paymentStatuses = ["pending", "approved", "partially_canceled", "canceled", "failed", "expired"] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

/** What the gateway says about one payment. Amounts are KRW (integers). */
export interface Payment {
  paymentKey: string;
  orderId: string;
  status: PaymentStatus;
  /**
   * The gateway's own word for the status (Toss: DONE, ABORTED, …). Never decided on; kept so
   * what Nyang records about a payment (an order's failure code) reads as the gateway said it.
   */
  gatewayStatus: string;
  /** The amount the payment was made for. */
  totalAmount: number;
  /** What is left after cancellations. */
  balanceAmount: number;
  method: string | null;
  approvedAt: string | null;
}

export interface ConfirmRequest {
  paymentKey: string;
  orderId: string;
  amount: number;
  idempotencyKey: string;
}

export interface CancelRequest {
  paymentKey: string;
  reason: string;
  /** KRW to cancel; the whole remaining amount when absent. */
  amount?: number;
  idempotencyKey: string;
}

/**
 * The customer's card as registered for automatic payments (Toss: the Billing object). The
 * `billingKey` is a credential: whoever holds it with the customer key can charge the card,
 * so it is stored but never shown or logged.
 */
export interface BillingKey {
  billingKey: string;
  customerKey: string;
  /** e.g. "카드" */
  method: string | null;
  /** The card as the customer may see it again: issuer and masked number. */
  cardCompany: string | null;
  cardNumber: string | null;
  authenticatedAt: string | null;
}

/** Turns the one-time `authKey` from the card-registration window into a billing key. */
export interface IssueBillingKeyRequest {
  authKey: string;
  customerKey: string;
  idempotencyKey: string;
}

/** A payment the merchant makes with a billing key, without the customer (Toss: automatic payment). */
export interface BillingChargeRequest {
  billingKey: string;
  customerKey: string;
  orderId: string;
  orderName: string;
  /** KRW */
  amount: number;
  idempotencyKey: string;
}

/**
 * Why a gateway refused, in the port's words: a small closed set, so the domain decides on it
 * without knowing any gateway's codes. Each adapter maps its gateway's codes onto it in one
 * place and keeps the original code and message beside it ({@link PaymentDeclinedError}).
 */
export const paymentFailureReasons = [
  /** The payer's means of payment was refused (card declined, over its limit, …), or a refusal with no better name. */
  "declined",
  /**
   * No payment (or registered card) under that key that this call may act on. On confirm: the
   * key was never issued, its checkout expired, or the customer authorised it for another order
   * — nothing was charged for this order, which can still be confirmed with its own key.
   */
  "not_found",
  /** The payment key was approved before — by a confirm of this order whose answer was lost, or for another order. */
  "already_processed",
  /** The order id already has an approved payment (a second charge under a new idempotency key). */
  "duplicate_order",
  /** Nothing is left to cancel: the payment is cancelled already. */
  "already_canceled",
  /** The payment cannot be cancelled (its state, or more than what is left). */
  "not_cancelable",
  /** The amount is not the one the customer authorised (a gateway that names it; Toss says invalid_request). */
  "amount_mismatch",
  /** The customer key is not the one the card (or its registration) belongs to. */
  "customer_mismatch",
  /** The gateway refused the merchant's credentials. */
  "unauthorized",
  /** The gateway refused the request as malformed (a field, an over-long idempotency key, an unknown route). */
  "invalid_request",
] as const;
export type PaymentFailureReason = (typeof paymentFailureReasons)[number];

/**
 * The gateway answered and refused: nothing was done. `reason` is what the domain decides on;
 * `gatewayCode` and `message` are the gateway's own words, kept for what Nyang shows and
 * records (`details.gatewayCode`, an order's failure code, alerts).
 */
export class PaymentDeclinedError extends Error {
  constructor(
    readonly reason: PaymentFailureReason,
    readonly gatewayCode: string,
    message: string,
  ) {
    super(message);
    this.name = "PaymentDeclinedError";
  }
}

/**
 * No answer we can trust: a time-out, a dropped connection, a 5xx. The payment may or
 * may not have happened; only a later look-up by order id can tell.
 */
export class PaymentUnknownError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "PaymentUnknownError";
  }
}

export interface PaymentGateway {
  /**
   * Approves a payment the customer authorised in the browser (Toss: POST /v1/payments/confirm).
   * A key that is not a payment this order may confirm is declined `not_found`; one already
   * approved (for this order or another) is declined `already_processed`, and
   * {@link PaymentGateway.findByPaymentKey} tells which order it paid.
   */
  confirm(req: ConfirmRequest): Promise<Payment>;
  /** The payment made for an order, or null if the gateway knows none (Toss: GET /v1/payments/orders/{orderId}). */
  findByOrderId(orderId: string): Promise<Payment | null>;
  /** The payment under a payment key, whichever order it is for, or null if the gateway knows none (Toss: GET /v1/payments/{paymentKey}). */
  findByPaymentKey(paymentKey: string): Promise<Payment | null>;
  /** Cancels (refunds) a payment; one with nothing left is declined `already_canceled` (Toss: POST /v1/payments/{paymentKey}/cancel). */
  cancel(req: CancelRequest): Promise<Payment>;
  /** Registers a card for automatic payments; another customer's authKey is declined `customer_mismatch` (Toss: POST /v1/billing/authorizations/issue). */
  issueBillingKey(req: IssueBillingKeyRequest): Promise<BillingKey>;
  /**
   * Charges a registered card; looked up by order id like any payment. An order id charged
   * before is declined `duplicate_order` (Toss: POST /v1/billing/{billingKey}).
   */
  chargeBillingKey(req: BillingChargeRequest): Promise<Payment>;
}
