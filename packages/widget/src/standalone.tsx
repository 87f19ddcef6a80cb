import { createClient, type ClientOptions } from "@nyang/client";
import { createRoot, type Root } from "react-dom/client";
import { AutoChargeSettings } from "./AutoChargeSettings.tsx";
import { fakeTossCheckout, tossCheckout, type Checkout } from "./checkout.ts";
import { CoinBalance } from "./CoinBalance.tsx";
import { CoinHistory } from "./CoinHistory.tsx";
import { CoinShop } from "./CoinShop.tsx";
import type { Locale } from "./i18n.ts";
import { NyangProvider } from "./provider.tsx";
import { UsageChart } from "./UsageChart.tsx";
import css from "./styles.css?inline";

/**
 * The standalone bundle for pages without React (`nyang-widget.iife.js`, React inside):
 *
 * ```html
 * <div id="coins"></div>
 * <script src="nyang-widget.iife.js"></script>
 * <script>Nyang.mount(document.getElementById("coins"), { baseUrl, token, realtimeUrl, components: ["balance", "shop"] })</script>
 * ```
 */
export type ComponentName = "balance" | "shop" | "history" | "usage" | "autoCharge";

export interface MountOptions extends ClientOptions {
  components?: ComponentName[];
  locale?: Locale;
  userId?: string;
  lowBalanceThreshold?: string;
  /** `{ fake: url }` (npm run dev) or `{ toss: { clientKey, customerKey } }`. */
  checkout?: { fake: string } | { toss: { clientKey: string; customerKey: string } };
}

/** The widget's styles, added to the page once (the one script is all a page needs). */
function addStyles(): void {
  if (document.querySelector("style[data-nyang-widget]")) return;
  const style = document.createElement("style");
  style.dataset.nyangWidget = "";
  style.textContent = css;
  document.head.appendChild(style);
}

export function mount(element: Element, options: MountOptions): { unmount(): void } {
  addStyles();
  const { components = ["balance", "shop"], locale, userId, lowBalanceThreshold, checkout, ...clientOptions } = options;
  const client = createClient(clientOptions);
  let pay: Checkout | undefined;
  if (checkout && "fake" in checkout) pay = fakeTossCheckout(checkout.fake);
  else if (checkout && "toss" in checkout) pay = tossCheckout(checkout.toss);
  const root: Root = createRoot(element);
  const parts = {
    balance: <CoinBalance key="balance" />,
    shop: <CoinShop key="shop" />,
    history: <CoinHistory key="history" />,
    usage: <UsageChart key="usage" />,
    autoCharge: <AutoChargeSettings key="autoCharge" />,
  } satisfies Record<ComponentName, unknown>;
  root.render(
    <NyangProvider client={client} {...(locale ? { locale } : {})} {...(userId ? { userId } : {})} {...(lowBalanceThreshold ? { lowBalanceThreshold } : {})} {...(pay ? { checkout: pay } : {})}>
      <div className="nyang-stack">{components.map((c) => parts[c])}</div>
    </NyangProvider>,
  );
  return { unmount: () => root.unmount() };
}
