/**
 * What the two Toss targets of the contract suite share: the Toss adapter built the way the
 * suite asks, and the Toss code each refusing scenario carries (the adapter keeps it as
 * `gatewayCode`; Nyang shows it as `details.gatewayCode`).
 */
import { TossPaymentsGateway } from "@nyang/core";
import { CONTRACT_PATIENT_TIMEOUT_MS, type GatewayTarget } from "./gateway.contract.ts";

/** The Toss adapter against `baseUrl`; `badCredentials` swaps in a secret key Toss does not know. */
export const tossAdapter =
  (baseUrl: string, secretKey: string): GatewayTarget["adapter"] =>
  ({ timeoutMs, badCredentials } = {}) =>
    new TossPaymentsGateway({
      baseUrl,
      secretKey: badCredentials ? "test_sk_not_the_right_one" : secretKey,
      timeoutMs: timeoutMs ?? CONTRACT_PATIENT_TIMEOUT_MS,
    });

/** Toss's codes for the refusals the contract provokes (reference/error-codes; INVALID_REQUEST for another amount is synthesised). */
export const TOSS_GATEWAY_CODES: NonNullable<GatewayTarget["gatewayCodes"]> = {
  already_processed: "ALREADY_PROCESSED_PAYMENT",
  amount_mismatch: "INVALID_REQUEST",
  decline: "REJECT_CARD_PAYMENT",
  unknown_payment_key: "NOT_FOUND_PAYMENT",
  other_order_session: "NOT_FOUND_PAYMENT_SESSION",
  other_order_payment: "ALREADY_PROCESSED_PAYMENT",
  wrong_secret: "UNAUTHORIZED_KEY",
  billing_duplicate_order: "DUPLICATED_ORDER_ID",
  billing_decline: "REJECT_CARD_PAYMENT",
  billing_customer_mismatch: "NOT_MATCHES_CUSTOMER_KEY",
  billing_issue_customer_mismatch: "NOT_MATCHES_CUSTOMER_KEY",
};
