import type { CoinPackage, NyangConfig } from "../config.ts";
import { priceOf } from "../config.ts";
import {
  accountNotFound,
  contention,
  holdNotFound,
  idempotencyConflict,
  isNyangError,
  NyangError,
  transactionNotFound,
  unknownService,
} from "../errors.ts";
import type { Minor } from "../money.ts";
import type { AnyStoredRecord } from "../store/codec.ts";
import { AGAIN, defaultRetry, untilSettled, type RetryPolicy } from "../retry.ts";
import { DUE_SHARDS } from "../store/keys.ts";
import type { EntryQuery, LedgerStore, RecordListQuery } from "../store/ledger-store.ts";
import { accountWrite, entryPut, holdPut, holdSettle, orderPut, orderWrite, refundTallyPut, type PlannedItem } from "../store/requests.ts";
import { GroupCommit, isBusy, postingOf, type QueueOutcome, type QueuedRequest } from "./group-commit.ts";
import { captureRule, expireRule, holdNotPending, holdStatusAt, releaseRule, reserveRule } from "./holds.ts";
import { entryIdFor, holdIdFor, orderIdFor, requestFingerprint, type KeySource } from "./idempotency.ts";
import { assertCancellable, initialOrderState, nextOrder, orderNotFound, orderNotPending, orderRule, type Order } from "../purchases/order.ts";
import {
  applyPosting,
  assertWithinLimit,
  available,
  newAccount,
  refundRule,
  signupRule,
} from "./rules.ts";
import { noFacts, type Account, type Hold, type HoldStatus, type LedgerEntry, type Posting, type PostingResult } from "./types.ts";

/** How a coin-moving call names itself for idempotency: the caller's key. */
export interface Idempotency {
  key: string;
}

/** A decision: the items to write and what to answer once they are written. */
interface Plan<R> {
  operation: string;
  items: PlannedItem[];
  result: R;
}

export interface HoldResult {
  hold: Hold;
  account: Account;
  replayed: boolean;
}

export interface CaptureResult extends PostingResult {
  hold: Hold;
}

/** What one run of the expiry sweep did. */
export interface SweepReport {
  examined: number;
  expired: number;
  /** Holds another writer settled first (captured or released just before expiry). */
  alreadySettled: number;
}

/**
 * The ledger's operations. Each one reads the account, lets a pure rule decide, and
 * writes the decision in one conditional transaction; a lost race re-reads and decides
 * again, and a replayed idempotency key returns the stored result.
 */
export class Ledger {
  constructor(
    private readonly store: LedgerStore,
    private readonly config: NyangConfig,
    private readonly clock: () => Date = () => new Date(),
    private readonly retry: RetryPolicy = defaultRetry,
  ) {
    this.groupCommit = new GroupCommit(store, config, clock);
  }

  private readonly groupCommit: GroupCommit;

  /** Opens an account with the signup grant; opening it again returns it unchanged. */
  async openAccount(userId: string): Promise<{ account: Account; created: boolean }> {
    const existing = await this.store.getAccount(userId);
    if (existing) return { account: existing, created: false };
    const now = this.clock();
    const fresh = newAccount(userId, now);
    const grant = this.config.defaultCoinAmount;
    let account = fresh;
    const items: PlannedItem[] = [];
    if (grant > 0) {
      const key = "signup";
      const applied = applyPosting(fresh, signupRule(grant), entryIdFor(userId, key, "system"), now);
      account = applied.account;
      items.push(entryPut(this.store.tableName, applied.entry, requestFingerprint("signup", { amount: grant }), `system:${key}`, account));
    }
    items.unshift(accountWrite(this.store.tableName, null, account));
    const outcome = await this.store.transact("open_account", items);
    if (outcome.kind === "written") return { account, created: true };
    const raced = await this.store.getAccount(userId);
    if (!raced) throw new Error(`account ${userId} neither created nor found`);
    return { account: raced, created: false };
  }

  async getAccount(userId: string): Promise<Account> {
    const account = await this.store.getAccount(userId);
    if (!account) throw accountNotFound(userId);
    return account;
  }

