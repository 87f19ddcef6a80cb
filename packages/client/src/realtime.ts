import type { NyangClient } from "./client.ts";
import { backoffDelay, type RetryPolicy } from "./retry.ts";
import type { Account, Alert } from "./types.ts";

/**
 * Live balance and alerts over the realtime WebSocket (docs/realtime.md): `?token=` on
 * connect, reconnect with full-jitter backoff when the socket closes (API Gateway closes
 * every connection within 2 hours), and after every (re)connect a fresh `GET` of the
 * account, so that a push missed while disconnected never leaves a stale balance. Pushes are
 * at least once and may arrive out of order: the balance with the highest `seq`, then the
 * latest `at`, wins; a push older than what the GET returned is ignored.
 */

/** The part of the WHATWG WebSocket the client uses; the browser's, Node 22's and `ws`'s all fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code?: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface RealtimeOptions {
  /** The realtime API's URL: `wss://…` on AWS (the `realtimeUrl` output), `ws://127.0.0.1:3021` under `npm run dev`. */
  realtimeUrl?: string;
  /**
   * The WebSocket class: the global one by default (browsers, Node 22+). Node 20 has none:
   * pass `ws`'s (`import { WebSocket } from "ws"`).
   */
  WebSocketImpl?: WebSocketConstructor;
}

/** The balance as the subscriber knows it. */
export interface BalanceState {
  userId: string;
  balance: string;
  available: string;
  /** The account's version: the seq of its newest ledger entry. */
  seq: number;
  /** When the account was last written. */
  at: string;
  /** The ledger entry of the push (null for holds, releases and expiry sweeps, and for a fetch). */
  transactionId: string | null;
  /** A push, or the GET after a (re)connect. */
  source: "push" | "fetch";
  /** The whole account, when the state came from a fetch. */
  account?: Account;
}

export type RealtimeStatus = "connecting" | "open" | "reconnecting" | "closed";

export interface SubscribeOptions {
  /** The account to fetch after each connect (default `me`: the token's own; pushes are always the token's user). */
  userId?: string;
  /** Each newer balance, from a push or the fetch after a (re)connect. */
  onBalance?: (balance: BalanceState) => void;
  /** Each alert raised for the user (deduplicated by id). */
  onAlert?: (alert: Alert) => void;
  onStatus?: (status: RealtimeStatus, info: { attempt: number; delayMs?: number }) => void;
  /** A fetch that failed or a message that could not be read; the subscription carries on. */
  onError?: (error: unknown) => void;
  /** Reconnect backoff (default base 500 ms, cap 30 s; attempts unbounded). */
  reconnect?: Partial<Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">>;
  /** How often to send `ping` so API Gateway's 10-minute idle timeout never closes the socket (default 5 min). */
  pingIntervalMs?: number;
  /** Aborting closes the subscription. */
  signal?: AbortSignal;
}

export interface Subscription {
  /** The newest balance known (null before the first fetch or push). */
  readonly balance: BalanceState | null;
  readonly status: RealtimeStatus;
  /** Fetches the account now and applies it. */
  refresh(): Promise<void>;
  /** Closes the socket for good. */
  close(): void;
}

/** Whether `next` (seq, at) should replace `current`: newer seq, or the same seq written later. */
export function isNewer(current: Pick<BalanceState, "seq" | "at"> | null, next: Pick<BalanceState, "seq" | "at">, orEqual = false): boolean {
  if (current === null) return true;
  if (next.seq !== current.seq) return next.seq > current.seq;
  if (next.at !== current.at) return next.at > current.at;
  return orEqual;
}

const OPEN = 1;

export class Realtime {
  constructor(
    private readonly client: NyangClient,
    private readonly options: RealtimeOptions,
  ) {}

  /** Opens the WebSocket and keeps it open until `close()` (or the signal) ends it. */
  subscribe(handlers: SubscribeOptions = {}): Subscription {
    const url = this.options.realtimeUrl;
    if (!url) throw new TypeError("@nyang/client: realtime.subscribe needs options.realtimeUrl (e.g. ws://127.0.0.1:3021)");
    const WebSocketImpl = this.options.WebSocketImpl ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WebSocketImpl) {
      throw new TypeError('@nyang/client: no global WebSocket (Node 20): pass options.WebSocketImpl, e.g. (await import("ws")).WebSocket');
    }
    const client = this.client;
    const userId = handlers.userId ?? "me";
    const policy = { maxAttempts: Infinity, baseDelayMs: handlers.reconnect?.baseDelayMs ?? 500, maxDelayMs: handlers.reconnect?.maxDelayMs ?? 30_000 };
    const pingMs = handlers.pingIntervalMs ?? 5 * 60_000;
    const seenAlerts = new Set<string>();
    let balance: BalanceState | null = null;
    let status: RealtimeStatus = "connecting";
    let socket: WebSocketLike | null = null;
    let closed = false;
    let attempt = 0;
    let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
    let pingTimer: ReturnType<typeof setInterval> | undefined;
    let catchUpTimer: ReturnType<typeof setTimeout> | undefined;

