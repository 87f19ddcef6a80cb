/**
 * The Toss API surface of the fake: the routes of Toss's core API that Nyang uses, over the
 * fake's state, behind Toss's authentication and idempotency rules and the fake's fault rules.
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
 * Billing (automatic payments, https://docs.tosspayments.com/guides/apis/card-billing): `POST
 * /v1/billing/authorizations/issue` turns the registration window's one-time `authKey` (with the
 * merchant's `customerKey`) into a Billing object with a `billingKey`; `POST
 * /v1/billing/{billingKey}` with `{ customerKey, amount, orderId, orderName }` makes a DONE
 * Payment of `type: "BILLING"`, listed by the order look-up like any other. A customer key other
 * than the billing key's is refused 400 NOT_MATCHES_CUSTOMER_KEY (Toss's code and message). An
 * authKey is bound to the customer key it was issued for (as Toss binds a billing key to its
 * customer key): exchanging it under another customer key is refused 400 NOT_MATCHES_CUSTOMER_KEY
 * (Toss's billing code and message; that the issue call answers it is the fake's pick), before
 * and after the authKey was exchanged. Where the docs are silent the fake picks: an authKey it
 * never issued answers 400 INVALID_REQUEST (synthesised); one already exchanged answers 400
 * INVALID_REQUEST; an unknown billing key answers 404 NOT_FOUND_BILLING_KEY (synthesised); an
 * order id with a DONE payment answers 400 DUPLICATED_ORDER_ID, while one whose earlier charge
 * was refused (ABORTED) may be charged again. The two billing routes are operations of their own
 * (`billing_issue`, `billing_charge`) with the same modes; authentication, idempotency, modes and
 * the request log are shared by every route.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { declineFor, type FakeTossOperation, type FaultRules } from "./faults.ts";
import { header, parseObject, readBody, send } from "./http.ts";
import {
  billingKeyOf,
  CUSTOMER_KEY,
  kst,
  ORDER_ID,
  paymentKeyOf,
  setTax,
  transactionKeyOf,
  type FakeTossBilling,
  type FakeTossPayment,
  type FakeTossRequest,
  type FakeTossState,
} from "./state.ts";
import { declined, tossError, type Decline, type Reply } from "./toss-errors.ts";

const IDEMPOTENCY_KEY_MAX = 300;
const IDEMPOTENCY_TTL_MS = 15 * 24 * 60 * 60 * 1000;

interface RouteContext {
  params: string[];
  body: Record<string, unknown>;
  /** Set in decline mode: the handler refuses with it (after its own validation). */
  decline: Decline | undefined;
}

/** One route of Toss's API: what it matches, which operation the fault rules know it as, and its handler. */
export interface Route {
  method: "GET" | "POST";
  pattern: RegExp;
  operation: FakeTossOperation;
  handle(ctx: RouteContext): Reply;
}

export interface TossApiOptions {
  /** The one secret key the fake accepts. */
  secretKey: string;
  /** Minimum gap between two cancels of one payment (Toss: one second). 0 turns the check off. */
  cancelCooldownMs: number;
  /** One line per request. */
  log: ((line: string) => void) | undefined;
  /** Releases of the requests a timeout rule holds (the server lets them go when it closes). */
  holds: Set<() => void>;
}

/** Toss's API over the fake's state, with the fault rules applied. */
export class TossApi {
  private readonly routes: Route[];

  constructor(
    private readonly state: FakeTossState,
    private readonly faults: FaultRules,
    private readonly options: TossApiOptions,
  ) {
    this.routes = tossRoutes(state, options.cancelCooldownMs);
  }

  /** Serves one request to Toss's API: the route, then authentication, body, idempotency and the fault rules. */
  async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://fake").pathname;

    const idempotencyHeader = header(req, "idempotency-key");
    const entry: FakeTossRequest = {
      operation: "unknown",
      method,
      path,
      idempotencyKey: idempotencyHeader,
      outcome: "pending",
      replayed: false,
    };
    this.state.requests.push(entry);
    const finish = (outcome: FakeTossRequest["outcome"]) => {
      entry.outcome = outcome;
      this.options.log?.(`[fake-toss] ${method} ${path} → ${outcome}${entry.replayed ? " (replayed)" : ""}`);
    };

