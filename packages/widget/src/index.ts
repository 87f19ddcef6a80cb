/**
 * @nyang/widget: React components for product apps on Nyang, over `@nyang/client`.
 *
 * ```tsx
 * const client = createClient({ baseUrl, token, realtimeUrl });
 * <NyangProvider client={client} checkout={tossCheckout({ clientKey, customerKey })}>
 *   <CoinBalance onBuy={openShop} />
 * </NyangProvider>
 * ```
 * Styles: `import "@nyang/widget/styles.css"`; theme with the `--nyang-*` custom properties.
 */
export { NyangProvider, useNyang, type NyangProviderProps, type NyangContextValue } from "./provider.tsx";
export { useAsync, useBalance, useHistory, usePackages, usePrices, useDailyUsage, useAnalytics, useAutoCharge, type AsyncState, type HistoryFilter, type HistoryState } from "./hooks.ts";
export { CoinBalance, type CoinBalanceProps } from "./CoinBalance.tsx";
export { CoinShop, type CoinShopProps } from "./CoinShop.tsx";
export { CoinHistory, transactionTypes, type CoinHistoryProps } from "./CoinHistory.tsx";
export { UsageChart, type UsageChartProps } from "./UsageChart.tsx";
export { AutoChargeSettings, parseMonthlyCap, type AutoChargeSettingsProps } from "./AutoChargeSettings.tsx";
export { fakeTossCheckout, tossCheckout, readCheckoutReturn, cleanUrl, type Checkout, type CheckoutReturn } from "./checkout.ts";
export { formatCoins, formatSignedCoins, messages, type Locale, type Messages } from "./i18n.ts";
export type { BalanceSnapshot } from "./balance-store.ts";
