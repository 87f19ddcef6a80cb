import { toWire, type Amount } from "./coins.ts";
import { Realtime, type RealtimeOptions } from "./realtime.ts";
import { Transport, type CallOptions, type HttpMethod, type NyangResponse, type TransportOptions } from "./transport.ts";
import type {
  Account,
  AccountAnalytics,
  Alert,
  AutoChargeRecord,
  AutoChargeSettings,
  BodyOf,
  DailyUsage,
  Health,
  Hold,
  Method,
  Order,
  PathParamsOf,
  PathsWith,
  QueryOf,
  ResponseOf,
  Revenue,
  ServiceSettings,
  TopUsers,
  Transaction,
  paths,
} from "./types.ts";

/** Options of {@link createClient}: the transport's, plus where the WebSocket lives. */
export interface ClientOptions extends TransportOptions, RealtimeOptions {}

/** Replaces the amount fields of a request body with {@link Amount} (a string or a Decimal). */
type WithAmounts<B, K extends string> = {
  [F in keyof B]: F extends K ? (Exclude<B[F], undefined> extends string ? Amount | Extract<B[F], undefined> : B[F]) : B[F];
};

export type SpendInput = WithAmounts<BodyOf<"/v1/accounts/{userId}/usage", "post">, "amount">;
export type ChargeInput = WithAmounts<BodyOf<"/v1/accounts/{userId}/charges", "post">, "amount">;
export type AdjustmentInput = WithAmounts<BodyOf<"/v1/accounts/{userId}/adjustments", "post">, "amount">;
export type RefundInput = WithAmounts<BodyOf<"/v1/accounts/{userId}/refunds", "post">, "amount">;
export type HoldInput = WithAmounts<BodyOf<"/v1/accounts/{userId}/holds", "post">, "amount">;
export type CaptureInput = WithAmounts<NonNullable<BodyOf<"/v1/accounts/{userId}/holds/{holdId}/capture", "post">>, "amount">;
export type PurchaseInput = BodyOf<"/v1/accounts/{userId}/purchases", "post">;
export type ConfirmInput = BodyOf<"/v1/accounts/{userId}/purchases/{orderId}/confirm", "post">;
export type CancelPurchaseInput = BodyOf<"/v1/accounts/{userId}/purchases/{orderId}/cancel", "post">;
export type AutoChargeInput = WithAmounts<BodyOf<"/v1/accounts/{userId}/auto-charge", "put">, "amount" | "threshold">;
export type TransactionsQuery = NonNullable<QueryOf<"/v1/accounts/{userId}/transactions", "get">>;
export type AlertsQuery = NonNullable<QueryOf<"/v1/accounts/{userId}/alerts", "get">>;
export type PeriodQuery = NonNullable<QueryOf<"/v1/admin/analytics/revenue", "get">>;
export type AlertFeedQuery = NonNullable<QueryOf<"/v1/admin/alerts", "get">>;
export type AlertFeedPage = ResponseOf<"/v1/admin/alerts", "get">;
export type HoldsQuery = NonNullable<QueryOf<"/v1/accounts/{userId}/holds", "get">>;
export type PurchasesQuery = NonNullable<QueryOf<"/v1/accounts/{userId}/purchases", "get">>;
export type HoldPage = ResponseOf<"/v1/accounts/{userId}/holds", "get">;
export type OrderPage = ResponseOf<"/v1/accounts/{userId}/purchases", "get">;

export type Posting = ResponseOf<"/v1/accounts/{userId}/usage", "post">;
export type HoldResult = ResponseOf<"/v1/accounts/{userId}/holds", "post">;
export type CaptureResult = ResponseOf<"/v1/accounts/{userId}/holds/{holdId}/capture", "post">;
export type ReleaseResult = ResponseOf<"/v1/accounts/{userId}/holds/{holdId}/release", "post">;
export type TransactionPage = ResponseOf<"/v1/accounts/{userId}/transactions", "get">;
export type SettledOrder = ResponseOf<"/v1/accounts/{userId}/purchases/{orderId}/confirm", "post">;
export type CoinPackage = ResponseOf<"/v1/packages", "get">["packages"][number];
export type ServicePrice = ResponseOf<"/v1/prices", "get">["prices"][number];

