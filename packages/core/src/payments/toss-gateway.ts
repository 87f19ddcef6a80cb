/**
 * The Toss Payments adapter for the {@link PaymentGateway} port: Toss's documented core API
 * over the global `fetch`, nothing else.
 *
 * What it follows (Toss Payments developer docs, read 2026):
 * - Authentication — "인증 및 기타 헤더 설정",
 *   https://docs.tosspayments.com/reference/using-api/authorization : `Authorization: Basic
 *   base64(secretKey + ":")` (the secret key is the user id, the password is empty, the colon
 *   must not be left out).
 * - Idempotency — same page, "멱등키 헤더" (also https://docs.tosspayments.com/guides/using-api/idempotency-key):
 *   `Idempotency-Key` on any POST, at most 300 characters, valid for 15 days from first use;
 *   Toss scopes a key by (key, API key, URL, HTTP method) — not by the body — and answers a
 *   repeat with the first answer; `409 IDEMPOTENT_REQUEST_PROCESSING` while the first is still
 *   running ("ask again"); `400 INVALID_IDEMPOTENCY_KEY` for an over-long key. GET ignores it.
 * - Confirm — `POST /v1/payments/confirm` with `{ paymentKey, orderId, amount }`, answered with
 *   the Payment object (https://docs.tosspayments.com/reference, 결제 승인).
 * - Look-up — `GET /v1/payments/orders/{orderId}` and `GET /v1/payments/{paymentKey}` ("결제 조회 API",
 *   https://docs.tosspayments.com/guides/apis/get-payment), the same Payment object; the one by key
 *   names the order a payment key paid.
 * - Cancel — `POST /v1/payments/{paymentKey}/cancel` with `{ cancelReason, cancelAmount? }`;
 *   without `cancelAmount` the whole remaining amount is cancelled ("결제 취소 API",
 *   https://docs.tosspayments.com/guides/apis/cancel-payment).
 * - Automatic payments (billing) — "카드 자동결제(빌링) API",
 *   https://docs.tosspayments.com/guides/apis/card-billing and the billing integration guide
 *   https://docs.tosspayments.com/guides/billing/integration : the card-registration window
 *   (`requestBillingAuth`) redirects with `authKey` and `customerKey`; `POST
 *   /v1/billing/authorizations/issue` with `{ authKey, customerKey }` answers the Billing object
 *   (`billingKey`, `customerKey`, `method`, `card`, …); `POST /v1/billing/{billingKey}` with
 *   `{ customerKey, amount, orderId, orderName }` answers a Payment object (`type: "BILLING"`),
 *   found afterwards by its order id like any payment. A customer key other than the one the
 *   billing key was issued for is refused (400 NOT_MATCHES_CUSTOMER_KEY).
 * - Errors — "에러 코드", https://docs.tosspayments.com/reference/error-codes : a failed
 *   request answers an HTTP status and `{ code, message }` (e.g. 400 ALREADY_PROCESSED_PAYMENT,
 *   401 UNAUTHORIZED_KEY, 403 REJECT_CARD_PAYMENT, 404 NOT_FOUND_PAYMENT, 500
 *   FAILED_INTERNAL_SYSTEM_PROCESSING).
 *
 * How answers map onto the port — here and nowhere else: a 2xx Payment object → {@link Payment},
 * its status through {@link TOSS_STATUSES} (Toss's word kept as `gatewayStatus`); a 4xx Toss
 * error → {@link PaymentDeclinedError} (the gateway answered and refused), its reason through
 * {@link TOSS_FAILURE_REASONS} (Toss's code and message kept beside it) — e.g. confirm's two 404s
 * that say the key is no payment this order may confirm (NOT_FOUND_PAYMENT: never issued;
 * NOT_FOUND_PAYMENT_SESSION: its checkout expired or was for another order id, in the error
 * table's confirm section) are `not_found`; everything that leaves the outcome open →
 * {@link PaymentUnknownError}: no answer within the time-out, a network error, a 5xx, a body
 * that is not what Toss documents, and the few 4xx codes that mean "not decided yet" (409
 * IDEMPOTENT_REQUEST_PROCESSING, 408, 429, PROVIDER_ERROR "일시적인 오류"). Only a look-up by
 * order id settles an unknown outcome.
 */
