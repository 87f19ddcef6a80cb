/**
 * The Toss adapter against a stub `fetch`: what goes on the wire and how every kind of answer
 * maps onto the port. The HTTP round trip against the fake and the recorded Toss answers lives
 * in test/payments.
 */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../config.ts";
import { PaymentDeclinedError, paymentFailureReasons, paymentStatuses, PaymentUnknownError } from "./gateway.ts";
import { TOSS_DEFAULT_BASE_URL, TOSS_FAILURE_REASONS, TOSS_STATUSES, TossPaymentsGateway, tossGatewayFromEnv } from "./toss-gateway.ts";

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

const donePayment = {
  mId: "tosspayments",
  paymentKey: "pk_1",
  orderId: "order_0001",
  orderName: "냥 코인",
  status: "DONE",
  requestedAt: "2024-02-13T12:17:57+09:00",
  approvedAt: "2024-02-13T12:18:14+09:00",
  totalAmount: 10000,
  balanceAmount: 10000,
  method: "카드",
  cancels: null,
  someFutureField: { added: "without notice" },
};

/** A gateway whose fetch answers with `reply` and records the request. */
function stub(reply: (call: Call) => Response | Promise<Response>, options: { timeoutMs?: number } = {}) {
  const calls: Call[] = [];
  const fetchStub = (async (input: string | URL | Request, init?: RequestInit) => {
    const call: Call = {
      url: String(input),
      method: init?.method ?? "GET",
      headers: Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>)),
      body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    return reply(call);
  }) as typeof fetch;
  const gateway = new TossPaymentsGateway({
    baseUrl: "https://toss.test/",
    secretKey: "test_sk_abc",
    fetch: fetchStub,
    ...options,
  });
  return { gateway, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const confirmReq = { paymentKey: "pk_1", orderId: "order_0001", amount: 10000, idempotencyKey: "idem-1" };

describe("TossPaymentsGateway requests", () => {
  it("confirm: POST /v1/payments/confirm, Basic base64(secret + ':'), JSON body, Idempotency-Key", async () => {
    const { gateway, calls } = stub(() => json(200, donePayment));
    const payment = await gateway.confirm(confirmReq);
    expect(payment).toEqual({
      paymentKey: "pk_1",
      orderId: "order_0001",
      status: "approved",
      gatewayStatus: "DONE",
      totalAmount: 10000,
      balanceAmount: 10000,
      method: "카드",
      approvedAt: "2024-02-13T12:18:14+09:00",
    });
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.url).toBe("https://toss.test/v1/payments/confirm");
    expect(call.method).toBe("POST");
    expect(call.headers.Authorization).toBe(`Basic ${Buffer.from("test_sk_abc:").toString("base64")}`);
    expect(call.headers["Content-Type"]).toBe("application/json");
    expect(call.headers["Idempotency-Key"]).toBe("idem-1");
    expect(call.body).toEqual({ paymentKey: "pk_1", orderId: "order_0001", amount: 10000 });
  });

  it("cancel: POST /v1/payments/{paymentKey}/cancel with cancelReason, cancelAmount only when given", async () => {
    const canceled = { ...donePayment, paymentKey: "pk/1 ?", status: "CANCELED", balanceAmount: 0 };
    const { gateway, calls } = stub(() => json(200, canceled));
    await gateway.cancel({ paymentKey: "pk/1 ?", reason: "고객 요청", idempotencyKey: "c-1" });
    await gateway.cancel({ paymentKey: "pk/1 ?", reason: "부분", amount: 300, idempotencyKey: "c-2" });
    expect(calls[0]!.url).toBe("https://toss.test/v1/payments/pk%2F1%20%3F/cancel");
    expect(calls[0]!.body).toEqual({ cancelReason: "고객 요청" });
    expect(calls[0]!.headers["Idempotency-Key"]).toBe("c-1");
    expect(calls[1]!.body).toEqual({ cancelReason: "부분", cancelAmount: 300 });
  });

  it("findByOrderId: GET /v1/payments/orders/{orderId}, no body, no idempotency key", async () => {
    const { gateway, calls } = stub(() => json(200, donePayment));
    expect((await gateway.findByOrderId("order 1/2"))?.status).toBe("approved");
    expect(calls[0]!.url).toBe("https://toss.test/v1/payments/orders/order%201%2F2");
    expect(calls[0]!.method).toBe("GET");
    expect(calls[0]!.body).toBeUndefined();
    expect(calls[0]!.headers["Idempotency-Key"]).toBeUndefined();
    expect(calls[0]!.headers["Content-Type"]).toBeUndefined();
  });

  it("findByPaymentKey: GET /v1/payments/{paymentKey}; Toss's 404 NOT_FOUND_PAYMENT is null; an answer about another key is unknown", async () => {
    const { gateway, calls } = stub(() => json(200, donePayment));
    expect(await gateway.findByPaymentKey("pk_1")).toMatchObject({ paymentKey: "pk_1", orderId: "order_0001", status: "approved" });
    expect([calls[0]!.method, calls[0]!.url, calls[0]!.headers["Idempotency-Key"]]).toEqual(["GET", "https://toss.test/v1/payments/pk_1", undefined]);
    await expect(gateway.findByPaymentKey("pk_2")).rejects.toBeInstanceOf(PaymentUnknownError);
    const notFound = stub(() => json(404, { code: "NOT_FOUND_PAYMENT", message: "존재하지 않는 결제 입니다." }));
    expect(await notFound.gateway.findByPaymentKey("pk_1")).toBeNull();
  });
});

