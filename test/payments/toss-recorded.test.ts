/**
 * The PaymentGateway contract against RECORDED TOSS ANSWERS: a tiny replay server that plays,
 * per scenario, the exchanges Toss's documentation shows — its sample Payment objects and error
 * bodies — and checks that each request the adapter sends is the one Toss expects (method,
 * path, Basic auth, Idempotency-Key, JSON body). Toss itself cannot be reached from here; these
 * fixtures are the nearest thing to its wire format.
 *
 * Where the fixtures come from (Toss Payments developer docs):
 * - DONE confirm sample and CANCELED cancel sample: the core API reference,
 *   https://docs.tosspayments.com/reference (결제 승인 / 결제 취소 response examples,
 *   paymentKey 5EnNZRJGvaBX7zk2yd8ydw26XvwXkLrx9POLqKQjmAw4b0e1, 2024-02-13).
 * - ABORTED sample with `failure`, and the `{ code, message }` error object:
 *   https://docs.tosspayments.com/reference/error-codes ("에러 객체").
 * - The confirm request used by the decline scenario (5zJ4…, a4CWyWY5m89PNh7xJwhk1, 15000):
 *   https://docs.tosspayments.com/reference/using-api/authorization (멱등키 example).
 * - Partial cancel numbers (1000 of 10000, refundableAmount 9000):
 *   https://docs.tosspayments.com/guides/apis/cancel-payment (부분 취소하기).
 * - Error codes, statuses and messages: https://docs.tosspayments.com/reference/error-codes .
 * - Billing: the Billing object of 빌링키 발급 (https://docs.tosspayments.com/guides/apis/card-billing,
 *   response example: mId, customerKey, authenticatedAt, method, billingKey, card); the
 *   NOT_MATCHES_CUSTOMER_KEY answer (400, code and message) as Toss's dashboard logs it for a
 *   `POST /v1/billing/{billingKey}` (Toss developer community,
 *   https://techchat.tosspayments.com/m/1446738433341919364); DUPLICATED_ORDER_ID from the
 *   error-code table.
 * DERIVED fixtures (marked below) reuse a documented sample with the documented partial-cancel
 * numbers; SYNTHESISED ones fill a case the docs show no sample for.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { TossPaymentsGateway } from "@nyang/core";
import { startFakeTossGateway } from "@nyang/local";
import {
  gatewayContract,
  otherOrderId,
  type AuthorisedOrder,
  type BillingRegistration,
  type BillingScenario,
  type GatewayTarget,
  type Scenario,
} from "./gateway.contract.ts";
import { TOSS_GATEWAY_CODES, tossAdapter } from "./toss-target.ts";

// ---- recorded fixtures ----------------------------------------------------------------------

const DOC_PAYMENT_KEY = "5EnNZRJGvaBX7zk2yd8ydw26XvwXkLrx9POLqKQjmAw4b0e1";
const DOC_ORDER_ID = "a4CWyWY5m89PNh7xJwhk1";

/** Recorded: 결제 승인 response example (reference). */
const RECORDED_CONFIRM_DONE = {
  mId: "tosspayments",
  lastTransactionKey: "9C62B18EEF0DE3EB7F4422EB6D14BC6E",
  paymentKey: DOC_PAYMENT_KEY,
  orderId: DOC_ORDER_ID,
  orderName: "토스 티셔츠 외 2건",
  taxExemptionAmount: 0,
  status: "DONE",
  requestedAt: "2024-02-13T12:17:57+09:00",
  approvedAt: "2024-02-13T12:18:14+09:00",
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
    amount: 1000,
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
  easyPay: { provider: "토스페이", amount: 0, discountAmount: 0 },
  country: "KR",
  failure: null,
  isPartialCancelable: true,
  receipt: {
    url: "https://dashboard.tosspayments.com/receipt/redirection?transactionId=tviva20240213121757MvuS8&ref=PX",
  },
  checkout: { url: `https://api.tosspayments.com/v1/payments/${DOC_PAYMENT_KEY}/checkout` },
  currency: "KRW",
  totalAmount: 1000,
  balanceAmount: 1000,
  suppliedAmount: 909,
  vat: 91,
  taxFreeAmount: 0,
  metadata: null,
  method: "카드",
  version: "2022-11-16",
};

