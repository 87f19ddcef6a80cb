/**
 * The one place a deployment's payment gateway is chosen. The composition root calls
 * {@link paymentGatewayFromEnv}; nothing else names an adapter. A second gateway is a new
 * entry in {@link paymentGatewayNames} and a case below, next to its adapter.
 */
import { ConfigError } from "../config.ts";
import type { PaymentGateway } from "./gateway.ts";
import { tossGatewayFromEnv, type TossPaymentsGatewayOptions } from "./toss-gateway.ts";

/** The gateways Nyang has adapters for: `PAYMENT_GATEWAY`'s values. */
export const paymentGatewayNames = ["toss"] as const;
export type PaymentGatewayName = (typeof paymentGatewayNames)[number];

/** What every adapter accepts beside its own variables. */
export type PaymentGatewayOptions = Pick<TossPaymentsGatewayOptions, "timeoutMs" | "fetch">;

/**
 * The adapter `PAYMENT_GATEWAY` names (default `toss`), configured from its own variables
 * (Toss: `TOSS_SECRET_KEY`, `TOSS_API_BASE_URL`). An unknown name fails naming the known ones.
 */
export function paymentGatewayFromEnv(
  env: { PAYMENT_GATEWAY?: string | undefined; TOSS_SECRET_KEY?: string | undefined; TOSS_API_BASE_URL?: string | undefined },
  options: PaymentGatewayOptions = {},
): PaymentGateway {
  const name = paymentGatewayName(env);
  switch (name) {
    case "toss":
      return tossGatewayFromEnv(env, options);
  }
}

/** `PAYMENT_GATEWAY`, checked: absent or blank is `toss`. */
export function paymentGatewayName(env: { PAYMENT_GATEWAY?: string | undefined }): PaymentGatewayName {
  const raw = env.PAYMENT_GATEWAY?.trim().toLowerCase();
  if (!raw) return "toss";
  const known = paymentGatewayNames.find((n) => n === raw);
  if (!known) throw new ConfigError(`PAYMENT_GATEWAY must be one of ${paymentGatewayNames.join(", ")}, got ${JSON.stringify(env.PAYMENT_GATEWAY)}`);
  return known;
}
