import type { AccountAnalytics, AutoChargeSettings, CoinPackage, DailyUsage, ServicePrice, Transaction, TransactionType } from "@nyang/client";
import { coins } from "@nyang/client";
import { useCallback, useEffect, useState, useSyncExternalStore } from "react";
import type { BalanceSnapshot } from "./balance-store.ts";
import { useNyang } from "./provider.tsx";

/** A read in progress, its data, or its failure. */
export interface AsyncState<T> {
  data: T | null;
  loading: boolean;
  error: unknown;
  /** Runs the read again. */
  reload: () => void;
}

/** Runs `read` on mount and whenever `deps` change; the newest run wins. */
export function useAsync<T>(read: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ data: T | null; loading: boolean; error: unknown }>({ data: null, loading: true, error: null });
  const [run, setRun] = useState(0);
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    read().then(
      (data) => current && setState({ data, loading: false, error: null }),
      (error: unknown) => current && setState((s) => ({ ...s, loading: false, error })),
    );
    return () => {
      current = false;
    };
    // The caller names what the read depends on (deps), as with useEffect.
  }, [...deps, run]);
  const reload = useCallback(() => setRun((n) => n + 1), []);
  return { ...state, reload };
}

/** The live balance: figures, the account (status, buckets), whether it is low, and a refresh. */
export function useBalance(): BalanceSnapshot & { low: boolean; frozen: boolean; refresh: () => Promise<void> } {
  const { balance: store, lowBalanceThreshold } = useNyang("useBalance()");
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  useEffect(() => {
    // A freeze or a change made elsewhere writes no ledger entry to push: look again when the person comes back.
    const onVisible = () => document.visibilityState === "visible" && void store.refresh();
    document.addEventListener("visibilitychange", onVisible);
    return () => document.removeEventListener("visibilitychange", onVisible);
  }, [store]);
  const low = snapshot.available !== null && coins.lt(snapshot.available, lowBalanceThreshold);
  return { ...snapshot, low, frozen: snapshot.account?.status === "frozen", refresh: store.refresh };
}

/** The active coin packages, by sortOrder. */
export function usePackages(): AsyncState<CoinPackage[]> {
  const { client } = useNyang("usePackages()");
  return useAsync(() => client.packages.list(), [client]);
}

/** The services and their prices (for filters and labels). */
export function usePrices(): AsyncState<ServicePrice[]> {
  const { client } = useNyang("usePrices()");
  return useAsync(() => client.prices.list(), [client]);
}

export interface HistoryFilter {
  type?: TransactionType | undefined;
  serviceType?: string | undefined;
}

export interface HistoryState {
  transactions: Transaction[];
  loading: boolean;
  error: unknown;
  /** Whether another page exists (the API returned a cursor). */
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
}

/**
 * The ledger, newest first, one page at a time (the API's cursor), filtered by type and
 * service. Changing the filter starts again from the newest entry.
 */
export function useHistory(filter: HistoryFilter = {}, pageSize = 20): HistoryState {
  const { client, userId } = useNyang("useHistory()");
  const [transactions, setTransactions] = useState<Transaction[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);

  const fetchPage = useCallback(
    (after: string | null, replace: boolean, isCurrent: () => boolean) => {
      setLoading(true);
      setError(null);
      const query = {
        limit: pageSize,
        ...(filter.type ? { type: filter.type } : {}),
        ...(filter.serviceType ? { serviceType: filter.serviceType } : {}),
        ...(after ? { cursor: after } : {}),
      };
      client.transactions.list(userId, query).then(
        (page) => {
          if (!isCurrent()) return;
          setTransactions((prev) => (replace ? page.transactions : [...prev, ...page.transactions]));
          setCursor(page.nextCursor ?? null);
          setLoading(false);
        },
        (e: unknown) => {
          if (!isCurrent()) return;
          setError(e);
          setLoading(false);
        },
      );
    },
    [client, userId, filter.type, filter.serviceType, pageSize],
  );

  useEffect(() => {
    let current = true;
    setTransactions([]);
    setCursor(null);
    fetchPage(null, true, () => current);
    return () => {
      current = false;
    };
  }, [fetchPage, generation]);

  return {
    transactions,
    loading,
    error,
    hasMore: cursor !== null,
    loadMore: () => cursor !== null && !loading && fetchPage(cursor, false, () => true),
    reload: () => setGeneration((n) => n + 1),
  };
}

/** Daily usage per service over the last `days` days. */
export function useDailyUsage(days = 30): AsyncState<DailyUsage[]> {
  const { client, userId } = useNyang("useDailyUsage()");
  return useAsync(() => client.usage.daily(userId, { days }), [client, userId, days]);
}

/** The account's analytics: runway, prediction, recommendations. */
export function useAnalytics(): AsyncState<AccountAnalytics> {
  const { client, userId } = useNyang("useAnalytics()");
  return useAsync(() => client.analytics.get(userId), [client, userId]);
}

/**
 * The account's auto-charge settings: the stored choice, whether the service offers
 * auto-charge (`available`), whether it will charge (`active`), and the `customerKey` the
 * card-registration window must be opened with (the API derives it from the account).
 */
export function useAutoCharge(): AsyncState<AutoChargeSettings> {
  const { client, userId } = useNyang("useAutoCharge()");
  return useAsync(() => client.autoCharge.get(userId), [client, userId]);
}