import { z } from "zod";
import { ConfigError } from "../config.ts";
import {
  PaymentDeclinedError,
  PaymentUnknownError,
  type BillingChargeRequest,
  type BillingKey,
  type CancelRequest,
  type ConfirmRequest,
  type IssueBillingKeyRequest,
  type Payment,
  type PaymentFailureReason,
  type PaymentGateway,
  type PaymentStatus,
} from "./gateway.ts";

/** Toss's API host (live and test keys share it; the key decides which). */
export const TOSS_DEFAULT_BASE_URL = "https://api.tosspayments.com";
/** Client time-out when none is given. */
export const TOSS_DEFAULT_TIMEOUT_MS = 10_000;

export interface TossPaymentsGatewayOptions {
  /** e.g. `https://api.tosspayments.com`, or the local fake's URL. No trailing path. */
  baseUrl: string;
  /** `test_sk_…` / `live_sk_…` (or `…_gsk_…` for the payment widget). */
  secretKey: string;
  /** Give up waiting after this long (headers and body); the outcome is then unknown. Default 10 000. */
  timeoutMs?: number;
  /** Defaults to the global `fetch`; tests pass a stub. */
  fetch?: typeof fetch;
}

/** Toss's payment statuses (the Payment object's `status`), each with the port's word for it. */
export const TOSS_STATUSES = {
  READY: "pending",
  IN_PROGRESS: "pending",
  WAITING_FOR_DEPOSIT: "pending",
  DONE: "approved",
  CANCELED: "canceled",
  PARTIAL_CANCELED: "partially_canceled",
  ABORTED: "failed",
  EXPIRED: "expired",
} as const satisfies Record<string, PaymentStatus>;
/** A Toss Payment object's `status`. */
export type TossPaymentStatus = keyof typeof TOSS_STATUSES;
const tossPaymentStatuses = Object.keys(TOSS_STATUSES) as [TossPaymentStatus, ...TossPaymentStatus[]];

/**
 * Toss's refusal codes (reference/error-codes) with the port's reason for each; a code not
 * listed is `declined`. Codes that leave the outcome open never get here ({@link UNDECIDED_CODES}).
 */
export const TOSS_FAILURE_REASONS: Readonly<Record<string, PaymentFailureReason>> = {
  ALREADY_PROCESSED_PAYMENT: "already_processed",
  DUPLICATED_ORDER_ID: "duplicate_order",
  ALREADY_CANCELED_PAYMENT: "already_canceled",
  NOT_CANCELABLE_PAYMENT: "not_cancelable",
  NOT_CANCELABLE_AMOUNT: "not_cancelable",
  // Confirm: never issued / its checkout expired or was for another order id. Nothing was charged.
  NOT_FOUND_PAYMENT: "not_found",
  NOT_FOUND_PAYMENT_SESSION: "not_found",
  NOT_FOUND_BILLING_KEY: "not_found",
  NOT_MATCHES_CUSTOMER_KEY: "customer_mismatch",
  UNAUTHORIZED_KEY: "unauthorized",
  INVALID_API_KEY: "unauthorized",
  INCORRECT_BASIC_AUTH_FORMAT: "unauthorized",
  // Toss answers a confirm for another amount than authorised with this generic code, too.
  INVALID_REQUEST: "invalid_request",
  INVALID_IDEMPOTENCY_KEY: "invalid_request",
  // A route Toss does not have (a wrong base URL): no decision about any payment.
  NOT_FOUND: "invalid_request",
};

