/**
 * The one translation of what a payment gateway said into the domain's errors (which the HTTP
 * layer maps to API.md's codes in its own one place). Whatever the gateway, a refusal is
 * `payment_declined` naming the gateway's own code in `details.gatewayCode`, silence is
 * `payment_pending`, and a key that pays for another order is `payment_mismatch`.
 */
import { NyangError } from "../errors.ts";

/** A refusal as Nyang shows it: the gateway's code (or the code Nyang recorded for it) and its message. */
export interface GatewayRefusal {
  gatewayCode: string | null;
  message: string;
}

/** The gateway refused: nothing was taken. `doing` prefixes the message with what was refused. */
export const paymentDeclined = (refusal: GatewayRefusal, doing?: string) =>
  new NyangError("payment_declined", doing ? `${doing}: ${refusal.message}` : refusal.message, { gatewayCode: refusal.gatewayCode });

/** The gateway did not answer: the outcome is open, and settles by a retry or a look-up. */
export const paymentPending = (message: string, details: Record<string, unknown> = {}) => new NyangError("payment_pending", message, details);

/** The key the customer sent pays for something else (or nothing): this order was not charged. */
export const paymentMismatch = (orderId: string, gatewayCode: string) =>
  new NyangError(
    "payment_mismatch",
    "This payment key is not a payment of this order (unknown, expired, or another order's); nothing was charged for the order. Confirm with the key of this order's checkout.",
    { orderId, gatewayCode },
  );

/** What a record keeps (its failure message) when the gateway refuses to give a payment back. */
export const refundRefusedMessage = (refusal: GatewayRefusal) => `The gateway refused the refund: ${refusal.gatewayCode} ${refusal.message}`;
