/**
 * The auto-charge settings routes through the Lambda event path (GET/PUT/DELETE
 * /v1/accounts/{userId}/auto-charge), with the fake Toss gateway registering cards:
 * validation, who may call them, the billing key never leaving the server, DELETE turning
 * auto-charge off, and a PUT that arms an account already at or below its threshold.
 */
import { fakeTossEnv, startFakeTossGateway, type FakeTossGateway } from "@nyang/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminToken, auditFromTable, callApi, useApiEnv, openAccount, serviceToken, testStore, tokenFor, uniqueUserId } from "../support/index.ts";
import { expectError, expectRefused } from "../support/refusals.ts";

let fake: FakeTossGateway;
const put = (token: string, body: unknown, who = "me") => callApi("PUT", `/v1/accounts/${who}/auto-charge`, { token, body });
const get = (token: string, who = "me") => callApi("GET", `/v1/accounts/${who}/auto-charge`, { token });
beforeAll(async () => {
  fake = await startFakeTossGateway();
  // Read by the handler's runtime when this file first calls the API.
  useApiEnv({ ...fakeTossEnv(fake), AUTO_CHARGE_ENABLED: "true", TOSS_TIMEOUT_MS: "2000" });
});
afterAll(() => fake.close());

async function owner() {
  const u = uniqueUserId("acs");
  await openAccount(u);
  return { u, token: await tokenFor(u) };
}

/**
 * What the card-registration window's success URL carries: the window is opened with the
 * account's customerKey, read from GET …/auto-charge (by the owner, or an admin for `who`).
 */
async function registration(token: string, who = "me") {
  const { customerKey } = (await get(token, who)).body.autoCharge as { customerKey: string };
  return { customerKey, authKey: fake.authorizeBilling({ customerKey }) };
}


/** No answer carries a billing key the fake issued. */
function expectNoBillingKey(body: unknown) {
  const text = JSON.stringify(body);
  for (const key of fake.billingKeys.keys()) expect(text).not.toContain(key);
  expect(text).not.toMatch(/billingKey/);
}

