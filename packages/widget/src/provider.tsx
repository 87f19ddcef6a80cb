import type { NyangClient } from "@nyang/client";
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { BalanceStore } from "./balance-store.ts";
import type { Checkout } from "./checkout.ts";
import { formatCoins, messages, type Locale, type Messages } from "./i18n.ts";

/** What every component under a provider shares. */
export interface NyangContextValue {
  client: NyangClient;
  userId: string;
  locale: Locale;
  t: Messages;
  /** The locale's money formatter: `1,234.50 냥`. */
  format: (amount: string) => string;
  lowBalanceThreshold: string;
  checkout: Checkout | null;
  balance: BalanceStore;
}

const NyangContext = createContext<NyangContextValue | null>(null);

export interface NyangProviderProps {
  /** A configured `@nyang/client` (`createClient({ baseUrl, token, realtimeUrl })`); keep the same one for the provider's life. */
  client: NyangClient;
  /** The account shown; `me` (the default) is the token's own. */
  userId?: string;
  /** `ko` (default) or `en`. */
  locale?: Locale;
  /** Below this many coins the balance shows its low state (default: the API's LOW_BALANCE_THRESHOLD from `GET /v1/settings`, 20 until it answers). */
  lowBalanceThreshold?: string;
  /** How the coin shop takes payment: `tossCheckout(…)` on AWS, `fakeTossCheckout(url)` under `npm run dev`. */
  checkout?: Checkout;
  /** Live balance over the client's realtime WebSocket (default true). */
  live?: boolean;
  children?: ReactNode;
}

/**
 * Holds the configured client once for the components below it, as Stripe's `<Elements>`
 * holds `stripe`: hooks read it, and fail with a message naming this provider when it is missing.
 */
export function NyangProvider({ client, userId = "me", locale = "ko", lowBalanceThreshold, checkout, live = true, children }: NyangProviderProps) {
  const first = useRef(client);
  const [serviceThreshold, setServiceThreshold] = useState<string | null>(null);
  useEffect(() => {
    if (lowBalanceThreshold !== undefined) return;
    let current = true;
    first.current.settings.get().then(
      (s) => current && setServiceThreshold(s.lowBalanceThreshold),
      () => undefined, // the default stands
    );
    return () => {
      current = false;
    };
  }, [lowBalanceThreshold]);
  useEffect(() => {
    // A new client would silently orphan the live subscription and every loaded page.
    if (first.current !== client) console.warn("<NyangProvider>: the `client` prop changed after mount; the change is ignored. Create the client once.");
  }, [client]);
  const balance = useMemo(() => new BalanceStore(first.current, userId, live), [userId, live]);
  const value = useMemo<NyangContextValue>(
    () => ({
      client: first.current,
      userId,
      locale,
      t: messages[locale],
      format: (amount: string) => formatCoins(amount, locale),
      lowBalanceThreshold: lowBalanceThreshold ?? serviceThreshold ?? "20",
      checkout: checkout ?? null,
      balance,
    }),
    [userId, locale, lowBalanceThreshold, serviceThreshold, checkout, balance],
  );
  return <NyangContext.Provider value={value}>{children}</NyangContext.Provider>;
}

/** The provider's value; `who` names the hook or component in the error when there is none. */
export function useNyang(who = "useNyang()"): NyangContextValue {
  const value = useContext(NyangContext);
  if (!value) throw new Error(`${who} must be used within <NyangProvider client={…}>: wrap your app (or this part of it) in one.`);
  return value;
}