    const matched = matchRoute(this.routes, method, path);
    if (!matched) {
      finish(send(res, tossError("NOT_FOUND")));
      return;
    }
    const { route, params } = matched;
    entry.operation = route.operation;
    if (route.operation === "confirm") this.state.confirmCalls += 1;

    const auth = checkAuth(this.options.secretKey, header(req, "authorization"));
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
    if (scope !== undefined && this.state.inFlight.has(scope)) {
      finish(send(res, tossError("IDEMPOTENT_REQUEST_PROCESSING")));
      return;
    }

    const active = this.faults.take(route.operation);
    const mode = active?.mode ?? "approve";

    if (mode === "timeout") {
      // Held, then dropped; nothing applied, nothing stored. The key is busy meanwhile, as at Toss.
      if (scope !== undefined) this.state.inFlight.add(scope);
      entry.outcome = "held";
      const outcome = await this.hold(req, active!.holdMs);
      if (scope !== undefined) this.state.inFlight.delete(scope);
      req.socket.destroy();
      finish(outcome);
      return;
    }

    let reply: Reply;
    const stored = scope === undefined ? undefined : this.state.idempotency.get(scope);
    if (stored && this.state.now().getTime() - stored.at < IDEMPOTENCY_TTL_MS) {
      reply = stored.reply;
      entry.replayed = true;
    } else {
      const testCode = header(req, "tosspayments-test-code");
      if (testCode !== undefined && this.options.secretKey.startsWith("test_")) {
        reply = tossError(testCode);
      } else {
        const decline = mode === "decline" ? declineFor(route.operation, active!) : undefined;
        reply = route.handle({ params, body, decline });
      }
      // A snapshot, so later changes to the payment do not leak into the replay.
      reply = { status: reply.status, body: structuredClone(reply.body) };
      if (scope !== undefined && reply.status < 500) this.state.idempotency.set(scope, { reply, at: this.state.now().getTime() });
    }

    if (mode === "lose_response") {
      req.socket.destroy();
      finish("lost");
      return;
    }
    finish(send(res, reply));
  }

  /** Waits until the hold is over, the client hangs up, or the fake closes. */
  private hold(req: IncomingMessage, ms: number): Promise<FakeTossRequest["outcome"]> {
    return new Promise((resolve) => {
      const done = (outcome: FakeTossRequest["outcome"]) => {
        clearTimeout(timer);
        req.socket.off("close", onClose);
        this.options.holds.delete(release);
        resolve(outcome);
      };
      const onClose = () => done("client_gone");
      const release = () => done("timeout");
      const timer = setTimeout(() => done("timeout"), ms);
      req.socket.once("close", onClose);
      this.options.holds.add(release);
    });
  }
}

/** The route a request is for, with the path's parameters. */
function matchRoute(routes: readonly Route[], method: string, path: string): { route: Route; params: string[] } | undefined {
  for (const route of routes) {
    const m = route.method === method ? route.pattern.exec(path) : null;
    if (m) return { route, params: m.slice(1) };
  }
  return undefined;
}

