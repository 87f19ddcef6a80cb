import { coins, isNewer, type Account, type BalanceState, type NyangClient, type RealtimeStatus, type Subscription } from "@nyang/client";

/** What the components know about the balance at a moment. */
export interface BalanceSnapshot {
  /** The whole account as last fetched (status, buckets); null before the first fetch. */
  account: Account | null;
  balance: string | null;
  available: string | null;
  /** balance − available: coins reserved by pending holds. */
  held: string | null;
  /** The account's version the figures are from. */
  seq: number;
  status: RealtimeStatus | "off";
  loading: boolean;
  error: unknown;
}

const initial: BalanceSnapshot = { account: null, balance: null, available: null, held: null, seq: -1, status: "off", loading: true, error: null };

/**
 * One live balance per provider, shared by every component that shows it: a fetch of the
 * account, then the client's realtime subscription (which refetches after every reconnect).
 * The newest figures win by (seq, at), as the client's own rule says, so a late fetch never
 * undoes a push. Started by the first subscriber, stopped with the last.
 */
export class BalanceStore {
  private snapshot: BalanceSnapshot = initial;
  private at = "";
  private readonly listeners = new Set<() => void>();
  private subscription: Subscription | null = null;
  private generation = 0;

  constructor(
    private readonly client: NyangClient,
    private readonly userId: string,
    private readonly live: boolean,
  ) {}

  getSnapshot = (): BalanceSnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  };

  /** Fetches the account now (after a purchase, a failed call that may mean a freeze, a focus). */
  refresh = async (): Promise<void> => {
    const generation = this.generation;
    try {
      const account = await this.client.accounts.get(this.userId);
      if (generation !== this.generation) return;
      this.applyAccount(account);
    } catch (error) {
      if (generation !== this.generation) return;
      this.set({ ...this.snapshot, loading: false, error });
    }
  };

  /** An account a call answered with (a confirm, a spend): newer figures than any push so far. */
  applyAccount(account: Account): void {
    const next = { seq: account.version, at: account.updatedAt };
    if (this.snapshot.seq >= 0 && !isNewer({ seq: this.snapshot.seq, at: this.at }, next, true)) {
      // A push overtook this fetch: keep its figures, but learn the account (status, buckets) if new to us.
      if (!this.snapshot.account) this.set({ ...this.snapshot, account, loading: false, error: null });
      return;
    }
    this.at = account.updatedAt;
    this.set({ ...this.snapshot, account, ...figures(account.balance, account.available), seq: account.version, loading: false, error: null });
  }

  private applyPush(state: BalanceState): void {
    if (state.account) return this.applyAccount(state.account);
    if (!isNewer({ seq: this.snapshot.seq, at: this.at }, { seq: state.seq, at: state.at })) return;
    this.at = state.at;
    this.set({ ...this.snapshot, ...figures(state.balance, state.available), seq: state.seq, loading: false, error: null });
  }

  private start(): void {
    this.generation++;
    void this.refresh();
    if (!this.live) return;
    try {
      this.subscription = this.client.realtime.subscribe({
        userId: this.userId,
        onBalance: (state) => this.applyPush(state),
        onStatus: (status) => this.set({ ...this.snapshot, status }),
      });
    } catch {
      // No realtime URL or no WebSocket here: the balance still shows, without live updates.
      this.set({ ...this.snapshot, status: "off" });
    }
  }

  private stop(): void {
    this.generation++;
    this.subscription?.close();
    this.subscription = null;
  }

  private set(next: BalanceSnapshot): void {
    this.snapshot = next;
    for (const listener of this.listeners) listener();
  }
}

function figures(balance: string, available: string) {
  return { balance, available, held: coins.sub(balance, available) };
}