  /** Spends a service's configured price, or `amount` when the caller names one. */
  spend(
    userId: string,
    req: { serviceType: string; amount?: Minor | undefined; details?: Record<string, unknown> | undefined },
    idem: Idempotency,
  ): Promise<PostingResult> {
    const price = this.priceOf(req.serviceType);
    const amount = req.amount ?? price;
    const fingerprint = requestFingerprint("spend", { serviceType: req.serviceType, amount: req.amount ?? null, details: req.details ?? null });
    return this.postQueueable(userId, idem, fingerprint, { op: "spend", amount, serviceType: req.serviceType, details: req.details ?? null });
  }

  /** Credits paid coins for a purchase or an auto-charge (admin), capped by MAX_COIN_AMOUNT. */
  charge(
    userId: string,
    req: { amount: Minor; type: "purchase" | "auto_charge"; paymentMethod: string; paymentReference?: string | undefined },
    idem: Idempotency,
  ): Promise<PostingResult> {
    const fingerprint = requestFingerprint("charge", { ...req, paymentReference: req.paymentReference ?? null });
    return this.postQueueable(userId, idem, fingerprint, {
      op: "charge", amount: req.amount, type: req.type, paymentMethod: req.paymentMethod, paymentReference: req.paymentReference ?? null,
    });
  }

  /** A signed admin adjustment with its reason and the admin who made it. */
  adjust(userId: string, req: { amount: Minor; reason: string; adminUserId: string }, idem: Idempotency): Promise<PostingResult> {
    const fingerprint = requestFingerprint("adjust", req);
    return this.postQueueable(userId, idem, fingerprint, { op: "adjust", amount: req.amount, reason: req.reason, adminUserId: req.adminUserId });
  }

  /** Refunds (part of) a usage or hold-capture entry of the same account. */
  refund(userId: string, req: { transactionId: string; amount?: Minor | undefined; reason: string }, idem: Idempotency): Promise<PostingResult> {
    const fingerprint = requestFingerprint("refund", { ...req, amount: req.amount ?? null });
    return this.post(userId, idem, fingerprint, async (a) => {
      const original = await this.store.getEntry(userId, req.transactionId);
      if (!original) throw transactionNotFound(req.transactionId);
      const before = await this.store.getRefundTally(userId, req.transactionId);
      const facts = { ...noFacts, serviceType: original.value.serviceType, reason: req.reason, relatedTransactionId: original.value.id };
      const { posting, tally } = refundRule(original.value, before ?? { refundedPaid: 0, refundedBonus: 0 }, req.amount, facts, a, this.config.maxCoinAmount);
      return { posting, guards: [refundTallyPut(this.store.tableName, userId, original.value.id, before, tally)] };
    });
  }

  /** Reserves a service's price (or `amount`) until captured, released or `ttlSeconds` pass. */
  reserve(
    userId: string,
    req: { serviceType?: string | undefined; amount?: Minor | undefined; details?: Record<string, unknown> | undefined; ttlSeconds: number },
    idem: Idempotency,
  ): Promise<HoldResult> {
    const price = req.serviceType === undefined ? undefined : this.priceOf(req.serviceType);
    const amount = req.amount ?? price;
    if (amount === undefined) throw new NyangError("validation_failed", "A hold needs a serviceType or an amount", { fields: { serviceType: "or amount is required" } });
    const fingerprint = requestFingerprint("hold", { ...req, serviceType: req.serviceType ?? null, amount: req.amount ?? null, details: req.details ?? null });
    const holdId = holdIdFor(userId, idem.key);
    return this.run<HoldResult>(userId, idem.key, async (a, now) => {
      const { account, hold } = reserveRule(
        a,
        { holdId, amount, ttlSeconds: req.ttlSeconds, serviceType: req.serviceType ?? null, details: req.details ?? null },
        now,
      );
      return {
        operation: "hold",
        items: [accountWrite(this.store.tableName, a, account), holdPut(this.store.tableName, hold, fingerprint, idem.key, account)],
        result: { hold, account, replayed: false },
      };
    }, async (stored) => {
      if (stored.kind !== "hold" || stored.fingerprint !== fingerprint) throw idempotencyConflict(idem.key);
      const current = await this.store.getHold(userId, holdId);
      return { hold: (current ?? stored).value, account: stored.accountAfter, replayed: true };
    });
  }

