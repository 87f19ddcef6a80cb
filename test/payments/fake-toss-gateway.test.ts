/**
 * The fake Toss server's own promises, at the HTTP level: authentication, validation,
 * idempotency (replay, in-flight 409, body not compared), the mode switches and their
 * scoping, cancel rules, billing (card registration and automatic payments), and the local
 * control endpoints `npm run dev` uses.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PaymentUnknownError, TossPaymentsGateway } from "@nyang/core";
import { fakeTossEnv, startFakeTossGateway, type FakeTossGateway } from "@nyang/local";

let fake: FakeTossGateway;
let auth: string;

beforeAll(async () => {
  fake = await startFakeTossGateway({ secretKey: "test_sk_fake_suite" });
  auth = `Basic ${Buffer.from(`${fake.secretKey}:`).toString("base64")}`;
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => {
  fake.reset();
});

const newOrderId = () => `ord_${randomUUID().slice(0, 12)}`;

/** A raw call, as any Toss client would make it. */
async function call(
  method: string,
  path: string,
  options: { body?: unknown; idempotencyKey?: string; authorization?: string | null; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.authorization !== null) headers.Authorization = options.authorization ?? auth;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.idempotencyKey !== undefined) headers["Idempotency-Key"] = options.idempotencyKey;
  const res = await fetch(`${fake.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: res.status, body: await res.json() };
}

function authorised(amount = 10_000) {
  const orderId = newOrderId();
  return { orderId, amount, paymentKey: fake.authorize({ orderId, amount }) };
}

const confirmBody = (o: { paymentKey: string; orderId: string; amount: number }) => ({
  paymentKey: o.paymentKey,
  orderId: o.orderId,
  amount: o.amount,
});

describe("authentication", () => {
  it("no Authorization header → 401 UNAUTHORIZED_KEY; a key encoded without ':' → 403 INCORRECT_BASIC_AUTH_FORMAT", async () => {
    const o = authorised();
    const missing = await call("POST", "/v1/payments/confirm", { body: confirmBody(o), authorization: null });
    expect(missing).toMatchObject({ status: 401, body: { code: "UNAUTHORIZED_KEY" } });
    const noColon = await call("POST", "/v1/payments/confirm", {
      body: confirmBody(o),
      authorization: `Basic ${Buffer.from(fake.secretKey).toString("base64")}`,
    });
    expect(noColon).toMatchObject({ status: 403, body: { code: "INCORRECT_BASIC_AUTH_FORMAT" } });
    const bearer = await call("GET", `/v1/payments/orders/${o.orderId}`, { authorization: `Bearer ${fake.secretKey}` });
    expect(bearer.status).toBe(403);
    expect(fake.payments.size).toBe(0);
  });
});

describe("confirm", () => {
  it("validates the body: 400 INVALID_REQUEST for a missing amount, a bad order id, a non-JSON body", async () => {
    const o = authorised();
    expect(await call("POST", "/v1/payments/confirm", { body: { paymentKey: o.paymentKey, orderId: o.orderId } })).toMatchObject({
      status: 400,
      body: { code: "INVALID_REQUEST" },
    });
    expect(
      await call("POST", "/v1/payments/confirm", { body: { ...confirmBody(o), orderId: "no spaces!" } }),
    ).toMatchObject({ status: 400, body: { code: "INVALID_REQUEST" } });
    const res = await fetch(`${fake.url}/v1/payments/confirm`, {
      method: "POST",
      headers: { Authorization: auth, "Content-Type": "application/json" },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe("INVALID_REQUEST");
  });

  it("an authorised payment needs its own order id and amount", async () => {
    const o = authorised(5000);
    const otherOrder = await call("POST", "/v1/payments/confirm", { body: { ...confirmBody(o), orderId: newOrderId() } });
    expect(otherOrder).toMatchObject({ status: 404, body: { code: "NOT_FOUND_PAYMENT_SESSION" } });
    const otherAmount = await call("POST", "/v1/payments/confirm", { body: { ...confirmBody(o), amount: 5001 } });
    expect(otherAmount).toMatchObject({ status: 400, body: { code: "INVALID_REQUEST" } });
    const right = await call("POST", "/v1/payments/confirm", { body: confirmBody(o) });
    expect(right).toMatchObject({ status: 200, body: { status: "DONE", totalAmount: 5000, orderId: o.orderId } });
  });

  it("a payment key the fake never issued is refused 404 NOT_FOUND_PAYMENT, as Toss refuses it, and nothing is paid", async () => {
    const orderId = newOrderId();
    const unknown = await call("POST", "/v1/payments/confirm", { body: { paymentKey: "wrong", orderId, amount: 3000 } });
    expect(unknown).toMatchObject({ status: 404, body: { code: "NOT_FOUND_PAYMENT" } });
    expect(fake.payments.size).toBe(0);
    expect(fake.paymentByOrderId(orderId)).toBeUndefined();
    // The order can still be paid through the checkout.
    const right = await call("POST", "/v1/payments/confirm", { body: { paymentKey: fake.authorize({ orderId, amount: 3000 }), orderId, amount: 3000 } });
    expect(right).toMatchObject({ status: 200, body: { orderId, status: "DONE" } });
  });

  it("another order's payment key is refused: authorised for it → NOT_FOUND_PAYMENT_SESSION, approved for it → ALREADY_PROCESSED_PAYMENT", async () => {
    const a = authorised(3000);
    const b = authorised(3000);
    const sessionOfA = await call("POST", "/v1/payments/confirm", { body: { ...confirmBody(b), paymentKey: a.paymentKey } });
    expect(sessionOfA).toMatchObject({ status: 404, body: { code: "NOT_FOUND_PAYMENT_SESSION" } });
    expect(await call("POST", "/v1/payments/confirm", { body: confirmBody(a) })).toMatchObject({ status: 200 });
    const paidForA = await call("POST", "/v1/payments/confirm", { body: { ...confirmBody(b), paymentKey: a.paymentKey } });
    expect(paidForA).toMatchObject({ status: 400, body: { code: "ALREADY_PROCESSED_PAYMENT" } });
    expect(fake.paymentByOrderId(b.orderId)).toBeUndefined();
    // The payment says which order it belongs to.
    expect((await call("GET", `/v1/payments/${a.paymentKey}`)).body).toMatchObject({ orderId: a.orderId, status: "DONE" });
    // B is still payable with its own key.
    expect(await call("POST", "/v1/payments/confirm", { body: confirmBody(b) })).toMatchObject({ status: 200, body: { orderId: b.orderId } });
  });

  it("an order id is paid once: a second checkout's key for it is refused DUPLICATED_ORDER_ID", async () => {
    const orderId = newOrderId();
    const first = fake.authorize({ orderId, amount: 3000 });
    const second = fake.authorize({ orderId, amount: 3000 });
    expect(await call("POST", "/v1/payments/confirm", { body: { paymentKey: first, orderId, amount: 3000 } })).toMatchObject({ status: 200 });
    const again = await call("POST", "/v1/payments/confirm", { body: { paymentKey: second, orderId, amount: 3000 } });
    expect(again).toMatchObject({ status: 400, body: { code: "DUPLICATED_ORDER_ID" } });
    expect(() => fake.authorize({ orderId, amount: 3000 })).toThrow(/DUPLICATED_ORDER_ID/);
  });

  it("a refused confirm leaves the payment ABORTED with `failure`, visible to the look-up, and not confirmable later", async () => {
    const o = authorised();
    fake.setMode("decline", { times: 1, code: "REJECT_CARD_COMPANY" });
    expect(await call("POST", "/v1/payments/confirm", { body: confirmBody(o), idempotencyKey: "d-1" })).toMatchObject({
      status: 403,
      body: { code: "REJECT_CARD_COMPANY", message: "결제 승인이 거절되었습니다." },
    });
    const looked = await call("GET", `/v1/payments/orders/${o.orderId}`);
    expect(looked.body).toMatchObject({ status: "ABORTED", approvedAt: null, failure: { code: "REJECT_CARD_COMPANY" } });
    const retry = await call("POST", "/v1/payments/confirm", { body: confirmBody(o), idempotencyKey: "d-2" });
    expect(retry).toMatchObject({ status: 404, body: { code: "NOT_FOUND_PAYMENT_SESSION" } });
  });

  it("counts confirm calls, replays and refusals included", async () => {
    const o = authorised();
    await call("POST", "/v1/payments/confirm", { body: confirmBody(o), idempotencyKey: "c-1" });
    await call("POST", "/v1/payments/confirm", { body: confirmBody(o), idempotencyKey: "c-1" });
    await call("POST", "/v1/payments/confirm", { body: confirmBody(o), idempotencyKey: "c-2" });
    await call("GET", `/v1/payments/orders/${o.orderId}`);
    expect(fake.confirmCalls).toBe(3);
    expect(fake.requests.map((r) => [r.operation, r.outcome, r.replayed])).toEqual([
      ["confirm", 200, false],
      ["confirm", 200, true],
      ["confirm", 400, false],
      ["lookup", 200, false],
    ]);
  });
});

describe("idempotency", () => {
  it("keys are scoped by URL and method, not by body: a reused key replays the first answer", async () => {
    const a = authorised(1000);
    const b = authorised(2000);
    const first = await call("POST", "/v1/payments/confirm", { body: confirmBody(a), idempotencyKey: "shared" });
    const reused = await call("POST", "/v1/payments/confirm", { body: confirmBody(b), idempotencyKey: "shared" });
    expect(reused).toEqual(first);
    expect(fake.paymentByOrderId(b.orderId)).toBeUndefined();
    // The adapter notices the answer is about another payment and refuses to call it this one.
    const gateway = new TossPaymentsGateway({ baseUrl: fake.url, secretKey: fake.secretKey, timeoutMs: 5000 });
    await expect(gateway.confirm({ ...b, idempotencyKey: "shared" })).rejects.toBeInstanceOf(PaymentUnknownError);
    // The same key on another URL is another request.
    const cancel = await call("POST", `/v1/payments/${a.paymentKey}/cancel`, {
      body: { cancelReason: "고객 요청" },
      idempotencyKey: "shared",
    });
    expect(cancel.body.status).toBe("CANCELED");
  });

  it("a key over 300 characters → 400 INVALID_IDEMPOTENCY_KEY", async () => {
    const o = authorised();
    const res = await call("POST", "/v1/payments/confirm", { body: confirmBody(o), idempotencyKey: "k".repeat(301) });
    expect(res).toMatchObject({ status: 400, body: { code: "INVALID_IDEMPOTENCY_KEY" } });
    expect(fake.payments.size).toBe(0);
  });

  it("a repeat while the first is still running → 409 IDEMPOTENT_REQUEST_PROCESSING; after it was dropped the key is free", async () => {
    const o = authorised();
    fake.setMode("timeout", { times: 1, holdMs: 400 });
    const held = call("POST", "/v1/payments/confirm", { body: confirmBody(o), idempotencyKey: "busy" }).then(
      () => "answered",
      () => "dropped",
    );
    await waitFor(() => fake.requests[0]?.outcome === "held");
    const during = await call("POST", "/v1/payments/confirm", { body: confirmBody(o), idempotencyKey: "busy" });
    expect(during).toMatchObject({ status: 409, body: { code: "IDEMPOTENT_REQUEST_PROCESSING" } });
    expect(await held).toBe("dropped");
    expect(fake.requests[0]!.outcome).toBe("timeout");
    expect(fake.paymentByOrderId(o.orderId)).toBeUndefined();
    const after = await call("POST", "/v1/payments/confirm", { body: confirmBody(o), idempotencyKey: "busy" });
    expect(after).toMatchObject({ status: 200, body: { status: "DONE" } });
  });

  it("an idempotency key on a GET is ignored", async () => {
    const o = authorised();
    const before = await call("GET", `/v1/payments/orders/${o.orderId}`, { idempotencyKey: "g" });
    await call("POST", "/v1/payments/confirm", { body: confirmBody(o) });
    const after = await call("GET", `/v1/payments/orders/${o.orderId}`, { idempotencyKey: "g" });
    expect(before.status).toBe(404);
    expect(after).toMatchObject({ status: 200, body: { status: "DONE" } });
  });
});

describe("modes", () => {
  it("`times` applies a mode to the next N matching calls only; without it the standing mode changes", async () => {
    const statuses: number[] = [];
    fake.setMode("decline", { times: 2 });
    for (let i = 0; i < 3; i++) {
      statuses.push((await call("POST", "/v1/payments/confirm", { body: confirmBody(authorised()) })).status);
    }
    expect(statuses).toEqual([403, 403, 200]);
    fake.setMode("decline");
    expect(fake.mode).toBe("decline");
    expect((await call("POST", "/v1/payments/confirm", { body: confirmBody(authorised()) })).status).toBe(403);
    expect((await call("POST", "/v1/payments/confirm", { body: confirmBody(authorised()) })).status).toBe(403);
    fake.setMode("approve");
    expect((await call("POST", "/v1/payments/confirm", { body: confirmBody(authorised()) })).status).toBe(200);
  });

  it("modes target confirm and cancel unless told otherwise; a look-up can be made to time out", async () => {
    const o = authorised();
    await call("POST", "/v1/payments/confirm", { body: confirmBody(o) });
    fake.setMode("timeout", { times: 1, holdMs: 2000 });
    // The look-up is not affected by a confirm/cancel mode…
    expect((await call("GET", `/v1/payments/orders/${o.orderId}`)).status).toBe(200);
    fake.reset();
    const p = authorised();
    await call("POST", "/v1/payments/confirm", { body: confirmBody(p) });
    fake.setMode("timeout", { times: 1, holdMs: 2000, operations: ["lookup"] });
    const impatient = new TossPaymentsGateway({ baseUrl: fake.url, secretKey: fake.secretKey, timeoutMs: 200 });
    const patient = new TossPaymentsGateway({ baseUrl: fake.url, secretKey: fake.secretKey, timeoutMs: 5000 });
    // …unless the mode names it.
    await expect(impatient.findByOrderId(p.orderId)).rejects.toBeInstanceOf(PaymentUnknownError);
    expect((await patient.findByOrderId(p.orderId))?.status).toBe("approved");
  });

  it("lose_response on cancel applies the cancel and drops the answer; the retry replays it", async () => {
    const o = authorised(10_000);
    await call("POST", "/v1/payments/confirm", { body: confirmBody(o) });
    fake.setMode("lose_response", { times: 1 });
    const gateway = new TossPaymentsGateway({ baseUrl: fake.url, secretKey: fake.secretKey, timeoutMs: 5000 });
    const request = { paymentKey: o.paymentKey, reason: "부분 환불", amount: 4000, idempotencyKey: "lost-cancel" };
    await expect(gateway.cancel(request)).rejects.toBeInstanceOf(PaymentUnknownError);
    expect(fake.payments.get(o.paymentKey)).toMatchObject({ status: "PARTIAL_CANCELED", balanceAmount: 6000 });
    const retried = await gateway.cancel(request);
    expect(retried).toMatchObject({ status: "partially_canceled", balanceAmount: 6000 });
    expect(fake.payments.get(o.paymentKey)!.cancels).toHaveLength(1);
  });

  it("TossPayments-Test-Code makes a test-key request answer that error, as Toss's test mode does", async () => {
    const o = authorised();
    const res = await call("POST", "/v1/payments/confirm", {
      body: confirmBody(o),
      headers: { "TossPayments-Test-Code": "REJECT_CARD_PAYMENT" },
    });
    expect(res).toMatchObject({ status: 403, body: { code: "REJECT_CARD_PAYMENT" } });
    expect(fake.payments.size).toBe(0);
  });

  it("refuses unknown modes and operations", () => {
    expect(() => fake.setMode("explode" as never)).toThrow(/unknown fake Toss mode/);
    expect(() => fake.setMode("decline", { operations: ["refund" as never] })).toThrow(/unknown operation/);
    expect(() => fake.setMode("decline", { times: 0 })).toThrow(/times/);
  });
});

describe("cancel", () => {
  it("follows Toss's rules: reason required, no more than the balance, not twice in a second, not after a full cancel", async () => {
    const o = authorised(10_000);
    await call("POST", "/v1/payments/confirm", { body: confirmBody(o) });
    const path = `/v1/payments/${o.paymentKey}/cancel`;
    expect(await call("POST", path, { body: {} })).toMatchObject({ status: 400, body: { code: "INVALID_REQUEST" } });
    expect(await call("POST", path, { body: { cancelReason: "x", cancelAmount: 10_001 } })).toMatchObject({
      status: 403,
      body: { code: "NOT_CANCELABLE_AMOUNT" },
    });
    const part = await call("POST", path, { body: { cancelReason: "부분", cancelAmount: 2500 } });
    expect(part.body).toMatchObject({ status: "PARTIAL_CANCELED", balanceAmount: 7500 });
    expect(part.body.cancels).toEqual([
      expect.objectContaining({ cancelAmount: 2500, refundableAmount: 7500, cancelReason: "부분", cancelStatus: "DONE" }),
    ]);
    expect(await call("POST", path, { body: { cancelReason: "again" } })).toMatchObject({
      status: 403,
      body: { code: "FORBIDDEN_CONSECUTIVE_REQUEST" },
    });
    expect(fake.payments.get(o.paymentKey)!.balanceAmount).toBe(7500);
  });

  it("the rest, then nothing more; an unknown payment key is 404 NOT_FOUND_PAYMENT", async () => {
    const quick = await startFakeTossGateway({ cancelCooldownMs: 0 });
    try {
      const basic = `Basic ${Buffer.from(`${quick.secretKey}:`).toString("base64")}`;
      const post = async (path: string, body: unknown) => {
        const res = await fetch(`${quick.url}${path}`, {
          method: "POST",
          headers: { Authorization: basic, "Content-Type": "application/json" },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as any };
      };
      const orderId = newOrderId();
      const paymentKey = quick.authorize({ orderId, amount: 9000 });
      await post("/v1/payments/confirm", { paymentKey, orderId, amount: 9000 });
      await post(`/v1/payments/${paymentKey}/cancel`, { cancelReason: "a", cancelAmount: 1000 });
      const rest = await post(`/v1/payments/${paymentKey}/cancel`, { cancelReason: "b" });
      expect(rest.body).toMatchObject({ status: "CANCELED", balanceAmount: 0, suppliedAmount: 0, vat: 0 });
      expect(rest.body.cancels.map((c: any) => c.cancelAmount)).toEqual([1000, 8000]);
      expect(await post(`/v1/payments/${paymentKey}/cancel`, { cancelReason: "c" })).toMatchObject({
        status: 400,
        body: { code: "ALREADY_CANCELED_PAYMENT" },
      });
      expect(await post("/v1/payments/nope/cancel", { cancelReason: "c" })).toMatchObject({
        status: 404,
        body: { code: "NOT_FOUND_PAYMENT" },
      });
    } finally {
      await quick.close();
    }
  });
});

describe("look-up and control endpoints", () => {
  it("finds by payment key too; unknown routes are 404 NOT_FOUND, not NOT_FOUND_PAYMENT", async () => {
    const o = authorised();
    await call("POST", "/v1/payments/confirm", { body: confirmBody(o) });
    expect((await call("GET", `/v1/payments/${o.paymentKey}`)).body.orderId).toBe(o.orderId);
    expect(await call("GET", "/v1/nothing/here")).toMatchObject({ status: 404, body: { code: "NOT_FOUND" } });
  });

  it("POST /__fake/authorize and /__fake/mode drive the fake from outside (dev, browser demos)", async () => {
    const orderId = newOrderId();
    const authorize = await fetch(`${fake.url}/__fake/authorize`, {
      method: "POST",
      body: JSON.stringify({ orderId, amount: 4000 }),
    });
    const { paymentKey } = (await authorize.json()) as { paymentKey: string };
    const mode = await fetch(`${fake.url}/__fake/mode`, {
      method: "POST",
      body: JSON.stringify({ mode: "decline", times: 1 }),
    });
    expect(mode.status).toBe(200);
    const env = fakeTossEnv(fake);
    const gateway = new TossPaymentsGateway({ baseUrl: env.TOSS_API_BASE_URL, secretKey: env.TOSS_SECRET_KEY });
    await expect(gateway.confirm({ paymentKey, orderId, amount: 4000, idempotencyKey: "x1" })).rejects.toMatchObject({
      gatewayCode: "REJECT_CARD_PAYMENT",
    });
    const bad = await fetch(`${fake.url}/__fake/mode`, { method: "POST", body: JSON.stringify({ mode: "nope" }) });
    expect(bad.status).toBe(400);
  });

  it("close() does not wait for held requests", async () => {
    const other = await startFakeTossGateway();
    other.setMode("timeout", { holdMs: 60_000 });
    const orderId = newOrderId();
    const pending = fetch(`${other.url}/v1/payments/confirm`, {
      method: "POST",
      headers: { Authorization: `Basic ${Buffer.from(`${other.secretKey}:`).toString("base64")}` },
      body: JSON.stringify({ paymentKey: "k_1", orderId, amount: 1000 }),
    }).then(
      () => "answered",
      () => "dropped",
    );
    await waitFor(() => other.requests[0]?.outcome === "held");
    const started = Date.now();
    await other.close();
    expect(await pending).toBe("dropped");
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("billing (automatic payments)", () => {
  const customerKey = () => `cust-${randomUUID()}`;
  const issue = (body: Record<string, unknown>, idempotencyKey?: string) =>
    call("POST", "/v1/billing/authorizations/issue", { body, ...(idempotencyKey ? { idempotencyKey } : {}) });
  const chargeBody = (ck: string, orderId: string, amount = 1000) => ({ customerKey: ck, orderId, orderName: "냥 자동 충전", amount });

  it("an authKey is exchanged once; the Billing object never repeats for a second exchange, only for a replayed key", async () => {
    const ck = customerKey();
    const authKey = fake.authorizeBilling({ customerKey: ck });
    const first = await issue({ authKey, customerKey: ck }, "issue-1");
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ customerKey: ck, method: "카드", billingKey: expect.any(String), card: expect.any(Object) });
    expect(fake.billingKeys.get(first.body.billingKey)?.customerKey).toBe(ck);
    expect((await issue({ authKey, customerKey: ck }, "issue-1")).body).toEqual(first.body);
    expect((await issue({ authKey, customerKey: ck }, "issue-2")).body.code).toBe("INVALID_REQUEST");
    // Registered for another customer: refused with Toss's billing code.
    const other = fake.authorizeBilling({ customerKey: ck });
    expect((await issue({ authKey: other, customerKey: customerKey() })).body.code).toBe("NOT_MATCHES_CUSTOMER_KEY");
    expect((await issue({ authKey: "x" })).status).toBe(400);
  });

  it("an authKey stays bound to its customer key: another customer is refused before and after the exchange; an unknown authKey is refused", async () => {
    const ck = customerKey();
    const authKey = fake.authorizeBilling({ customerKey: ck });
    const thief = customerKey();
    const before = await issue({ authKey, customerKey: thief }, "thief-1");
    expect({ status: before.status, code: before.body.code }).toEqual({ status: 400, code: "NOT_MATCHES_CUSTOMER_KEY" });
    expect((await issue({ authKey, customerKey: ck }, "owner-1")).status).toBe(200);
    const after = await issue({ authKey, customerKey: thief }, "thief-2");
    expect({ status: after.status, code: after.body.code }).toEqual({ status: 400, code: "NOT_MATCHES_CUSTOMER_KEY" });
    expect([...fake.billingKeys.values()].filter((b) => b.customerKey === thief)).toEqual([]);
    const unknown = await issue({ authKey: `bln-${randomUUID()}`, customerKey: ck });
    expect({ status: unknown.status, code: unknown.body.code }).toEqual({ status: 400, code: "INVALID_REQUEST" });
  });

  it("charges: an unknown billing key is 404; an order refused before may be charged again, an approved one not", async () => {
    const ck = customerKey();
    const { body: billing } = await issue({ authKey: fake.authorizeBilling({ customerKey: ck }), customerKey: ck });
    const path = `/v1/billing/${encodeURIComponent(billing.billingKey)}`;
    const orderId = newOrderId();
    expect((await call("POST", "/v1/billing/nope", { body: chargeBody(ck, orderId) })).body.code).toBe("NOT_FOUND_BILLING_KEY");
    fake.setMode("decline", { times: 1, operations: ["billing_charge"] });
    const refused = await call("POST", path, { body: chargeBody(ck, orderId), idempotencyKey: "a1" });
    expect(refused).toMatchObject({ status: 403, body: { code: "REJECT_CARD_PAYMENT" } });
    expect(fake.paymentByOrderId(orderId)).toMatchObject({ status: "ABORTED", type: "BILLING" });
    const paid = await call("POST", path, { body: chargeBody(ck, orderId), idempotencyKey: "a2" });
    expect(paid).toMatchObject({ status: 200, body: { orderId, status: "DONE", type: "BILLING", totalAmount: 1000 } });
    expect((await call("POST", path, { body: chargeBody(ck, orderId), idempotencyKey: "a3" })).body.code).toBe("DUPLICATED_ORDER_ID");
    expect((await call("GET", `/v1/payments/orders/${orderId}`)).body.paymentKey).toBe(paid.body.paymentKey);
    expect(fake.requests.filter((r) => r.operation === "billing_charge").map((r) => r.outcome)).toEqual([404, 403, 200, 400]);
  });

  it("POST /__fake/billing/authorize is the registration window's stand-in for npm run dev", async () => {
    const ck = customerKey();
    const res = await fetch(`${fake.url}/__fake/billing/authorize`, { method: "POST", body: JSON.stringify({ customerKey: ck }) });
    const { authKey } = (await res.json()) as { authKey: string };
    expect((await issue({ authKey, customerKey: ck })).status).toBe(200);
    const bad = await fetch(`${fake.url}/__fake/billing/authorize`, { method: "POST", body: JSON.stringify({ customerKey: "!" }) });
    expect(bad.status).toBe(400);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}