    const setStatus = (s: RealtimeStatus, delayMs?: number) => {
      status = s;
      handlers.onStatus?.(s, delayMs === undefined ? { attempt } : { attempt, delayMs });
    };
    const report = (e: unknown) => handlers.onError?.(e);
    const apply = (next: BalanceState, orEqual: boolean) => {
      if (!isNewer(balance, next, orEqual)) return;
      balance = next;
      handlers.onBalance?.(next);
    };

    const refresh = async () => {
      const account = await client.accounts.get(userId);
      // A fetch is the truth as of now (a hold may have run out since the last write), so it wins a tie.
      apply(
        {
          userId: account.userId,
          balance: account.balance,
          available: account.available,
          seq: account.version,
          at: account.updatedAt,
          transactionId: null,
          source: "fetch",
          account,
        },
        true,
      );
    };

    const onMessage = (data: unknown) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(textOf(data)) as Record<string, unknown>;
      } catch (e) {
        return report(e);
      }
      if (message.type === "balance_update") {
        apply(
          {
            userId: String(message.userId),
            balance: String(message.balance),
            available: String(message.available),
            seq: Number(message.seq),
            at: String(message.at),
            transactionId: typeof message.transactionId === "string" ? message.transactionId : null,
            source: "push",
          },
          false,
        );
      } else if (message.type === "alert" && message.alert && typeof message.alert === "object") {
        const alert = message.alert as Alert;
        if (seenAlerts.has(alert.id)) return;
        seenAlerts.add(alert.id);
        handlers.onAlert?.(alert);
      }
    };

    // The fetch after a (re)connect is what makes a missed push harmless, so it is tried
    // again (with backoff) for as long as this socket is the open one.
    const catchUp = async (ws: WebSocketLike, tries: number): Promise<void> => {
      try {
        await refresh();
      } catch (e) {
        report(e);
        if (closed || socket !== ws || ws.readyState !== OPEN) return;
        const delayMs = backoffDelay(Math.min(tries, 16), policy) + policy.baseDelayMs;
        catchUpTimer = setTimeout(() => void catchUp(ws, tries + 1), delayMs);
      }
    };

    const scheduleReconnect = () => {
      if (closed) return;
      const delayMs = backoffDelay(Math.min(attempt, 16), policy) + policy.baseDelayMs;
      attempt++;
      setStatus("reconnecting", delayMs);
      reconnectTimer = setTimeout(() => void connect(), delayMs);
    };

    const connect = async () => {
      if (closed) return;
      let token: string | null;
      try {
        token = await client.transport.token(attempt > 0);
      } catch (e) {
        report(e);
        return scheduleReconnect();
      }
      if (closed) return;
      const sep = url.includes("?") ? "&" : "?";
      const ws = new WebSocketImpl(token ? `${url}${sep}token=${encodeURIComponent(token)}` : url);
      socket = ws;
      ws.onopen = () => {
        if (closed) return ws.close(1000);
        attempt = 0;
        setStatus("open");
        pingTimer = setInterval(() => ws.readyState === OPEN && ws.send("ping"), pingMs);
        void catchUp(ws, 0);
      };
      ws.onmessage = (event) => onMessage(event.data);
      ws.onerror = () => undefined; // a close follows, and the close reconnects
      ws.onclose = () => {
        clearInterval(pingTimer);
        if (socket === ws) socket = null;
        if (closed) return;
        scheduleReconnect();
      };
    };

    const close = () => {
      if (closed) return;
      closed = true;
      clearTimeout(reconnectTimer);
      clearTimeout(catchUpTimer);
      clearInterval(pingTimer);
      socket?.close(1000);
      socket = null;
      setStatus("closed");
    };
    handlers.signal?.addEventListener("abort", close, { once: true });
    if (handlers.signal?.aborted) close();
    else {
      setStatus("connecting");
      void connect();
    }

    return {
      get balance() {
        return balance;
      },
      get status() {
        return status;
      },
      refresh,
      close,
    };
  }
}

function textOf(data: unknown): string {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
  if (ArrayBuffer.isView(data)) return new TextDecoder().decode(data);
  return String(data);
}