/** What `client.request()` takes besides the method and path. */
export interface RequestInit<P extends keyof paths, M extends Method> {
  params?: PathParamsOf<P, M>;
  query?: QueryOf<P, M>;
  body?: BodyOf<P, M>;
}

function amounts<T extends object>(body: T, ...fields: string[]): T {
  const out = { ...body } as Record<string, unknown>;
  for (const f of fields) if (out[f] !== undefined) out[f] = toWire(out[f] as Amount);
  return out as T;
}

/**
 * The Nyang API client. Every method takes an optional {@link CallOptions} last (signal,
 * timeout, retry, and for coin-moving calls the `idempotencyKey`); every failure is a
 * `NyangError`. `userId` may be `"me"` (the token's own account).
 */
export class NyangClient {
  readonly transport: Transport;
  readonly realtime: Realtime;

  constructor(readonly options: ClientOptions) {
    this.transport = new Transport(options);
    this.realtime = new Realtime(this, options);
  }

  /**
   * Any route of the OpenAPI document, typed from it: `client.request("get",
   * "/v1/accounts/{userId}", { params: { userId: "me" } })`. Answers with the data and what
   * the client learned (request id, replayed, attempts). A POST carries an Idempotency-Key.
   */
  request<M extends Method, P extends PathsWith<M> & keyof paths>(
    method: M,
    path: P,
    init: RequestInit<P, M> = {},
    options?: CallOptions,
  ): Promise<NyangResponse<ResponseOf<P, M>>> {
    return this.transport.send<ResponseOf<P, M>>(
      {
        method: method.toUpperCase() as HttpMethod,
        path,
        params: init.params as Record<string, string> | undefined,
        query: init.query as Record<string, string> | undefined,
        body: init.body,
      },
      options,
    );
  }

  private async data<T>(method: HttpMethod, path: string, init: { params?: Record<string, string>; query?: object; body?: unknown }, options?: CallOptions): Promise<T> {
    const r = await this.transport.send<T>(
      { method, path, params: init.params, query: init.query as Record<string, string> | undefined, body: init.body },
      options,
    );
    return r.data;
  }

  /** `GET /v1/health`. */
  health(options?: CallOptions): Promise<{ status: "ok" }> {
    return this.data("GET", "/v1/health", {}, options);
  }

  /** Service prices (public). */
  readonly prices = {
    list: async (options?: CallOptions): Promise<ServicePrice[]> =>
      (await this.data<ResponseOf<"/v1/prices", "get">>("GET", "/v1/prices", {}, options)).prices,
  };

  /** Active coin packages, by sortOrder (public). */
  readonly packages = {
    list: async (options?: CallOptions): Promise<CoinPackage[]> =>
      (await this.data<ResponseOf<"/v1/packages", "get">>("GET", "/v1/packages", {}, options)).packages,
  };

  /** The limits and defaults the service runs with (public): auto-charge availability and defaults, thresholds. */
  readonly settings = {
    get: (options?: CallOptions): Promise<ServiceSettings> => this.data("GET", "/v1/settings", {}, options),
  };

  readonly accounts = {
    /** Opens the account (service, admin); idempotent by userId: an open account comes back unchanged. */
    open: async (userId: string, options?: CallOptions): Promise<Account> =>
      (await this.data<{ account: Account }>("POST", "/v1/accounts", { body: { userId } }, options)).account,
    get: async (userId: string, options?: CallOptions): Promise<Account> =>
      (await this.data<{ account: Account }>("GET", "/v1/accounts/{userId}", { params: { userId } }, options)).account,
  };

