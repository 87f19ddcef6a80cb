import type { CoinPackage, NyangConfig } from "../config.ts";
import { idempotencyConflict, NyangError } from "../errors.ts";
import type { OrderUpdateIntent } from "../intents.ts";
import { entryIdFor, orderIdFor, requestFingerprint } from "../ledger/idempotency.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { RecordListQuery, StoredOrder } from "../ledger/ledger-port.ts";
import { assertWithinLimit, available } from "../ledger/rules.ts";
import { noFacts, type PostingResult } from "../ledger/types.ts";
import type { Minor } from "../money.ts";
import { AGAIN, shortRetry, untilSettled } from "../retry.ts";
import { expiryAfterDays } from "../ledger/lots.ts";
import { assertCancellable, bonusLotOf, initialOrderState, nextOrder, orderNotFound, orderNotPending, orderRule, type Order, type OrderStatus } from "./order.ts";
import type { OrderBookPort } from "./purchases-port.ts";

/**
 * The order book: payment orders and the coins they move. Every write that moves coins
 * (a purchase credited, a cancel debited or reversed) is a ledger posting keyed on the
 * order, run in the ledger's write loop with the order's next state as its guard; an
 * order-only write (no coins move) is conditioned on the order's revision.
 */
export class OrderBook {
  constructor(
    private readonly ledger: Ledger,
    private readonly port: OrderBookPort,
    private readonly config: NyangConfig,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Opens a pending payment order for a package; the same key returns the same order. */
  createOrder(
    userId: string,
    pkg: CoinPackage,
    limits: { minPurchaseKrw: number; maxBalance: Minor },
    idem: { key: string },
  ): Promise<{ order: Order; replayed: boolean }> {
    const fingerprint = requestFingerprint("order", { packageId: pkg.id });
    const orderId = orderIdFor(userId, idem.key);
    return this.ledger.writes.run<{ order: Order; replayed: boolean }>(userId, idem.key, async (a, now) => {
      const order = orderRule(a, pkg, orderId, limits, now);
      return { operation: "order", intents: [{ kind: "order", order, fingerprint, idempotencyKey: idem.key }], result: { order, replayed: false } };
    }, async (stored) => {
      if (stored.kind !== "order" || stored.fingerprint !== fingerprint) throw idempotencyConflict(idem.key);
      return { order: asCreated(stored.value), replayed: true };
    });
  }

  /**
   * Credits a paid order: its coins as paid and its bonus coins as bonus, in one
   * `purchase` entry keyed on the order, in the transaction that marks the order paid.
   * However often it is called, by whom or concurrently, the coins land once. Refused
   * (balance_limit_exceeded) when they would lift the balance above MAX_COIN_AMOUNT as the
   * account stands at this write — another credit may have landed since the order was
   * opened or its payment approved; the caller then refunds the payment.
   */
  creditPurchase(userId: string, orderId: string, payment: { paymentKey: string; method: string | null }): Promise<PostingResult> {
    const key = { key: `purchase:${orderId}`, source: "system" as const };
    const fingerprint = requestFingerprint("purchase", { orderId });
    return this.ledger.writes.post(userId, key, fingerprint, async (a, now) => {
      const stored = await this.requireOrder(userId, orderId);
      const o = stored.value;
      if (o.status !== "pending") throw orderNotPending(o);
      assertWithinLimit(a, o.coins + o.bonusCoins, this.config.maxCoinAmount);
      const entryId = entryIdFor(userId, key.key, "system");
      const bonusLotId = o.bonusCoins > 0 ? entryId : null;
      const paid = nextOrder(o, { status: "paid", paymentKey: payment.paymentKey, paymentMethod: payment.method, transactionId: entryId, paidAt: now.toISOString(), failureCode: null, failureMessage: null, bonusLotId }, now);
      return {
        posting: {
          type: "purchase",
          paidDelta: o.coins,
          bonusDelta: o.bonusCoins,
          usedDelta: 0,
          purchasedDelta: o.coins + o.bonusCoins,
          // The bonus is a lot of its own, under the purchase entry's id: a cancel claws back this lot only.
          lot: { kind: "grant", expiresAt: expiryAfterDays(now, o.bonusExpiryDays), source: "purchase" },
          facts: { ...noFacts, paymentMethod: payment.method ?? "card", paymentReference: payment.paymentKey, details: { orderId, packageId: o.packageId, amountKrw: o.amountKrw } },
        },
        guards: [orderUpdate(stored, paid, null)],
      };
    });
  }

  /**
   * Takes a cancelled purchase's coins back (step one of a purchase refund): a negative
   * `refund` entry for its paid and bonus coins, and the order to `cancel_pending`, due
   * for the reconciliation, which completes the gateway cancel if nothing else does. The
   * coins go before the money does, so a crash in between never leaves coins without payment.
   */
  debitPurchaseCancel(
    userId: string,
    orderId: string,
    req: { attempt: number; reason: string; windowDays: number; settleAfterMs: number; adminUserId: string | null },
  ): Promise<PostingResult> {
    const key = { key: `cancel:${orderId}:${req.attempt}`, source: "system" as const };
    const fingerprint = requestFingerprint("purchase_cancel", { orderId, attempt: req.attempt });
    return this.ledger.writes.post(userId, key, fingerprint, async (a, now) => {
      const stored = await this.requireOrder(userId, orderId);
      const o = stored.value;
      if (o.cancelAttempts + 1 !== req.attempt) throw orderNotPending(o);
      const fromLot = assertCancellable(o, a, available(a, now), req.windowDays, now);
      const entryId = entryIdFor(userId, key.key, "system");
      const next = nextOrder(o, { status: "cancel_pending", cancelAttempts: req.attempt, cancelTransactionId: entryId, cancelReason: req.reason }, now);
      return {
        posting: {
          type: "refund",
          paidDelta: -o.coins,
          bonusDelta: -o.bonusCoins,
          usedDelta: 0,
          purchasedDelta: -(o.coins + o.bonusCoins),
          ...(fromLot ? { lot: fromLot } : {}),
          facts: { ...noFacts, reason: req.reason, adminUserId: req.adminUserId, relatedTransactionId: o.transactionId, paymentReference: o.paymentKey, details: { orderId, amountKrw: o.amountKrw } },
        },
        guards: [orderUpdate(stored, next, new Date(now.getTime() + req.settleAfterMs).toISOString())],
      };
    });
  }

  /**
   * The gateway refused to cancel: the coins go back and the order is paid again. Not refused
   * by MAX_COIN_AMOUNT, the one credit that is not: the customer's money was kept, so the coins
   * are owed, even when other credits used the room while the cancel was pending. The integrity
   * audit reports such a balance (`over_limit`); the account can buy nothing more until it is
   * back under the limit.
   */
  reverseCancel(userId: string, orderId: string, attempt: number, why: { code: string; message: string }): Promise<PostingResult> {
    const key = { key: `cancel-reversal:${orderId}:${attempt}`, source: "system" as const };
    const fingerprint = requestFingerprint("purchase_cancel_reversal", { orderId, attempt });
    return this.ledger.writes.post(userId, key, fingerprint, async (_a, now) => {
      const stored = await this.requireOrder(userId, orderId);
      const o = stored.value;
      if (o.status !== "cancel_pending" || o.cancelAttempts !== attempt) throw orderNotPending(o);
      const next = nextOrder(o, { status: "paid", cancelTransactionId: null, failureCode: why.code, failureMessage: why.message }, now);
      return {
        posting: {
          type: "refund",
          paidDelta: o.coins,
          bonusDelta: o.bonusCoins,
          usedDelta: 0,
          purchasedDelta: o.coins + o.bonusCoins,
          lot: bonusLotOf(o),
          facts: { ...noFacts, reason: `payment gateway refused the cancellation: ${why.code}`, relatedTransactionId: o.cancelTransactionId, details: { orderId, amountKrw: o.amountKrw } },
        },
        guards: [orderUpdate(stored, next, null)],
      };
    });
  }

  /**
   * Takes a caller's key for a confirm or a cancel of an order before the call acts
   * (intents.ts PurchaseKeyIntent). The key's record is written once: met again by the same
   * request (a retry), the call goes on and the order's state makes it a replay; met by any
   * other request (another order, body or route, or a key another call made), it is
   * idempotency_conflict and nothing moves.
   */
  claimKey(userId: string, req: { orderId: string; operation: "confirm" | "cancel"; fingerprint: string }, idem: { key: string }): Promise<void> {
    return untilSettled(shortRetry, async () => {
      const outcome = await this.port.commit(`${req.operation}_key`, [
        { kind: "purchase_key", userId, ...req, idempotencyKey: idem.key, createdAt: this.clock().toISOString() },
      ]);
      if (outcome.kind === "written") return undefined;
      // A transient failure may hide a write that landed: the next attempt meets it as its own record.
      if (outcome.kind !== "record_exists") return AGAIN;
      const stored = outcome.stored ?? (await this.port.getRecordByKey(userId, idem.key));
      if (!stored) return AGAIN;
      if (stored.kind !== "purchase_key" || stored.fingerprint !== req.fingerprint) throw idempotencyConflict(idem.key);
      return undefined;
    }, () => new NyangError("contention", "The account is too busy right now; retry with the same Idempotency-Key", { orderId: req.orderId }));
  }

  async getOrder(userId: string, orderId: string): Promise<StoredOrder> {
    return this.requireOrder(userId, orderId);
  }

  /** The account's orders, newest first, optionally of one status. */
  async listOrders(userId: string, q: RecordListQuery<OrderStatus>) {
    await this.ledger.getAccount(userId);
    return this.port.listOrders(userId, q);
  }

  /**
   * An order-only write (no coins move), decided on the order as read and conditioned on
   * its revision; a lost race reads again. `change` returns null when nothing is to be done;
   * `due` puts the order on the reconciliation's queue `dueAfterMs` from now.
   */
  async update(
    userId: string,
    orderId: string,
    change: (o: Order) => { changes: Partial<Order>; due: boolean } | null,
    dueAfterMs: number,
  ): Promise<Order> {
    return untilSettled(shortRetry, async () => {
      const stored = await this.requireOrder(userId, orderId);
      const decided = change(stored.value);
      if (!decided) return stored.value;
      const now = this.clock();
      const next = nextOrder(stored.value, decided.changes, now);
      const dueAt = decided.due ? new Date(now.getTime() + dueAfterMs).toISOString() : null;
      const outcome = await this.port.commit("order", [orderUpdate(stored, next, dueAt)]);
      return outcome.kind === "written" ? next : AGAIN;
    }, () => new NyangError("contention", "The order is too busy right now; retry", { orderId }));
  }

  private async requireOrder(userId: string, orderId: string): Promise<StoredOrder> {
    const stored = await this.port.getOrder(userId, orderId);
    if (!stored) throw orderNotFound(orderId);
    return stored;
  }
}

/** An order's next state, conditioned on the revision it was read at. */
const orderUpdate = (stored: StoredOrder, after: Order, dueAt: string | null): OrderUpdateIntent => ({
  kind: "order_update",
  before: stored.value,
  after,
  stored: { fingerprint: stored.fingerprint, idempotencyKey: stored.idempotencyKey },
  dueAt,
});

/** An order as its creation left it: what a replay of the creating request answers. */
const asCreated = (o: Order): Order => ({ ...o, ...initialOrderState(o.createdAt) });
