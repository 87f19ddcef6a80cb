/**
 * The PaymentGateway contract against the local fake Toss server: the real adapter, real HTTP
 * on 127.0.0.1, the fake's switches standing in for a refusing, silent or forgetful gateway.
 */
import { randomUUID } from "node:crypto";
import { startFakeTossGateway } from "@nyang/local";
import { gatewayContract, type BillingScenario, type GatewayTarget, type Scenario } from "./gateway.contract.ts";
import { TOSS_GATEWAY_CODES, tossAdapter } from "./toss-target.ts";

gatewayContract("Toss adapter against the fake Toss server", async () => {
  const fake = await startFakeTossGateway();
  return {
    adapter: tossAdapter(fake.url, fake.secretKey),
    gatewayCodes: TOSS_GATEWAY_CODES,
    async begin(scenario: Scenario) {
      fake.setMode("approve");
      const orderId = `ord_${scenario}_${randomUUID().slice(0, 8)}`;
      const amount = 15000;
      if (scenario === "unknown_order" || scenario === "unknown_payment_key" || scenario === "unknown_payment_lookup") {
        return { paymentKey: "never_issued", orderId, amount };
      }
      // The browser step: the customer authorises this order and amount in Toss's window.
      const paymentKey = fake.authorize({ orderId, amount });
      if (scenario === "decline") fake.setMode("decline", { times: 1 });
      // Held well past the adapter's time-out, then dropped unapplied.
      if (scenario === "timeout") fake.setMode("timeout", { times: 1, holdMs: 5_000 });
      if (scenario === "lose_response") fake.setMode("lose_response", { times: 1 });
      return { paymentKey, orderId, amount };
    },
    async beginBilling(scenario: BillingScenario) {
      fake.setMode("approve");
      const customerKey = `cust-${randomUUID()}`;
      // The browser step: the customer registers a card in Toss's billing window.
      const authKey = fake.authorizeBilling({ customerKey });
      const operations = ["billing_charge"] as const;
      if (scenario === "billing_decline") fake.setMode("decline", { times: 1, operations });
      if (scenario === "billing_timeout") fake.setMode("timeout", { times: 1, holdMs: 5_000, operations });
      if (scenario === "billing_lose_response") fake.setMode("lose_response", { times: 1, operations });
      return { authKey, customerKey, orderId: `ac_${scenario}_${randomUUID().slice(0, 8)}`, orderName: "냥 자동 충전 100.00", amount: 1000 };
    },
    verify() {
      const odd = fake.requests.filter((r) => r.operation === "unknown" || (typeof r.outcome === "number" && r.outcome >= 500));
      if (odd.length > 0) throw new Error(`fake Toss saw unexpected requests: ${JSON.stringify(odd)}`);
    },
    close: () => fake.close(),
  } satisfies GatewayTarget;
});