/** Recorded: 결제 취소 response example (reference). */
const RECORDED_CANCEL_CANCELED = {
  ...RECORDED_CONFIRM_DONE,
  lastTransactionKey: "090A796806E726BBB929F4A2CA7DB9A7",
  status: "CANCELED",
  cancels: [
    {
      transactionKey: "090A796806E726BBB929F4A2CA7DB9A7",
      cancelReason: "테스트 결제 취소",
      taxExemptionAmount: 0,
      canceledAt: "2024-02-13T12:20:23+09:00",
      transferDiscountAmount: 0,
      easyPayDiscountAmount: 0,
      receiptKey: null,
      cancelAmount: 1000,
      taxFreeAmount: 0,
      refundableAmount: 0,
      cancelStatus: "DONE",
      cancelRequestId: null,
    },
  ],
  balanceAmount: 0,
  suppliedAmount: 0,
  vat: 0,
};

/** Recorded: the ABORTED Payment with `failure` (error-codes, 에러 객체; the docs elide some fields). */
const RECORDED_ABORTED = {
  mId: "tosspayments",
  version: "2022-11-16",
  lastTransactionKey: "B7103F204998813B889C77C043D09502",
  paymentKey: "5zJ4xY7m0kODnyRpQWGrN2xqGlNvLrKwv1M9ENjbeoPaZdL6",
  orderId: DOC_ORDER_ID,
  orderName: "토스 티셔츠 외 2건",
  currency: "KRW",
  method: "카드",
  status: "ABORTED",
  discount: null,
  cancels: null,
  secret: null,
  type: "NORMAL",
  easyPay: null,
  country: "KR",
  failure: { code: "COMMON_ERROR", message: "일시적인 오류가 발생했습니다. 잠시 후 다시 시도해주세요." },
  totalAmount: 15000,
  balanceAmount: 15000,
  suppliedAmount: 13636,
  vat: 1364,
  taxFreeAmount: 0,
  taxExemptionAmount: 0,
};

/** DERIVED: the DONE sample for a 10 000 payment (the partial-cancel guide's amount). */
const DERIVED_DONE_10000 = {
  ...RECORDED_CONFIRM_DONE,
  card: { ...RECORDED_CONFIRM_DONE.card, amount: 10000 },
  totalAmount: 10000,
  balanceAmount: 10000,
  suppliedAmount: 9091,
  vat: 909,
};

/** DERIVED: after cancelling 1 000 of it — the guide's `cancels` entry (refundableAmount 9000). */
const DERIVED_PARTIAL_CANCELED = {
  ...DERIVED_DONE_10000,
  lastTransactionKey: "090A796806E726BBB929F4A2CA7DB9A7",
  status: "PARTIAL_CANCELED",
  cancels: [{ ...RECORDED_CANCEL_CANCELED.cancels[0]!, cancelReason: "고객이 취소를 원함", cancelAmount: 1000, refundableAmount: 9000 }],
  balanceAmount: 9000,
  suppliedAmount: 8182,
  vat: 818,
};

/**
 * Recorded: the Billing object (card-billing guide, 빌링키 발급 response). The guide's sample
 * leaves customerKey and billingKey empty; SYNTHESISED values of the documented shape fill them.
 */
const RECORDED_BILLING = {
  mId: "tosspayments",
  customerKey: "tNnoxMVndIRgA56kpnKe-",
  authenticatedAt: "2021-01-01T10:01:30+09:00",
  method: "카드",
  billingKey: "Z_t5vOvQxrj4499PeiJcjen28-V2RyqgYTwN44Rdzk0=",
  card: { company: "현대", number: "433012******1234", cardType: "신용", ownerType: "개인" },
};

/** DERIVED: the DONE sample as an automatic payment (type BILLING) of 1 000 for an auto-charge order. */
const DERIVED_BILLING_DONE = {
  ...RECORDED_CONFIRM_DONE,
  paymentKey: "tbill20240213121757aBcD1",
  orderId: "ac_0123456789abcdefghjkmnpqrs",
  orderName: "냥 자동 충전 100.00",
  type: "BILLING",
  easyPay: null,
};