  readonly usage = {
    /** Spends the service's price (or `amount`): a `usage` entry. Coin-moving: keyed. */
    spend: (userId: string, input: SpendInput, options?: CallOptions): Promise<Posting> =>
      this.data("POST", "/v1/accounts/{userId}/usage", { params: { userId }, body: amounts(input, "amount") }, options),
    /** Usage per business day and service over the last `days` days. */
    daily: async (userId: string, query: { days?: number } = {}, options?: CallOptions): Promise<DailyUsage[]> =>
      (await this.data<{ days: DailyUsage[] }>("GET", "/v1/accounts/{userId}/usage/daily", { params: { userId }, query }, options)).days,
  };

  readonly transactions = {
    /** One page, newest first; pass `nextCursor` back as `cursor` for the next. */
    list: (userId: string, query: Partial<TransactionsQuery> = {}, options?: CallOptions): Promise<TransactionPage> =>
      this.data("GET", "/v1/accounts/{userId}/transactions", { params: { userId }, query }, options),
    get: async (userId: string, transactionId: string, options?: CallOptions): Promise<Transaction> =>
      (
        await this.data<{ transaction: Transaction }>(
          "GET",
          "/v1/accounts/{userId}/transactions/{transactionId}",
          { params: { userId, transactionId } },
          options,
        )
      ).transaction,
    /** Every entry matching the query, page after page, newest first. */
    iterate: (userId: string, query: Partial<TransactionsQuery> = {}, options?: CallOptions): AsyncGenerator<Transaction, void> =>
      allTransactions(this, userId, query, options),
  };

  readonly holds = {
    /** Reserves coins (a `serviceType`'s price or an `amount`) for `ttlSeconds`. Coin-moving: keyed. */
    create: (userId: string, input: HoldInput, options?: CallOptions): Promise<HoldResult> =>
      this.data("POST", "/v1/accounts/{userId}/holds", { params: { userId }, body: amounts(input, "amount") }, options),
    /** One page of the account's holds, newest first (`status` filters); pass `nextCursor` back as `cursor`. */
    list: (userId: string, query: Partial<HoldsQuery> = {}, options?: CallOptions): Promise<HoldPage> =>
      this.data("GET", "/v1/accounts/{userId}/holds", { params: { userId }, query }, options),
    get: async (userId: string, holdId: string, options?: CallOptions): Promise<Hold> =>
      (await this.data<{ hold: Hold }>("GET", "/v1/accounts/{userId}/holds/{holdId}", { params: { userId, holdId } }, options)).hold,
    /** Turns the hold (or `amount` ≤ held of it) into a `hold_capture` entry and frees the rest. Keyed. */
    capture: (userId: string, holdId: string, input: CaptureInput = {}, options?: CallOptions): Promise<CaptureResult> =>
      this.data(
        "POST",
        "/v1/accounts/{userId}/holds/{holdId}/capture",
        { params: { userId, holdId }, body: amounts(input, "amount") },
        options,
      ),
    /** Frees the hold; writes no entry. Keyed too, so that a retry replays instead of answering 409. */
    release: (userId: string, holdId: string, options?: CallOptions): Promise<ReleaseResult> =>
      this.data("POST", "/v1/accounts/{userId}/holds/{holdId}/release", { params: { userId, holdId } }, options),
  };

  readonly refunds = {
    /** Credits back (part of) a `usage` or `hold_capture` entry (service, admin). Keyed. */
    create: (userId: string, input: RefundInput, options?: CallOptions): Promise<Posting> =>
      this.data("POST", "/v1/accounts/{userId}/refunds", { params: { userId }, body: amounts(input, "amount") }, options),
  };

