import { activePackages, type NyangConfig } from "../config.ts";
import { isNyangError, NyangError } from "../errors.ts";
import { consoleLog, type Log } from "../log.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { Account, LedgerEntry, PostingResult } from "../ledger/types.ts";
import { PaymentDeclinedError, PaymentUnknownError, type Payment, type PaymentGateway } from "../payments/gateway.ts";
import { paymentDeclined, paymentMismatch, paymentPending as gatewaySilent, refundRefusedMessage } from "../payments/payment-errors.ts";
import { sweepDueQueue } from "../due-queue.ts";
import type { RecordListQuery } from "../ledger/ledger-port.ts";
import { requestFingerprint } from "../ledger/idempotency.ts";
import { assertWithinLimit } from "../ledger/rules.ts";
import { OrderBook } from "./order-book.ts";
import { AMOUNT_MISMATCH_FAILURE, BALANCE_LIMIT_FAILURE, orderNotPending, packageNotFound, type Order, type OrderStatus } from "./order.ts";
import type { PurchasesPort } from "./purchases-port.ts";

/** How purchases settle: the withdrawal window, and when the reconciliation looks again. */
export interface PurchaseSettings {
  /** Days after payment within which an unused purchase can be cancelled (Korean withdrawal rule: 7). */
  refundWindowDays: number;
  /** An order waiting on the gateway is due for the reconciliation this long after its last change. */
  settleAfterMs: number;
  /** A confirmed order the gateway has never heard of is given up after this long. */
  abandonAfterMs: number;
}

/** The settings a configuration names (PURCHASE_REFUND_DAYS, ORDER_SETTLE_AFTER_SECONDS, ORDER_ABANDON_AFTER_SECONDS). */
export function purchaseSettings(config: NyangConfig): PurchaseSettings {
  return {
    refundWindowDays: config.purchases.refundWindowDays,
    settleAfterMs: config.purchases.settleAfterSeconds * 1000,
    abandonAfterMs: config.purchases.abandonAfterSeconds * 1000,
  };
}

/** What a settled purchase (or its cancellation) answers: the order, its entry, the account after it. */
export interface PurchaseResult {
  order: Order;
  entry: LedgerEntry;
  account: Account;
  replayed: boolean;
}

/** What one reconciliation run did. */
export interface ReconcileReport {
  examined: number;
  credited: number;
  failed: number;
  canceled: number;
  /** Approved payments whose coins did not fit under MAX_COIN_AMOUNT, cancelled at the gateway (their orders failed). */
  refunded: number;
  stillPending: number;
  errors: number;
}

/**
 * What became of the money when a purchase's coins would pass MAX_COIN_AMOUNT: never taken
 * (refused before the gateway was asked), refunded (the approved payment was cancelled), or
 * a refund on its way (the cancel's answer is still to come; the reconciliation finishes it).
 */
type LimitRefusal = "not_charged" | "refunded" | "refund_pending";

const overLimit = (o: Order, payment: LimitRefusal, cause?: NyangError) =>
  new NyangError(
    "balance_limit_exceeded",
    payment === "not_charged"
      ? `${cause?.message ?? "The balance would exceed its maximum"}: the payment was not taken; confirm again once the balance has room`
      : `${cause?.message ?? "The balance would exceed its maximum"}: the payment is ${payment === "refunded" ? "refunded" : "being refunded"} and the order failed`,
    { ...cause?.details, orderId: o.id, payment },
  );

const isLimitRefund = (o: Order) =>
  (o.status === "refund_pending" || o.status === "failed") && o.failureCode === BALANCE_LIMIT_FAILURE;

/**
 * Why a `refund_pending` order's payment goes back, by its failure code: the reason sent to the
 * gateway and the prefix of the cancel's idempotency key (derived from the order and the
 * attempt, so a resent cancel replays the first one's answer).
 */
const REFUNDS: Record<string, { reason: string; keyPrefix: string }> = {
  [BALANCE_LIMIT_FAILURE]: { reason: "the purchase would lift the coin balance above its maximum", keyPrefix: "limit-refund" },
  [AMOUNT_MISMATCH_FAILURE]: { reason: "amount does not match the order", keyPrefix: "mismatch-refund" },
};