/** Recorded error objects: code and message as the error-code table lists them. */
const RECORDED_ERRORS = {
  ALREADY_PROCESSED_PAYMENT: { status: 400, body: { code: "ALREADY_PROCESSED_PAYMENT", message: "이미 처리된 결제 입니다." } },
  REJECT_CARD_PAYMENT: {
    status: 403,
    body: { code: "REJECT_CARD_PAYMENT", message: "한도초과 혹은 잔액부족으로 결제에 실패했습니다." },
  },
  NOT_FOUND_PAYMENT: { status: 404, body: { code: "NOT_FOUND_PAYMENT", message: "존재하지 않는 결제 입니다." } },
  /**
   * Confirm's codes for a payment key that is not this order's (error-code table, 결제 승인, with
   * confirm's own wording): one Toss never issued, and one whose checkout was for another order id.
   */
  NOT_FOUND_PAYMENT_CONFIRM: { status: 404, body: { code: "NOT_FOUND_PAYMENT", message: "존재하지 않는 결제 정보 입니다." } },
  NOT_FOUND_PAYMENT_SESSION: {
    status: 404,
    body: { code: "NOT_FOUND_PAYMENT_SESSION", message: "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다." },
  },
  UNAUTHORIZED_KEY: {
    status: 401,
    body: { code: "UNAUTHORIZED_KEY", message: "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다." },
  },
  /**
   * SYNTHESISED: Toss refuses a confirm whose amount differs from the authorised one, but the docs
   * show no sample for it; INVALID_REQUEST (400) is the documented confirm code that fits.
   */
  AMOUNT_MISMATCH: { status: 400, body: { code: "INVALID_REQUEST", message: "잘못된 요청입니다." } },
  DUPLICATED_ORDER_ID: {
    status: 400,
    body: { code: "DUPLICATED_ORDER_ID", message: "이미 승인 및 취소가 진행된 중복된 주문번호 입니다. 다른 주문번호로 진행해주세요." },
  },
  NOT_MATCHES_CUSTOMER_KEY: {
    status: 400,
    body: { code: "NOT_MATCHES_CUSTOMER_KEY", message: "빌링 인증 고객키와 결제 요청 고객키가 일치하지 않습니다." },
  },
} as const;

// ---- the replay server ----------------------------------------------------------------------

const REPLAY_SECRET_KEY = "test_sk_recorded_fixtures";
const ANY_TEXT = Symbol("any non-empty string");

interface Expected {
  method: "GET" | "POST";
  path: string;
  /** Fields the JSON body must have (exactly these keys). */
  body?: Record<string, unknown>;
  /** POSTs: a key not used before in this scenario, or the previous POST's key. */
  idempotencyKey?: "new" | "same";
}

type Replay = { status: number; body: unknown } | "hold" | "drop";

interface Exchange {
  expect: Expected;
  reply: Replay;
}

const confirmBody = (o: AuthorisedOrder) => ({ paymentKey: o.paymentKey, orderId: o.orderId, amount: o.amount });
const confirm = (o: AuthorisedOrder, idempotencyKey: "new" | "same", reply: Replay): Exchange => ({
  expect: { method: "POST", path: "/v1/payments/confirm", body: confirmBody(o), idempotencyKey },
  reply,
});
const lookup = (o: AuthorisedOrder, reply: Replay): Exchange => ({
  expect: { method: "GET", path: `/v1/payments/orders/${o.orderId}` },
  reply,
});
/** 결제 조회 by payment key (GET /v1/payments/{paymentKey}): the same Payment object. */
const lookupByKey = (o: AuthorisedOrder, reply: Replay): Exchange => ({
  expect: { method: "GET", path: `/v1/payments/${o.paymentKey}` },
  reply,
});
const cancel = (o: AuthorisedOrder, idempotencyKey: "new" | "same", amount: number | undefined, reply: Replay): Exchange => ({
  expect: {
    method: "POST",
    path: `/v1/payments/${o.paymentKey}/cancel`,
    body: amount === undefined ? { cancelReason: ANY_TEXT } : { cancelReason: ANY_TEXT, cancelAmount: amount },
    idempotencyKey,
  },
  reply,
});
const ok = (body: unknown): Replay => ({ status: 200, body });

const order1000: AuthorisedOrder = { paymentKey: DOC_PAYMENT_KEY, orderId: DOC_ORDER_ID, amount: 1000 };
const order10000: AuthorisedOrder = { ...order1000, amount: 10000 };
const orderDeclined: AuthorisedOrder = {
  paymentKey: RECORDED_ABORTED.paymentKey,
  orderId: DOC_ORDER_ID,
  amount: 15000,
};