/**
 * The part of Toss's Payment object the port needs. Toss adds fields without notice ("응답
 * 필드는 사전 공지 없이 추가될 수 있습니다"), so unknown fields are ignored, never rejected.
 * Amounts are integer KRW: Nyang only creates KRW payments.
 */
const tossPaymentSchema = z.object({
  paymentKey: z.string().min(1),
  orderId: z.string().min(1),
  status: z.enum(tossPaymentStatuses),
  totalAmount: z.number().int().nonnegative(),
  balanceAmount: z.number().int().nonnegative(),
  method: z.string().nullish(),
  approvedAt: z.string().nullish(),
});

/** The part of Toss's Billing object the port needs (unknown fields ignored, as above). */
const tossBillingSchema = z.object({
  billingKey: z.string().min(1),
  customerKey: z.string().min(1),
  method: z.string().nullish(),
  authenticatedAt: z.string().nullish(),
  cardCompany: z.string().nullish(),
  cardNumber: z.string().nullish(),
  card: z.object({ company: z.string().nullish(), issuerCode: z.string().nullish(), number: z.string().nullish() }).nullish(),
});

const tossErrorSchema = z.object({ code: z.string().min(1), message: z.string() });

/** 4xx codes after which Toss may still complete (or may already have completed) the request. */
const UNDECIDED_CODES = new Set(["IDEMPOTENT_REQUEST_PROCESSING", "PROVIDER_ERROR"]);
/** 4xx statuses that are not a refusal of this payment. */
const UNDECIDED_STATUSES = new Set([408, 429]);

type Operation = "confirm" | "findByOrderId" | "findByPaymentKey" | "cancel" | "issueBillingKey" | "chargeBillingKey";