const paymentPending = (orderId: string, what: string) =>
  gatewaySilent(`The payment gateway did not answer; the ${what} will settle by itself. Retry later.`, { orderId });

/**
 * Purchases through the payment gateway. The gateway and the ledger agree through the
 * order: its id is the gateway's order id and the idempotency keys of every gateway call
 * derive from it, and the coins are credited by one entry keyed on it. Whatever is
 * retried, raced or lost, a payment the gateway approved gets its coins exactly once.
 */
export class Purchases {
  /** The orders and the coins they move. */
  readonly orders: OrderBook;

  constructor(
    private readonly ledger: Ledger,
    private readonly store: PurchasesPort,
    private readonly gateway: PaymentGateway,
    private readonly config: NyangConfig,
    private readonly settings: PurchaseSettings = purchaseSettings(config),
    private readonly clock: () => Date = () => new Date(),
    private readonly log: Log = consoleLog,
  ) {
    this.orders = new OrderBook(ledger, store, config, clock);
  }

  /** Opens a pending order for an active package. */
  async create(userId: string, packageId: string, idem: { key: string }) {
    const pkg = activePackages(this.config).find((p) => p.id === packageId);
    if (!pkg) throw packageNotFound(packageId);
    const limits = { minPurchaseKrw: this.config.minPurchaseAmountKrw, maxBalance: this.config.maxCoinAmount };
    return this.orders.createOrder(userId, pkg, limits, idem);
  }

  async getOrder(userId: string, orderId: string): Promise<Order> {
    return (await this.requireOrder(userId, orderId)).value;
  }

  /** The account's orders, newest first, optionally of one status. */
  listOrders(userId: string, q: RecordListQuery<OrderStatus>) {
    return this.orders.listOrders(userId, q);
  }

