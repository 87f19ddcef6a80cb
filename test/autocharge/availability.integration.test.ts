/**
 * Whether auto-charge is available (issue 8, item 9), over HTTP against DynamoDB Local, with
 * the service's switch off (AUTO_CHARGE_ENABLED=false, the default): an account that turned
 * auto-charge on before the switch went off still shows its own choice (`enabled: true`), but
 * `available: false` and `active: false` say that nothing will charge it, and the public
 * settings route says the same to a UI before anyone signs in.
 */
import { AutoChargeStore, createDynamoClients, settingsWrite, type AutoChargeSettings } from "@nyang/core";
import { beforeAll, describe, expect, it } from "vitest";
import { callApi, useApiEnv, openAccount, testTableName, tokenFor, uniqueUserId } from "../support/index.ts";
import { expectRefused } from "../support/refusals.ts";

beforeAll(() => {
  // Read by the handler's runtime when this file first calls the API. No gateway is called
  // here; the secret only names the merchant the account's customer key derives from.
  useApiEnv({ AUTO_CHARGE_ENABLED: "false", TOSS_SECRET_KEY: "test_sk_availability_only" });
});

/** An account whose auto-charge was turned on (with a card) while the service still offered it. */
async function turnedOnEarlier(userId: string): Promise<void> {
  const store = new AutoChargeStore(createDynamoClients(process.env), testTableName());
  const t = new Date().toISOString();
  const settings: AutoChargeSettings = {
    userId,
    enabled: true,
    threshold: 1000,
    amount: 10000,
    paymentMethod: "card",
    billing: { billingKey: "bk-earlier", customerKey: "nyc_earlier", cardCompany: "현대", cardNumber: "4330****", registeredAt: t },
    monthlyCapKrw: null,
    consecutiveFailures: 0,
    disabledReason: null,
    disabledAt: null,
    armedRevision: 1,
    armedAtSeq: 1,
    armedAt: t,
    createdAt: t,
    updatedAt: t,
    revision: 1,
  };
  expect(await store.write([settingsWrite(store.tableName, null, settings)])).toBe(true);
}

describe("auto-charge availability with AUTO_CHARGE_ENABLED=false", () => {
  it("the settings keep the account's choice, and say that the service does not offer it and nothing will charge", async () => {
    const u = uniqueUserId("avail");
    await openAccount(u);
    await turnedOnEarlier(u);
    const token = await tokenFor(u);
    const r = await callApi("GET", "/v1/accounts/me/auto-charge", { token });
    expect(r.status).toBe(200);
    expect(r.body.autoCharge).toMatchObject({ enabled: true, available: false, active: false, card: expect.any(Object) });
    // Turning it on (again) is refused; the stored choice is left as it is.
    await expectRefused(u, () => callApi("PUT", "/v1/accounts/me/auto-charge", { token, body: { enabled: true } }), 409, "auto_charge_unavailable");
    // Turning it off still works, and shows off.
    const off = await callApi("PUT", "/v1/accounts/me/auto-charge", { token, body: { enabled: false } });
    expect(off.body.autoCharge).toMatchObject({ enabled: false, available: false, active: false });
  });

  it("an account that never set anything: off, not available", async () => {
    const u = uniqueUserId("avail");
    await openAccount(u);
    const r = await callApi("GET", "/v1/accounts/me/auto-charge", { token: await tokenFor(u) });
    expect(r.body.autoCharge).toMatchObject({ enabled: false, available: false, active: false, card: null });
  });

  it("GET /v1/settings tells a UI that auto-charge is not available", async () => {
    const r = await callApi("GET", "/v1/settings");
    expect(r.status).toBe(200);
    expect(r.body.autoCharge.available).toBe(false);
  });
});
