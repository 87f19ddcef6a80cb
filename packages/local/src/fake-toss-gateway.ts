/**
 * Toss Payments on one machine: a node:http server that speaks the part of Toss's core API
 * Nyang uses — the same paths, headers, JSON and error codes — over in-memory state, with
 * switches for the failures a real gateway has (refusal, silence, a lost answer). `npm run dev`
 * points the HTTP API's `TOSS_API_BASE_URL` here; the payment tests start one per file.
 *
 * The contract it honours (Toss Payments developer docs, read 2026):
 * - "인증 및 기타 헤더 설정" https://docs.tosspayments.com/reference/using-api/authorization —
 *   `Authorization: Basic base64(secretKey + ":")`; `Idempotency-Key` on POSTs: ≤ 300 characters
 *   (else 400 INVALID_IDEMPOTENCY_KEY), valid 15 days, scoped by key + API key + URL + method
 *   (the body is NOT compared), the first answer replayed for a repeat, 409
 *   IDEMPOTENT_REQUEST_PROCESSING while the first is still running; GET ignores the header;
 *   `TossPayments-Test-Code: {CODE}` makes a test-key request answer that error.
 * - Payment object and samples: https://docs.tosspayments.com/reference (결제 승인, 결제 취소,
 *   결제 조회) and https://docs.tosspayments.com/guides/apis/get-payment ,
 *   https://docs.tosspayments.com/guides/apis/cancel-payment — cancel needs `cancelReason`,
 *   `cancelAmount` absent means everything left; each cancel appends to `cancels[]`; more than one
 *   cancel of a payment within a second is refused (403 FORBIDDEN_CONSECUTIVE_REQUEST).
 * - Errors: https://docs.tosspayments.com/reference/error-codes — `{ code, message }` with the
 *   statuses listed there; a refused confirm leaves the payment ABORTED with `failure` set.
 *
 * Confirm refuses what Toss's payment window never authorised: a payment key the fake never issued
 * answers 404 NOT_FOUND_PAYMENT (confirm's documented "존재하지 않는 결제 정보 입니다."), and a key
 * already approved — for this order or another — 400 ALREADY_PROCESSED_PAYMENT; the look-up by
 * payment key (`GET /v1/payments/{paymentKey}`) tells which order it paid. Where the docs are
 * silent the fake picks, and says so: a confirm whose amount differs from the authorised one
 * answers 400 INVALID_REQUEST; one whose order id differs answers 404 NOT_FOUND_PAYMENT_SESSION
 * (the code Toss gives when the order id is not the checkout's); confirming an ABORTED payment
 * again answers 404 NOT_FOUND_PAYMENT_SESSION. Authorised-but-unconfirmed payments are not listed
 * by the look-up.
 *
 * Billing (automatic payments, https://docs.tosspayments.com/guides/apis/card-billing): the
 * card-registration window's redirect carries a one-time `authKey` with the merchant's
 * `customerKey` (here: {@link FakeTossGateway.authorizeBilling}); `POST
 * /v1/billing/authorizations/issue` turns them into a Billing object with a `billingKey`;
 * `POST /v1/billing/{billingKey}` with `{ customerKey, amount, orderId, orderName }` makes a
 * DONE Payment of `type: "BILLING"`, listed by the order look-up like any other. A customer key
 * other than the billing key's is refused 400 NOT_MATCHES_CUSTOMER_KEY (Toss's code and message).
 * An authKey is bound to the customer key it was issued for (as Toss binds a billing key to
 * its customer key): exchanging it under another customer key is refused 400
 * NOT_MATCHES_CUSTOMER_KEY (Toss's billing code and message; that the issue call answers it is
 * the fake's pick), before and after the authKey was exchanged.
 * Where the docs are silent the fake picks: an authKey it never issued answers 400
 * INVALID_REQUEST (synthesised); one already exchanged answers 400 INVALID_REQUEST; an
 * unknown billing key answers 404 NOT_FOUND_BILLING_KEY (synthesised); an order id with a DONE
 * payment answers 400 DUPLICATED_ORDER_ID, while one whose earlier charge was refused (ABORTED)
 * may be charged again. The two billing routes are operations of their own (`billing_issue`,
 * `billing_charge`) with the same modes; authentication, idempotency, modes and the request log
 * are shared by every route.
 */
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { TossPaymentStatus } from "@nyang/core";
import { checkoutPaths, serveCheckout } from "./fake-toss-checkout.ts";

/** How the fake treats the calls a mode applies to. */
export const fakeTossModes = ["approve", "decline", "timeout", "lose_response"] as const;
/**
 * - `approve`: answer as Toss does (the default).
 * - `decline`: refuse with a Toss error (a card rejection for confirm) without approving.
 * - `timeout`: hold the request past the client's time-out, then drop the connection without
 *   answering and without applying anything.
 * - `lose_response`: apply the request (approve / cancel, idempotency record included), then
 *   destroy the connection without answering.
 */
