import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeTossGateway, type FakeTossGateway } from "./server.ts";

/** The fake's payment and card-registration windows, as a browser drives them (Toss's redirect contract). */
describe("fake Toss checkout pages", () => {
  let fake: FakeTossGateway;
  beforeAll(async () => {
    fake = await startFakeTossGateway({ port: 0, host: "127.0.0.1" });
  });
  afterAll(() => fake.close());

  const post = (path: string, form: Record<string, string>) =>
    fetch(`${fake.url}${path}`, { method: "POST", body: new URLSearchParams(form), redirect: "manual" });

  it("shows the order in the payment window", async () => {
    const q = new URLSearchParams({ orderId: "order-page-1", amount: "40000", orderName: "인기팩", successUrl: "http://127.0.0.1:1/ok", failUrl: "http://127.0.0.1:1/fail" });
    const r = await fetch(`${fake.url}/__fake/checkout?${q}`);
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain("인기팩");
    expect(html).toContain("40,000원");
    expect(html).toContain('value="approve"');
  });

  it("pays: redirects to the success URL with a paymentKey the gateway then confirms", async () => {
    const r = await post("/__fake/checkout", {
      orderId: "order-page-2", amount: "10000", orderName: "기본팩", successUrl: "http://127.0.0.1:1/shop?x=1", failUrl: "http://127.0.0.1:1/shop", action: "approve",
    });
    expect(r.status).toBe(303);
    const to = new URL(r.headers.get("location")!);
    expect(to.pathname).toBe("/shop");
    expect(to.searchParams.get("x")).toBe("1");
    expect(to.searchParams.get("orderId")).toBe("order-page-2");
    expect(to.searchParams.get("amount")).toBe("10000");
    const paymentKey = to.searchParams.get("paymentKey")!;
    const confirm = await fetch(`${fake.url}/v1/payments/confirm`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`${fake.secretKey}:`).toString("base64")}`, "content-type": "application/json" },
      body: JSON.stringify({ paymentKey, orderId: "order-page-2", amount: 10000 }),
    });
    expect(confirm.status).toBe(200);
    expect(((await confirm.json()) as { status: string }).status).toBe("DONE");
  });

  it("cancel: redirects to the fail URL with Toss's PAY_PROCESS_CANCELED", async () => {
    const r = await post("/__fake/checkout", { orderId: "order-page-3", amount: "10000", successUrl: "http://127.0.0.1:1/ok", failUrl: "http://127.0.0.1:1/fail", action: "cancel" });
    expect(r.status).toBe(303);
    const to = new URL(r.headers.get("location")!);
    expect(to.pathname).toBe("/fail");
    expect(to.searchParams.get("code")).toBe("PAY_PROCESS_CANCELED");
    expect(to.searchParams.get("orderId")).toBe("order-page-3");
  });

  it("registers a card: redirects with the customerKey and a one-time authKey", async () => {
    const r = await post("/__fake/billing/checkout", { customerKey: "cust_1", successUrl: "http://127.0.0.1:1/ac", failUrl: "http://127.0.0.1:1/ac", action: "approve" });
    const to = new URL(r.headers.get("location")!);
    expect(to.searchParams.get("customerKey")).toBe("cust_1");
    expect(to.searchParams.get("authKey")).toMatch(/^bln-/);
  });

  it("refuses redirect targets that are not http(s) URLs", async () => {
    const r = await fetch(`${fake.url}/__fake/checkout?orderId=x&amount=1&successUrl=javascript:alert(1)&failUrl=http://a/`);
    expect(r.status).toBe(400);
  });
});