describe("auto-charge settings", () => {
  it("GET before anything is set: the configured defaults, off, no card", async () => {
    const { token, u } = await owner();
    const r = await get(token);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      autoCharge: {
        userId: u,
        enabled: false,
        available: true,
        active: false,
        customerKey: expect.stringMatching(/^[A-Za-z0-9_=.@-]{2,300}$/),
        threshold: "10.00",
        amount: "100.00",
        amountKrw: 1000,
        paymentMethod: "card",
        card: null,
        monthlyCapKrw: null,
        effectiveMonthlyCapKrw: null,
        chargedThisMonthKrw: 0,
        capMonth: expect.stringMatching(/^\d{4}-\d{2}$/),
        consecutiveFailures: 0,
        disabledReason: null,
        disabledAt: null,
        updatedAt: expect.any(String),
      },
    });
  });

  it("PUT sets the monthly cap (whole won) and null puts it back to the default; GET shows it with this month's charged KRW", async () => {
    const { token } = await owner();
    const set = await put(token, { enabled: false, monthlyCapKrw: 30000 });
    expect(set.status).toBe(200);
    expect(set.body.autoCharge).toMatchObject({ monthlyCapKrw: 30000, effectiveMonthlyCapKrw: 30000, chargedThisMonthKrw: 0 });
    // Left out: kept.
    expect((await put(token, { enabled: false, threshold: "20.00" })).body.autoCharge).toMatchObject({ monthlyCapKrw: 30000 });
    expect((await get(token)).body.autoCharge).toMatchObject({ monthlyCapKrw: 30000, effectiveMonthlyCapKrw: 30000 });
    const cleared = await put(token, { enabled: false, monthlyCapKrw: null });
    expect(cleared.body.autoCharge).toMatchObject({ monthlyCapKrw: null, effectiveMonthlyCapKrw: null });
  });

  it("PUT turns it on with the card from the registration window; the billing key is never shown", async () => {
    const { token, u } = await owner();
    const r = await put(token, { enabled: true, threshold: "20.00", amount: "300.00", paymentMethod: "card", ...(await registration(token)) });
    expect(r.status).toBe(200);
    expect(r.body.autoCharge).toMatchObject({
      userId: u,
      enabled: true,
      active: true,
      threshold: "20.00",
      amount: "300.00",
      amountKrw: 3000,
      card: { company: expect.any(String), number: expect.stringContaining("*"), registeredAt: expect.any(String) },
    });
    expectNoBillingKey(r.body);
    const again = await get(token);
    expect(again.body).toEqual(r.body);
    expectNoBillingKey(again.body);
    // Left-out fields keep their values; the registered card stays.
    const paused = await put(token, { enabled: false });
    expect(paused.body.autoCharge).toMatchObject({ enabled: false, threshold: "20.00", amount: "300.00", disabledReason: "user", card: expect.any(Object) });
    const resumed = await put(token, { enabled: true });
    expect(resumed.body.autoCharge).toMatchObject({ enabled: true, threshold: "20.00", disabledReason: null });
    // Nothing was charged: 100 coins is above the threshold.
    expect((await auditFromTable(u)).entries.filter((e) => e.type === "auto_charge")).toEqual([]);
  });

  it("DELETE turns it off and forgets the card; turning it on again needs a new registration", async () => {
    const { token } = await owner();
    await put(token, { enabled: true, ...(await registration(token)) });
    const r = await callApi("DELETE", "/v1/accounts/me/auto-charge", { token });
    expect(r.status).toBe(200);
    expect(r.body.autoCharge).toMatchObject({ enabled: false, card: null, disabledReason: "user", disabledAt: expect.any(String) });
    expect((await get(token)).body).toEqual(r.body);
    expectError(await put(token, { enabled: true }), 400, "validation_failed");
    // Idempotent: deleting again answers the same.
    const twice = await callApi("DELETE", "/v1/accounts/me/auto-charge", { token });
    expect(twice.body.autoCharge).toMatchObject({ enabled: false, card: null });
  });

  it("turned on at or below the threshold: charged right away, once", async () => {
    const { token, u } = await owner();
    const spent = await callApi("POST", `/v1/accounts/${u}/usage`, { token: await serviceToken(), body: { serviceType: "ai_writing", amount: "95.00" }, idempotencyKey: "low" });
    expect(spent.status).toBe(201);
    const r = await put(token, { enabled: true, ...(await registration(token)) });
    expect(r.status).toBe(200);
    const list = await callApi("GET", "/v1/accounts/me/transactions?type=auto_charge", { token });
    expect(list.body.transactions).toHaveLength(1);
    expect(list.body.transactions[0]).toMatchObject({ type: "auto_charge", amount: "100.00", balanceBefore: "5.00", balanceAfter: "105.00", paymentMethod: "card" });
    expectNoBillingKey(list.body);
    // Saving the same settings again re-arms nothing: the crossing is charged.
    await put(token, { enabled: true });
    expect((await callApi("GET", "/v1/accounts/me/transactions?type=auto_charge", { token })).body.transactions).toHaveLength(1);
    expect((await auditFromTable(u)).findings).toEqual([]);
  });
});

/** B's settings as shown, but for `updatedAt` (the defaults' time is the time of the read). */
const untimed = (r: { body: { autoCharge: Record<string, unknown> } }) => ({ ...r.body.autoCharge, updatedAt: undefined });