export type FakeTossMode = (typeof fakeTossModes)[number];

/** The API calls a mode can target. */
export type FakeTossOperation = "confirm" | "cancel" | "lookup" | "billing_issue" | "billing_charge";
const operations: readonly FakeTossOperation[] = ["confirm", "cancel", "lookup", "billing_issue", "billing_charge"];
/** What a mode applies to when `operations` is not given: every call that changes something. */
const defaultOperations: readonly FakeTossOperation[] = ["confirm", "cancel", "billing_issue", "billing_charge"];

export interface FakeTossModeOptions {
  /** Only the next N matching calls; afterwards the standing mode applies again. Absent: the standing mode changes. */
  times?: number;
  /** Which calls the mode applies to (default: the POSTs — confirm, cancel, billing issue and charge). */
  operations?: readonly FakeTossOperation[];
  /** `decline`: the Toss error code (default REJECT_CARD_PAYMENT for confirm, NOT_CANCELABLE_PAYMENT for cancel). */
  code?: string;
  /** `decline`: the message (default: Toss's message for the code, when known). */
  message?: string;
  /** `decline`: the HTTP status (default: Toss's status for the code, else 400). */
  status?: number;
  /** `timeout`: how long the request is held before the connection is dropped (default 30 000 ms). */
  holdMs?: number;
}

export interface FakeTossGatewayOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** The one secret key the fake accepts (default `test_sk_local`). */
  secretKey?: string;
  /** Minimum gap between two cancels of one payment (Toss: one second). 0 turns the check off. */
  cancelCooldownMs?: number;
  /** Clock for timestamps and key expiry (tests). */
  now?: () => Date;
  /** One line per request, e.g. for `npm run dev`. */
  log?: (line: string) => void;
}

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

export interface FakeTossGateway {
  /** Base URL, e.g. `http://127.0.0.1:41234` — `TOSS_API_BASE_URL` for the adapter. */
  url: string;
  port: number;
  /** The secret key the fake accepts — `TOSS_SECRET_KEY` for the adapter. */
  secretKey: string;
  /**
   * Switches how calls are treated, at run time. Without `times` the standing mode changes (and
   * pending one-off modes are dropped); with `times: n` only the next n matching calls get it.
   */
  setMode(mode: FakeTossMode, options?: FakeTossModeOptions): void;
  /** The standing mode. */
  readonly mode: FakeTossMode;
  /**
   * The browser step (the customer authorises the payment in Toss's window): returns the
   * `paymentKey` the success URL would carry. Confirming it then requires the same order id and
   * amount; a confirm of a key the fake never issued is refused 404 NOT_FOUND_PAYMENT, as at Toss.
   */
  authorize(input: { orderId: string; amount: number; orderName?: string }): string;
  /**
   * The browser step of automatic payments (the customer registers a card in Toss's billing
   * window): returns the one-time `authKey` the success URL would carry with `customerKey`.
   */
  authorizeBilling(input: { customerKey: string }): string;
  /** Billing keys the fake issued, with the customer key each belongs to (live view). */
  readonly billingKeys: ReadonlyMap<string, FakeTossBilling>;
  /** Every payment the fake knows, by payment key (live view: do not modify). */
  readonly payments: ReadonlyMap<string, FakeTossPayment>;
  /** The latest payment for an order, if any. */
  paymentByOrderId(orderId: string): FakeTossPayment | undefined;
  /** Confirm requests received (replays and refusals included). */
  readonly confirmCalls: number;
  /** Every request received, oldest first. */
  readonly requests: readonly FakeTossRequest[];
  /** Forgets payments, authorisations, idempotency records and the request log; standing mode back to approve. */
  reset(): void;
  /** Stops listening and drops every connection, held ones included. */
  close(): Promise<void>;
}

const DEFAULT_SECRET_KEY = "test_sk_local";
/** Toss's rule for customerKey: 2–300 characters of letters, digits and - _ = . @ */
const CUSTOMER_KEY = /^[A-Za-z0-9_=.@-]{2,300}$/;
const DEFAULT_HOLD_MS = 30_000;
const MAX_BODY_BYTES = 1024 * 1024;
const IDEMPOTENCY_KEY_MAX = 300;
const IDEMPOTENCY_TTL_MS = 15 * 24 * 60 * 60 * 1000;
const API_VERSION = "2022-11-16";