  /**
   * Confirms the payment the customer authorised and credits the order's coins. The
   * amount must be the order's (a tampered amount is refused before the gateway is
   * asked). Declined → the order fails, no coins. No answer → the order stays pending
   * and the next confirm, or the reconciliation, asks the gateway what happened. A key that
   * is not this order's payment (unknown, expired, another order's) → payment_mismatch, the
   * order as it was. Coins that would lift the balance above MAX_COIN_AMOUNT →
   * balance_limit_exceeded: refused before the gateway is asked, or, if a concurrent credit
   * used up the room after the approval, the payment is refunded and the order fails.
   *
   * With the caller's key (`idem`; the HTTP route always has one), the key is taken before
   * anything else happens (OrderBook.claimKey): reused for another request it is refused, and
   * a retry of a confirm whose payment was credited answers that credit even once the
   * order has moved on (cancelled since).
   */
  async confirm(
    userId: string,
    orderId: string,
    req: { paymentKey: string; amount?: number | undefined },
    idem: { key: string } | null = null,
  ): Promise<PurchaseResult> {
    let o = (await this.requireOrder(userId, orderId)).value;
    if (req.amount !== undefined && req.amount !== o.amountKrw) {
      throw new NyangError("validation_failed", "The amount is not the order's amount", {
        fields: { amount: `must be the order's ${o.amountKrw} KRW` },
      });
    }
    if (idem) {
      // The amount, when named, is the order's (checked above): naming it is the same request.
      const fingerprint = requestFingerprint("purchase_confirm", { orderId, paymentKey: req.paymentKey });
      await this.orders.claimKey(userId, { orderId, operation: "confirm", fingerprint }, idem);
      // Credited by this payment, whatever became of the order since: the retry's answer.
      if (o.transactionId !== null && o.paymentKey === req.paymentKey) return this.paidResult(o, true);
    }
    if (o.status === "paid" && o.paymentKey === req.paymentKey) return this.paidResult(o, true);
    if (isLimitRefund(o) && o.paymentKey === req.paymentKey) throw await this.limitRefusal(o);
    if (o.status !== "pending") throw orderNotPending(o);

    if (o.paymentKey !== null) {
      // A confirm was sent before (this key or another) and may have been approved without our
      // hearing of it: the gateway's record decides first, so a refusal below never hides money taken.
      const settled = await unlessUnknown(this.settleFromGateway(o));
      if (settled) return settled;
      o = (await this.requireOrder(userId, orderId)).value;
      if (o.status !== "pending") return this.paidOrRefused(o, req.paymentKey);
    }
    // The limit as the account stands now, before any money moves (it was checked when the order
    // opened, but credits may have landed since). Checked again when the coins are credited.
    const account = await this.ledger.getAccount(userId);
    try {
      assertWithinLimit(account, o.coins + o.bonusCoins, this.config.maxCoinAmount);
    } catch (e) {
      if (isNyangError(e, "balance_limit_exceeded")) throw overLimit(o, "not_charged", e);
      throw e;
    }
    const before = o;
    o = await this.updateOrder(userId, orderId, (cur) =>
      cur.status === "pending"
        ? { changes: { paymentKey: req.paymentKey, confirmAttemptAt: this.clock().toISOString() }, due: true }
        : null,
    );
    if (o.status !== "pending") return this.paidOrRefused(o, req.paymentKey);

    let payment: Payment;
    try {
      payment = await this.gateway.confirm({
        paymentKey: req.paymentKey,
        orderId,
        amount: o.amountKrw,
        idempotencyKey: `confirm-${orderId}-${req.paymentKey}`.slice(0, 300),
      });
    } catch (e) {
      if (e instanceof PaymentDeclinedError && e.reason === "not_found") throw await this.notThisOrdersPayment(before, req.paymentKey, e.gatewayCode);
      if (e instanceof PaymentDeclinedError && e.reason === "already_processed") {
        // Approved before: by a confirm of this order whose answer was lost, or for another order.
        const paid = await unlessUnknown(this.gateway.findByPaymentKey(req.paymentKey));
        if (paid && paid.orderId !== orderId) throw await this.notThisOrdersPayment(before, req.paymentKey, e.gatewayCode);
        const settled = paid ? await unlessUnknown(this.settleWith(o, paid)) : null;
        if (settled) return settled;
        throw paymentPending(orderId, "payment");
      }
      if (e instanceof PaymentDeclinedError) {
        await this.fail(userId, orderId, e.gatewayCode, e.message);
        throw paymentDeclined(e);
      }
      if (e instanceof PaymentUnknownError) {
        // An answer we never got: the gateway's record of the order decides.
        const settled = await unlessUnknown(this.settleFromGateway(o));
        if (settled) return settled;
        throw paymentPending(orderId, "payment");
      }
      throw e;
    }
    const settled = await this.settleWith(o, payment);
    if (settled) return settled;
    throw paymentPending(orderId, "payment");
  }

  /**
   * Cancels an unused purchase within the withdrawal window and refunds it through the
   * gateway. The coins are taken back first (with the order marked `cancel_pending`), then
   * the gateway cancels; a crash in between leaves an order the reconciliation finishes.
   * With the caller's key, the key is taken first, as a confirm's is.
   */
  async cancel(
    userId: string,
    orderId: string,
    req: { reason: string; adminUserId: string | null },
    idem: { key: string } | null = null,
  ): Promise<PurchaseResult> {
    const o = (await this.requireOrder(userId, orderId)).value;
    if (idem) {
      const fingerprint = requestFingerprint("purchase_cancel", { orderId, reason: req.reason });
      await this.orders.claimKey(userId, { orderId, operation: "cancel", fingerprint }, idem);
    }
    if (o.status === "canceled") return this.canceledResult(o, true);
    if (o.status === "paid") {
      await this.orders.debitPurchaseCancel(userId, orderId, {
        attempt: o.cancelAttempts + 1,
        reason: req.reason,
        windowDays: this.settings.refundWindowDays,
        settleAfterMs: this.settings.settleAfterMs,
        adminUserId: req.adminUserId,
      });
    } else if (o.status !== "cancel_pending") {
      throw orderNotPending(o);
    }
    const after = await this.finishCancel(userId, orderId);
    if (after.status === "canceled") return this.canceledResult(after, false);
    if (after.status === "paid") {
      throw paymentDeclined({ gatewayCode: after.failureCode, message: `The payment gateway refused the cancellation: ${after.failureMessage ?? after.failureCode}` });
    }
    throw paymentPending(orderId, "cancellation");
  }