describe("a card registration is the account's own (issue 8, item 2)", () => {
  it("the customer key is the account's: stable, one per account, within Toss's rule and not the user id", async () => {
    const a = await owner();
    const b = await owner();
    const keyA = (await get(a.token)).body.autoCharge.customerKey as string;
    expect((await get(a.token)).body.autoCharge.customerKey).toBe(keyA);
    expect((await get(await adminToken(), a.u)).body.autoCharge.customerKey).toBe(keyA);
    expect((await get(b.token)).body.autoCharge.customerKey).not.toBe(keyA);
    expect(keyA).toMatch(/^[A-Za-z0-9_=.@-]{2,50}$/);
    expect(keyA).not.toContain(a.u);
  });

  it("B with A's authKey and customerKey is refused 422 customer_key_mismatch, before and after A registers; nothing is stored for B, A is unaffected", async () => {
    const a = await owner();
    const b = await owner();
    const stolen = await registration(a.token);
    const bBefore = (await get(b.token)).body;
    const seen = fake.requests.length;

    // Before A has used it, then after: neither A's customer key nor A's authKey registers B.
    await expectRefused(b.u, () => put(b.token, { enabled: true, ...stolen }), 422, "customer_key_mismatch");
    const viaGateway = await put(b.token, { enabled: true, authKey: stolen.authKey });
    expectError(viaGateway, 422, "customer_key_mismatch");
    expect(viaGateway.body.error.details).toEqual({ field: "authKey" });
    expect(untimed(await get(b.token))).toEqual(untimed({ body: bBefore }));

    const mine = await put(a.token, { enabled: true, authKey: stolen.authKey });
    expect(mine.status).toBe(200);
    expect(mine.body.autoCharge).toMatchObject({ enabled: true, active: true, card: expect.any(Object) });

    for (const body of [{ enabled: true, ...stolen }, { enabled: true, authKey: stolen.authKey }]) {
      await expectRefused(b.u, () => put(b.token, body), 422, "customer_key_mismatch");
    }
    expect(untimed(await get(b.token))).toEqual(untimed({ body: bBefore }));
    expect((await get(a.token)).body).toEqual(mine.body);

    // The gateway issued one billing key for this authKey, to A's customer key; none to B's.
    const customerKeys = [...fake.billingKeys.values()].map((billing) => billing.customerKey);
    expect(customerKeys.filter((k) => k === stolen.customerKey)).toHaveLength(1);
    expect(customerKeys).not.toContain(bBefore.autoCharge.customerKey);
    // The gateway Idempotency-Key names the account: B's attempts never replayed A's answer.
    const issues = fake.requests.slice(seen).filter((r) => r.operation === "billing_issue");
    const [aIssue, ...others] = issues.filter((r) => r.outcome === 200);
    expect(others).toEqual([]);
    const refused = issues.filter((r) => r.outcome !== 200);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.map((r) => r.outcome)).toEqual(refused.map(() => 400));
    expect(refused.map((r) => r.idempotencyKey)).not.toContain(aIssue!.idempotencyKey);
  });

  it("an admin registers a card for an account only under that account's customer key", async () => {
    const a = await owner();
    const b = await owner();
    const admin = await adminToken();
    const regA = await registration(admin, a.u);
    await expectRefused(b.u, () => put(admin, { enabled: true, authKey: regA.authKey }, b.u), 422, "customer_key_mismatch");
    expect((await put(admin, { enabled: true, authKey: regA.authKey }, a.u)).status).toBe(200);
  });
});