/** Toss's statuses and messages for the codes the fake answers with (reference/error-codes). */
const TOSS_ERRORS: Record<string, { status: number; message: string }> = {
  ALREADY_PROCESSED_PAYMENT: { status: 400, message: "이미 처리된 결제 입니다." },
  PROVIDER_ERROR: { status: 400, message: "일시적인 오류가 발생했습니다. 잠시 후 다시 시도해주세요." },
  INVALID_REQUEST: { status: 400, message: "잘못된 요청입니다." },
  INVALID_API_KEY: { status: 400, message: "잘못된 시크릿키 연동 정보 입니다." },
  INVALID_REJECT_CARD: { status: 400, message: "카드 사용이 거절되었습니다. 카드사 문의가 필요합니다." },
  INVALID_STOPPED_CARD: { status: 400, message: "정지된 카드 입니다." },
  BELOW_MINIMUM_AMOUNT: {
    status: 400,
    message: "신용카드는 결제금액이 100원 이상, 계좌는 200원이상부터 결제가 가능합니다.",
  },
  DUPLICATED_ORDER_ID: {
    status: 400,
    message: "이미 승인 및 취소가 진행된 중복된 주문번호 입니다. 다른 주문번호로 진행해주세요.",
  },
  ALREADY_CANCELED_PAYMENT: { status: 400, message: "이미 취소된 결제 입니다." },
  INVALID_IDEMPOTENCY_KEY: { status: 400, message: "멱등키는 300자 이하여야 합니다." },
  UNAUTHORIZED_KEY: { status: 401, message: "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다." },
  REJECT_ACCOUNT_PAYMENT: { status: 403, message: "잔액부족으로 결제에 실패했습니다." },
  REJECT_CARD_PAYMENT: { status: 403, message: "한도초과 혹은 잔액부족으로 결제에 실패했습니다." },
  REJECT_CARD_COMPANY: { status: 403, message: "결제 승인이 거절되었습니다." },
  FORBIDDEN_REQUEST: { status: 403, message: "허용되지 않은 요청입니다." },
  INCORRECT_BASIC_AUTH_FORMAT: { status: 403, message: "잘못된 요청입니다. ':' 를 포함해 인코딩해주세요." },
  NOT_CANCELABLE_AMOUNT: { status: 403, message: "취소 할 수 없는 금액 입니다." },
  NOT_CANCELABLE_PAYMENT: { status: 403, message: "취소 할 수 없는 결제 입니다." },
  FORBIDDEN_CONSECUTIVE_REQUEST: { status: 403, message: "반복적인 요청은 허용되지 않습니다. 잠시 후 다시 시도해주세요." },
  NOT_FOUND_PAYMENT: { status: 404, message: "존재하지 않는 결제 입니다." },
  NOT_FOUND_PAYMENT_SESSION: { status: 404, message: "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다." },
  NOT_FOUND: { status: 404, message: "존재하지 않는 정보 입니다." },
  /** Toss's billing errors (the code and message as Toss answers them; see the header for sources). */
  NOT_MATCHES_CUSTOMER_KEY: { status: 400, message: "빌링 인증 고객키와 결제 요청 고객키가 일치하지 않습니다." },
  /** Synthesised: no documented sample for an unknown billing key. */
  NOT_FOUND_BILLING_KEY: { status: 404, message: "존재하지 않는 빌링키 입니다." },
  IDEMPOTENT_REQUEST_PROCESSING: { status: 409, message: "이전 멱등 요청이 처리중입니다." },
  FAILED_INTERNAL_SYSTEM_PROCESSING: { status: 500, message: "내부 시스템 처리 작업이 실패했습니다. 잠시 후 다시 시도해주세요." },
  FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING: { status: 500, message: "결제가 완료되지 않았어요. 다시 시도해주세요." },
};

interface Reply {
  status: number;
  body: unknown;
}

interface Rule {
  mode: FakeTossMode;
  operations: readonly FakeTossOperation[];
  remaining: number;
  decline?: { code?: string; message?: string; status?: number };
  holdMs: number;
}

interface Decline {
  code: string;
  message: string;
  status: number;
}

interface RouteContext {
  params: string[];
  body: Record<string, unknown>;
  /** Set in decline mode: the handler refuses with it (after its own validation). */
  decline: Decline | undefined;
}

interface Route {
  method: "GET" | "POST";
  pattern: RegExp;
  operation: FakeTossOperation;
  handle(ctx: RouteContext): Reply;
}

interface Session {
  orderId: string;
  amount: number;
  orderName: string;
  requestedAt: string;
}