/** Toss's Basic authentication: the secret key as user, an empty password; undefined when it passes. */
export function checkAuth(secretKey: string, value: string | undefined): Reply | undefined {
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

/** The routes, each answering from (and changing) the state. */
function tossRoutes(state: FakeTossState, cancelCooldownMs: number): Route[] {
  return [
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
    if (typeof orderId !== "string" || !ORDER_ID.test(orderId)) {
      return tossError("INVALID_REQUEST", "orderId는 영문 대소문자, 숫자, -, _ 로 이루어진 6자 이상 64자 이하 문자열이어야 합니다.");
    }
    if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0) {
      return tossError("INVALID_REQUEST", "amount는 0보다 큰 정수여야 합니다.");
    }
    const existing = state.payments.get(paymentKey);
    if (existing) {
      return existing.status === "ABORTED" || existing.status === "EXPIRED"
        ? tossError("NOT_FOUND_PAYMENT_SESSION")
        : tossError("ALREADY_PROCESSED_PAYMENT");
    }
    const session = state.sessions.get(paymentKey);
    // Toss confirms only what its payment window authorised: a key it never issued pays for nothing.
    if (!session) return tossError("NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.");
    if (session.orderId !== orderId) return tossError("NOT_FOUND_PAYMENT_SESSION");
    if (state.isSettled(orderId)) return tossError("DUPLICATED_ORDER_ID");
    if (session.amount !== amount) {
      return tossError("INVALID_REQUEST", `결제 금액(${amount})이 결제 요청 금액(${session.amount})과 다릅니다.`);
    }
    state.sessions.delete(paymentKey);
    const payment = state.newPayment(paymentKey, session);
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
    const registeredFor = state.billingAuths.get(authKey);
    if (registeredFor === undefined) return tossError("INVALID_REQUEST", "유효하지 않은 authKey 입니다.");
    if (registeredFor !== customerKey) return tossError("NOT_MATCHES_CUSTOMER_KEY");
    if (state.usedAuthKeys.has(authKey)) return tossError("INVALID_REQUEST", "이미 사용된 authKey 입니다.");
    if (decline) return declined(decline);
    state.usedAuthKeys.add(authKey);
    const billing: FakeTossBilling = {
      mId: "tosspayments",
      customerKey,
      authenticatedAt: kst(state.now()),
      method: "카드",
      billingKey: billingKeyOf(),
      card: { issuerCode: "61", acquirerCode: "31", number: "43301234****123*", cardType: "신용", ownerType: "개인" },
      cardCompany: "현대",
      cardNumber: "43301234****123*",
    };
    state.billingKeys.set(billing.billingKey, billing);
    return { status: 200, body: billing };
  }

  function chargeBillingKey({ params, body, decline }: RouteContext): Reply {
    const billing = state.billingKeys.get(decodeURIComponent(params[0]!));
    const { customerKey, amount, orderId, orderName } = body;
    if (typeof customerKey !== "string" || customerKey.length === 0) return tossError("INVALID_REQUEST", "customerKey는 필수 값입니다.");
    if (typeof orderId !== "string" || !ORDER_ID.test(orderId)) {
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
    if (state.isSettled(orderId)) return tossError("DUPLICATED_ORDER_ID");
    const payment = state.newPayment(paymentKeyOf(state.now()), { orderId, amount, orderName, requestedAt: kst(state.now()) });
    payment.type = "BILLING";
    return approveOrAbort(payment, decline);
  }

  function cancel({ params, body, decline }: RouteContext): Reply {
    const payment = state.payments.get(params[0]!);
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
    if (decline) return declined(decline);
    if (payment.status === "CANCELED") return tossError("ALREADY_CANCELED_PAYMENT");
    if (payment.status !== "DONE" && payment.status !== "PARTIAL_CANCELED") return tossError("NOT_CANCELABLE_PAYMENT");
    const amount = cancelAmount ?? payment.balanceAmount;
    if (amount > payment.balanceAmount) return tossError("NOT_CANCELABLE_AMOUNT");
    const t = state.now().getTime();
    const last = state.lastCancelAt.get(payment.paymentKey);
    if (cancelCooldownMs > 0 && last !== undefined && t - last < cancelCooldownMs) {
      return tossError("FORBIDDEN_CONSECUTIVE_REQUEST");
    }
    state.lastCancelAt.set(payment.paymentKey, t);
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
    if (decline) return declined(decline);
    const payment = state.paymentByOrderId(decodeURIComponent(params[0]!));
    return payment ? { status: 200, body: payment } : tossError("NOT_FOUND_PAYMENT");
  }

  function lookupByKey({ params, decline }: RouteContext): Reply {
    if (decline) return declined(decline);
    const payment = state.payments.get(decodeURIComponent(params[0]!));
    return payment ? { status: 200, body: payment } : tossError("NOT_FOUND_PAYMENT");
  }

  /** A confirm or a billing charge, decided: refused → ABORTED with its failure (Toss's errors page), else DONE. */
  function approveOrAbort(payment: FakeTossPayment, decline: Decline | undefined): Reply {
    if (decline) {
      payment.status = "ABORTED";
      payment.failure = { code: decline.code, message: decline.message };
      payment.lastTransactionKey = null;
      payment.receipt = null;
      state.save(payment);
      return declined(decline);
    }
    payment.status = "DONE";
    payment.approvedAt = kst(state.now());
    state.save(payment);
    return { status: 200, body: payment };
  }
}