export class TossPaymentsGateway implements PaymentGateway {
  private readonly baseUrl: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: TossPaymentsGatewayOptions) {
    if (!options.secretKey) throw new ConfigError("TossPaymentsGateway: secretKey is empty");
    const timeoutMs = options.timeoutMs ?? TOSS_DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new ConfigError(`TossPaymentsGateway: timeoutMs must be a positive integer, got ${String(timeoutMs)}`);
    }
    this.baseUrl = parseBaseUrl(options.baseUrl, "TossPaymentsGateway: baseUrl");
    this.authorization = `Basic ${Buffer.from(`${options.secretKey}:`, "utf8").toString("base64")}`;
    this.timeoutMs = timeoutMs;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  async confirm(req: ConfirmRequest): Promise<Payment> {
    const payment = await this.send("confirm", "POST", "/v1/payments/confirm", req.idempotencyKey, {
      paymentKey: req.paymentKey,
      orderId: req.orderId,
      amount: req.amount,
    });
    if (payment === null) throw new PaymentUnknownError("Toss confirm: no payment in the answer");
    // Toss replays the first answer for a repeated idempotency key even when the body differs:
    // an answer about another payment means the key was reused, and says nothing about this one.
    if (payment.paymentKey !== req.paymentKey || payment.orderId !== req.orderId) {
      throw new PaymentUnknownError(
        `Toss confirm answered for payment ${payment.paymentKey} / order ${payment.orderId}, not ` +
          `${req.paymentKey} / ${req.orderId}: idempotency key ${req.idempotencyKey} was used for another payment`,
      );
    }
    return payment;
  }

  async findByOrderId(orderId: string): Promise<Payment | null> {
    return this.send("findByOrderId", "GET", `/v1/payments/orders/${encodeURIComponent(orderId)}`);
  }

  async findByPaymentKey(paymentKey: string): Promise<Payment | null> {
    const payment = await this.send("findByPaymentKey", "GET", `/v1/payments/${encodeURIComponent(paymentKey)}`);
    if (payment !== null && payment.paymentKey !== paymentKey) {
      throw new PaymentUnknownError(`Toss findByPaymentKey answered for payment ${payment.paymentKey}, not ${paymentKey}`);
    }
    return payment;
  }

  async cancel(req: CancelRequest): Promise<Payment> {
    const body: Record<string, unknown> = { cancelReason: req.reason };
    if (req.amount !== undefined) body.cancelAmount = req.amount;
    const payment = await this.send(
      "cancel",
      "POST",
      `/v1/payments/${encodeURIComponent(req.paymentKey)}/cancel`,
      req.idempotencyKey,
      body,
    );
    if (payment === null) throw new PaymentUnknownError("Toss cancel: no payment in the answer");
    if (payment.paymentKey !== req.paymentKey) {
      throw new PaymentUnknownError(
        `Toss cancel answered for payment ${payment.paymentKey}, not ${req.paymentKey}: ` +
          `idempotency key ${req.idempotencyKey} was used for another payment`,
      );
    }
    return payment;
  }

  async issueBillingKey(req: IssueBillingKeyRequest): Promise<BillingKey> {
    const json = await this.call("issueBillingKey", "POST", "/v1/billing/authorizations/issue", "/v1/billing/authorizations/issue", req.idempotencyKey, {
      authKey: req.authKey,
      customerKey: req.customerKey,
    });
    const parsed = tossBillingSchema.safeParse(json.body);
    if (!parsed.success) throw new PaymentUnknownError("Toss issueBillingKey: the answer is not a Toss Billing object");
    const b = parsed.data;
    if (b.customerKey !== req.customerKey) {
      throw new PaymentUnknownError(
        `Toss issueBillingKey answered for another customer key: idempotency key ${req.idempotencyKey} was used for another registration`,
      );
    }
    return {
      billingKey: b.billingKey,
      customerKey: b.customerKey,
      method: b.method ?? null,
      cardCompany: b.cardCompany ?? b.card?.company ?? null,
      cardNumber: b.cardNumber ?? b.card?.number ?? null,
      authenticatedAt: b.authenticatedAt ?? null,
    };
  }

  async chargeBillingKey(req: BillingChargeRequest): Promise<Payment> {
    // The billing key is a credential: it is in the URL but never in a message or a log.
    const payment = await this.send(
      "chargeBillingKey",
      "POST",
      `/v1/billing/${encodeURIComponent(req.billingKey)}`,
      req.idempotencyKey,
      { customerKey: req.customerKey, amount: req.amount, orderId: req.orderId, orderName: req.orderName },
      "/v1/billing/{billingKey}",
    );
    if (payment === null) throw new PaymentUnknownError("Toss chargeBillingKey: no payment in the answer");
    if (payment.orderId !== req.orderId) {
      throw new PaymentUnknownError(
        `Toss chargeBillingKey answered for order ${payment.orderId}, not ${req.orderId}: ` +
          `idempotency key ${req.idempotencyKey} was used for another payment`,
      );
    }
    return payment;
  }

  /** One request; resolves a Payment (or null for a look-up that found nothing) or throws a port error. */
  private async send(
    op: Operation,
    method: "GET" | "POST",
    path: string,
    idempotencyKey?: string,
    body?: Record<string, unknown>,
    shownPath: string = path,
  ): Promise<Payment | null> {
    const { status, body: json } = await this.call(op, method, path, shownPath, idempotencyKey, body);
    if (status === 404) return null;
    const parsed = tossPaymentSchema.safeParse(json);
    if (!parsed.success) {
      throw new PaymentUnknownError(`Toss ${op} (${method} ${shownPath}): HTTP ${status} with a body that is not a Toss Payment object`);
    }
    return toPayment(parsed.data);
  }

  /**
   * One request: resolves a 2xx answer's JSON (or `{ status: 404 }` for a look-up Toss says
   * found nothing) or throws a port error. `shownPath` is what messages name (no credentials).
   */
  private async call(
    op: Operation,
    method: "GET" | "POST",
    path: string,
    shownPath: string,
    idempotencyKey?: string,
    body?: Record<string, unknown>,
  ): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { Authorization: this.authorization, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (idempotencyKey !== undefined) headers["Idempotency-Key"] = idempotencyKey;
    const what = `Toss ${op} (${method} ${shownPath})`;

    // One signal covers the headers and the body: a response that stalls half-way is no answer either.
    const signal = AbortSignal.timeout(this.timeoutMs);
    let status: number;
    let text: string;
    try {
      const res = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        redirect: "error",
      });
      status = res.status;
      text = await res.text();
    } catch (error) {
      if (signal.aborted) {
        throw new PaymentUnknownError(`${what}: no answer within ${this.timeoutMs} ms`, error);
      }
      throw new PaymentUnknownError(`${what}: ${describe(error)}`, error);
    }

    const json = parseJson(text);
    if (status >= 200 && status < 300) return { status, body: json };

    const error = tossErrorSchema.safeParse(json);
    if (!error.success) {
      // A proxy's HTML page, an empty 502, …: not Toss speaking, so nothing was decided.
      throw new PaymentUnknownError(`${what}: HTTP ${status} without a Toss error body`);
    }
    const { code, message } = error.data;
    if (status >= 500 || UNDECIDED_STATUSES.has(status) || UNDECIDED_CODES.has(code)) {
      throw new PaymentUnknownError(`${what}: HTTP ${status} ${code}: ${message}`);
    }
    // Only Toss's own "no such payment" is an empty result; a 404 of another kind (a wrong base
    // URL, an unknown route) must not read as "this order was never paid".
    if ((op === "findByOrderId" || op === "findByPaymentKey") && status === 404 && code === "NOT_FOUND_PAYMENT") {
      return { status: 404, body: json };
    }
    if (status >= 400 && status < 500) throw new PaymentDeclinedError(TOSS_FAILURE_REASONS[code] ?? "declined", code, message);
    // 1xx/3xx never come from Toss here (redirects are refused above).
    throw new PaymentUnknownError(`${what}: unexpected HTTP ${status}`);
  }
}

