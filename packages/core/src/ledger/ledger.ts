import type { NyangConfig } from "../config.ts";
import { priceOf } from "../config.ts";
import {
  accountNotFound,
  contention,
  holdNotFound,
  idempotencyConflict,
  NyangError,
  transactionNotFound,
  unknownService,
} from "../errors.ts";
import type { WriteIntent } from "../intents.ts";
import type { Minor } from "../money.ts";
import { AGAIN, defaultRetry, untilSettled, type RetryPolicy } from "../retry.ts";
import { sweepDueQueue } from "../due-queue.ts";
import { consoleLog, type Log } from "../log.ts";
import { captureRule, expireRule, holdNotPending, holdStatusAt, releaseRule, reserveRule, type OverCapture } from "./holds.ts";
import { entryIdFor, holdIdFor, requestFingerprint } from "./idempotency.ts";
import type { AnyStoredRecord, EntryQuery, LedgerPort, QueuedRequest, RecordListQuery } from "./ledger-port.ts";
import {
  applyPosting,
  assertWithinLimit,
  amountOfUnits,
  newAccount,
  priceUnits,
  refundRule,
  signupRule,
} from "./rules.ts";
import { noFacts, type Account, type Hold, type HoldStatus, type LedgerEntry, type Posting, type PostingResult } from "./types.ts";
import { GroupCommit, postingOf } from "./group-commit.ts";
import { lotDueIntents, settleExpiredLots } from "./bonus-expiry.ts";
import { expiredLots, expiryAfterDays, isLive } from "./lots.ts";
import { WriteLoop, type PostingDecision } from "./write-loop.ts";

/** How a coin-moving call names itself for idempotency: the caller's key. */
export interface Idempotency {
  key: string;
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
  /** Holds whose expiry failed (logged); still due, so the next run comes back to them. */
  errors: number;
}

/** What one run of the bonus lot sweep did. */
export interface LotSweepReport {
  /** Due items read. */
  examined: number;
  /** bonus_expiry entries written. */
  expired: number;
  /** Due items whose lot was gone (spent, written off by a spend or an earlier item) or not due yet (moved by a merge). */
  alreadySettled: number;
  errors: number;
}

/**
 * The ledger's operations. Each one reads the account, lets a pure rule decide, and
 * writes the decision in one conditional transaction; a lost race re-reads and decides
 * again, and a replayed idempotency key returns the stored result.
 */
export class Ledger {
  /** The write loop this ledger's operations run in; the order book shares it (purchases/order-book.ts). */
  readonly writes: WriteLoop;

  constructor(
    private readonly store: LedgerPort,
    private readonly config: NyangConfig,
    private readonly clock: () => Date = () => new Date(),
    private readonly retry: RetryPolicy = defaultRetry,
    private readonly log: Log = consoleLog,
  ) {
    this.writes = new WriteLoop(store, clock, retry, new GroupCommit(store, config, clock));
  }

