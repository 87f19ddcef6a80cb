import { describe, expect, it } from "vitest";
import { ConfigError } from "../config.ts";
import { paymentGatewayFromEnv } from "./choose.ts";
import { TossPaymentsGateway } from "./toss-gateway.ts";

describe("paymentGatewayFromEnv", () => {
  it("builds the Toss adapter when PAYMENT_GATEWAY is absent, blank or toss", () => {
    for (const PAYMENT_GATEWAY of [undefined, " ", "toss", "TOSS"]) {
      expect(paymentGatewayFromEnv({ PAYMENT_GATEWAY, TOSS_SECRET_KEY: "test_sk_x" })).toBeInstanceOf(TossPaymentsGateway);
    }
  });

  it("refuses a gateway it has no adapter for, naming the known ones", () => {
    expect(() => paymentGatewayFromEnv({ PAYMENT_GATEWAY: "stripe", TOSS_SECRET_KEY: "test_sk_x" })).toThrow(ConfigError);
    expect(() => paymentGatewayFromEnv({ PAYMENT_GATEWAY: "stripe" })).toThrow(/PAYMENT_GATEWAY must be one of toss/);
  });

  it("configures the adapter from its own variables and passes the options through", async () => {
    expect(() => paymentGatewayFromEnv({})).toThrow(/TOSS_SECRET_KEY/);
    expect(() => paymentGatewayFromEnv({ TOSS_SECRET_KEY: "test_sk_x" }, { timeoutMs: -1 })).toThrow(/timeoutMs/);
    let asked = "";
    const notFound = { code: "NOT_FOUND_PAYMENT", message: "x" };
    const gateway = paymentGatewayFromEnv(
      { TOSS_SECRET_KEY: "test_sk_x", TOSS_API_BASE_URL: "http://127.0.0.1:4010" },
      { fetch: (async (input: string) => ((asked = input), Response.json(notFound, { status: 404 }))) as typeof fetch },
    );
    expect(await gateway.findByOrderId("order_0001")).toBeNull();
    expect(asked).toBe("http://127.0.0.1:4010/v1/payments/orders/order_0001");
  });
});