/**
 * The adapter configured from the environment: `TOSS_SECRET_KEY` (required) and
 * `TOSS_API_BASE_URL` (default {@link TOSS_DEFAULT_BASE_URL}; locally, the fake's URL).
 */
export function tossGatewayFromEnv(
  env: { TOSS_SECRET_KEY?: string | undefined; TOSS_API_BASE_URL?: string | undefined },
  options: Pick<TossPaymentsGatewayOptions, "timeoutMs" | "fetch"> = {},
): TossPaymentsGateway {
  const secretKey = tossSecretKeyFromEnv(env);
  const raw = env.TOSS_API_BASE_URL?.trim();
  const baseUrl = parseBaseUrl(raw ? raw : TOSS_DEFAULT_BASE_URL, "TOSS_API_BASE_URL");
  return new TossPaymentsGateway({ baseUrl, secretKey, ...options });
}

/** `TOSS_SECRET_KEY`, required: the merchant's secret (also what customer keys are derived from). */
export function tossSecretKeyFromEnv(env: { TOSS_SECRET_KEY?: string | undefined }): string {
  const secretKey = env.TOSS_SECRET_KEY?.trim();
  if (!secretKey) {
    throw new ConfigError(
      "TOSS_SECRET_KEY is not set: the Toss Payments secret key (test_sk_… or live_sk_…) is required to take payments",
    );
  }
  return secretKey;
}

function parseBaseUrl(value: string, name: string): string {
  // Typed by inference: the infra type check sees both the DOM's and Node's URL types.
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  return value.replace(/\/+$/, "");
}

function toPayment(p: z.output<typeof tossPaymentSchema>): Payment {
  return {
    paymentKey: p.paymentKey,
    orderId: p.orderId,
    status: TOSS_STATUSES[p.status],
    gatewayStatus: p.status,
    totalAmount: p.totalAmount,
    balanceAmount: p.balanceAmount,
    method: p.method ?? null,
    approvedAt: p.approvedAt ?? null,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