/** Per scenario: the order the docs' samples are about, and the exchanges Toss would have. */
const cassettes: Record<Scenario, { order: AuthorisedOrder; exchanges: Exchange[] }> = {
  approve: { order: order1000, exchanges: [confirm(order1000, "new", ok(RECORDED_CONFIRM_DONE))] },
  idempotent_replay: {
    order: order1000,
    exchanges: [confirm(order1000, "new", ok(RECORDED_CONFIRM_DONE)), confirm(order1000, "same", ok(RECORDED_CONFIRM_DONE))],
  },
  already_processed: {
    order: order1000,
    exchanges: [
      confirm(order1000, "new", ok(RECORDED_CONFIRM_DONE)),
      confirm(order1000, "new", RECORDED_ERRORS.ALREADY_PROCESSED_PAYMENT),
    ],
  },
  amount_mismatch: {
    order: order1000,
    exchanges: [confirm({ ...order1000, amount: 1100 }, "new", RECORDED_ERRORS.AMOUNT_MISMATCH)],
  },
  decline: {
    order: orderDeclined,
    exchanges: [confirm(orderDeclined, "new", RECORDED_ERRORS.REJECT_CARD_PAYMENT), lookup(orderDeclined, ok(RECORDED_ABORTED))],
  },
  timeout: {
    order: order1000,
    exchanges: [confirm(order1000, "new", "hold"), lookup(order1000, RECORDED_ERRORS.NOT_FOUND_PAYMENT)],
  },
  lose_response: {
    order: order1000,
    exchanges: [
      confirm(order1000, "new", "drop"),
      lookup(order1000, ok(RECORDED_CONFIRM_DONE)),
      confirm(order1000, "same", ok(RECORDED_CONFIRM_DONE)),
    ],
  },
  unknown_order: { order: order1000, exchanges: [lookup(order1000, RECORDED_ERRORS.NOT_FOUND_PAYMENT)] },
  other_order_session: {
    order: order1000,
    exchanges: [confirm({ ...order1000, orderId: otherOrderId(DOC_ORDER_ID) }, "new", RECORDED_ERRORS.NOT_FOUND_PAYMENT_SESSION)],
  },
  other_order_payment: {
    order: order1000,
    exchanges: [
      confirm(order1000, "new", ok(RECORDED_CONFIRM_DONE)),
      confirm({ ...order1000, orderId: otherOrderId(DOC_ORDER_ID) }, "new", RECORDED_ERRORS.ALREADY_PROCESSED_PAYMENT),
      lookupByKey(order1000, ok(RECORDED_CONFIRM_DONE)),
    ],
  },
  unknown_payment_lookup: {
    order: { ...order1000, paymentKey: "never_issued_by_toss" },
    exchanges: [lookupByKey({ ...order1000, paymentKey: "never_issued_by_toss" }, RECORDED_ERRORS.NOT_FOUND_PAYMENT)],
  },
  unknown_payment_key: {
    order: { ...order1000, paymentKey: "never_issued_by_toss" },
    exchanges: [
      confirm({ ...order1000, paymentKey: "never_issued_by_toss" }, "new", RECORDED_ERRORS.NOT_FOUND_PAYMENT_CONFIRM),
      lookup(order1000, RECORDED_ERRORS.NOT_FOUND_PAYMENT),
    ],
  },
  cancel_full: {
    order: order1000,
    exchanges: [
      confirm(order1000, "new", ok(RECORDED_CONFIRM_DONE)),
      cancel(order1000, "new", undefined, ok(RECORDED_CANCEL_CANCELED)),
    ],
  },
  cancel_partial: {
    order: order10000,
    exchanges: [
      confirm(order10000, "new", ok(DERIVED_DONE_10000)),
      cancel(order10000, "new", 1000, ok(DERIVED_PARTIAL_CANCELED)),
    ],
  },
  cancel_replay: {
    order: order10000,
    exchanges: [
      confirm(order10000, "new", ok(DERIVED_DONE_10000)),
      cancel(order10000, "new", 1000, ok(DERIVED_PARTIAL_CANCELED)),
      cancel(order10000, "same", 1000, ok(DERIVED_PARTIAL_CANCELED)),
    ],
  },
  // Every request carries the wrong key: the server answers the recorded 401 before any exchange.
  wrong_secret: { order: order1000, exchanges: [] },
};

// ---- billing cassettes ----------------------------------------------------------------------

const billingReg: BillingRegistration = {
  authKey: "e_826EDB0730790E96F116FFF3799A65DE",
  customerKey: RECORDED_BILLING.customerKey,
  orderId: DERIVED_BILLING_DONE.orderId,
  orderName: DERIVED_BILLING_DONE.orderName,
  amount: 1000,
};

