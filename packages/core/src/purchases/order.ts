import type { CoinPackage } from "../config.ts";
import { NyangError } from "../errors.ts";
import { formatAmount, type Minor } from "../money.ts";
import type { Account, LotMove } from "../ledger/types.ts";
import { expiryAfterDays, isLive, POOL_LOT_ID } from "../ledger/lots.ts";
import { assertWithinLimit } from "../ledger/rules.ts";

/**
 * A payment order: one package bought through the payment gateway. It moves
 *   pending ──confirm approved──▶ paid ──cancel──▶ cancel_pending ──gateway cancelled──▶ canceled
 *      ├──declined / abandoned──▶ failed                  └──gateway refused──▶ paid (coins given back)
 *      └──approved, but its coins no longer fit under MAX_COIN_AMOUNT──▶ refund_pending ──gateway cancelled──▶ failed
 *         (or approved for another amount than the order's)
 * Coins are credited exactly once, by the entry keyed on the order (`purchase:<orderId>`),
 * in the same transaction that marks the order paid, and only if the balance stays within
 * MAX_COIN_AMOUNT at that write; an approved payment whose coins do not fit is refunded
 * instead (`refund_pending` until the gateway's cancel lands, finished by the reconciliation).
 */
export type OrderStatus = "pending" | "paid" | "failed" | "cancel_pending" | "canceled" | "refund_pending";

/** The failure code of an order whose payment was refunded because its coins would pass MAX_COIN_AMOUNT. */
export const BALANCE_LIMIT_FAILURE = "BALANCE_LIMIT_EXCEEDED";

/** The failure code of an order whose payment was refunded because the gateway approved another amount than the order's. */
export const AMOUNT_MISMATCH_FAILURE = "AMOUNT_MISMATCH";

export interface Order {
  id: string;
  userId: string;
  packageId: string;
  packageName: string;
  /** Paid coins the purchase credits. */
  coins: Minor;
  /** Bonus coins it credits on top. */
  bonusCoins: Minor;
  /** The package's bonus validity when the order was opened (days after payment; null: never expires). */
  bonusExpiryDays: number | null;
  /**
   * The bonus lot the purchase credited (its purchase entry's id), which a cancel claws back;
   * null for no bonus, and for purchases credited before lots existed (their bonus went into the pool).
   */
  bonusLotId: string | null;
  amountKrw: number;
  status: OrderStatus;
  paymentKey: string | null;
  /** When a confirm with `paymentKey` was last sent to the gateway: the abandon clock starts here. */
  confirmAttemptAt: string | null;
  paymentMethod: string | null;
  transactionId: string | null;
  cancelTransactionId: string | null;
  cancelReason: string | null;
  /** How many cancels were started; each gets its own ledger key, so a refused one can be retried. */
  cancelAttempts: number;
  failureCode: string | null;
  failureMessage: string | null;
  createdAt: string;
  updatedAt: string;
  paidAt: string | null;
  canceledAt: string | null;
  /** Counts writes to the order; each write is conditioned on the one it was decided from. */
  revision: number;
}

/** The order names no payment gateway call that could still change it. */
export const orderNotPending = (o: Order) =>
  new NyangError("order_not_pending", `The order is ${o.status}`, { orderId: o.id, status: o.status });

export const orderNotFound = (orderId: string) => new NyangError("order_not_found", `No order ${orderId}`, { orderId });

export const packageNotFound = (packageId: string) =>
  new NyangError("package_not_found", `No active package ${packageId}`, { packageId });

/**
 * A new pending order for a package, refused under MIN_PURCHASE_AMOUNT or above MAX_COIN_AMOUNT
 * (the limit is checked again before the payment is taken and when the coins are credited).
 */
