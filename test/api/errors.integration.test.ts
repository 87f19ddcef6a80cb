import { randomUUID } from "node:crypto";
import { signLocalToken } from "@nyang/local";
import { describe, expect, it } from "vitest";
import {
  adminToken,
  callApi,
  lambdaEvent,
  expectError,
  expectRefused,
  openAccount,
  serviceToken,
  partition,
  tokenFor,
  uniqueUserId,
  type ApiCall,
  type ApiReply,
  testRuntime,
} from "../support/index.ts";
import { makeHandler } from "@nyang/functions/http/handler";

/**
 * Every error code of docs/api.md that the account, ledger and history routes can produce,
 * reached through the Lambda handler. Each refusal is checked for its status, its
 * `error.code` (never the message), docs/api.md's error shape, no leaked stack, and that the
 * account's partition is exactly as it was before the call: a refused request writes nothing.
 */

const key = () => `k-${randomUUID()}`;
const as = (token: () => Promise<string>) => async (method: string, path: string, call: ApiCall = {}) =>
  callApi(method, path, { token: await token(), ...call });
const admin = as(adminToken);
const service = as(serviceToken);

async function freshAccount(prefix = "err"): Promise<string> {
  const u = uniqueUserId(prefix);
  await openAccount(u);
  return u;
}

/** A completed usage entry on `u` (as a service); returns its transaction id. */
async function spend(u: string, body: Record<string, unknown> = { serviceType: "ai_writing" }): Promise<string> {
  const r = await service("POST", `/v1/accounts/${u}/usage`, { body, idempotencyKey: key() });
  expect(r.status).toBe(201);
  return r.body.transaction.id as string;
}

async function expectCreated(p: Promise<ApiReply>): Promise<ApiReply> {
  const r = await p;
  expect({ status: r.status, body: r.body }).toMatchObject({ status: 201 });
  return r;
}

/** The id of the account's signup entry. */
async function signupEntryId(u: string): Promise<string> {
  const r = await admin("GET", `/v1/accounts/${u}/transactions?type=signup_bonus`);
  expect(r.status).toBe(200);
  return r.body.transactions[0].id as string;
}

/** Well-formed but never issued. */
const UNKNOWN_TX = "tx_00000000000000000000000000";
const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key)).toString("base64url");