const issue = (reply: Replay): Exchange => ({
  expect: {
    method: "POST",
    path: "/v1/billing/authorizations/issue",
    body: { authKey: billingReg.authKey, customerKey: billingReg.customerKey },
    idempotencyKey: "new",
  },
  reply,
});
const billingCharge = (idempotencyKey: "new" | "same", reply: Replay, customerKey = billingReg.customerKey): Exchange => ({
  expect: {
    method: "POST",
    path: `/v1/billing/${encodeURIComponent(RECORDED_BILLING.billingKey)}`,
    body: { customerKey, amount: billingReg.amount, orderId: billingReg.orderId, orderName: ANY_TEXT },
    idempotencyKey,
  },
  reply,
});
const billingLookup = (reply: Replay): Exchange => ({
  expect: { method: "GET", path: `/v1/payments/orders/${billingReg.orderId}` },
  reply,
});
const issued = issue(ok(RECORDED_BILLING));

const billingCassettes: Record<BillingScenario, Exchange[]> = {
  billing_issue: [issued],
  billing_charge: [issued, billingCharge("new", ok(DERIVED_BILLING_DONE)), billingLookup(ok(DERIVED_BILLING_DONE))],
  billing_charge_replay: [issued, billingCharge("new", ok(DERIVED_BILLING_DONE)), billingCharge("same", ok(DERIVED_BILLING_DONE))],
  billing_duplicate_order: [
    issued,
    billingCharge("new", ok(DERIVED_BILLING_DONE)),
    billingCharge("new", RECORDED_ERRORS.DUPLICATED_ORDER_ID),
  ],
  billing_decline: [
    issued,
    billingCharge("new", RECORDED_ERRORS.REJECT_CARD_PAYMENT),
    billingLookup(ok({ ...RECORDED_ABORTED, orderId: billingReg.orderId, totalAmount: 1000, balanceAmount: 1000 })),
  ],
  billing_timeout: [issued, billingCharge("new", "hold"), billingLookup(RECORDED_ERRORS.NOT_FOUND_PAYMENT)],
  billing_lose_response: [
    issued,
    billingCharge("new", "drop"),
    billingLookup(ok(DERIVED_BILLING_DONE)),
    billingCharge("same", ok(DERIVED_BILLING_DONE)),
  ],
  billing_customer_mismatch: [
    issued,
    billingCharge("new", RECORDED_ERRORS.NOT_MATCHES_CUSTOMER_KEY, `${billingReg.customerKey}-other`),
  ],
  // DERIVED: Toss's documented billing refusal for a customer key that is not the registration's,
  // answered by the issue call (the docs show it for the charge only).
  billing_issue_customer_mismatch: [
    {
      expect: {
        method: "POST",
        path: "/v1/billing/authorizations/issue",
        body: { authKey: billingReg.authKey, customerKey: `${billingReg.customerKey}-other` },
        idempotencyKey: "new",
      },
      reply: RECORDED_ERRORS.NOT_MATCHES_CUSTOMER_KEY,
    },
  ],
};

interface ReplayServer {
  url: string;
  load(exchanges: Exchange[]): void;
  /** Mismatches and exchanges never asked for. */
  problems(): string[];
  close(): Promise<void>;
}