export function orderRule(
  a: Account,
  pkg: CoinPackage,
  id: string,
  limits: { minPurchaseKrw: number; maxBalance: Minor },
  now: Date,
): Order {
  if (a.status !== "active") throw new NyangError("account_frozen", "The account is frozen", { userId: a.userId });
  if (pkg.priceKrw < limits.minPurchaseKrw) {
    throw new NyangError("below_minimum_purchase", `Purchases start at ${limits.minPurchaseKrw} KRW`, {
      minimum: limits.minPurchaseKrw,
      amountKrw: pkg.priceKrw,
    });
  }
  assertWithinLimit(a, pkg.coins + pkg.bonusCoins, limits.maxBalance);
  const t = now.toISOString();
  return {
    id,
    userId: a.userId,
    packageId: pkg.id,
    packageName: pkg.name,
    coins: pkg.coins,
    bonusCoins: pkg.bonusCoins,
    bonusExpiryDays: pkg.bonusExpiryDays,
    bonusLotId: null,
    amountKrw: pkg.priceKrw,
    createdAt: t,
    ...initialOrderState(t),
  };
}

/** What an order is when created, apart from what it is for: a replay of its creation answers this. */
export function initialOrderState(createdAt: string) {
  return {
    status: "pending" as const,
    paymentKey: null,
    confirmAttemptAt: null,
    paymentMethod: null,
    transactionId: null,
    cancelTransactionId: null,
    cancelReason: null,
    cancelAttempts: 0,
    failureCode: null,
    failureMessage: null,
    updatedAt: createdAt,
    paidAt: null,
    canceledAt: null,
    revision: 0,
  };
}

/** The next state of an order, with its revision moved on. */
export function nextOrder(o: Order, changes: Partial<Omit<Order, "id" | "userId" | "revision">>, now: Date): Order {
  const t = now.toISOString();
  return { ...o, ...changes, updatedAt: t > o.updatedAt ? t : o.updatedAt, revision: o.revision + 1 };
}

/**
 * Korean e-commerce withdrawal (청약철회): within the window after payment, a purchase
 * whose coins are all still there can be cancelled for a full refund. Its paid coins go back,
 * and its bonus coins are clawed back from **its own lot only** (docs/credits.md, bonus lots):
 * the lot must still be there, unexpired and unspent; other bonus coins are never taken. If
 * any of it was spent (or its lot expired), it cannot. A purchase credited before lots existed
 * put its bonus into the pool, so its bonus comes back out of the pool. Returns the lot the
 * bonus part is taken from.
 */
export function assertCancellable(o: Order, a: Account, availableNow: Minor, windowDays: number, now: Date): LotMove | undefined {
  if (o.status !== "paid" || o.paidAt === null) throw orderNotPending(o);
  const closesAt = Date.parse(o.paidAt) + windowDays * 24 * 3600 * 1000;
  if (now.getTime() > closesAt) {
    throw new NyangError("refund_window_closed", `Purchases can be cancelled within ${windowDays} days of payment`, {
      orderId: o.id,
      paidAt: o.paidAt,
      closedAt: new Date(closesAt).toISOString(),
    });
  }
  const lotId = o.bonusLotId ?? POOL_LOT_ID;
  const lot = a.lots.find((l) => l.id === lotId);
  const lotLeft = lot && isLive(lot, now) ? lot.remaining : 0;
  if (a.paidBalance < o.coins || (o.bonusCoins > 0 && lotLeft < o.bonusCoins) || availableNow < o.coins + o.bonusCoins) {
    throw new NyangError("purchase_coins_spent", "Coins from this purchase were already used, so it can no longer be cancelled", {
      orderId: o.id,
      coins: formatAmount(o.coins),
      bonusCoins: formatAmount(o.bonusCoins),
      paidBalance: formatAmount(a.paidBalance),
      bonusBalance: formatAmount(a.bonusBalance),
      bonusLotRemaining: formatAmount(lotLeft),
    });
  }
  return o.bonusCoins > 0 ? { kind: "from", lotId } : undefined;
}

/** The lot a refused cancel gives back: the purchase's own (with its expiry), or the pool for a purchase older than lots. */
export function bonusLotOf(o: Order): LotMove {
  if (o.bonusLotId === null || o.paidAt === null) return { kind: "grant", expiresAt: null, source: "pool", lotId: POOL_LOT_ID };
  return { kind: "grant", lotId: o.bonusLotId, expiresAt: expiryAfterDays(new Date(o.paidAt), o.bonusExpiryDays), source: "purchase" };
}