  /** Captures (part of) a pending hold as a `hold_capture` entry; the rest is freed. */
  async capture(userId: string, holdId: string, req: { amount?: Minor | undefined }, idem: Idempotency): Promise<CaptureResult> {
    const fingerprint = requestFingerprint("capture", { holdId, amount: req.amount ?? null });
    const entryId = entryIdFor(userId, idem.key);
    const replay = async (stored: AnyStoredRecord): Promise<CaptureResult> => {
      if (stored.kind !== "entry" || stored.fingerprint !== fingerprint) throw idempotencyConflict(idem.key);
      const hold = await this.store.getHold(userId, holdId);
      if (!hold) throw holdNotFound(holdId);
      return { entry: stored.value, hold: hold.value, account: stored.accountAfter, replayed: true };
    };
    return this.run<CaptureResult>(userId, idem.key, async (a, now) => {
      const stored = await this.store.getHold(userId, holdId);
      if (!stored) throw holdNotFound(holdId);
      const { account: freed, posting } = captureRule(a, stored.value, req.amount, this.config.spendOrder, now);
      const { account, entry } = applyPosting(freed, posting, entryId, now);
      const captured = -entry.amount;
      const hold: Hold = { ...stored.value, status: "captured", capturedAmount: captured, captureTransactionId: entry.id, settledAt: entry.createdAt };
      return {
        operation: "capture",
        items: [
          accountWrite(this.store.tableName, a, account),
          entryPut(this.store.tableName, entry, fingerprint, idem.key, account),
          holdSettle(this.store.tableName, stored.value, {
            status: "captured", capturedAmount: captured, captureTransactionId: entry.id, settledAt: entry.createdAt,
            settleKey: idem.key, settleFingerprint: fingerprint, accountAfter: account,
          }, now),
        ],
        result: { entry, hold, account, replayed: false },
      };
    }, replay);
  }

  /** Releases a pending hold: its coins are available again and no entry is written. */
  async release(userId: string, holdId: string, idem: Idempotency | null): Promise<HoldResult> {
    const fingerprint = requestFingerprint("release", { holdId });
    return untilSettled(this.retry, async () => {
      const [a, stored] = await Promise.all([this.getAccount(userId), this.store.getHold(userId, holdId)]);
      if (!stored) throw holdNotFound(holdId);
      const now = this.clock();
      const s = stored.settlement;
      if (stored.value.status === "released" && s && idem && s.settleKey === idem.key) {
        if (s.settleFingerprint !== fingerprint) throw idempotencyConflict(idem.key);
        return { hold: stored.value, account: s.accountAfter, replayed: true };
      }
      const account = releaseRule(a, stored.value, now);
      const hold: Hold = { ...stored.value, status: "released", settledAt: account.updatedAt };
      const outcome = await this.store.transact("release", [
        accountWrite(this.store.tableName, a, account),
        holdSettle(this.store.tableName, stored.value, {
          status: "released", capturedAmount: null, captureTransactionId: null, settledAt: account.updatedAt,
          settleKey: idem?.key ?? null, settleFingerprint: idem ? fingerprint : null, accountAfter: account,
        }, now),
      ]);
      return outcome.kind === "written" ? { hold, account, replayed: false } : AGAIN;
    }, () => contention(userId));
  }

  async getHold(userId: string, holdId: string): Promise<Hold> {
    const stored = await this.store.getHold(userId, holdId);
    if (!stored) throw holdNotFound(holdId);
    return stored.value;
  }