async function startReplayServer(secretKey: string): Promise<ReplayServer> {
  const expectedAuth = `Basic ${Buffer.from(`${secretKey}:`).toString("base64")}`;
  let queue: Exchange[] = [];
  let seenKeys: string[] = [];
  let problems: string[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    void serve(req, res);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const method = req.method ?? "GET";
    const path = req.url ?? "/";

    if (req.headers.authorization !== expectedAuth) {
      return write(res, RECORDED_ERRORS.UNAUTHORIZED_KEY);
    }
    const next = queue.shift();
    if (!next) {
      problems.push(`unexpected ${method} ${path}`);
      return write(res, { status: 500, body: { code: "REPLAY_UNEXPECTED", message: `unexpected ${method} ${path}` } });
    }
    const issue = mismatch(next.expect, method, path, req, text);
    if (issue) {
      problems.push(issue);
      return write(res, { status: 500, body: { code: "REPLAY_MISMATCH", message: issue } });
    }
    const idem = req.headers["idempotency-key"];
    if (typeof idem === "string") seenKeys.push(idem);
    if (next.reply === "drop") {
      req.socket.destroy();
      return;
    }
    if (next.reply === "hold") {
      // Never answered; the adapter's time-out ends it (close() drops it otherwise).
      return;
    }
    write(res, next.reply);
  }

  function mismatch(e: Expected, method: string, path: string, req: IncomingMessage, text: string): string | undefined {
    const where = `${method} ${path}`;
    if (method !== e.method || path !== e.path) return `expected ${e.method} ${e.path}, got ${where}`;
    const idem = req.headers["idempotency-key"];
    if (e.method === "POST") {
      if (req.headers["content-type"] !== "application/json") return `${where}: Content-Type is not application/json`;
      if (typeof idem !== "string" || idem.length === 0 || idem.length > 300) {
        return `${where}: Idempotency-Key missing or longer than 300`;
      }
      if (e.idempotencyKey === "new" && seenKeys.includes(idem)) return `${where}: expected a new Idempotency-Key`;
      if (e.idempotencyKey === "same" && idem !== seenKeys.at(-1)) return `${where}: expected the previous Idempotency-Key`;
    }
    if (e.body !== undefined) {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return `${where}: body is not JSON`;
      }
      const keys = Object.keys(body).sort();
      const wanted = Object.keys(e.body).sort();
      if (keys.join() !== wanted.join()) return `${where}: body fields ${keys.join()} instead of ${wanted.join()}`;
      for (const [k, v] of Object.entries(e.body)) {
        const ok = v === ANY_TEXT ? typeof body[k] === "string" && (body[k] as string).length > 0 : body[k] === v;
        if (!ok) return `${where}: body.${k} = ${JSON.stringify(body[k])}`;
      }
    }
    return undefined;
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    load(exchanges) {
      queue = [...exchanges];
      seenKeys = [];
      problems = [];
    },
    problems: () => [...problems, ...queue.map((x) => `never asked: ${x.expect.method} ${x.expect.path}`)],
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

function write(res: ServerResponse, reply: { status: number; body: unknown }): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

// ---- the contract, against the recordings ---------------------------------------------------

gatewayContract("Toss adapter against recorded Toss answers (replay of documented samples)", async () => {
  const replay = await startReplayServer(REPLAY_SECRET_KEY);
  return {
    adapter: tossAdapter(replay.url, REPLAY_SECRET_KEY),
    gatewayCodes: TOSS_GATEWAY_CODES,
    async begin(scenario: Scenario) {
      const cassette = cassettes[scenario];
      replay.load(cassette.exchanges);
      return cassette.order;
    },
    async beginBilling(scenario: BillingScenario) {
      replay.load(billingCassettes[scenario]);
      return billingReg;
    },
    verify() {
      const problems = replay.problems();
      if (problems.length > 0) throw new Error(`replay server: ${problems.join("; ")}`);
    },
    close: () => replay.close(),
  } satisfies GatewayTarget;
});

describe("the fake's answers have the documented shape", () => {
  it("Payment and cancel entries carry the same fields as Toss's recorded samples", async () => {
    const fake = await startFakeTossGateway({ secretKey: REPLAY_SECRET_KEY });
    try {
      const gateway = new TossPaymentsGateway({ baseUrl: fake.url, secretKey: fake.secretKey, timeoutMs: 2_000 });
      const paymentKey = fake.authorize({ orderId: "shape_check_0001", amount: 1000 });
      await gateway.confirm({ paymentKey, orderId: "shape_check_0001", amount: 1000, idempotencyKey: "shape-1" });
      const done = structuredClone(fake.payments.get(paymentKey)!);
      await gateway.cancel({ paymentKey, reason: "shape", idempotencyKey: "shape-2" });
      const canceled = fake.payments.get(paymentKey)!;

      expect(Object.keys(done).sort()).toEqual(Object.keys(RECORDED_CONFIRM_DONE).sort());
      expect(Object.keys(canceled.cancels![0]!).sort()).toEqual(Object.keys(RECORDED_CANCEL_CANCELED.cancels[0]!).sort());
      // Same amounts → same supply value and VAT as the documented sample.
      expect({ suppliedAmount: done.suppliedAmount, vat: done.vat }).toEqual({ suppliedAmount: 909, vat: 91 });
      expect(done.requestedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00$/);
      expect(done.version).toBe(RECORDED_CONFIRM_DONE.version);
    } finally {
      await fake.close();
    }
  });
});
