import type { Order } from "@nyang/client";

/**
 * How the coin shop sends a person to the payment gateway. Both gateways keep Toss's redirect
 * contract: the window sends the browser back to `successUrl` with `paymentKey`, `orderId` and
 * `amount`, or to `failUrl` with `code`, `message` and `orderId`; the shop then confirms the
 * order through the API ({@link readCheckoutReturn}).
 */
export interface Checkout {
  /** Opens the payment window for an order; the page navigates away. */
  pay(request: { order: Order; successUrl: string; failUrl: string }): Promise<void>;
  /** Opens the card-registration window (auto-charge); returns to `successUrl` with `customerKey` and `authKey`. */
  registerCard(request: { customerKey: string; successUrl: string; failUrl: string }): Promise<void>;
}

/** Navigation, replaceable in tests. */
export const navigation = { assign: (url: string) => window.location.assign(url) };

/** The fake Toss gateway's windows (`npm run dev` prints its URL): the same redirects, no money. */
export function fakeTossCheckout(gatewayUrl: string): Checkout {
  const base = gatewayUrl.replace(/\/$/, "");
  return {
    async pay({ order, successUrl, failUrl }) {
      const q = new URLSearchParams({ orderId: order.id, amount: String(order.amountKrw), orderName: order.packageName, successUrl, failUrl });
      navigation.assign(`${base}/__fake/checkout?${q}`);
    },
    async registerCard({ customerKey, successUrl, failUrl }) {
      navigation.assign(`${base}/__fake/billing/checkout?${new URLSearchParams({ customerKey, successUrl, failUrl })}`);
    },
  };
}

interface TossPaymentsSdk {
  payment(options: { customerKey: string }): {
    requestPayment(request: Record<string, unknown>): Promise<void>;
    requestBillingAuth(request: Record<string, unknown>): Promise<void>;
  };
}

/**
 * Toss Payments' own windows through its v2 JavaScript SDK (https://docs.tosspayments.com/sdk/v2/js),
 * loaded from Toss's CDN on first use. `clientKey` is the merchant's client key (`test_ck_…` /
 * `live_ck_…`); `customerKey` identifies the buyer to Toss. Not exercised by the tests here (no
 * network to Toss): the fake above keeps the same redirect contract.
 */
export function tossCheckout({ clientKey, customerKey, sdkUrl = "https://js.tosspayments.com/v2/standard" }: { clientKey: string; customerKey: string; sdkUrl?: string }): Checkout {
  let sdk: Promise<TossPaymentsSdk> | undefined;
  const load = () =>
    (sdk ??= new Promise<TossPaymentsSdk>((resolve, reject) => {
      const script = document.createElement("script");
      script.src = sdkUrl;
      script.onload = () => {
        const factory = (window as unknown as { TossPayments?: (key: string) => TossPaymentsSdk }).TossPayments;
        if (factory) resolve(factory(clientKey));
        else reject(new Error("Toss Payments SDK did not load"));
      };
      script.onerror = () => reject(new Error("Toss Payments SDK did not load"));
      document.head.appendChild(script);
    }));
  return {
    async pay({ order, successUrl, failUrl }) {
      const toss = await load();
      await toss.payment({ customerKey }).requestPayment({
        method: "CARD",
        amount: { currency: "KRW", value: order.amountKrw },
        orderId: order.id,
        orderName: order.packageName,
        successUrl,
        failUrl,
      });
    },
    async registerCard({ customerKey: key, successUrl, failUrl }) {
      const toss = await load();
      await toss.payment({ customerKey: key }).requestBillingAuth({ method: "CARD", successUrl, failUrl });
    },
  };
}

/** What the gateway's redirect brought back in the URL, if anything. */
export type CheckoutReturn =
  | { kind: "paid"; paymentKey: string; orderId: string; amount: number }
  | { kind: "failed"; code: string; message: string; orderId: string | null }
  | { kind: "card"; customerKey: string; authKey: string };

/** Reads a gateway's redirect parameters from a URL (the page's own by default). */
export function readCheckoutReturn(href: string = window.location.href): CheckoutReturn | null {
  const q = new URL(href).searchParams;
  const paymentKey = q.get("paymentKey");
  const orderId = q.get("orderId");
  if (paymentKey && orderId) return { kind: "paid", paymentKey, orderId, amount: Number(q.get("amount")) };
  const authKey = q.get("authKey");
  const customerKey = q.get("customerKey");
  if (authKey && customerKey) return { kind: "card", authKey, customerKey };
  const code = q.get("code");
  if (code) return { kind: "failed", code, message: q.get("message") ?? code, orderId };
  return null;
}

/** The page's URL without the gateway's parameters, to return to and to restore after reading them. */
export function cleanUrl(href: string = window.location.href): string {
  const url = new URL(href);
  for (const p of ["paymentKey", "orderId", "amount", "code", "message", "authKey", "customerKey", "paymentType"]) url.searchParams.delete(p);
  return url.toString();
}