  /**
   * The reconciliation: every order waiting on the gateway past its settle time is
   * settled from the gateway's own record (coins credited, order failed, or a cancel
   * finished). Safe to run twice or concurrently: each step is conditional.
   */
  async reconcile(opts: { pageSize?: number } = {}): Promise<ReconcileReport> {
    const report: ReconcileReport = { examined: 0, credited: 0, failed: 0, canceled: 0, refunded: 0, stillPending: 0, errors: 0 };
    const tally = await sweepDueQueue(
      this.store,
      { queue: "ORDERS", now: this.clock(), pageSize: opts.pageSize ?? 50, failure: "order reconciliation failed", idField: "orderId", log: this.log },
      async ({ userId, id }) => {
        const o = (await this.requireOrder(userId, id)).value;
        const outcome =
          o.status === "cancel_pending"
            ? await this.finishCancelOutcome(userId, id)
            : o.status === "refund_pending"
              ? await this.finishRefundOutcome(userId, id)
              : await this.reconcilePending(o);
        report[outcome]++;
      },
    );
    return { ...report, ...tally };
  }

  private async reconcilePending(o: Order): Promise<"credited" | "failed" | "refunded" | "stillPending"> {
    if (o.status !== "pending") {
      await this.updateOrder(o.userId, o.id, () => ({ changes: {}, due: false }));
      return "stillPending";
    }
    let settled: PurchaseResult | null;
    try {
      settled = await this.settleFromGateway(o);
    } catch (e) {
      if (!isNyangError(e, "balance_limit_exceeded")) throw e;
      return (await this.requireOrder(o.userId, o.id)).value.status === "failed" ? "refunded" : "stillPending";
    }
    if (settled) return settled.replayed ? "stillPending" : "credited";
    const now = this.clock();
    const current = (await this.requireOrder(o.userId, o.id)).value;
    if (current.status === "failed") return "failed";
    if (current.status !== "pending") return "stillPending";
    const attemptAt = Date.parse(current.confirmAttemptAt ?? current.updatedAt);
    if (now.getTime() - attemptAt > this.settings.abandonAfterMs) {
      // The gateway never approved anything for this order: nothing was charged.
      await this.fail(o.userId, o.id, "ABANDONED", "The payment was never completed");
      return "failed";
    }
    await this.updateOrder(o.userId, o.id, (cur) => (cur.status === "pending" ? { changes: {}, due: true } : null));
    return "stillPending";
  }

  private async finishRefundOutcome(userId: string, orderId: string): Promise<"refunded" | "stillPending"> {
    // Counted by the run that finished it, however many runs raced over it.
    return (await this.finishRefund(userId, orderId)).finished ? "refunded" : "stillPending";
  }

  private async finishCancelOutcome(userId: string, orderId: string): Promise<"canceled" | "stillPending"> {
    const after = await this.finishCancel(userId, orderId);
    return after.status === "canceled" ? "canceled" : "stillPending";
  }

  /** Asks the gateway what became of an order's payment and settles it; null while undecided. */
  private async settleFromGateway(o: Order): Promise<PurchaseResult | null> {
    const payment = await this.gateway.findByOrderId(o.id);
    if (!payment) return null;
    return this.settleWith(o, payment);
  }