  /** Opens an account with the signup grant; opening it again returns it unchanged. */
  async openAccount(userId: string): Promise<{ account: Account; created: boolean }> {
    const existing = await this.store.getAccount(userId);
    if (existing) return { account: existing, created: false };
    const now = this.clock();
    const fresh = newAccount(userId, now);
    const grant = this.config.defaultCoinAmount;
    let account = fresh;
    const entries: WriteIntent[] = [];
    if (grant > 0) {
      const key = "signup";
      const applied = applyPosting(fresh, signupRule(grant, expiryAfterDays(now, this.config.signupBonusExpiryDays)), entryIdFor(userId, key, "system"), now);
      account = applied.account;
      entries.push({ kind: "entry", entry: applied.entry, fingerprint: requestFingerprint("signup", { amount: grant }), idempotencyKey: `system:${key}`, accountAfter: account });
      entries.push(...lotDueIntents(null, account));
    }
    const outcome = await this.store.commit("open_account", [{ kind: "account", before: null, after: account }, ...entries]);
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

  /**
   * Spends `quantity` units (default 1) of a service at its configured price, or `amount`
   * when the caller names one. The entry keeps the unit price and quantity it was charged at.
   */
  spend(
    userId: string,
    req: { serviceType: string; amount?: Minor | undefined; quantity?: number | undefined; details?: Record<string, unknown> | undefined },
    idem: Idempotency,
  ): Promise<PostingResult> {
    const priced = priceUnits(this.priceOf(req.serviceType), req);
    const fingerprint = requestFingerprint("spend", {
      serviceType: req.serviceType,
      amount: req.amount ?? null,
      details: req.details ?? null,
      quantity: fingerprintQuantity(req.quantity),
    });
    return this.postQueueable(userId, idem, fingerprint, {
      op: "spend", amount: priced.amount, quantity: priced.quantity, unitPrice: priced.unitPrice, serviceType: req.serviceType, details: req.details ?? null,
    });
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

  /**
   * Refunds (part of) a usage or hold-capture entry of the same account: `amount`, or
   * `quantity` units at the entry's stored unit price, or whatever is left.
   */
  refund(
    userId: string,
    req: { transactionId: string; amount?: Minor | undefined; quantity?: number | undefined; reason: string },
    idem: Idempotency,
  ): Promise<PostingResult> {
    const fingerprint = requestFingerprint("refund", { ...req, amount: req.amount ?? null });
    return this.post(userId, idem, fingerprint, async (a) => {
      const original = await this.store.getEntry(userId, req.transactionId);
      if (!original) throw transactionNotFound(req.transactionId);
      const before = await this.store.getRefundTally(userId, req.transactionId);
      const facts = { ...noFacts, serviceType: original.value.serviceType, reason: req.reason, relatedTransactionId: original.value.id };
      const amount = amountOfUnits(req, original.value.unitPrice);
      const { posting, tally } = refundRule(original.value, before ?? { refundedPaid: 0, refundedBonus: 0 }, amount, facts, a, this.config.maxCoinAmount);
      return { posting, guards: [{ kind: "refund_tally", userId, entryId: original.value.id, before, after: tally }] };
    });
  }

  /** Reserves `quantity` units of a service's price (or `amount`) until captured, released or `ttlSeconds` pass. */
  reserve(
    userId: string,
    req: {
      serviceType?: string | undefined;
      amount?: Minor | undefined;
      quantity?: number | undefined;
      details?: Record<string, unknown> | undefined;
      ttlSeconds: number;
    },
    idem: Idempotency,
  ): Promise<HoldResult> {
    const listPrice = req.serviceType === undefined ? undefined : this.priceOf(req.serviceType);
    if (listPrice === undefined && req.amount === undefined) {
      throw new NyangError("validation_failed", "A hold needs a serviceType or an amount", { fields: { serviceType: "or amount is required" } });
    }
    // Without a service the amount names the price (priceUnits never reads the 0).
    const priced = priceUnits(listPrice ?? 0, req);
    const fingerprint = requestFingerprint("hold", {
      ...req,
      serviceType: req.serviceType ?? null,
      amount: req.amount ?? null,
      details: req.details ?? null,
      quantity: fingerprintQuantity(req.quantity),
    });
    const holdId = holdIdFor(userId, idem.key);
    return this.writes.run<HoldResult>(userId, idem.key, async (a, now) => {
      const { account, hold } = reserveRule(
        a,
        { holdId, ...priced, ttlSeconds: req.ttlSeconds, serviceType: req.serviceType ?? null, details: req.details ?? null },
        now,
      );
      return {
        operation: "hold",
        intents: [
          { kind: "account", before: a, after: account },
          { kind: "hold", hold, fingerprint, idempotencyKey: idem.key, accountAfter: account },
        ],
        result: { hold, account, replayed: false },
      };
    }, async (stored) => {
      if (stored.kind !== "hold" || stored.fingerprint !== fingerprint) throw idempotencyConflict(idem.key);
      const current = await this.store.getHold(userId, holdId);
      return { hold: (current ?? stored).value, account: stored.accountAfter, replayed: true };
    });
  }

  /**
   * Captures (part of) a pending hold as a `hold_capture` entry: `amount`, or `quantity`
   * units at the hold's unit price, or all of it; the rest is freed. Above the hold only
   * with `overCapture: "from_available"` (holds.ts captureRule).
   */
  async capture(
    userId: string,
    holdId: string,
    req: { amount?: Minor | undefined; quantity?: number | undefined; overCapture?: OverCapture | undefined },
    idem: Idempotency,
  ): Promise<CaptureResult> {
    // `reject` is the default: naming it is the same request as leaving it out.
    const overCapture = req.overCapture ?? "reject";
    const fingerprint = requestFingerprint("capture", {
      holdId,
      amount: req.amount ?? null,
      quantity: req.quantity,
      overCapture: overCapture === "reject" ? undefined : overCapture,
    });
    const entryId = entryIdFor(userId, idem.key);
    const replay = async (stored: AnyStoredRecord): Promise<CaptureResult> => {
      if (stored.kind !== "entry" || stored.fingerprint !== fingerprint) throw idempotencyConflict(idem.key);
      const hold = await this.store.getHold(userId, holdId);
      if (!hold) throw holdNotFound(holdId);
      return { entry: stored.value, hold: hold.value, account: stored.accountAfter, replayed: true };
    };
    return this.writes.run<CaptureResult>(userId, idem.key, async (a, now) => {
      const stored = await this.heldUnderAnotherKey(userId, holdId, idem);
      const amount = amountOfUnits(req, stored.value.unitPrice);
      const { account: freed, posting } = captureRule(a, stored.value, amount, this.config.spendOrder, now, overCapture);
      const { account, entry } = applyPosting(freed, posting, entryId, now);
      const captured = -entry.amount;
      const hold: Hold = { ...stored.value, status: "captured", capturedAmount: captured, captureTransactionId: entry.id, settledAt: entry.createdAt };
      return {
        operation: "capture",
        intents: [
          { kind: "account", before: a, after: account },
          { kind: "entry", entry, fingerprint, idempotencyKey: idem.key, accountAfter: account },
          {
            kind: "hold_settlement", hold: stored.value, now, settlement: {
              status: "captured", capturedAmount: captured, captureTransactionId: entry.id, settledAt: entry.createdAt,
              settleKey: idem.key, settleFingerprint: fingerprint, accountAfter: account,
            },
          },
        ],
        result: { entry, hold, account, replayed: false },
      };
    }, replay);
  }

  /**
   * Releases a pending hold: its coins are available again and no entry is written. With a
   * key, the release also records the key (like any keyed call), so the key is refused for
   * any other request and a resent release replays from that record.
   */
  async release(userId: string, holdId: string, idem: Idempotency | null): Promise<HoldResult> {
    if (idem) return this.keyedRelease(userId, holdId, idem);
    // The account this call's last write would have left: a write answered with a 500 may have
    // landed, and a keyless release has no key to recognise it by on the retry.
    let sentAfter: Account | null = null;
    return untilSettled(this.retry, async () => {
      const [a, stored] = await Promise.all([this.getAccount(userId), this.store.getHold(userId, holdId)]);
      if (!stored) throw holdNotFound(holdId);
      const now = this.clock();
      const s = stored.settlement;
      if (stored.value.status === "released" && s && sentAfter && s.settleKey === null && sameWrite(s.accountAfter, sentAfter)) {
        // This call's own release landed: answer it rather than hold_not_pending.
        return { hold: stored.value, account: s.accountAfter, replayed: false };
      }
      const account = releaseRule(a, stored.value, now);
      sentAfter = account;
      const hold: Hold = { ...stored.value, status: "released", settledAt: account.updatedAt };
      const outcome = await this.store.commit("release", releaseIntents(a, stored.value, account, now, null));
      return outcome.kind === "written" ? { hold, account, replayed: false } : AGAIN;
    }, () => contention(userId));
  }

  private keyedRelease(userId: string, holdId: string, idem: Idempotency): Promise<HoldResult> {
    const fingerprint = requestFingerprint("release", { holdId });
    return this.writes.run<HoldResult>(userId, idem.key, async (a, now) => {
      const stored = await this.heldUnderAnotherKey(userId, holdId, idem);
      const account = releaseRule(a, stored.value, now);
      const hold: Hold = { ...stored.value, status: "released", settledAt: account.updatedAt };
      return {
        operation: "release",
        intents: [
          ...releaseIntents(a, stored.value, account, now, { key: idem.key, fingerprint }),
          { kind: "release_key", hold, fingerprint, idempotencyKey: idem.key, accountAfter: account },
        ],
        result: { hold, account, replayed: false },
      };
    }, async (stored) => {
      if (stored.kind !== "release" || stored.fingerprint !== fingerprint) throw idempotencyConflict(idem.key);
      return { hold: stored.value, account: stored.accountAfter, replayed: true };
    });
  }

  /**
   * The hold a capture or release acts on. The key that made the hold is that hold's request:
   * settling the hold with it is a reuse (and would write the hold's item twice in one transaction).
   */
  private async heldUnderAnotherKey(userId: string, holdId: string, idem: Idempotency) {
    const stored = await this.store.getHold(userId, holdId);
    if (!stored) throw holdNotFound(holdId);
    if (holdIdFor(userId, idem.key) === holdId) throw idempotencyConflict(idem.key);
    return stored;
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
    const now = this.clock();
    let expired = 0;
    let alreadySettled = 0;
    const { examined, errors } = await sweepDueQueue(
      this.store,
      { queue: "HOLDS", now, pageSize: opts.pageSize ?? 100, failure: "hold expiry failed", idField: "holdId", log: this.log },
      async ({ userId, id }) => {
        if ((await this.expireHold(userId, id, now)) === "expired") expired++;
        else alreadySettled++;
      },
    );
    return { examined, expired, alreadySettled, errors };
  }

  /**
   * Writes the `bonus_expiry` entry of every bonus lot past its expiry (docs/credits.md). The
   * lots already stopped counting at their expiry; this records it in the ledger. Safe to run
   * twice, concurrently, or racing a spend that writes the same expiry: each lot's entry is
   * keyed on the lot and the account write is conditioned on its revision, so it lands once.
   */
  async sweepExpiredLots(opts: { pageSize?: number } = {}): Promise<LotSweepReport> {
    const now = this.clock();
    let expired = 0;
    let alreadySettled = 0;
    const { examined, errors } = await sweepDueQueue(
      this.store,
      { queue: "LOTS", now, pageSize: opts.pageSize ?? 100, failure: "bonus lot expiry failed", idField: "lotId", log: this.log },
      async ({ userId, id }) => {
        const written = await this.expireLots(userId, id, now);
        if (written > 0) expired += written;
        else alreadySettled++;
      },
    );
    return { examined, expired, alreadySettled, errors };
  }

  /**
   * One due lot: every expired lot of its account is written off in one transaction, which also
   * takes them off the due queue. A lot that is gone (spent, written off by a spend, merged)
   * just leaves the queue; one a merge moved later goes back on it at its new expiry, and one a
   * merge made never-expiring leaves it.
   */
  private expireLots(userId: string, lotId: string, now: Date): Promise<number> {
    return untilSettled(this.retry, async () => {
      const a = await this.store.getAccount(userId);
      const lot = a?.lots.find((l) => l.id === lotId);
      if (!a || !lot) return (await this.store.commit("lot_due", [{ kind: "lot_due_done", userId, lotId }]), 0);
      if (isLive(lot, now)) {
        // A merge moved its expiry later (back on the queue then), or took it away (off the queue).
        await this.store.commit("lot_due", [lot.expiresAt === null ? { kind: "lot_due_done", userId, lotId } : { kind: "lot_due", userId, lotId, expiresAt: lot.expiresAt }]);
        return 0;
      }
      const { account, entries } = settleExpiredLots(a, now);
      const outcome = await this.store.commit("bonus_expiry", [
        { kind: "account", before: a, after: account },
        ...entries,
        ...expiredLots(a.lots, now).map((l) => ({ kind: "lot_due_done" as const, userId, lotId: l.id })),
      ]);
      return outcome.kind === "written" ? entries.length : AGAIN;
    }, () => contention(userId));
  }

  private expireHold(userId: string, holdId: string, now: Date): Promise<"expired" | "settled"> {
    return untilSettled(this.retry, async () => {
      const [a, stored] = await Promise.all([this.store.getAccount(userId), this.store.getHold(userId, holdId)]);
      if (!a || !stored) return "settled" as const;
      const account = expireRule(a, stored.value, now);
      if (!account) return "settled" as const;
      const outcome = await this.store.commit("expire_hold", [
        { kind: "account", before: a, after: account },
        {
          kind: "hold_settlement", hold: stored.value, now, settlement: {
            status: "expired", capturedAmount: null, captureTransactionId: null, settledAt: account.updatedAt,
            settleKey: null, settleFingerprint: null, accountAfter: account,
          },
        },
      ]);
      return outcome.kind === "written" ? ("expired" as const) : AGAIN;
    }, () => contention(userId));
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
    decide: (now: Date) => Promise<{ amount: Minor; facts: Posting["facts"]; guards: WriteIntent[] }>,
  ): Promise<PostingResult> {
    const key = { key: creditKey, source: "system" as const };
    const fingerprint = requestFingerprint("auto_charge", { creditKey });
    return this.writes.post(userId, key, fingerprint, async (a, now) => {
      const { amount, facts, guards } = await decide(now);
      assertWithinLimit(a, amount, this.config.maxCoinAmount);
      return { posting: { type: "auto_charge", paidDelta: amount, bonusDelta: 0, usedDelta: 0, purchasedDelta: amount, facts }, guards };
    });
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
    return this.writes.post(userId, idem, fingerprint, async (a, now) => ({ posting: postingOf(request, a, now, this.config) }), request);
  }

  /** A posting keyed by the caller's idempotency key. */
  private post(userId: string, idem: Idempotency, fingerprint: string, decide: PostingDecision): Promise<PostingResult> {
    return this.writes.post(userId, idem, fingerprint, decide);
  }
}

/** A release's two writes: the account as the release left it and the hold settled as released. */
function releaseIntents(before: Account, hold: Hold, after: Account, now: Date, idem: { key: string; fingerprint: string } | null): WriteIntent[] {
  return [
    { kind: "account", before, after },
    {
      kind: "hold_settlement", hold, now, settlement: {
        status: "released", capturedAmount: null, captureTransactionId: null, settledAt: after.updatedAt,
        settleKey: idem?.key ?? null, settleFingerprint: idem?.fingerprint ?? null, accountAfter: after,
      },
    },
  ];
}

/**
 * A request's quantity as its fingerprint sees it: 1 is the default, so naming it changes
 * nothing, and a request written before quantities existed keeps its fingerprint.
 */
const fingerprintQuantity = (quantity: number | undefined) => (quantity === undefined || quantity === 1 ? undefined : quantity);

/**
 * Whether a settled hold's recorded account is the one a write decided: the same revision of
 * the same account, so the write was decided on the same state (a concurrent keyless release
 * of the same hold on that state would have written the same).
 */
const sameWrite = (recorded: Account, decided: Account) => recorded.revision === decided.revision && recorded.updatedAt === decided.updatedAt;

export { holdNotPending, holdStatusAt };