describe("validation", () => {
  it("refuses bad bodies with docs/api.md's errors and changes nothing", async () => {
    const { token, u } = await owner();
    const cases: [unknown, number, string][] = [
      [{ enabled: true }, 400, "validation_failed"], // no card registered
      [{ enabled: true, authKey: "a" }, 402, "payment_declined"], // an authKey no registration window issued
      [{ enabled: true, customerKey: "cust-1" }, 422, "customer_key_mismatch"], // not this account's customer key
      [{ enabled: "yes" }, 400, "validation_failed"],
      [{}, 400, "validation_failed"],
      [{ enabled: false, extra: 1 }, 400, "validation_failed"], // unknown fields are refused
      [{ enabled: false, paymentMethod: "bank" }, 400, "validation_failed"],
      [{ enabled: false, customerKey: "!", authKey: "a" }, 400, "validation_failed"],
      [{ enabled: false, threshold: "1.234" }, 400, "invalid_amount"],
      [{ enabled: false, amount: "-5" }, 400, "invalid_amount"],
      [{ enabled: false, amount: "0" }, 400, "invalid_amount"],
      [{ enabled: false, amount: "100.05" }, 400, "validation_failed"], // not whole won at 10 KRW a coin
      [{ enabled: false, amount: "50.00" }, 422, "below_minimum_purchase"], // 500 KRW < MIN_PURCHASE_AMOUNT
      [{ enabled: true, threshold: "50000.00", amount: "50000.10" }, 422, "balance_limit_exceeded"], // threshold + amount > MAX_COIN_AMOUNT
      // The monthly cap: whole won from 1 to 1,000,000,000, as a JSON number (or null).
      [{ enabled: false, monthlyCapKrw: 0 }, 400, "validation_failed"],
      [{ enabled: false, monthlyCapKrw: -1000 }, 400, "validation_failed"],
      [{ enabled: false, monthlyCapKrw: 1000.5 }, 400, "validation_failed"],
      [{ enabled: false, monthlyCapKrw: 1_000_000_001 }, 400, "validation_failed"],
      [{ enabled: false, monthlyCapKrw: "30000" }, 400, "validation_failed"],
    ];
    for (const [body, status, code] of cases) {
      await expectRefused(u, () => put(token, body), status, code);
    }
    await expectRefused(u, () => callApi("PUT", "/v1/accounts/me/auto-charge", { token, rawBody: "{", headers: { "content-type": "application/json" } }), 400, "validation_failed");
  });

  it("a card the gateway refuses to register: 402 payment_declined, nothing saved", async () => {
    const { token, u } = await owner();
    const reg = await registration(token);
    fake.setMode("decline", { times: 1, operations: ["billing_issue"] });
    await expectRefused(u, () => put(token, { enabled: true, ...reg }), 402, "payment_declined");
    expect((await get(token)).body.autoCharge).toMatchObject({ enabled: false, card: null });
  });

  it("an account that does not exist: 404 account_not_found", async () => {
    const ghost = uniqueUserId("ghost");
    const token = await tokenFor(ghost);
    expectError(await get(token), 404, "account_not_found");
    expectError(await put(token, { enabled: false }), 404, "account_not_found");
    expectError(await callApi("DELETE", "/v1/accounts/me/auto-charge", { token }), 404, "account_not_found");
  });
});

describe("who may call", () => {
  it("the owner and admins; not another user, not a service, not without a token", async () => {
    const { u } = await owner();
    const other = await tokenFor(uniqueUserId("other"));
    for (const method of ["GET", "PUT", "DELETE"] as const) {
      const body = method === "PUT" ? { enabled: false } : undefined;
      expectError(await callApi(method, `/v1/accounts/${u}/auto-charge`, { token: other, body }), 403, "forbidden");
      expectError(await callApi(method, `/v1/accounts/${u}/auto-charge`, { token: await serviceToken(), body }), 403, "forbidden");
      expectError(await callApi(method, `/v1/accounts/${u}/auto-charge`, { body }), 401, "unauthorized");
    }
    const admin = await adminToken();
    const r = await put(admin, { enabled: true, threshold: "15.00", ...(await registration(admin, u)) }, u);
    expect(r.status).toBe(200);
    expect(r.body.autoCharge).toMatchObject({ userId: u, enabled: true, threshold: "15.00" });
    expectNoBillingKey(r.body);
    expect((await get(admin, u)).body.autoCharge.enabled).toBe(true);
    expect((await callApi("DELETE", `/v1/accounts/${u}/auto-charge`, { token: admin })).body.autoCharge.enabled).toBe(false);
    // The stored settings hold the key; only the API's view leaves it out.
    expect(await testStore().getAccount(u)).not.toBeNull();
  });

  it("is in the OpenAPI document, with no billing key in the settings schema", async () => {
    const doc = (await callApi("GET", "/v1/openapi.json")).body;
    const paths = doc.paths["/v1/accounts/{userId}/auto-charge"];
    expect(Object.keys(paths).sort()).toEqual(["delete", "get", "put"]);
    expect(Object.keys(doc.components.schemas.AutoChargeSettings.properties)).not.toContain("billingKey");
  });
});