  /** Settles an order from a payment the gateway reported; null while the payment is undecided. */
  private async settleWith(o: Order, payment: Payment): Promise<PurchaseResult | null> {
    if (payment.status === "approved" && payment.orderId === o.id) {
      if (payment.totalAmount !== o.amountKrw) {
        // Paid, but not what the order asked: give the money back rather than credit the wrong
        // coins, through the same crash-safe refund as the balance limit's.
        await this.markRefund(o, payment, AMOUNT_MISMATCH_FAILURE, `Paid ${payment.totalAmount} KRW for an order of ${o.amountKrw} KRW`);
        await this.finishRefund(o.userId, o.id);
        return null;
      }
      let credit: PostingResult;
      try {
        credit = await this.orders.creditPurchase(o.userId, o.id, { paymentKey: payment.paymentKey, method: payment.method });
      } catch (e) {
        if (isNyangError(e, "balance_limit_exceeded")) return this.refundOverLimit(o, payment, e);
        if (isNyangError(e, "order_not_pending")) {
          const current = (await this.requireOrder(o.userId, o.id)).value;
          if (isLimitRefund(current)) throw await this.limitRefusal(current);
        }
        throw e;
      }
      const order = (await this.requireOrder(o.userId, o.id)).value;
      return { order, entry: credit.entry, account: credit.account, replayed: credit.replayed };
    }
    if (payment.status === "failed" || payment.status === "expired" || payment.status === "canceled") {
      // The order's failure code is the gateway's own word for it, as it always was.
      await this.fail(o.userId, o.id, payment.gatewayStatus, `The payment is ${payment.gatewayStatus}`);
    }
    return null;
  }

  /**
   * The gateway took a payment whose coins no longer fit under MAX_COIN_AMOUNT (another credit
   * landed after the order was checked). The coins are never credited past the limit and the
   * money is never kept: the order moves to `refund_pending` first — due for the reconciliation,
   * and no credit can follow it — then the gateway cancels the payment and the order fails.
   * Answers the paid result if a concurrent confirm credited the order first (it fitted then).
   */
  private async refundOverLimit(o: Order, payment: Payment, cause: NyangError): Promise<PurchaseResult> {
    const marked = await this.markRefund(o, payment, BALANCE_LIMIT_FAILURE, cause.message);
    if (marked.status === "paid") return this.paidResult(marked, true);
    if (!isLimitRefund(marked)) throw orderNotPending(marked);
    throw await this.limitRefusal(marked, cause);
  }

  /**
   * Step one of giving an approved payment back: a still-pending order moves to `refund_pending`
   * (due for the reconciliation; no credit can follow it) with why in its failure code. Answers
   * the order as it now stands (paid, if a concurrent confirm credited it first).
   */
  private markRefund(o: Order, payment: Payment, failureCode: string, failureMessage: string): Promise<Order> {
    return this.updateOrder(o.userId, o.id, (cur) =>
      cur.status === "pending"
        ? { changes: { status: "refund_pending", paymentKey: payment.paymentKey, paymentMethod: payment.method, failureCode, failureMessage }, due: true }
        : null,
    );
  }

  /** Finishes an over-limit refund if it is still under way and answers the refusal, saying where the money is. */
  private async limitRefusal(o: Order, cause?: NyangError): Promise<NyangError> {
    const after = o.status === "refund_pending" ? (await this.finishRefund(o.userId, o.id)).order : o;
    return overLimit(after, after.status === "failed" ? "refunded" : "refund_pending", cause);
  }

  /**
   * Cancels the payment of a `refund_pending` order at the gateway and fails the order. No
   * answer leaves it due for the reconciliation; a refusal (rare: a payment minutes old) leaves it
   * waiting, off the reconciliation's queue, for an operator — the integrity audit reports it.
   */
  private async finishRefund(userId: string, orderId: string): Promise<{ order: Order; finished: boolean }> {
    const o = (await this.requireOrder(userId, orderId)).value;
    if (o.status !== "refund_pending" || o.paymentKey === null) return { order: o, finished: false };
    const why = REFUNDS[o.failureCode ?? ""] ?? REFUNDS[BALANCE_LIMIT_FAILURE]!;
    try {
      await this.gateway.cancel({
        paymentKey: o.paymentKey,
        reason: why.reason,
        idempotencyKey: `${why.keyPrefix}-${orderId}-${o.cancelAttempts}`,
      });
    } catch (e) {
      if (e instanceof PaymentUnknownError) return { order: o, finished: false };
      if (!(e instanceof PaymentDeclinedError)) throw e;
      if (e.reason !== "already_canceled") {
        const waiting = await this.updateOrder(userId, orderId, (cur) =>
          cur.status === "refund_pending" && cur.cancelAttempts === o.cancelAttempts
            ? { changes: { cancelAttempts: cur.cancelAttempts + 1, failureMessage: refundRefusedMessage(e) }, due: false }
            : null,
        );
        return { order: waiting, finished: false };
      }
    }
    let finished = false;
    const order = await this.updateOrder(userId, orderId, (cur) => {
      finished = cur.status === "refund_pending";
      return finished ? { changes: { status: "failed", canceledAt: this.clock().toISOString() }, due: false } : null;
    });
    return { order, finished };
  }