/** Starts the fake and resolves once it listens. */
export async function startFakeTossGateway(options: FakeTossGatewayOptions = {}): Promise<FakeTossGateway> {
  const host = options.host ?? "127.0.0.1";
  const secretKey = options.secretKey ?? DEFAULT_SECRET_KEY;
  const cancelCooldownMs = options.cancelCooldownMs ?? 1000;
  const now = options.now ?? (() => new Date());
  const log = options.log;

  const sessions = new Map<string, Session>();
  const payments = new Map<string, FakeTossPayment>();
  const orderIndex = new Map<string, string>();
  const lastCancelAt = new Map<string, number>();
  const idempotency = new Map<string, { reply: Reply; at: number }>();
  const inFlight = new Set<string>();
  const requests: FakeTossRequest[] = [];
  const sockets = new Set<Socket>();
  const holds = new Set<() => void>();
  let confirmCalls = 0;
  /** authKey → the customer key its registration window was opened with (kept after the exchange). */
  const billingAuths = new Map<string, string>();
  const usedAuthKeys = new Set<string>();
  const billingKeys = new Map<string, FakeTossBilling>();
  let standing: Rule = rule("approve", {});
  let oneOffs: Rule[] = [];
  let baseUrl = "";

  function rule(mode: FakeTossMode, opts: FakeTossModeOptions): Rule {
    if (!fakeTossModes.includes(mode)) throw new Error(`unknown fake Toss mode ${JSON.stringify(mode)}`);
    const ops = opts.operations ?? defaultOperations;
    for (const op of ops) if (!operations.includes(op)) throw new Error(`unknown operation ${JSON.stringify(op)}`);
    const times = opts.times ?? Infinity;
    if (!(times > 0)) throw new Error(`times must be positive, got ${String(opts.times)}`);
    const decline =
      opts.code !== undefined || opts.message !== undefined || opts.status !== undefined
        ? { code: opts.code, message: opts.message, status: opts.status }
        : undefined;
    return { mode, operations: ops, remaining: times, decline, holdMs: opts.holdMs ?? DEFAULT_HOLD_MS };
  }

  /** The rule for this call: the first one-off that targets it (used up), else the standing mode. */
  function takeRule(op: FakeTossOperation): Rule | undefined {
    const i = oneOffs.findIndex((r) => r.operations.includes(op));
    if (i >= 0) {
      const r = oneOffs[i]!;
      r.remaining -= 1;
      if (r.remaining <= 0) oneOffs.splice(i, 1);
      return r;
    }
    return standing.operations.includes(op) ? standing : undefined;
  }

  function declineFor(op: FakeTossOperation, r: Rule): Decline {
    const fallback =
      op === "confirm" || op === "billing_charge"
        ? "REJECT_CARD_PAYMENT"
        : op === "cancel"
          ? "NOT_CANCELABLE_PAYMENT"
          : op === "billing_issue"
            ? "INVALID_REJECT_CARD"
            : "FORBIDDEN_REQUEST";
    const code = r.decline?.code ?? fallback;
    const known = TOSS_ERRORS[code];
    return {
      code,
      message: r.decline?.message ?? known?.message ?? "요청이 거절되었습니다.",
      status: r.decline?.status ?? known?.status ?? 400,
    };
  }

  // ---- the API -------------------------------------------------------------------------

  const routes: Route[] = [
    { method: "POST", pattern: /^\/v1\/payments\/confirm$/, operation: "confirm", handle: confirm },
    { method: "POST", pattern: /^\/v1\/billing\/authorizations\/issue$/, operation: "billing_issue", handle: issueBillingKey },
    { method: "POST", pattern: /^\/v1\/billing\/([^/]+)$/, operation: "billing_charge", handle: chargeBillingKey },
    { method: "GET", pattern: /^\/v1\/payments\/orders\/([^/]+)$/, operation: "lookup", handle: lookupByOrder },
    { method: "POST", pattern: /^\/v1\/payments\/([^/]+)\/cancel$/, operation: "cancel", handle: cancel },
    { method: "GET", pattern: /^\/v1\/payments\/([^/]+)$/, operation: "lookup", handle: lookupByKey },
  ];

  function confirm({ body, decline }: RouteContext): Reply {
    const { paymentKey, orderId, amount } = body;
    if (typeof paymentKey !== "string" || paymentKey.length === 0 || paymentKey.length > 200) {
      return tossError("INVALID_REQUEST", "paymentKey는 필수 값입니다.");
    }
    if (typeof orderId !== "string" || !/^[A-Za-z0-9_-]{6,64}$/.test(orderId)) {
      return tossError("INVALID_REQUEST", "orderId는 영문 대소문자, 숫자, -, _ 로 이루어진 6자 이상 64자 이하 문자열이어야 합니다.");
    }
    if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0) {
      return tossError("INVALID_REQUEST", "amount는 0보다 큰 정수여야 합니다.");
    }
    const existing = payments.get(paymentKey);
    if (existing) {
      return existing.status === "ABORTED" || existing.status === "EXPIRED"
        ? tossError("NOT_FOUND_PAYMENT_SESSION")
        : tossError("ALREADY_PROCESSED_PAYMENT");
    }
    const session = sessions.get(paymentKey);
    // Toss confirms only what its payment window authorised: a key it never issued pays for nothing.
    if (!session) return tossError("NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.");
    if (session.orderId !== orderId) return tossError("NOT_FOUND_PAYMENT_SESSION");
    if (isSettled(orderId)) return tossError("DUPLICATED_ORDER_ID");
    if (session.amount !== amount) {
      return tossError("INVALID_REQUEST", `결제 금액(${amount})이 결제 요청 금액(${session.amount})과 다릅니다.`);
    }
    sessions.delete(paymentKey);
    const payment = newPayment(paymentKey, session);
    return approveOrAbort(payment, decline);
  }

  function issueBillingKey({ body, decline }: RouteContext): Reply {
    const { authKey, customerKey } = body;
    if (typeof authKey !== "string" || authKey.length === 0 || authKey.length > 300) {
      return tossError("INVALID_REQUEST", "authKey는 필수 값입니다.");
    }
    if (typeof customerKey !== "string" || !CUSTOMER_KEY.test(customerKey)) {
      return tossError("INVALID_REQUEST", "customerKey는 영문 대소문자, 숫자, 특수문자 -, _, =, ., @ 로 이루어진 2자 이상 300자 이하 문자열이어야 합니다.");
    }
    // An authKey belongs to the customer key its window was opened with, for good: another
    // customer key is refused whether or not the authKey was exchanged already.
    const registeredFor = billingAuths.get(authKey);
    if (registeredFor === undefined) return tossError("INVALID_REQUEST", "유효하지 않은 authKey 입니다.");
    if (registeredFor !== customerKey) return tossError("NOT_MATCHES_CUSTOMER_KEY");
    if (usedAuthKeys.has(authKey)) return tossError("INVALID_REQUEST", "이미 사용된 authKey 입니다.");
    if (decline) return { status: decline.status, body: { code: decline.code, message: decline.message } };
    usedAuthKeys.add(authKey);
    const billing: FakeTossBilling = {
      mId: "tosspayments",
      customerKey,
      authenticatedAt: kst(now()),
      method: "카드",
      billingKey: billingKeyOf(),
      card: { issuerCode: "61", acquirerCode: "31", number: "43301234****123*", cardType: "신용", ownerType: "개인" },
      cardCompany: "현대",
      cardNumber: "43301234****123*",
    };
    billingKeys.set(billing.billingKey, billing);
    return { status: 200, body: billing };
  }

  function chargeBillingKey({ params, body, decline }: RouteContext): Reply {
    const billing = billingKeys.get(decodeURIComponent(params[0]!));
    const { customerKey, amount, orderId, orderName } = body;
    if (typeof customerKey !== "string" || customerKey.length === 0) return tossError("INVALID_REQUEST", "customerKey는 필수 값입니다.");
    if (typeof orderId !== "string" || !/^[A-Za-z0-9_-]{6,64}$/.test(orderId)) {
      return tossError("INVALID_REQUEST", "orderId는 영문 대소문자, 숫자, -, _ 로 이루어진 6자 이상 64자 이하 문자열이어야 합니다.");
    }
    if (typeof orderName !== "string" || orderName.trim().length === 0 || orderName.length > 100) {
      return tossError("INVALID_REQUEST", "orderName은 필수 값입니다.");
    }
    if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0) {
      return tossError("INVALID_REQUEST", "amount는 0보다 큰 정수여야 합니다.");
    }
    if (!billing) return tossError("NOT_FOUND_BILLING_KEY");
    if (billing.customerKey !== customerKey) return tossError("NOT_MATCHES_CUSTOMER_KEY");
    if (isSettled(orderId)) return tossError("DUPLICATED_ORDER_ID");
    const payment = newPayment(paymentKeyOf(now()), { orderId, amount, orderName, requestedAt: kst(now()) });
    payment.type = "BILLING";
    return approveOrAbort(payment, decline);
  }

  function cancel({ params, body, decline }: RouteContext): Reply {
    const payment = payments.get(params[0]!);
    if (!payment) return tossError("NOT_FOUND_PAYMENT");
    const { cancelReason, cancelAmount } = body;
    if (typeof cancelReason !== "string" || cancelReason.trim().length === 0 || cancelReason.length > 200) {
      return tossError("INVALID_REQUEST", "cancelReason은 필수 값입니다.");
    }
    if (
      cancelAmount !== undefined &&
      (typeof cancelAmount !== "number" || !Number.isSafeInteger(cancelAmount) || cancelAmount <= 0)
    ) {
      return tossError("INVALID_REQUEST", "cancelAmount는 0보다 큰 정수여야 합니다.");
    }
    if (decline) return { status: decline.status, body: { code: decline.code, message: decline.message } };
    if (payment.status === "CANCELED") return tossError("ALREADY_CANCELED_PAYMENT");
    if (payment.status !== "DONE" && payment.status !== "PARTIAL_CANCELED") return tossError("NOT_CANCELABLE_PAYMENT");
    const amount = cancelAmount ?? payment.balanceAmount;
    if (amount > payment.balanceAmount) return tossError("NOT_CANCELABLE_AMOUNT");
    const t = now().getTime();
    const last = lastCancelAt.get(payment.paymentKey);
    if (cancelCooldownMs > 0 && last !== undefined && t - last < cancelCooldownMs) {
      return tossError("FORBIDDEN_CONSECUTIVE_REQUEST");
    }
    lastCancelAt.set(payment.paymentKey, t);
    const transactionKey = transactionKeyOf();
    payment.balanceAmount -= amount;
    payment.status = payment.balanceAmount === 0 ? "CANCELED" : "PARTIAL_CANCELED";
    payment.lastTransactionKey = transactionKey;
    setTax(payment);
    payment.cancels = [
      ...(payment.cancels ?? []),
      {
        transactionKey,
        cancelReason,
        taxExemptionAmount: 0,
        canceledAt: kst(new Date(t)),
        transferDiscountAmount: 0,
        easyPayDiscountAmount: 0,
        receiptKey: null,
        cancelAmount: amount,
        taxFreeAmount: 0,
        refundableAmount: payment.balanceAmount,
        cancelStatus: "DONE",
        cancelRequestId: null,
      },
    ];
    return { status: 200, body: payment };
  }

  function lookupByOrder({ params, decline }: RouteContext): Reply {
    if (decline) return { status: decline.status, body: { code: decline.code, message: decline.message } };
    const key = orderIndex.get(decodeURIComponent(params[0]!));
    const payment = key === undefined ? undefined : payments.get(key);
    return payment ? { status: 200, body: payment } : tossError("NOT_FOUND_PAYMENT");
  }

  function lookupByKey({ params, decline }: RouteContext): Reply {
    if (decline) return { status: decline.status, body: { code: decline.code, message: decline.message } };
    const payment = payments.get(decodeURIComponent(params[0]!));
    return payment ? { status: 200, body: payment } : tossError("NOT_FOUND_PAYMENT");
  }

  // ---- state helpers -------------------------------------------------------------------

  const defaultOrderName = "냥 코인 충전";

  function isSettled(orderId: string): boolean {
    const key = orderIndex.get(orderId);
    const p = key === undefined ? undefined : payments.get(key);
    return p !== undefined && p.status !== "ABORTED" && p.status !== "EXPIRED";
  }

  function save(payment: FakeTossPayment): void {
    payments.set(payment.paymentKey, payment);
    orderIndex.set(payment.orderId, payment.paymentKey);
  }

  /** A confirm or a billing charge, decided: refused → ABORTED with its failure (Toss's errors page), else DONE. */
  function approveOrAbort(payment: FakeTossPayment, decline: Decline | undefined): Reply {
    if (decline) {
      payment.status = "ABORTED";
      payment.failure = { code: decline.code, message: decline.message };
      payment.lastTransactionKey = null;
      payment.receipt = null;
      save(payment);
      return { status: decline.status, body: { code: decline.code, message: decline.message } };
    }
    payment.status = "DONE";
    payment.approvedAt = kst(now());
    save(payment);
    return { status: 200, body: payment };
  }

  function newPayment(paymentKey: string, session: Session): FakeTossPayment {
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
      receipt: { url: `${baseUrl}/__fake/receipt/${encodeURIComponent(paymentKey)}` },
      checkout: { url: `${baseUrl}/v1/payments/${encodeURIComponent(paymentKey)}/checkout` },
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

  function authorize(input: { orderId: string; amount: number; orderName?: string }): string {
    if (!/^[A-Za-z0-9_-]{6,64}$/.test(input.orderId)) {
      throw new Error(`orderId must be 6–64 characters of A-Z a-z 0-9 - _ (Toss's rule), got ${JSON.stringify(input.orderId)}`);
    }
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0) {
      throw new Error(`amount must be a positive integer (KRW), got ${String(input.amount)}`);
    }
    if (isSettled(input.orderId)) throw new Error(`order ${input.orderId} already has a payment (DUPLICATED_ORDER_ID)`);
    const paymentKey = paymentKeyOf(now());
    sessions.set(paymentKey, {
      orderId: input.orderId,
      amount: input.amount,
      orderName: input.orderName ?? defaultOrderName,
      requestedAt: kst(now()),
    });
    return paymentKey;
  }

  function authorizeBilling(input: { customerKey: string }): string {
    if (!CUSTOMER_KEY.test(input.customerKey)) {
      throw new Error(`customerKey must be 2–300 characters of A-Z a-z 0-9 - _ = . @ (Toss's rule), got ${JSON.stringify(input.customerKey)}`);
    }
    const authKey = `bln-${randomUUID()}`;
    billingAuths.set(authKey, input.customerKey);
    return authKey;
  }

  function reset(): void {
    billingAuths.clear();
    usedAuthKeys.clear();
    billingKeys.clear();
    sessions.clear();
    payments.clear();
    orderIndex.clear();
    lastCancelAt.clear();
    idempotency.clear();
    requests.length = 0;
    confirmCalls = 0;
    standing = rule("approve", {});
    oneOffs = [];
  }

  // ---- HTTP ----------------------------------------------------------------------------

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log?.(`[fake-toss] internal error: ${error instanceof Error ? error.stack : String(error)}`);
      if (!res.headersSent && !res.destroyed) {
        send(res, tossError("FAILED_INTERNAL_SYSTEM_PROCESSING"));
      } else {
        res.destroy();
      }
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://fake").pathname;

    if ((checkoutPaths as readonly string[]).includes(path)) {
      await serveCheckout(req, res, { authorize, authorizeBilling });
      return;
    }
    if (path.startsWith("/__fake/")) {
      const body = method === "POST" ? parseObject(await readBody(req)) : {};
      send(res, control(method, path, body ?? {}));
      return;
    }

    const idempotencyHeader = header(req, "idempotency-key");
    const entry: FakeTossRequest = {
      operation: "unknown",
      method,
      path,
      idempotencyKey: idempotencyHeader,
      outcome: "pending",
      replayed: false,
    };
    requests.push(entry);
    const finish = (outcome: FakeTossRequest["outcome"]) => {
      entry.outcome = outcome;
      log?.(`[fake-toss] ${method} ${path} → ${outcome}${entry.replayed ? " (replayed)" : ""}`);
    };

    let route: Route | undefined;
    let params: string[] = [];
    for (const r of routes) {
      const m = r.method === method ? r.pattern.exec(path) : null;
      if (m) {
        route = r;
        params = m.slice(1);
        break;
      }
    }
    if (!route) {
      finish(send(res, tossError("NOT_FOUND")));
      return;
    }
    entry.operation = route.operation;
    if (route.operation === "confirm") confirmCalls += 1;

    const auth = checkAuth(header(req, "authorization"));
    if (auth) {
      finish(send(res, auth));
      return;
    }

    let body: Record<string, unknown> = {};
    if (method === "POST") {
      const raw = await readBody(req);
      if (raw === undefined) {
        finish(send(res, tossError("INVALID_REQUEST", "요청 본문이 너무 큽니다.")));
        return;
      }
      const parsed = raw.length === 0 ? {} : parseObject(raw);
      if (!parsed) {
        finish(send(res, tossError("INVALID_REQUEST", "요청 본문이 올바른 JSON 객체가 아닙니다.")));
        return;
      }
      body = parsed;
    }

    // Idempotency is a POST matter; Toss ignores the header on GET.
    const idemKey = method === "POST" ? idempotencyHeader : undefined;
    if (idemKey !== undefined && (idemKey.length === 0 || idemKey.length > IDEMPOTENCY_KEY_MAX)) {
      finish(send(res, tossError("INVALID_IDEMPOTENCY_KEY")));
      return;
    }
    const scope = idemKey === undefined ? undefined : `${method} ${path} ${idemKey}`;
    if (scope !== undefined && inFlight.has(scope)) {
      finish(send(res, tossError("IDEMPOTENT_REQUEST_PROCESSING")));
      return;
    }

    const active = takeRule(route.operation);
    const mode = active?.mode ?? "approve";

    if (mode === "timeout") {
      // Held, then dropped; nothing applied, nothing stored. The key is busy meanwhile, as at Toss.
      if (scope !== undefined) inFlight.add(scope);
      entry.outcome = "held";
      const outcome = await hold(req, active!.holdMs);
      if (scope !== undefined) inFlight.delete(scope);
      req.socket.destroy();
      finish(outcome);
      return;
    }

    let reply: Reply;
    const stored = scope === undefined ? undefined : idempotency.get(scope);
    if (stored && now().getTime() - stored.at < IDEMPOTENCY_TTL_MS) {
      reply = stored.reply;
      entry.replayed = true;
    } else {
      const testCode = header(req, "tosspayments-test-code");
      if (testCode !== undefined && secretKey.startsWith("test_")) {
        reply = tossError(testCode);
      } else {
        const decline = mode === "decline" ? declineFor(route.operation, active!) : undefined;
        reply = route.handle({ params, body, decline });
      }
      // A snapshot, so later changes to the payment do not leak into the replay.
      reply = { status: reply.status, body: structuredClone(reply.body) };
      if (scope !== undefined && reply.status < 500) idempotency.set(scope, { reply, at: now().getTime() });
    }

    if (mode === "lose_response") {
      req.socket.destroy();
      finish("lost");
      return;
    }
    finish(send(res, reply));
  }

  function checkAuth(value: string | undefined): Reply | undefined {
    if (value === undefined) return tossError("UNAUTHORIZED_KEY");
    const m = /^Basic\s+(\S+)$/i.exec(value);
    if (!m) return tossError("INCORRECT_BASIC_AUTH_FORMAT");
    const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return tossError("INCORRECT_BASIC_AUTH_FORMAT");
    const given = Buffer.from(decoded.slice(0, colon));
    const expected = Buffer.from(secretKey);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return tossError("UNAUTHORIZED_KEY");
    return undefined;
  }

  /** Waits until the hold is over, the client hangs up, or the fake closes. */
  function hold(req: IncomingMessage, ms: number): Promise<FakeTossRequest["outcome"]> {
    return new Promise((resolve) => {
      const done = (outcome: FakeTossRequest["outcome"]) => {
        clearTimeout(timer);
        req.socket.off("close", onClose);
        holds.delete(release);
        resolve(outcome);
      };
      const onClose = () => done("client_gone");
      const release = () => done("timeout");
      const timer = setTimeout(() => done("timeout"), ms);
      req.socket.once("close", onClose);
      holds.add(release);
    });
  }

  /** Local-only switches for `npm run dev` and browser demos; not part of Toss's API. */
  function control(method: string, path: string, body: Record<string, unknown>): Reply {
    if (method === "POST" && path === "/__fake/authorize") {
      try {
        const paymentKey = authorize({
          orderId: String(body.orderId ?? ""),
          amount: Number(body.amount),
          orderName: typeof body.orderName === "string" ? body.orderName : undefined,
        });
        return { status: 200, body: { paymentKey, orderId: body.orderId, amount: body.amount } };
      } catch (error) {
        return { status: 400, body: { code: "INVALID_REQUEST", message: (error as Error).message } };
      }
    }
    if (method === "POST" && path === "/__fake/mode") {
      try {
        const { mode, ...opts } = body;
        setMode(mode as FakeTossMode, opts as FakeTossModeOptions);
        return { status: 200, body: { mode: standing.mode, pending: oneOffs.length } };
      } catch (error) {
        return { status: 400, body: { code: "INVALID_REQUEST", message: (error as Error).message } };
      }
    }
    if (method === "POST" && path === "/__fake/billing/authorize") {
      try {
        const authKey = authorizeBilling({ customerKey: String(body.customerKey ?? "") });
        return { status: 200, body: { authKey, customerKey: body.customerKey } };
      } catch (error) {
        return { status: 400, body: { code: "INVALID_REQUEST", message: (error as Error).message } };
      }
    }
    if (method === "GET" && path === "/__fake/payments") {
      return { status: 200, body: { mode: standing.mode, payments: [...payments.values()] } };
    }
    return tossError("NOT_FOUND");
  }

  function setMode(mode: FakeTossMode, opts: FakeTossModeOptions = {}): void {
    const r = rule(mode, opts);
    if (opts.times === undefined) {
      standing = r;
      oneOffs = [];
    } else {
      oneOffs.push(r);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  return {
    url: baseUrl,
    port,
    secretKey,
    setMode,
    get mode() {
      return standing.mode;
    },
    authorize,
    authorizeBilling,
    billingKeys,
    payments,
    paymentByOrderId(orderId) {
      const key = orderIndex.get(orderId);
      return key === undefined ? undefined : payments.get(key);
    },
    get confirmCalls() {
      return confirmCalls;
    },
    requests,
    reset,
    async close() {
      for (const release of [...holds]) release();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

/** The environment that points the Toss adapter (`tossGatewayFromEnv`) at a running fake. */
export function fakeTossEnv(fake: Pick<FakeTossGateway, "url" | "secretKey">): {
  TOSS_API_BASE_URL: string;
  TOSS_SECRET_KEY: string;
} {
  return { TOSS_API_BASE_URL: fake.url, TOSS_SECRET_KEY: fake.secretKey };
}

function tossError(code: string, message?: string): Reply {
  const known = TOSS_ERRORS[code];
  return {
    status: known?.status ?? 400,
    body: { code, message: message ?? known?.message ?? "요청을 처리할 수 없습니다." },
  };
}

function send(res: ServerResponse, reply: Reply): number {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
  return reply.status;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The body as text, or undefined when it exceeds the cap. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Supply value and VAT as Toss reports them: VAT is 1/11 of what is left, rounded. */
function setTax(p: FakeTossPayment): void {
  p.suppliedAmount = Math.round((p.balanceAmount * 10) / 11);
  p.vat = p.balanceAmount - p.suppliedAmount;
}

/** Toss's timestamp format: ISO 8601 in Korea time, e.g. 2024-02-13T12:17:57+09:00. */
function kst(d: Date): string {
  const shifted = new Date(d.getTime() + 9 * 60 * 60 * 1000);
  return `${shifted.toISOString().slice(0, 19)}+09:00`;
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Shaped like Toss's newer keys (`tviva20240213121757MvuS8`): a prefix, the time, random characters. */
function paymentKeyOf(d: Date): string {
  const stamp = kst(d).slice(0, 19).replace(/\D/g, "");
  const bytes = randomBytes(8);
  let tail = "";
  for (const b of bytes) tail += BASE62[b % 62];
  return `tnyan${stamp}${tail}`;
}

/** A billing key: opaque base64-like text, as Toss's are. */
function billingKeyOf(): string {
  return randomBytes(32).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

function transactionKeyOf(): string {
  return randomUUID().replace(/-/g, "").toUpperCase();
}
