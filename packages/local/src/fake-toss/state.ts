/**
 * What the fake knows: the payments its window authorised and Toss approved, the cards
 * registered for automatic payments, the idempotency records and the request log — Toss's
 * side of every exchange, in memory. The HTTP routes read and change it; tests read it.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { TossPaymentStatus } from "@nyang/core";
import type { Reply } from "./toss-errors.ts";
import type { FakeTossOperation } from "./faults.ts";

/** Toss's Payment object as the fake produces it (the fields of the documented samples). */
export interface FakeTossPayment {
  mId: string;
  lastTransactionKey: string | null;
  paymentKey: string;
  orderId: string;
  orderName: string;
  taxExemptionAmount: number;
  status: TossPaymentStatus;
  requestedAt: string;
  approvedAt: string | null;
  useEscrow: boolean;
  cultureExpense: boolean;
  card: Record<string, unknown> | null;
  virtualAccount: null;
  transfer: null;
  mobilePhone: null;
  giftCertificate: null;
  cashReceipt: null;
  cashReceipts: null;
  discount: null;
  cancels: FakeTossCancel[] | null;
  secret: null;
  type: "NORMAL" | "BILLING";
  easyPay: null;
  country: "KR";
  failure: { code: string; message: string } | null;
  isPartialCancelable: boolean;
  receipt: { url: string } | null;
  checkout: { url: string };
  currency: "KRW";
  totalAmount: number;
  balanceAmount: number;
  suppliedAmount: number;
  vat: number;
  taxFreeAmount: number;
  metadata: null;
  method: string | null;
  version: string;
}

export interface FakeTossCancel {
  transactionKey: string;
  cancelReason: string;
  taxExemptionAmount: number;
  canceledAt: string;
  transferDiscountAmount: number;
  easyPayDiscountAmount: number;
  receiptKey: string | null;
  cancelAmount: number;
  taxFreeAmount: number;
  refundableAmount: number;
  cancelStatus: "DONE";
  cancelRequestId: string | null;
}

/** Toss's Billing object as the fake produces it (the fields of the card-billing guide's sample). */
export interface FakeTossBilling {
  mId: string;
  customerKey: string;
  authenticatedAt: string;
  method: string;
  billingKey: string;
  card: { issuerCode: string; acquirerCode: string; number: string; cardType: string; ownerType: string };
  cardCompany: string;
  cardNumber: string;
}

/** One request the fake received, for assertions. */
export interface FakeTossRequest {
  operation: FakeTossOperation | "unknown";
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  /**
   * What happened: the HTTP status sent, or how the request was dropped (`timeout`: held, then
   * dropped; `client_gone`: the client hung up while held; `lost`: applied, answer dropped).
   * `pending` while being handled, `held` while a timeout mode holds it.
   */
  outcome: number | "pending" | "held" | "timeout" | "lost" | "client_gone";
  /** The answer was a stored one, replayed for a repeated idempotency key. */
  replayed: boolean;
}

/** A checkout the payment window authorised, waiting for its confirm. */
export interface Session {
  orderId: string;
  amount: number;
  orderName: string;
  requestedAt: string;
}

/** Toss's rule for customerKey: 2–300 characters of letters, digits and - _ = . @ */
export const CUSTOMER_KEY = /^[A-Za-z0-9_=.@-]{2,300}$/;
/** Toss's rule for orderId: 6–64 characters of letters, digits, - and _. */
export const ORDER_ID = /^[A-Za-z0-9_-]{6,64}$/;
const API_VERSION = "2022-11-16";
const defaultOrderName = "냥 코인 충전";

export class FakeTossState {
  /** Authorised, not yet confirmed: payment key → its checkout. */
  readonly sessions = new Map<string, Session>();
  /** Every payment confirmed or charged (approved or refused), by payment key. */
  readonly payments = new Map<string, FakeTossPayment>();
  /** order id → the key of its latest payment. */
  readonly orderIndex = new Map<string, string>();
  /** payment key → when it was last cancelled (Toss refuses a second cancel within a second). */
  readonly lastCancelAt = new Map<string, number>();
  /** `method path key` → the first answer, replayed for a repeat within 15 days. */
  readonly idempotency = new Map<string, { reply: Reply; at: number }>();
  /** Idempotency scopes whose first request is still being handled. */
  readonly inFlight = new Set<string>();
  /** authKey → the customer key its registration window was opened with (kept after the exchange). */
  readonly billingAuths = new Map<string, string>();
  readonly usedAuthKeys = new Set<string>();
  readonly billingKeys = new Map<string, FakeTossBilling>();
  readonly requests: FakeTossRequest[] = [];
  confirmCalls = 0;
  /** Where the fake listens (known once it does): receipt and checkout URLs point there. */
  baseUrl = "";

  constructor(readonly now: () => Date) {}