  readonly purchases = {
    /** Creates a payment order for a package (owner, admin). Keyed. */
    create: async (userId: string, input: PurchaseInput, options?: CallOptions): Promise<Order> =>
      (await this.data<{ order: Order }>("POST", "/v1/accounts/{userId}/purchases", { params: { userId }, body: input }, options)).order,
    /** One page of the account's orders, newest first (`status` filters); pass `nextCursor` back as `cursor`. */
    list: (userId: string, query: Partial<PurchasesQuery> = {}, options?: CallOptions): Promise<OrderPage> =>
      this.data("GET", "/v1/accounts/{userId}/purchases", { params: { userId }, query }, options),
    get: async (userId: string, orderId: string, options?: CallOptions): Promise<Order> =>
      (await this.data<{ order: Order }>("GET", "/v1/accounts/{userId}/purchases/{orderId}", { params: { userId, orderId } }, options)).order,
    /** Confirms with the payment gateway and credits coins + bonus once. Keyed; a 504 `payment_pending` is retried. */
    confirm: (userId: string, orderId: string, input: ConfirmInput, options?: CallOptions): Promise<SettledOrder> =>
      this.data("POST", "/v1/accounts/{userId}/purchases/{orderId}/confirm", { params: { userId, orderId }, body: input }, options),
    /** Cancels an unused purchase within the refund window. Keyed. */
    cancel: (userId: string, orderId: string, input: CancelPurchaseInput, options?: CallOptions): Promise<ResponseOf<"/v1/accounts/{userId}/purchases/{orderId}/cancel", "post">> =>
      this.data("POST", "/v1/accounts/{userId}/purchases/{orderId}/cancel", { params: { userId, orderId }, body: input }, options),
  };

  readonly autoCharge = {
    get: async (userId: string, options?: CallOptions): Promise<AutoChargeSettings> =>
      (await this.data<{ autoCharge: AutoChargeSettings }>("GET", "/v1/accounts/{userId}/auto-charge", { params: { userId } }, options)).autoCharge,
    /**
     * Turns auto-charge on or changes it; fields left out keep their value. With an
     * `authKey` (a card registration) the call is sent once unless `options.retry` says
     * otherwise: the gateway takes an authKey once, so a retry after a lost answer would be
     * refused although the first attempt worked. After a `network_error`, `get()` tells.
     */
    put: async (userId: string, input: AutoChargeInput, options?: CallOptions): Promise<AutoChargeSettings> =>
      (
        await this.data<{ autoCharge: AutoChargeSettings }>(
          "PUT",
          "/v1/accounts/{userId}/auto-charge",
          { params: { userId }, body: amounts(input, "amount", "threshold") },
          input.authKey === undefined ? options : { retry: false, ...options },
        )
      ).autoCharge,
    /** Turns auto-charge off and forgets the card. */
    delete: async (userId: string, options?: CallOptions): Promise<AutoChargeSettings> =>
      (await this.data<{ autoCharge: AutoChargeSettings }>("DELETE", "/v1/accounts/{userId}/auto-charge", { params: { userId } }, options)).autoCharge,
  };

  readonly alerts = {
    list: async (userId: string, query: Partial<AlertsQuery> = {}, options?: CallOptions): Promise<Alert[]> =>
      (await this.data<{ alerts: Alert[] }>("GET", "/v1/accounts/{userId}/alerts", { params: { userId }, query }, options)).alerts,
    markRead: async (userId: string, alertId: string, options?: CallOptions): Promise<Alert> =>
      (await this.data<{ alert: Alert }>("POST", "/v1/accounts/{userId}/alerts/{alertId}/read", { params: { userId, alertId } }, options)).alert,
  };

  readonly analytics = {
    /** Balance, monthly usage, next month's prediction, runway, recent alerts, recommendations. */
    get: (userId: string, options?: CallOptions): Promise<AccountAnalytics> =>
      this.data("GET", "/v1/accounts/{userId}/analytics", { params: { userId } }, options),
  };