describe("TossPaymentsGateway answers", () => {
  it.each(["NOT_FOUND_PAYMENT", "NOT_FOUND_PAYMENT_SESSION"])("confirm: Toss's 404 %s says the key is not this order's payment (not_found)", async (code) => {
    const { gateway } = stub(() => json(404, { code, message: "…" }));
    const error = await gateway.confirm(confirmReq).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentDeclinedError);
    expect(error).toMatchObject({ reason: "not_found", gatewayCode: code });
  });

  it.each([
    [400, "ALREADY_PROCESSED_PAYMENT", "already_processed"],
    [400, "DUPLICATED_ORDER_ID", "duplicate_order"],
    [400, "ALREADY_CANCELED_PAYMENT", "already_canceled"],
    [403, "NOT_CANCELABLE_PAYMENT", "not_cancelable"],
    [400, "NOT_MATCHES_CUSTOMER_KEY", "customer_mismatch"],
    [401, "UNAUTHORIZED_KEY", "unauthorized"],
    [400, "INVALID_REQUEST", "invalid_request"],
    [404, "NOT_FOUND", "invalid_request"],
    [403, "REJECT_CARD_PAYMENT", "declined"],
    [400, "A_CODE_TOSS_ADDS_LATER", "declined"],
  ] as const)("a %i %s refusal is declined %s, keeping Toss's code", async (status, code, reason) => {
    const { gateway } = stub(() => json(status, { code, message: "…" }));
    const error = await gateway.confirm(confirmReq).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentDeclinedError);
    expect(error).toMatchObject({ reason, gatewayCode: code });
  });

  it("every Toss status and mapped code lands on one of the port's words", () => {
    for (const status of Object.values(TOSS_STATUSES)) expect(paymentStatuses).toContain(status);
    for (const reason of Object.values(TOSS_FAILURE_REASONS)) expect(paymentFailureReasons).toContain(reason);
  });

  it.each([
    ["READY", "pending"],
    ["IN_PROGRESS", "pending"],
    ["WAITING_FOR_DEPOSIT", "pending"],
    ["DONE", "approved"],
    ["PARTIAL_CANCELED", "partially_canceled"],
    ["CANCELED", "canceled"],
    ["ABORTED", "failed"],
    ["EXPIRED", "expired"],
  ])("a Payment with Toss status %s reads %s, and keeps Toss's word", async (tossStatus, status) => {
    const { gateway } = stub(() => json(200, { ...donePayment, status: tossStatus }));
    expect(await gateway.findByOrderId("order_0001")).toMatchObject({ status, gatewayStatus: tossStatus });
  });

  it("a Toss 4xx error body is a decline carrying code and message", async () => {
    const { gateway } = stub(() =>
      json(403, { code: "REJECT_CARD_PAYMENT", message: "한도초과 혹은 잔액부족으로 결제에 실패했습니다." }),
    );
    const error = await gateway.confirm(confirmReq).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentDeclinedError);
    expect(error).toMatchObject({
      reason: "declined",
      gatewayCode: "REJECT_CARD_PAYMENT",
      message: "한도초과 혹은 잔액부족으로 결제에 실패했습니다.",
    });
  });

  it("look-up: Toss's 404 NOT_FOUND_PAYMENT is null; a 401 is a decline, never 'no payment'", async () => {
    const notFound = stub(() => json(404, { code: "NOT_FOUND_PAYMENT", message: "존재하지 않는 결제 입니다." }));
    expect(await notFound.gateway.findByOrderId("order_0001")).toBeNull();
    const unauthorized = stub(() => json(401, { code: "UNAUTHORIZED_KEY", message: "인증되지 않은 키" }));
    await expect(unauthorized.gateway.findByOrderId("order_0001")).rejects.toMatchObject({
      name: "PaymentDeclinedError",
      reason: "unauthorized",
      gatewayCode: "UNAUTHORIZED_KEY",
    });
  });

  it("look-up: a 404 that is not Toss's (wrong base URL, proxy page) is unknown, not 'no payment'", async () => {
    const { gateway } = stub(() => new Response("<html>Not Found</html>", { status: 404 }));
    await expect(gateway.findByOrderId("order_0001")).rejects.toBeInstanceOf(PaymentUnknownError);
  });

  it.each([
    ["a 5xx with a Toss body", () => json(500, { code: "FAILED_INTERNAL_SYSTEM_PROCESSING", message: "x" })],
    ["a 502 without a body", () => new Response("", { status: 502 })],
    ["409 IDEMPOTENT_REQUEST_PROCESSING", () => json(409, { code: "IDEMPOTENT_REQUEST_PROCESSING", message: "x" })],
    ["429 rate limit", () => json(429, { code: "TOO_MANY_REQUESTS", message: "x" })],
    ["400 PROVIDER_ERROR (temporary)", () => json(400, { code: "PROVIDER_ERROR", message: "일시적인 오류" })],
    ["a 4xx without a Toss body", () => new Response("Forbidden", { status: 403 })],
    ["a 200 that is not JSON", () => new Response("<html>ok</html>", { status: 200 })],
    ["a 200 without the Payment fields", () => json(200, { paymentKey: "pk_1", status: "DONE" })],
    ["a 200 with an unknown status", () => json(200, { ...donePayment, status: "MAYBE" })],
  ])("%s leaves the outcome unknown", async (_label, reply) => {
    const { gateway } = stub(reply);
    await expect(gateway.confirm(confirmReq)).rejects.toBeInstanceOf(PaymentUnknownError);
  });

  it("an answer about another payment (an idempotency key reused) is unknown, not this payment", async () => {
    const { gateway } = stub(() => json(200, { ...donePayment, orderId: "order_other" }));
    await expect(gateway.confirm(confirmReq)).rejects.toThrow(/idempotency key idem-1 was used for another payment/);
  });

  it("a network error is unknown and keeps the cause", async () => {
    const { gateway } = stub(() => {
      throw new TypeError("fetch failed", { cause: new Error("other side closed") });
    });
    const error = await gateway.cancel({ paymentKey: "pk_1", reason: "r", idempotencyKey: "k" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentUnknownError);
    expect((error as Error).message).toMatch(/fetch failed: other side closed/);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });

  it("no answer within timeoutMs is unknown, and the request is aborted", async () => {
    let aborted = false;
    // A fetch that never answers but honours the signal, as the real one does.
    const gateway = new TossPaymentsGateway({
      baseUrl: "https://toss.test",
      secretKey: "test_sk_abc",
      timeoutMs: 50,
      fetch: ((_url: string, init?: RequestInit) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => {
            aborted = true;
            reject(init.signal?.reason);
          });
        })) as typeof fetch,
    });
    const started = Date.now();
    await expect(gateway.confirm(confirmReq)).rejects.toThrow(/no answer within 50 ms/);
    expect(aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("tossGatewayFromEnv", () => {
  it("requires TOSS_SECRET_KEY and names it", () => {
    expect(() => tossGatewayFromEnv({})).toThrow(ConfigError);
    expect(() => tossGatewayFromEnv({ TOSS_SECRET_KEY: "  " })).toThrow(/TOSS_SECRET_KEY/);
  });

  it("defaults the base URL to Toss's API host and honours TOSS_API_BASE_URL", async () => {
    const urls: string[] = [];
    const fetchStub = (async (input: string | URL | Request) => {
      urls.push(String(input));
      return json(404, { code: "NOT_FOUND_PAYMENT", message: "x" });
    }) as typeof fetch;
    await tossGatewayFromEnv({ TOSS_SECRET_KEY: "test_sk_x" }, { fetch: fetchStub }).findByOrderId("order_0001");
    await tossGatewayFromEnv(
      { TOSS_SECRET_KEY: "test_sk_x", TOSS_API_BASE_URL: "http://127.0.0.1:4010/" },
      { fetch: fetchStub },
    ).findByOrderId("order_0001");
    expect(TOSS_DEFAULT_BASE_URL).toBe("https://api.tosspayments.com");
    expect(urls).toEqual([
      "https://api.tosspayments.com/v1/payments/orders/order_0001",
      "http://127.0.0.1:4010/v1/payments/orders/order_0001",
    ]);
  });

  it("refuses a base URL that is not an http(s) URL", () => {
    expect(() => tossGatewayFromEnv({ TOSS_SECRET_KEY: "k", TOSS_API_BASE_URL: "api.tosspayments.com" })).toThrow(
      /TOSS_API_BASE_URL/,
    );
    expect(() => tossGatewayFromEnv({ TOSS_SECRET_KEY: "k", TOSS_API_BASE_URL: "ftp://x" })).toThrow(ConfigError);
  });
});