describe.concurrent("API errors", () => {
  // ----------------------------------------------------------------------------------
  describe("400 validation_failed", () => {
    interface Row {
      name: string;
      /** The call; `u` is a freshly opened account (or a never-opened id when `open: false`). */
      run: (u: string) => Promise<ApiReply>;
      open?: boolean;
      /** Other partitions that must stay untouched. */
      also?: string[];
    }
    const usage = (u: string, call: ApiCall) => admin("POST", `/v1/accounts/${u}/usage`, { idempotencyKey: key(), ...call });
    const history = (u: string, q: string) => admin("GET", `/v1/accounts/${u}/transactions?${q}`);
    const rows: Row[] = [
      // bodies
      { name: "POST /accounts: unknown body field", open: false, run: (u) => admin("POST", "/v1/accounts", { body: { userId: u, nickname: "x" } }) },
      { name: "POST /accounts: missing userId", open: false, run: () => admin("POST", "/v1/accounts", { body: {} }) },
      { name: "POST /accounts: userId breaks the pattern", open: false, run: () => admin("POST", "/v1/accounts", { body: { userId: "no spaces allowed" } }) },
      { name: "POST /accounts: userId of 129 chars", open: false, run: () => admin("POST", "/v1/accounts", { body: { userId: "a".repeat(129) } }) },
      { name: "POST /accounts: malformed JSON", open: false, run: (u) => admin("POST", "/v1/accounts", { rawBody: `{"userId":"${u}"` }) },
      { name: "POST /accounts: non-JSON content type", open: false, run: (u) => admin("POST", "/v1/accounts", { body: { userId: u }, headers: { "content-type": "text/plain" } }) },
      { name: "usage: unknown body field", run: (u) => usage(u, { body: { serviceType: "ai_writing", cost: "1.00" } }) },
      { name: "usage: missing serviceType", run: (u) => usage(u, { body: { amount: "1.00" } }) },
      { name: "usage: empty serviceType", run: (u) => usage(u, { body: { serviceType: "" } }) },
      { name: "usage: serviceType not a string", run: (u) => usage(u, { body: { serviceType: 3 } }) },
      { name: "usage: details not an object", run: (u) => usage(u, { body: { serviceType: "ai_writing", details: "generate" } }) },
      { name: "usage: details over 4 KiB", run: (u) => usage(u, { body: { serviceType: "ai_writing", details: { note: "x".repeat(5000) } } }) },
      { name: "usage: body is a JSON array", run: (u) => usage(u, { body: [{ serviceType: "ai_writing" }] }) },
      { name: "usage: malformed JSON", run: (u) => usage(u, { rawBody: '{"serviceType":' }) },
      { name: "usage: non-JSON content type", run: (u) => usage(u, { body: { serviceType: "ai_writing" }, headers: { "content-type": "text/plain" } }) },
      { name: "usage: form-encoded body", run: (u) => usage(u, { rawBody: "serviceType=ai_writing", headers: { "content-type": "application/x-www-form-urlencoded" } }) },
      { name: "usage: no body at all", run: (u) => usage(u, {}) },
      { name: "usage: Idempotency-Key of 256 chars", run: (u) => usage(u, { body: { serviceType: "ai_writing" }, idempotencyKey: "k".repeat(256) }) },
      { name: "usage: Idempotency-Key with a control char (tab)", run: (u) => usage(u, { body: { serviceType: "ai_writing" }, idempotencyKey: "a\tb" }) },
      // docs/api.md: keys are printable ASCII. (Hono's Lambda adapter percent-encodes non-ASCII header values.)
      { name: "usage: Idempotency-Key with a non-ASCII char", run: (u) => usage(u, { body: { serviceType: "ai_writing" }, idempotencyKey: "caf\u00e9" }) },
      { name: "charges: missing paymentMethod", run: (u) => admin("POST", `/v1/accounts/${u}/charges`, { idempotencyKey: key(), body: { amount: "10.00" } }) },
      { name: "charges: type not purchase|auto_charge", run: (u) => admin("POST", `/v1/accounts/${u}/charges`, { idempotencyKey: key(), body: { amount: "10.00", paymentMethod: "card", type: "gift" } }) },
      { name: "charges: unknown body field", run: (u) => admin("POST", `/v1/accounts/${u}/charges`, { idempotencyKey: key(), body: { amount: "10.00", paymentMethod: "card", bonus: "1.00" } }) },
      { name: "adjustments: missing reason", run: (u) => admin("POST", `/v1/accounts/${u}/adjustments`, { idempotencyKey: key(), body: { amount: "5.00" } }) },
      { name: "adjustments: blank reason", run: (u) => admin("POST", `/v1/accounts/${u}/adjustments`, { idempotencyKey: key(), body: { amount: "5.00", reason: "   " } }) },
      { name: "refunds: missing transactionId", run: (u) => admin("POST", `/v1/accounts/${u}/refunds`, { idempotencyKey: key(), body: { reason: "oops" } }) },
      { name: "refunds: bad transactionId format", run: (u) => admin("POST", `/v1/accounts/${u}/refunds`, { idempotencyKey: key(), body: { transactionId: "12345", reason: "oops" } }) },
      { name: "refunds: missing reason", run: (u) => admin("POST", `/v1/accounts/${u}/refunds`, { idempotencyKey: key(), body: { transactionId: UNKNOWN_TX } }) },
      {
        // docs/api.md: refunds credit back a usage or hold_capture entry; anything else is not a refundable request.
        name: "refunds: the entry is not a usage (the signup bonus)",
        run: async (u) => admin("POST", `/v1/accounts/${u}/refunds`, { idempotencyKey: key(), body: { transactionId: await signupEntryId(u), reason: "no" } }),
      },
      // bad userId in the path
      ...[
        ["with '!'", "bad!id"],
        ["with an encoded space", "a%20b"],
        ["of 129 chars", "a".repeat(129)],
      ].flatMap(([what, id]) => [
        { name: `GET /accounts/{userId}: userId ${what}`, open: false, run: () => admin("GET", `/v1/accounts/${id}`) },
        { name: `usage: userId ${what}`, open: false, run: () => usage(id!, { body: { serviceType: "ai_writing" } }) },
        { name: `freeze: userId ${what}`, open: false, run: () => admin("POST", `/v1/accounts/${id}/freeze`) },
        { name: `GET transactions: userId ${what}`, open: false, run: () => history(id!, "limit=5") },
      ]),
      // history query
      { name: "transactions: limit=0", run: (u) => history(u, "limit=0") },
      { name: "transactions: limit=101", run: (u) => history(u, "limit=101") },
      { name: "transactions: limit=-1", run: (u) => history(u, "limit=-1") },
      { name: "transactions: limit=1.5", run: (u) => history(u, "limit=1.5") },
      { name: "transactions: limit=abc", run: (u) => history(u, "limit=abc") },
      { name: "transactions: limit= (empty)", run: (u) => history(u, "limit=") },
      { name: "transactions: type=bogus", run: (u) => history(u, "type=bogus") },
      { name: "transactions: from=not-a-date", run: (u) => history(u, "from=not-a-date") },
      { name: "transactions: to=2026-13-45T00:00:00.000Z", run: (u) => history(u, "to=2026-13-45T00:00:00.000Z") },
      { name: "transactions: from is a date that does not exist", run: (u) => history(u, "from=2026-02-30") },
      { name: "transactions: to is a date with an offset", run: (u) => history(u, "to=2026-01-01%2B09:00") },
      // cursors
      { name: "transactions: cursor is not base64 JSON", run: (u) => history(u, "cursor=!!!not-a-cursor!!!") },
      { name: "transactions: cursor is base64 of non-JSON", run: (u) => history(u, `cursor=${Buffer.from("hello").toString("base64url")}`) },
      { name: "transactions: cursor is base64 of JSON null", run: (u) => history(u, `cursor=${cursorOf(null)}`) },
      { name: "transactions: cursor over 1024 chars", run: (u) => history(u, `cursor=${"A".repeat(1025)}`) },
      {
        name: "transactions: cursor with an extra key",
        run: (u) => history(u, `cursor=${cursorOf({ pk: `ACCT#${u}`, sk: "TX#x", lsi1sk: "2026-01-01T00:00:00.000Z#0000000001", extra: 1 })}`),
      },
      {
        name: "transactions: forged cursor for the right account, outside the key range",
        run: (u) => history(u, `cursor=${cursorOf({ pk: `ACCT#${u}`, sk: "TX#x", lsi1sk: "zzzz" })}`),
      },
      {
        name: "transactions: another account's cursor",
        run: async (u) => {
          const other = await freshAccount("err-other");
          await spend(other);
          const page = await history(other, "limit=1");
          expect(page.body.nextCursor).toEqual(expect.any(String));
          return history(u, `limit=1&cursor=${page.body.nextCursor}`);
        },
      },
      // transaction id in the path
      { name: "GET transaction: id too short", run: (u) => admin("GET", `/v1/accounts/${u}/transactions/tx_123`) },
      { name: "GET transaction: id without the tx_ prefix", run: (u) => admin("GET", `/v1/accounts/${u}/transactions/00000000000000000000000000000`) },
      { name: "GET transaction: id in upper case", run: (u) => admin("GET", `/v1/accounts/${u}/transactions/TX_00000000000000000000000000`) },
    ];

    it.each(rows)("$name → 400 validation_failed", async (row) => {
      const u = uniqueUserId("val");
      if (row.open !== false) await openAccount(u);
      await expectRefused([u, ...(row.also ?? [])], () => row.run(u), 400, "validation_failed");
    });

    it("transactions: a real cursor reused with a `to` that ends before it → 400 validation_failed", async () => {
      const u = uniqueUserId("val");
      await openAccount(u);
      await spend(u);
      const page = await history(u, "limit=1");
      expect(page.body.nextCursor).toEqual(expect.any(String));
      await expectRefused(u, () => history(u, `limit=1&to=2000-01-01T00:00:00.000Z&cursor=${page.body.nextCursor}`), 400, "validation_failed");
    });

    it("POST /accounts refused for a bad body does not open the account", async () => {
      const u = uniqueUserId("val");
      await expectRefused(u, () => admin("POST", "/v1/accounts", { body: { userId: u, extra: true } }), 400, "validation_failed");
      expectError(await admin("GET", `/v1/accounts/${u}`), 404, "account_not_found");
    });

    it("transactions: from after to is refused, or answered empty, never a 500", async () => {
      const u = await freshAccount();
      const before = await partition(u);
      const r = await admin("GET", `/v1/accounts/${u}/transactions?from=2026-02-01T00:00:00.000Z&to=2026-01-01T00:00:00.000Z`);
      if (r.status === 200) expect(r.body).toEqual({ transactions: [], nextCursor: null });
      else expectError(r, 400, "validation_failed");
      expect(await partition(u)).toEqual(before);
    });
  });

  // ----------------------------------------------------------------------------------
  describe("400 invalid_amount", () => {
    const bad: unknown[] = [
      "1.005", "1e2", " 1.00", "1.00 ", "0x10", "NaN", "Infinity", "-Infinity", "", " ", "+1.00", "1.", ".5",
      "1,00", "１.00", "1234567890", 1.005, 0.1 + 0.2, 1e21, 1e-7, 1234567890, true, false, null, {}, [], ["1.00"],
    ];
    const zeroOrNegative: unknown[] = ["0", "0.00", "-0", 0, -0, "-3.00", -3, "-0.01"];
    const route = {
      usage: (u: string, amount: unknown) => ({ path: `/v1/accounts/${u}/usage`, body: { serviceType: "ai_writing", amount } }),
      charges: (u: string, amount: unknown) => ({ path: `/v1/accounts/${u}/charges`, body: { amount, paymentMethod: "card" } }),
      adjustments: (u: string, amount: unknown) => ({ path: `/v1/accounts/${u}/adjustments`, body: { amount, reason: "test" } }),
      refunds: (u: string, amount: unknown) => ({ path: `/v1/accounts/${u}/refunds`, body: { transactionId: UNKNOWN_TX, amount, reason: "test" } }),
    };
    type RouteName = keyof typeof route;
    const rows: { route: RouteName; amount: unknown; label: string }[] = [];
    const add = (r: RouteName, values: unknown[]) => {
      for (const amount of values) rows.push({ route: r, amount, label: JSON.stringify(amount) ?? String(amount) });
    };
    add("usage", [...bad, ...zeroOrNegative]);
    add("charges", ["1.005", "1e2", "", "NaN", 1.005, true, null, {}, ...zeroOrNegative]);
    // signed: a minus sign is fine, but zero moves nothing and the format rules still hold
    add("adjustments", ["0.00", "0", 0, "-0", "-0.00", "-1.005", "--1.00", "- 1.00", "1.005", "1e2", "", "NaN", "Infinity", -1.005, true, {}]);
    add("refunds", ["0", "0.00", 0, "-1.00", -1, "1.005", "1e2", "", true, {}]);

    it.each(rows)("$route amount $label → 400 invalid_amount", async ({ route: name, amount }) => {
      const u = await freshAccount("amt");
      const { path, body } = route[name](u, amount);
      await expectRefused(u, () => admin("POST", path, { body, idempotencyKey: key() }), 400, "invalid_amount");
    });
  });

  // ----------------------------------------------------------------------------------
  describe("400 unknown_service", () => {
    it.each([
      ["a service not in the price list", { serviceType: "time_travel" }],
      ["with an explicit amount", { serviceType: "time_travel", amount: "1.00" }],
      ["a price list name in another case", { serviceType: "AI_WRITING" }],
    ])("usage for %s → 400 unknown_service", async (_, body) => {
      const u = await freshAccount();
      await expectRefused(u, () => service("POST", `/v1/accounts/${u}/usage`, { body, idempotencyKey: key() }), 400, "unknown_service");
    });
  });

  // ----------------------------------------------------------------------------------
  describe("400 idempotency_key_required", () => {
    it.each([
      ["usage", { serviceType: "ai_writing" }],
      ["charges", { amount: "10.00", paymentMethod: "card" }],
      ["adjustments", { amount: "5.00", reason: "test" }],
      ["refunds", { transactionId: UNKNOWN_TX, reason: "test" }],
    ])("POST %s without Idempotency-Key → 400 idempotency_key_required", async (name, body) => {
      const u = await freshAccount();
      await expectRefused(u, () => admin("POST", `/v1/accounts/${u}/${name}`, { body }), 400, "idempotency_key_required");
    });

    it("a refund of a real usage without the header writes nothing either", async () => {
      const u = await freshAccount();
      const tx = await spend(u);
      await expectRefused(u, () => service("POST", `/v1/accounts/${u}/refunds`, { body: { transactionId: tx, reason: "r" } }), 400, "idempotency_key_required");
    });
  });

  // ----------------------------------------------------------------------------------
  describe("413 payload_too_large", () => {
    const LIMIT = 64 * 1024;
    /** A JSON body of exactly `bytes` bytes with the given fields and a padding field. */
    const bodyOf = (fields: Record<string, unknown>, bytes: number) => {
      const base = JSON.stringify({ ...fields, pad: "" });
      return JSON.stringify({ ...fields, pad: "x".repeat(bytes - Buffer.byteLength(base)) });
    };

    it.each([
      ["usage", (u: string) => ({ serviceType: "ai_writing", details: { note: u } })],
      ["charges", () => ({ amount: "10.00", paymentMethod: "card" })],
      ["adjustments", () => ({ amount: "5.00", reason: "test" })],
      ["refunds", () => ({ transactionId: UNKNOWN_TX, reason: "test" })],
    ])("POST %s with a body of 64 KiB + 1 → 413 payload_too_large", async (name, fields) => {
      const u = await freshAccount();
      const rawBody = bodyOf(fields(u), LIMIT + 1);
      expect(Buffer.byteLength(rawBody)).toBe(LIMIT + 1);
      await expectRefused(u, () => admin("POST", `/v1/accounts/${u}/${name}`, { rawBody, idempotencyKey: key() }), 413, "payload_too_large");
    });

    it("POST /accounts with a body over 64 KiB → 413 and no account", async () => {
      const u = uniqueUserId("big");
      const rawBody = bodyOf({ userId: u }, LIMIT + 100);
      await expectRefused(u, () => admin("POST", "/v1/accounts", { rawBody }), 413, "payload_too_large");
    });

    it("a body of exactly 64 KiB is not too large (it fails on its content instead)", async () => {
      const u = await freshAccount();
      const rawBody = bodyOf({ serviceType: "ai_writing" }, LIMIT);
      expect(Buffer.byteLength(rawBody)).toBe(LIMIT);
      await expectRefused(u, () => admin("POST", `/v1/accounts/${u}/usage`, { rawBody, idempotencyKey: key() }), 400, "validation_failed");
    });

    it("a body over 64 KiB in an event without a Content-Length header → 413", async () => {
      const u = await freshAccount();
      const event = lambdaEvent("POST", `/v1/accounts/${u}/usage`, {
        token: await adminToken(),
        rawBody: bodyOf({ serviceType: "ai_writing" }, LIMIT + 1),
        idempotencyKey: key(),
      });
      delete event.headers["content-length"];
      const handler = makeHandler(testRuntime());
      const call = async (): Promise<ApiReply> => {
        const res = (await (handler as unknown as (e: unknown, c: unknown) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>)(event, {}));
        const headers = Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
        return { status: res.statusCode, headers, body: JSON.parse(res.body) };
      };
      await expectRefused(u, call, 413, "payload_too_large");
    });
  });

  // ----------------------------------------------------------------------------------
  describe("401 unauthorized", () => {
    it.each([
      ["no token", async () => undefined],
      ["an expired token", () => signLocalToken({ sub: "admin-1", roles: ["admin"], ttlSeconds: 60, now: new Date(Date.now() - 3_600_000) })],
      ["a token signed with another secret", () => signLocalToken({ sub: "admin-1", roles: ["admin"], secret: "not-the-secret-the-api-uses-0123456789" })],
    ])("a spend with %s → 401 unauthorized", async (_, token) => {
      const u = await freshAccount();
      await expectRefused(
        u,
        async () => callApi("POST", `/v1/accounts/${u}/usage`, { token: await token(), body: { serviceType: "ai_writing" }, idempotencyKey: key() }),
        401,
        "unauthorized",
      );
    });
  });

  // ----------------------------------------------------------------------------------
  describe("402 insufficient_coins", () => {
    it("a spend above the balance, with details { required, available }", async () => {
      const u = await freshAccount();
      const r = await expectRefused(u, () => service("POST", `/v1/accounts/${u}/usage`, { body: { serviceType: "ai_writing", amount: "100.01" }, idempotencyKey: key() }), 402, "insufficient_coins");
      expect(r.body.error.details).toEqual({ required: "100.01", available: "100.00" });
    });

    it("a priced spend on a nearly empty account reports the price and what is left", async () => {
      const u = await freshAccount();
      await expectCreated(admin("POST", `/v1/accounts/${u}/adjustments`, { body: { amount: "-98.80", reason: "drain" }, idempotencyKey: key() }));
      const r = await expectRefused(u, () => service("POST", `/v1/accounts/${u}/usage`, { body: { serviceType: "ai_writing" }, idempotencyKey: key() }), 402, "insufficient_coins");
      expect(r.body.error.details).toEqual({ required: "3.00", available: "1.20" });
    });

    it("a negative adjustment below zero → 402 insufficient_coins", async () => {
      const u = await freshAccount();
      const r = await expectRefused(u, () => admin("POST", `/v1/accounts/${u}/adjustments`, { body: { amount: "-100.01", reason: "too much" }, idempotencyKey: key() }), 402, "insufficient_coins");
      expect(r.body.error.details).toEqual({ required: "100.01", available: "100.00" });
    });
  });

  // ----------------------------------------------------------------------------------
  describe("403 forbidden", () => {
    it.each([
      ["a service charging", (u: string) => service("POST", `/v1/accounts/${u}/charges`, { body: { amount: "10.00", paymentMethod: "card" }, idempotencyKey: key() })],
      ["a service adjusting", (u: string) => service("POST", `/v1/accounts/${u}/adjustments`, { body: { amount: "10.00", reason: "x" }, idempotencyKey: key() })],
      ["a service freezing", (u: string) => service("POST", `/v1/accounts/${u}/freeze`)],
      ["the owner spending", async (u: string) => callApi("POST", `/v1/accounts/${u}/usage`, { token: await tokenFor(u), body: { serviceType: "ai_writing" }, idempotencyKey: key() })],
      ["another user spending", async (u: string) => callApi("POST", `/v1/accounts/${u}/usage`, { token: await tokenFor("someone-else"), body: { serviceType: "ai_writing" }, idempotencyKey: key() })],
      ["another user reading", async (u: string) => callApi("GET", `/v1/accounts/${u}`, { token: await tokenFor("someone-else") })],
    ])("%s → 403 forbidden", async (_, run) => {
      const u = await freshAccount();
      await expectRefused(u, () => run(u), 403, "forbidden");
    });

    it("a user opening an account → 403 and no account", async () => {
      const u = uniqueUserId("forb");
      await expectRefused(u, async () => callApi("POST", "/v1/accounts", { token: await tokenFor(u), body: { userId: u } }), 403, "forbidden");
    });
  });

  // ----------------------------------------------------------------------------------
  describe("404 account_not_found", () => {
    it.each([
      ["GET account", (u: string) => admin("GET", `/v1/accounts/${u}`)],
      ["usage", (u: string) => service("POST", `/v1/accounts/${u}/usage`, { body: { serviceType: "ai_writing" }, idempotencyKey: key() })],
      ["charges", (u: string) => admin("POST", `/v1/accounts/${u}/charges`, { body: { amount: "10.00", paymentMethod: "card" }, idempotencyKey: key() })],
      ["adjustments (credit)", (u: string) => admin("POST", `/v1/accounts/${u}/adjustments`, { body: { amount: "10.00", reason: "x" }, idempotencyKey: key() })],
      ["adjustments (debit)", (u: string) => admin("POST", `/v1/accounts/${u}/adjustments`, { body: { amount: "-1.00", reason: "x" }, idempotencyKey: key() })],
      ["refunds", (u: string) => service("POST", `/v1/accounts/${u}/refunds`, { body: { transactionId: UNKNOWN_TX, reason: "x" }, idempotencyKey: key() })],
      ["freeze", (u: string) => admin("POST", `/v1/accounts/${u}/freeze`)],
      ["unfreeze", (u: string) => admin("POST", `/v1/accounts/${u}/unfreeze`)],
      ["GET transactions", (u: string) => admin("GET", `/v1/accounts/${u}/transactions`)],
      ["GET transactions as the (account-less) owner via me", async (u: string) => callApi("GET", "/v1/accounts/me/transactions", { token: await tokenFor(u) })],
      ["GET account as the (account-less) owner via me", async (u: string) => callApi("GET", "/v1/accounts/me", { token: await tokenFor(u) })],
    ])("%s on a never-opened account → 404 account_not_found", async (_, run) => {
      const u = uniqueUserId("nf");
      await expectRefused(u, () => run(u), 404, "account_not_found");
    });
  });

  // ----------------------------------------------------------------------------------
  describe("404 transaction_not_found", () => {
    it("GET an unknown transaction id", async () => {
      const u = await freshAccount();
      await expectRefused(u, () => admin("GET", `/v1/accounts/${u}/transactions/${UNKNOWN_TX}`), 404, "transaction_not_found");
    });

    it("GET another account's transaction through this account", async () => {
      const [u, other] = await Promise.all([freshAccount(), freshAccount("err-other")]);
      const tx = await spend(other);
      expect((await admin("GET", `/v1/accounts/${other}/transactions/${tx}`)).status).toBe(200);
      await expectRefused([u, other], () => admin("GET", `/v1/accounts/${u}/transactions/${tx}`), 404, "transaction_not_found");
    });

    it("refund of an unknown transaction id", async () => {
      const u = await freshAccount();
      await expectRefused(u, () => service("POST", `/v1/accounts/${u}/refunds`, { body: { transactionId: UNKNOWN_TX, reason: "x" }, idempotencyKey: key() }), 404, "transaction_not_found");
    });

    it("refund of another account's usage through this account", async () => {
      const [u, other] = await Promise.all([freshAccount(), freshAccount("err-other")]);
      const tx = await spend(other);
      await expectRefused([u, other], () => service("POST", `/v1/accounts/${u}/refunds`, { body: { transactionId: tx, reason: "x" }, idempotencyKey: key() }), 404, "transaction_not_found");
    });
  });

  // ----------------------------------------------------------------------------------
  describe("409 idempotency_conflict", () => {
    const usage = (u: string, k: string, body: Record<string, unknown>) => service("POST", `/v1/accounts/${u}/usage`, { body, idempotencyKey: k });

    it.each([
      ["another serviceType", { serviceType: "keyword_analysis" }],
      ["an explicit amount", { serviceType: "ai_writing", amount: "3.00" }],
      ["other details", { serviceType: "ai_writing", details: { action: "other" } }],
      ["a request the ledger would refuse (too expensive)", { serviceType: "ai_writing", amount: "5000.00" }],
    ])("usage key reused for %s", async (_, second) => {
      const u = await freshAccount();
      const k = key();
      await expectCreated(usage(u, k, { serviceType: "ai_writing" }));
      await expectRefused(u, () => usage(u, k, second), 409, "idempotency_conflict");
      // and the original still replays
      const replay = await usage(u, k, { serviceType: "ai_writing" });
      expect(replay.status).toBe(201);
      expect(replay.headers["idempotent-replayed"]).toBe("true");
    });

    it("a usage key reused on the charges route", async () => {
      const u = await freshAccount();
      const k = key();
      await expectCreated(usage(u, k, { serviceType: "ai_writing" }));
      await expectRefused(u, () => admin("POST", `/v1/accounts/${u}/charges`, { body: { amount: "10.00", paymentMethod: "card" }, idempotencyKey: k }), 409, "idempotency_conflict");
    });

    it("an adjustment key reused with another amount", async () => {
      const u = await freshAccount();
      const k = key();
      await expectCreated(admin("POST", `/v1/accounts/${u}/adjustments`, { body: { amount: "5.00", reason: "r" }, idempotencyKey: k }));
      await expectRefused(u, () => admin("POST", `/v1/accounts/${u}/adjustments`, { body: { amount: "-5.00", reason: "r" }, idempotencyKey: k }), 409, "idempotency_conflict");
    });

    it("a charge key reused with another payment reference", async () => {
      const u = await freshAccount();
      const k = key();
      const charge = (ref: string) => admin("POST", `/v1/accounts/${u}/charges`, { body: { amount: "10.00", paymentMethod: "card", paymentReference: ref }, idempotencyKey: k });
      await expectCreated(charge("pay-1"));
      await expectRefused(u, () => charge("pay-2"), 409, "idempotency_conflict");
    });

    it("a refund key reused with another amount", async () => {
      const u = await freshAccount();
      const tx = await spend(u);
      const k = key();
      const refund = (amount: string) => service("POST", `/v1/accounts/${u}/refunds`, { body: { transactionId: tx, amount, reason: "r" }, idempotencyKey: k });
      await expectCreated(refund("1.00"));
      await expectRefused(u, () => refund("2.00"), 409, "idempotency_conflict");
    });
  });

  // ----------------------------------------------------------------------------------
  describe("409 refund_exceeds_original", () => {
    const refund = (u: string, body: Record<string, unknown>) => service("POST", `/v1/accounts/${u}/refunds`, { body: { reason: "r", ...body }, idempotencyKey: key() });

    it("refunding more than the usage took", async () => {
      const u = await freshAccount();
      const tx = await spend(u);
      await expectRefused(u, () => refund(u, { transactionId: tx, amount: "3.01" }), 409, "refund_exceeds_original");
    });

    it("a second full refund", async () => {
      const u = await freshAccount();
      const tx = await spend(u);
      await expectCreated(refund(u, { transactionId: tx }));
      await expectRefused(u, () => refund(u, { transactionId: tx }), 409, "refund_exceeds_original");
      await expectRefused(u, () => refund(u, { transactionId: tx, amount: "0.01" }), 409, "refund_exceeds_original");
    });

    it("partial refunds that would add up to more than the usage", async () => {
      const u = await freshAccount();
      const tx = await spend(u);
      await expectCreated(refund(u, { transactionId: tx, amount: "1.00" }));
      await expectCreated(refund(u, { transactionId: tx, amount: "1.50" }));
      await expectRefused(u, () => refund(u, { transactionId: tx, amount: "0.51" }), 409, "refund_exceeds_original");
      await expectCreated(refund(u, { transactionId: tx, amount: "0.50" }));
    });
  });

  // ----------------------------------------------------------------------------------
  describe("422 balance_limit_exceeded (MAX_COIN_AMOUNT = 100000)", () => {
    it("a charge above the maximum; exactly the maximum is fine", async () => {
      const u = await freshAccount();
      const charge = (amount: string) => admin("POST", `/v1/accounts/${u}/charges`, { body: { amount, paymentMethod: "card" }, idempotencyKey: key() });
      await expectRefused(u, () => charge("99900.01"), 422, "balance_limit_exceeded");
      await expectRefused(u, () => charge("999999999.99"), 422, "balance_limit_exceeded");
      const ok = await expectCreated(charge("99900.00"));
      expect(ok.body.account.balance).toBe("100000.00");
      await expectRefused(u, () => charge("0.01"), 422, "balance_limit_exceeded");
    });

    it("a positive adjustment above the maximum", async () => {
      const u = await freshAccount();
      await expectRefused(u, () => admin("POST", `/v1/accounts/${u}/adjustments`, { body: { amount: "99900.01", reason: "too generous" }, idempotencyKey: key() }), 422, "balance_limit_exceeded");
    });

    it("a refund that would lift the balance above the maximum", async () => {
      const u = await freshAccount();
      const tx = await spend(u); // 97.00
      await expectCreated(admin("POST", `/v1/accounts/${u}/charges`, { body: { amount: "99903.00", paymentMethod: "card" }, idempotencyKey: key() })); // 100000.00
      await expectRefused(u, () => service("POST", `/v1/accounts/${u}/refunds`, { body: { transactionId: tx, reason: "r" }, idempotencyKey: key() }), 422, "balance_limit_exceeded");
    });
  });

  // ----------------------------------------------------------------------------------
  describe("423 account_frozen", () => {
    async function frozenAccount() {
      const u = await freshAccount("frz");
      const tx = await spend(u); // 97.00, refundable later
      const f = await admin("POST", `/v1/accounts/${u}/freeze`);
      expect(f.status).toBe(200);
      expect(f.body.account.status).toBe("frozen");
      return { u, tx };
    }

    it.each([
      ["a priced spend", (u: string) => service("POST", `/v1/accounts/${u}/usage`, { body: { serviceType: "ai_writing" }, idempotencyKey: key() })],
      ["a spend by an admin", (u: string) => admin("POST", `/v1/accounts/${u}/usage`, { body: { serviceType: "ai_writing", amount: "1.00" }, idempotencyKey: key() })],
      ["a charge", (u: string) => admin("POST", `/v1/accounts/${u}/charges`, { body: { amount: "10.00", paymentMethod: "card" }, idempotencyKey: key() })],
      ["an auto charge", (u: string) => admin("POST", `/v1/accounts/${u}/charges`, { body: { amount: "10.00", paymentMethod: "card", type: "auto_charge" }, idempotencyKey: key() })],
    ])("%s on a frozen account → 423 account_frozen", async (_, run) => {
      const { u } = await frozenAccount();
      await expectRefused(u, () => run(u), 423, "account_frozen");
    });

    it("admin adjustments (both signs) and refunds still work on a frozen account, by design", async () => {
      const { u, tx } = await frozenAccount();
      const credit = await expectCreated(admin("POST", `/v1/accounts/${u}/adjustments`, { body: { amount: "5.00", reason: "goodwill" }, idempotencyKey: key() }));
      expect(credit.body.account).toMatchObject({ status: "frozen", balance: "102.00" });
      const debit = await expectCreated(admin("POST", `/v1/accounts/${u}/adjustments`, { body: { amount: "-2.00", reason: "correction" }, idempotencyKey: key() }));
      expect(debit.body.account.balance).toBe("100.00");
      const refund = await expectCreated(service("POST", `/v1/accounts/${u}/refunds`, { body: { transactionId: tx, reason: "failed job" }, idempotencyKey: key() }));
      expect(refund.body.account).toMatchObject({ status: "frozen", balance: "103.00" });
      // reads are fine too
      expect((await admin("GET", `/v1/accounts/${u}`)).body.account.status).toBe("frozen");
    });

    it("after unfreezing, spends work again", async () => {
      const { u } = await frozenAccount();
      expect((await admin("POST", `/v1/accounts/${u}/unfreeze`)).body.account.status).toBe("active");
      await expectCreated(service("POST", `/v1/accounts/${u}/usage`, { body: { serviceType: "ai_writing" }, idempotencyKey: key() }));
    });
  });

  // ----------------------------------------------------------------------------------
  describe("404 for an unknown route", () => {
    it.each([
      ["GET", "/v1/nothing-here"],
      ["GET", "/nothing"],
      ["GET", "/v2/accounts/u1"],
      ["POST", "/v1/accounts/u1/teleport"],
      ["DELETE", "/v1/accounts/u1"],
      ["PUT", "/v1/accounts/u1/usage"],
    ])("%s %s → 404 with the error shape", async (method, path) => {
      const r = await admin(method, path, method === "GET" || method === "DELETE" ? {} : { body: {}, idempotencyKey: key() });
      expect(r.status).toBe(404);
      expectError(r, 404, r.body?.error?.code);
      expect(r.body.error.code).toEqual(expect.any(String));
    });
  });
});

describe("validation details name the field", () => {
  it.each([
    ["usage", (u: string) => `/v1/accounts/${u}/usage`, { serviceType: "ai_writing", cost: "1.00" }, ["cost"]],
    ["charges", (u: string) => `/v1/accounts/${u}/charges`, { amount: "10.00", paymentMethod: "card", bonus: "1.00", note: "x" }, ["bonus", "note"]],
    ["usage (nested)", (u: string) => `/v1/accounts/${u}/usage`, { serviceType: "ai_writing", details: { action: "x" }, extra: { a: 1 } }, ["extra"]],
  ] as const)("%s: an unknown body field is reported under its own name", async (_, path, body, unknown) => {
    const u = await freshAccount("unk");
    const r = await admin("POST", path(u), { idempotencyKey: key(), body });
    expectError(r, 400, "validation_failed");
    expect(Object.keys(r.body.error.details.fields).sort()).toEqual([...unknown].sort());
    for (const name of unknown) expect(r.body.error.details.fields[name]).toBe("unknown field");
  });
});
