/**
 * The payment gateway port. The ledger never knows which gateway it talks to: Toss
 * Payments in AWS (`toss-gateway.ts`), a fake that speaks Toss's HTTP contract locally
 * and in tests (`packages/local`). Every call is safe to repeat: the caller passes the
 * idempotency key it will reuse on retries, and the gateway's answer for a repeated key
 * is the first answer.
 */

/** A payment's state at the gateway (Toss Payments' `status` values). */
export type PaymentStatus =
  | "READY"
  | "IN_PROGRESS"
  | "WAITING_FOR_DEPOSIT"
  | "DONE"
  | "CANCELED"
  | "PARTIAL_CANCELED"
  | "ABORTED"
  | "EXPIRED";

/** What the gateway says about one payment. Amounts are KRW (integers). */
export interface Payment {
  paymentKey: string;
  orderId: string;
  status: PaymentStatus;
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

/** The gateway answered and refused: the card was declined, the key is unknown, … */
export class PaymentDeclinedError extends Error {
  constructor(
    readonly gatewayCode: string,
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
    this.name = "PaymentDeclinedError";
  }
}

/**
 * The gateway holds no payment under this key that this order may confirm: the key is unknown,
 * its checkout has expired, or the customer authorised it for another order (Toss:
 * NOT_FOUND_PAYMENT, NOT_FOUND_PAYMENT_SESSION). Nothing was charged for the order, which can
 * still be confirmed with its own key.
 */
export class PaymentNotForOrderError extends PaymentDeclinedError {
  constructor(gatewayCode: string, message: string, httpStatus: number) {
    super(gatewayCode, message, httpStatus);
    this.name = "PaymentNotForOrderError";
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
   * A key that is not a payment this order may confirm is refused with {@link PaymentNotForOrderError};
   * one already approved (for this order or another) is declined ALREADY_PROCESSED_PAYMENT, and
   * {@link PaymentGateway.findByPaymentKey} tells which order it paid.
   */
  confirm(req: ConfirmRequest): Promise<Payment>;
  /** The payment made for an order, or null if the gateway knows none (Toss: GET /v1/payments/orders/{orderId}). */
  findByOrderId(orderId: string): Promise<Payment | null>;
  /** The payment under a payment key, whichever order it is for, or null if the gateway knows none (Toss: GET /v1/payments/{paymentKey}). */
  findByPaymentKey(paymentKey: string): Promise<Payment | null>;
  /** Cancels (refunds) a payment (Toss: POST /v1/payments/{paymentKey}/cancel). */
  cancel(req: CancelRequest): Promise<Payment>;
  /** Registers a card for automatic payments (Toss: POST /v1/billing/authorizations/issue). */
  issueBillingKey(req: IssueBillingKeyRequest): Promise<BillingKey>;
  /** Charges a registered card (Toss: POST /v1/billing/{billingKey}); looked up by order id like any payment. */
  chargeBillingKey(req: BillingChargeRequest): Promise<Payment>;
}