  /** The payment window's step: a payment key for this order and amount. */
  authorize(input: { orderId: string; amount: number; orderName?: string | undefined }): string {
    if (!ORDER_ID.test(input.orderId)) {
      throw new Error(`orderId must be 6–64 characters of A-Z a-z 0-9 - _ (Toss's rule), got ${JSON.stringify(input.orderId)}`);
    }
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0) {
      throw new Error(`amount must be a positive integer (KRW), got ${String(input.amount)}`);
    }
    if (this.isSettled(input.orderId)) throw new Error(`order ${input.orderId} already has a payment (DUPLICATED_ORDER_ID)`);
    const paymentKey = paymentKeyOf(this.now());
    this.sessions.set(paymentKey, {
      orderId: input.orderId,
      amount: input.amount,
      orderName: input.orderName ?? defaultOrderName,
      requestedAt: kst(this.now()),
    });
    return paymentKey;
  }

  /** The card-registration window's step: a one-time authKey bound to the customer key. */
  authorizeBilling(input: { customerKey: string }): string {
    if (!CUSTOMER_KEY.test(input.customerKey)) {
      throw new Error(`customerKey must be 2–300 characters of A-Z a-z 0-9 - _ = . @ (Toss's rule), got ${JSON.stringify(input.customerKey)}`);
    }
    const authKey = `bln-${randomUUID()}`;
    this.billingAuths.set(authKey, input.customerKey);
    return authKey;
  }

  /** The latest payment for an order, if any. */
  paymentByOrderId(orderId: string): FakeTossPayment | undefined {
    const key = this.orderIndex.get(orderId);
    return key === undefined ? undefined : this.payments.get(key);
  }

  /** The order has a payment that was not refused or left to expire. */
  isSettled(orderId: string): boolean {
    const p = this.paymentByOrderId(orderId);
    return p !== undefined && p.status !== "ABORTED" && p.status !== "EXPIRED";
  }

  save(payment: FakeTossPayment): void {
    this.payments.set(payment.paymentKey, payment);
    this.orderIndex.set(payment.orderId, payment.paymentKey);
  }

  /** A payment the window authorised, about to be confirmed or charged (IN_PROGRESS until decided). */
  newPayment(paymentKey: string, session: Session): FakeTossPayment {
    const payment: FakeTossPayment = {
      mId: "tosspayments",
      lastTransactionKey: transactionKeyOf(),
      paymentKey,
      orderId: session.orderId,
      orderName: session.orderName,
      taxExemptionAmount: 0,
      status: "IN_PROGRESS",
      requestedAt: session.requestedAt,
      approvedAt: null,
      useEscrow: false,
      cultureExpense: false,
      card: {
        issuerCode: "71",
        acquirerCode: "71",
        number: "12345678****000*",
        installmentPlanMonths: 0,
        isInterestFree: false,
        interestPayer: null,
        approveNo: "00000000",
        useCardPoint: false,
        cardType: "신용",
        ownerType: "개인",
        acquireStatus: "READY",
        amount: session.amount,
      },
      virtualAccount: null,
      transfer: null,
      mobilePhone: null,
      giftCertificate: null,
      cashReceipt: null,
      cashReceipts: null,
      discount: null,
      cancels: null,
      secret: null,
      type: "NORMAL",
      easyPay: null,
      country: "KR",
      failure: null,
      isPartialCancelable: true,
      receipt: { url: `${this.baseUrl}/__fake/receipt/${encodeURIComponent(paymentKey)}` },
      checkout: { url: `${this.baseUrl}/v1/payments/${encodeURIComponent(paymentKey)}/checkout` },
      currency: "KRW",
      totalAmount: session.amount,
      balanceAmount: session.amount,
      suppliedAmount: 0,
      vat: 0,
      taxFreeAmount: 0,
      metadata: null,
      method: "카드",
      version: API_VERSION,
    };
    setTax(payment);
    return payment;
  }

  /** Forgets payments, authorisations, idempotency records and the request log. */
  reset(): void {
    this.billingAuths.clear();
    this.usedAuthKeys.clear();
    this.billingKeys.clear();
    this.sessions.clear();
    this.payments.clear();
    this.orderIndex.clear();
    this.lastCancelAt.clear();
    this.idempotency.clear();
    this.requests.length = 0;
    this.confirmCalls = 0;
  }
}

/** Supply value and VAT as Toss reports them: VAT is 1/11 of what is left, rounded. */
export function setTax(p: FakeTossPayment): void {
  p.suppliedAmount = Math.round((p.balanceAmount * 10) / 11);
  p.vat = p.balanceAmount - p.suppliedAmount;
}

/** Toss's timestamp format: ISO 8601 in Korea time, e.g. 2024-02-13T12:17:57+09:00. */
export function kst(d: Date): string {
  const shifted = new Date(d.getTime() + 9 * 60 * 60 * 1000);
  return `${shifted.toISOString().slice(0, 19)}+09:00`;
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Shaped like Toss's newer keys (`tviva20240213121757MvuS8`): a prefix, the time, random characters. */
export function paymentKeyOf(d: Date): string {
  const stamp = kst(d).slice(0, 19).replace(/\D/g, "");
  const bytes = randomBytes(8);
  let tail = "";
  for (const b of bytes) tail += BASE62[b % 62];
  return `tnyan${stamp}${tail}`;
}

/** A billing key: opaque base64-like text, as Toss's are. */
export function billingKeyOf(): string {
  return randomBytes(32).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

export function transactionKeyOf(): string {
  return randomUUID().replace(/-/g, "").toUpperCase();
}