  /**
   * Releases every pending hold past its expiry and marks it expired. Safe to run twice
   * or concurrently: each hold settles once, whoever gets there first.
   */
  async sweepExpiredHolds(opts: { pageSize?: number } = {}): Promise<SweepReport> {
    const report: SweepReport = { examined: 0, expired: 0, alreadySettled: 0 };
    const now = this.clock();
    for (let shard = 0; shard < DUE_SHARDS; shard++) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.store.due("HOLDS", shard, now, opts.pageSize ?? 100, startKey);
        for (const { userId, id: holdId } of page.items) {
          report.examined++;
          const outcome = await this.expireHold(userId, holdId, now);
          if (outcome === "expired") report.expired++;
          else report.alreadySettled++;
        }
        startKey = page.nextKey;
      } while (startKey);
    }
    return report;
  }

  private expireHold(userId: string, holdId: string, now: Date): Promise<"expired" | "settled"> {
    return untilSettled(this.retry, async () => {
      const [a, stored] = await Promise.all([this.store.getAccount(userId), this.store.getHold(userId, holdId)]);
      if (!a || !stored) return "settled" as const;
      const account = expireRule(a, stored.value, now);
      if (!account) return "settled" as const;
      const outcome = await this.store.transact("expire_hold", [
        accountWrite(this.store.tableName, a, account),
        holdSettle(this.store.tableName, stored.value, {
          status: "expired", capturedAmount: null, captureTransactionId: null, settledAt: account.updatedAt,
          settleKey: null, settleFingerprint: null, accountAfter: account,
        }, now),
      ]);
      return outcome.kind === "written" ? ("expired" as const) : AGAIN;
    }, () => contention(userId));
  }

  /** Opens a pending payment order for a package; the same key returns the same order. */
  createOrder(
    userId: string,
    pkg: CoinPackage,
    limits: { minPurchaseKrw: number; maxBalance: Minor },
    idem: Idempotency,
  ): Promise<{ order: Order; replayed: boolean }> {
    const fingerprint = requestFingerprint("order", { packageId: pkg.id });
    const orderId = orderIdFor(userId, idem.key);
    return this.run<{ order: Order; replayed: boolean }>(userId, idem.key, async (a, now) => {
      const order = orderRule(a, pkg, orderId, limits, now);
      return { operation: "order", items: [orderPut(this.store.tableName, order, fingerprint, idem.key)], result: { order, replayed: false } };
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
    return this.post(userId, key, fingerprint, async (a, now) => {
      const stored = await this.requireOrder(userId, orderId);
      const o = stored.value;
      if (o.status !== "pending") throw orderNotPending(o);
      assertWithinLimit(a, o.coins + o.bonusCoins, this.config.maxCoinAmount);
      const entryId = entryIdFor(userId, key.key, "system");
      const paid = nextOrder(o, { status: "paid", paymentKey: payment.paymentKey, paymentMethod: payment.method, transactionId: entryId, paidAt: now.toISOString(), failureCode: null, failureMessage: null }, now);
      return {
        posting: {
          type: "purchase",
          paidDelta: o.coins,
          bonusDelta: o.bonusCoins,
          usedDelta: 0,
          purchasedDelta: o.coins + o.bonusCoins,
          facts: { ...noFacts, paymentMethod: payment.method ?? "card", paymentReference: payment.paymentKey, details: { orderId, packageId: o.packageId, amountKrw: o.amountKrw } },
        },
        guards: [orderWrite(this.store.tableName, o, paid, stored, null)],
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
    return this.post(userId, key, fingerprint, async (a, now) => {
      const stored = await this.requireOrder(userId, orderId);
      const o = stored.value;
      if (o.cancelAttempts + 1 !== req.attempt) throw orderNotPending(o);
      assertCancellable(o, a, available(a, now), req.windowDays, now);
      const entryId = entryIdFor(userId, key.key, "system");
      const next = nextOrder(o, { status: "cancel_pending", cancelAttempts: req.attempt, cancelTransactionId: entryId, cancelReason: req.reason }, now);
      return {
        posting: {
          type: "refund",
          paidDelta: -o.coins,
          bonusDelta: -o.bonusCoins,
          usedDelta: 0,
          purchasedDelta: -(o.coins + o.bonusCoins),
          facts: { ...noFacts, reason: req.reason, adminUserId: req.adminUserId, relatedTransactionId: o.transactionId, paymentReference: o.paymentKey, details: { orderId, amountKrw: o.amountKrw } },
        },
        guards: [orderWrite(this.store.tableName, o, next, stored, new Date(now.getTime() + req.settleAfterMs).toISOString())],
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
    return this.post(userId, key, fingerprint, async (_a, now) => {
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
          facts: { ...noFacts, reason: `payment gateway refused the cancellation: ${why.code}`, relatedTransactionId: o.cancelTransactionId, details: { orderId, amountKrw: o.amountKrw } },
        },
        guards: [orderWrite(this.store.tableName, o, next, stored, null)],
      };
    });
  }

  /**
   * Credits a paid auto-charge: `amount` paid coins in one `auto_charge` entry keyed on the
   * threshold crossing it pays for (`creditKey`), written in the same transaction as the
   * caller's guard items (its charge record marked paid). However often it is called, by
   * whom or concurrently, the coins land once. Like a purchase credit it is refused
   * (balance_limit_exceeded) when the coins would lift the balance above MAX_COIN_AMOUNT as
   * the account stands at this write — the caller then refunds the payment; unlike it, not by
   * a frozen account (the money was taken, so the coins must land).
   */
  creditAutoCharge(
    userId: string,
    creditKey: string,
    decide: (now: Date) => Promise<{ amount: Minor; facts: Posting["facts"]; guards: PlannedItem[] }>,
  ): Promise<PostingResult> {
    const key = { key: creditKey, source: "system" as const };
    const fingerprint = requestFingerprint("auto_charge", { creditKey });
    return this.post(userId, key, fingerprint, async (a, now) => {
      const { amount, facts, guards } = await decide(now);
      assertWithinLimit(a, amount, this.config.maxCoinAmount);
      return { posting: { type: "auto_charge", paidDelta: amount, bonusDelta: 0, usedDelta: 0, purchasedDelta: amount, facts }, guards };
    });
  }

  private async requireOrder(userId: string, orderId: string) {
    const stored = await this.store.getOrder(userId, orderId);
    if (!stored) throw orderNotFound(orderId);
    return stored;
  }

  /** Freezes (or unfreezes) an account: spends, holds and charges on it are refused meanwhile. */
  async setFrozen(userId: string, frozen: boolean): Promise<Account> {
    const account = await this.store.setStatus(userId, frozen ? "frozen" : "active", this.clock());
    if (!account) throw accountNotFound(userId);
    return account;
  }

  async getTransaction(userId: string, transactionId: string): Promise<LedgerEntry> {
    const stored = await this.store.getEntry(userId, transactionId);
    if (!stored) throw transactionNotFound(transactionId);
    return stored.value;
  }

  async listTransactions(userId: string, q: EntryQuery) {
    await this.getAccount(userId);
    return this.store.listEntries(userId, q);
  }

  /**
   * The account's holds, newest first; a pending hold past its expiry as of `at` lists (and
   * filters) as expired. The caller presents the holds as of the same `at`.
   */
  async listHolds(userId: string, q: RecordListQuery<HoldStatus>, at: Date = this.clock()) {
    await this.getAccount(userId);
    return this.store.listHolds(userId, q, at);
  }

  /** The current time as the ledger sees it (responses present holds as of it). */
  now(): Date {
    return this.clock();
  }

  private priceOf(serviceType: string): Minor {
    const price = priceOf(this.config, serviceType);
    if (price === undefined) throw unknownService(serviceType);
    return price;
  }

  /** A posting decided on the account alone: on a busy account it may be group-committed (group-commit.ts). */
  private postQueueable(userId: string, idem: Idempotency, fingerprint: string, request: QueuedRequest): Promise<PostingResult> {
    return this.post(userId, idem, fingerprint, async (a, now) => ({ posting: postingOf(request, a, now, this.config) }), request);
  }

  /** A posting: one ledger entry (plus any guard items), keyed by the caller's idempotency key. */
  private post(
    userId: string,
    idem: Idempotency | { key: string; source: KeySource },
    fingerprint: string,
    decide: (account: Account, now: Date) => Promise<{ posting: Posting; guards?: PlannedItem[] }>,
    queueable?: QueuedRequest,
  ): Promise<PostingResult> {
    const source = "source" in idem ? idem.source : "caller";
    const entryId = entryIdFor(userId, idem.key, source);
    const storedKey = source === "caller" ? idem.key : `system:${idem.key}`;
    const queue = queueable && {
      submit: (deadline: number) =>
        this.groupCommit.submit(userId, { request: queueable, entryId, fingerprint, idempotencyKey: storedKey, recordKey: { key: idem.key, source } }, deadline),
      answer: (stored: AnyStoredRecord): PostingResult => {
        if (stored.kind !== "entry") throw new Error(`a queued posting made a ${stored.kind}`);
        return { entry: stored.value, account: stored.accountAfter, replayed: false };
      },
    };
    return this.run<PostingResult>(userId, { key: idem.key, source }, async (a, now) => {
      const { posting, guards = [] } = await decide(a, now);
      const { account, entry } = applyPosting(a, posting, entryId, now);
      return {
        operation: posting.type,
        items: [
          accountWrite(this.store.tableName, a, account),
          entryPut(this.store.tableName, entry, fingerprint, storedKey, account),
          ...guards,
        ],
        result: { entry, account, replayed: false },
      };
    }, async (stored) => {
      if (stored.kind !== "entry" || stored.fingerprint !== fingerprint) throw idempotencyConflict(idem.key);
      return { entry: stored.value, account: stored.accountAfter, replayed: true };
    }, queue);
  }

  /**
   * The write loop every keyed operation shares (ledger rules 1, 4 and 5): read, decide,
   * write conditionally; on a lost race back off with jitter and decide again. A refused
   * rule may be a replay of a request that succeeded before the state changed, so the
   * key's record is looked up before the refusal is reported. A `queue`able posting that
   * loses the race, or finds the account marked busy, is group-committed instead
   * (group-commit.ts); the quiet path is the same read and transaction either way.
   */
  private async run<R>(
    userId: string,
    record: RecordRef,
    decide: (account: Account, now: Date) => Promise<Plan<R>>,
    replay: (stored: AnyStoredRecord) => Promise<R>,
    queue?: { submit: (deadline: number) => Promise<QueueOutcome>; answer: (stored: AnyStoredRecord) => R },
  ): Promise<R> {
    const { key: idempotencyKey, source } = typeof record === "string" ? { key: record, source: "caller" as const } : record;
    const deadline = Date.now() + (this.retry.budgetMs ?? 15_000);
    // A lost race on the account hands back its current state: the next attempt decides on it without a read.
    let known: Account | undefined;
    return untilSettled(this.retry, async () => {
      const state = known ? { account: known, busyUntil: null } : await this.store.getAccountState(userId);
      known = undefined;
      if (!state) throw accountNotFound(userId);
      let plan: Plan<R>;
      try {
        plan = await decide(state.account, this.clock());
      } catch (e) {
        if (isNyangError(e)) {
          const stored = await this.store.getRecordByKey(userId, idempotencyKey, source);
          if (stored) return replay(stored);
        }
        throw e;
      }
      const queued = async (): Promise<R | typeof AGAIN> => {
        const out = await queue!.submit(deadline);
        if (out.kind === "timeout") throw contention(userId);
        if (out.kind === "dropped") return AGAIN;
        return out.mine ? queue!.answer(out.stored) : replay(out.stored);
      };
      if (queue && isBusy(state.busyUntil, this.clock())) return queued();
      const outcome = await this.store.transact(plan.operation, plan.items);
      if (outcome.kind === "written") return plan.result;
      if (outcome.kind === "record_exists") {
        const stored = outcome.stored ?? (await this.store.getRecordByKey(userId, idempotencyKey, source));
        if (stored) return replay(stored);
      }
      // A transient failure may hide a write that landed: deciding again meets it, queueing would not.
      if (queue && !(outcome.kind === "conflict" && outcome.transient)) return queued();
      if (outcome.kind === "conflict") known = outcome.account;
      return AGAIN;
    }, () => contention(userId));
  }
}

/** An order as its creation left it: what a replay of the creating request answers. */
const asCreated = (o: Order): Order => ({ ...o, ...initialOrderState(o.createdAt) });

/** The key a record is made under: a caller's Idempotency-Key, or one Nyang makes itself. */
type RecordRef = string | { key: string; source: KeySource };

export { holdNotPending, holdStatusAt };
