import Decimal from "decimal.js";
import { describe, expect, expectTypeOf, it } from "vitest";
import { createClient, type NyangClient, type SpendInput } from "./client.ts";
import type { Account, AccountAnalytics, Hold, ResponseOf, Transaction } from "./types.ts";
import type { FetchLike } from "./transport.ts";

// Unit (types, checked by `npm run typecheck`, and a little runtime): the public surface.

describe("the client's types", () => {
  it("answer with the generated shapes", () => {
    expectTypeOf<NyangClient["accounts"]["get"]>().returns.resolves.toEqualTypeOf<Account>();
    expectTypeOf<NyangClient["transactions"]["get"]>().returns.resolves.toEqualTypeOf<Transaction>();
    expectTypeOf<NyangClient["holds"]["get"]>().returns.resolves.toEqualTypeOf<Hold>();
    expectTypeOf<NyangClient["analytics"]["get"]>().returns.resolves.toEqualTypeOf<AccountAnalytics>();
    expectTypeOf<Awaited<ReturnType<NyangClient["usage"]["spend"]>>>().toEqualTypeOf<ResponseOf<"/v1/accounts/{userId}/usage", "post">>();
    expectTypeOf<AccountAnalytics["recommendations"][number]["kind"]>().toEqualTypeOf<"low_balance" | "top_up" | "enable_auto_charge" | "heavy_service">();
  });

  it("take amounts as strings or Decimals, never numbers", () => {
    expectTypeOf<{ serviceType: string; amount: Decimal }>().toExtend<SpendInput>();
    expectTypeOf<{ serviceType: string; amount: "1.30" }>().toExtend<SpendInput>();
    expectTypeOf<{ serviceType: string; amount: number }>().not.toExtend<SpendInput>();
    expectTypeOf<{ serviceType: string }>().toExtend<SpendInput>();
  });

  it("type client.request by path and method", () => {
    const nyang = createClient({ baseUrl: "http://api.test", fetch: () => Promise.resolve(Response.json({ account: {} })) });
    expectTypeOf(nyang.request<"get", "/v1/accounts/{userId}">).returns.resolves.toHaveProperty("data").toEqualTypeOf<{ account: Account }>();
    // @ts-expect-error: GET /v1/accounts is not a route
    void nyang.request("get", "/v1/accounts");
  });
});

describe("autoCharge.put", () => {
  it("sends a card registration (authKey) once, since the gateway takes an authKey once", async () => {
    let calls = 0;
    const fetch: FetchLike = () => (calls++, Promise.reject(new TypeError("fetch failed")));
    const nyang = createClient({ baseUrl: "http://api.test", token: "t", fetch, retry: { baseDelayMs: 1 } });
    await expect(nyang.autoCharge.put("me", { enabled: true, authKey: "a", customerKey: "ck" })).rejects.toMatchObject({ code: "network_error" });
    expect(calls).toBe(1);
    calls = 0;
    await expect(nyang.autoCharge.put("me", { enabled: false })).rejects.toMatchObject({ code: "network_error" });
    expect(calls).toBe(5);
  });
});

describe("admin.retryAutoChargeRefund", () => {
  it("posts to the charge's retry-refund route once and answers the charge", async () => {
    const urls: string[] = [];
    const charge = { id: "ac_0123456789abcdefghjkmnpqrs", status: "refunded" };
    const fetch: FetchLike = (url, init) => (urls.push(`${init?.method} ${String(url)}`), Promise.resolve(Response.json({ charge })));
    const nyang = createClient({ baseUrl: "http://api.test", token: "t", fetch });
    await expect(nyang.admin.retryAutoChargeRefund("u1", charge.id)).resolves.toEqual(charge);
    expect(urls).toEqual([`POST http://api.test/v1/admin/accounts/u1/auto-charge/charges/${charge.id}/retry-refund`]);
    // A lost answer is not resent: the refund may be under way (the operator lists the charges again).
    let calls = 0;
    const failing = createClient({ baseUrl: "http://api.test", token: "t", fetch: () => (calls++, Promise.reject(new TypeError("fetch failed"))), retry: { baseDelayMs: 1 } });
    await expect(failing.admin.retryAutoChargeRefund("u1", charge.id)).rejects.toMatchObject({ code: "network_error" });
    expect(calls).toBe(1);
  });
});