  private async finishCancel(userId: string, orderId: string): Promise<Order> {
    const o = (await this.requireOrder(userId, orderId)).value;
    if (o.status !== "cancel_pending" || o.paymentKey === null) return o;
    try {
      await this.gateway.cancel({
        paymentKey: o.paymentKey,
        reason: o.cancelReason ?? "customer withdrawal",
        idempotencyKey: `cancel-${orderId}-${o.cancelAttempts}`,
      });
    } catch (e) {
      if (e instanceof PaymentDeclinedError && e.reason !== "already_canceled") {
        await this.orders.reverseCancel(userId, orderId, o.cancelAttempts, { code: e.gatewayCode, message: e.message }).catch((err: unknown) => {
          if (!isNyangError(err, "order_not_pending")) throw err;
        });
        return (await this.requireOrder(userId, orderId)).value;
      }
      if (e instanceof PaymentUnknownError) return o;
      if (!(e instanceof PaymentDeclinedError)) throw e;
    }
    return this.updateOrder(userId, orderId, (cur) =>
      cur.status === "cancel_pending" ? { changes: { status: "canceled", canceledAt: this.clock().toISOString() }, due: false } : null,
    );
  }

  /**
   * The gateway says the key pays for another order (or nothing): this order was not charged, so
   * it goes back to what it was before this confirm — pending, confirmable with its own key.
   */
  private async notThisOrdersPayment(before: Order, paymentKey: string, gatewayCode: string): Promise<NyangError> {
    await this.updateOrder(before.userId, before.id, (cur) =>
      cur.status === "pending" && cur.paymentKey === paymentKey
        ? { changes: { paymentKey: before.paymentKey, confirmAttemptAt: before.confirmAttemptAt }, due: before.paymentKey !== null }
        : null,
    );
    return paymentMismatch(before.id, gatewayCode);
  }

  private fail(userId: string, orderId: string, code: string, message: string): Promise<Order> {
    return this.updateOrder(userId, orderId, (cur) =>
      cur.status === "pending" ? { changes: { status: "failed", failureCode: code, failureMessage: message }, due: false } : null,
    );
  }

  /** An order-only write on the order book; `due` puts the order back on the reconciliation's queue. */
  private updateOrder(userId: string, orderId: string, change: (o: Order) => { changes: Partial<Order>; due: boolean } | null): Promise<Order> {
    return this.orders.update(userId, orderId, change, this.settings.settleAfterMs);
  }

  private async paidOrRefused(o: Order, paymentKey: string): Promise<PurchaseResult> {
    if (o.status === "paid" && o.paymentKey === paymentKey) return this.paidResult(o, true);
    throw orderNotPending(o);
  }

  private async paidResult(o: Order, replayed: boolean): Promise<PurchaseResult> {
    const entry = o.transactionId ? await this.store.getEntry(o.userId, o.transactionId) : null;
    if (!entry) throw new Error(`paid order ${o.id} has no purchase entry`);
    return { order: o, entry: entry.value, account: entry.accountAfter, replayed };
  }

  private async canceledResult(o: Order, replayed: boolean): Promise<PurchaseResult> {
    const entry = o.cancelTransactionId ? await this.store.getEntry(o.userId, o.cancelTransactionId) : null;
    if (!entry) throw new Error(`canceled order ${o.id} has no cancel entry`);
    return { order: o, entry: entry.value, account: entry.accountAfter, replayed };
  }

  private requireOrder(userId: string, orderId: string) {
    return this.orders.getOrder(userId, orderId);
  }
}

/** A gateway call whose outcome may stay open: no answer reads as "nothing known yet" (null). */
async function unlessUnknown<T>(p: Promise<T | null>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof PaymentUnknownError) return null;
    throw e;
  }
}