  /** Operators' routes (admin tokens). */
  readonly admin = {
    revenue: (query: Partial<PeriodQuery> = {}, options?: CallOptions): Promise<Revenue> =>
      this.data("GET", "/v1/admin/analytics/revenue", { query }, options),
    topUsers: (query: Partial<PeriodQuery> = {}, options?: CallOptions): Promise<TopUsers> =>
      this.data("GET", "/v1/admin/analytics/top-users", { query }, options),
    /**
     * One page of the alerts of every account, newest first (`type`, `since` filter); pass
     * `nextCursor` back as `cursor` for the next. A filtered page may be short with a cursor.
     */
    alerts: (query: Partial<AlertFeedQuery> = {}, options?: CallOptions): Promise<AlertFeedPage> =>
      this.data("GET", "/v1/admin/alerts", { query }, options),
    /** The integrity check's last result; `fresh: true` runs one now. */
    health: (query: { fresh?: boolean } = {}, options?: CallOptions): Promise<Health> =>
      this.data("GET", "/v1/admin/health", { query: query.fresh === undefined ? {} : { fresh: String(query.fresh) } }, options),
    /** A signed `admin_adjustment`. Keyed. */
    adjust: (userId: string, input: AdjustmentInput, options?: CallOptions): Promise<Posting> =>
      this.data("POST", "/v1/accounts/{userId}/adjustments", { params: { userId }, body: amounts(input, "amount") }, options),
    /** A direct credit (`purchase` or `auto_charge`). Keyed. */
    charge: (userId: string, input: ChargeInput, options?: CallOptions): Promise<Posting> =>
      this.data("POST", "/v1/accounts/{userId}/charges", { params: { userId }, body: amounts(input, "amount") }, options),
    refund: (userId: string, input: RefundInput, options?: CallOptions): Promise<Posting> => this.refunds.create(userId, input, options),
    freeze: async (userId: string, options?: CallOptions): Promise<Account> =>
      (await this.data<{ account: Account }>("POST", "/v1/accounts/{userId}/freeze", { params: { userId } }, options)).account,
    unfreeze: async (userId: string, options?: CallOptions): Promise<Account> =>
      (await this.data<{ account: Account }>("POST", "/v1/accounts/{userId}/unfreeze", { params: { userId } }, options)).account,
    /** The account's auto-charges whose refund the gateway refused, waiting for an operator (oldest first). */
    unsettledAutoCharges: async (userId: string, options?: CallOptions): Promise<AutoChargeRecord[]> =>
      (await this.data<{ charges: AutoChargeRecord[] }>("GET", "/v1/admin/accounts/{userId}/auto-charge/unsettled", { params: { userId } }, options)).charges,
    /**
     * Sends the refused refund of an auto-charge again; answers the charge `refunded`, or throws
     * `payment_declined` (refused again; it keeps waiting), `payment_pending` (no answer; the sweep
     * resends it), `charge_not_refund_pending` or `charge_not_found`. Sent once unless
     * `options.retry` says otherwise: a retry after a lost answer would meet the refund under way
     * (409) although it may have worked — list the unsettled charges again to see.
     */
    retryAutoChargeRefund: async (userId: string, chargeId: string, options?: CallOptions): Promise<AutoChargeRecord> =>
      (
        await this.data<{ charge: AutoChargeRecord }>(
          "POST",
          "/v1/admin/accounts/{userId}/auto-charge/charges/{chargeId}/retry-refund",
          { params: { userId, chargeId } },
          { retry: false, ...options },
        )
      ).charge,
  };
}

async function* allTransactions(client: NyangClient, userId: string, query: Partial<TransactionsQuery>, options?: CallOptions) {
  let cursor: string | undefined = query.cursor;
  do {
    const page: TransactionPage = await client.transactions.list(userId, { ...query, ...(cursor ? { cursor } : {}) }, options);
    yield* page.transactions;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** A configured client: `createClient({ baseUrl, token })` or `{ baseUrl, getToken }`. */
export function createClient(options: ClientOptions): NyangClient {
  return new NyangClient(options);
}
