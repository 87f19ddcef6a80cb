import type { NyangConfig } from "../config.ts";
import { priceOf } from "../config.ts";
import {
  accountNotFound,
  contention,
  idempotencyConflict,
  isNyangError,
  transactionNotFound,
  unknownService,
} from "../errors.ts";
import type { Minor } from "../money.ts";
import type { StoredEntry } from "../store/codec.ts";
import type { EntryQuery, LedgerStore } from "../store/ledger-store.ts";
import { entryIdFor, requestFingerprint } from "./idempotency.ts";
import {
  adjustmentRule,
  applyPosting,
  chargeRule,
  newAccount,
  refundRule,
  signupRule,
  spendRule,
  type RefundTally,
} from "./rules.ts";
import { noFacts, type Account, type LedgerEntry, type Posting, type PostingResult } from "./types.ts";

/** How a coin-moving call names itself for idempotency: the caller's key and its request. */
export interface Idempotency {
  key: string;
}

/** A posting decided from the account as read, plus the refund tally move it needs, if any. */
interface Decision {
  posting: Posting;
  refundTally?: { entryId: string; before: RefundTally | null; after: RefundTally };
}

/** Retry budget for version conflicts (ledger rule 5): enough for dozens of racing writers. */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

const defaultRetry: RetryPolicy = { attempts: 60, baseDelayMs: 4, maxDelayMs: 200 };

/**
 * The ledger's operations. Each coin-moving one reads the account, lets a pure rule decide
 * the posting, and writes it in one conditional transaction; a lost race re-reads and
 * decides again, a replayed key returns the stored result.
 */
export class Ledger {
  constructor(
    private readonly store: LedgerStore,
    private readonly config: NyangConfig,
    private readonly clock: () => Date = () => new Date(),
    private readonly retry: RetryPolicy = defaultRetry,
  ) {}

  /** Opens an account with the signup grant; opening it again returns it unchanged. */
  async openAccount(userId: string): Promise<{ account: Account; created: boolean }> {
    const existing = await this.store.getAccount(userId);
    if (existing) return { account: existing, created: false };
    const fresh = newAccount(userId, this.clock());
    const grant = this.config.defaultCoinAmount;
    let account = fresh;
    let signup = null;
    if (grant > 0) {
      const key = "signup";
      const applied = applyPosting(fresh, signupRule(grant), entryIdFor(userId, key, "system"), this.clock());
      account = applied.account;
      signup = { entry: applied.entry, fingerprint: requestFingerprint("signup", { amount: grant }), idempotencyKey: `system:${key}` };
    }
    if (await this.store.createAccount(account, signup)) return { account, created: true };
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
    const price = priceOf(this.config, req.serviceType);
    if (price === undefined) throw unknownService(req.serviceType);
    const amount = req.amount ?? price;
    const fingerprint = requestFingerprint("spend", { serviceType: req.serviceType, amount: req.amount ?? null, details: req.details ?? null });
    const facts = { ...noFacts, serviceType: req.serviceType, details: req.details ?? null };
    return this.post(userId, idem, fingerprint, async (a) => ({
      posting: spendRule(a, amount, this.config.spendOrder, facts),
    }));
  }

  /** Credits paid coins for a purchase or an auto-charge (admin), capped by MAX_COIN_AMOUNT. */
  charge(
    userId: string,
    req: { amount: Minor; type: "purchase" | "auto_charge"; paymentMethod: string; paymentReference?: string | undefined },
    idem: Idempotency,
  ): Promise<PostingResult> {
    const fingerprint = requestFingerprint("charge", { ...req, paymentReference: req.paymentReference ?? null });
    const facts = { ...noFacts, paymentMethod: req.paymentMethod, paymentReference: req.paymentReference ?? null };
    return this.post(userId, idem, fingerprint, async (a) => ({
      posting: chargeRule(a, req.amount, req.type, this.config.maxCoinAmount, facts),
    }));
  }

  /** A signed admin adjustment with its reason and the admin who made it. */
  adjust(
    userId: string,
    req: { amount: Minor; reason: string; adminUserId: string },
    idem: Idempotency,
  ): Promise<PostingResult> {
    const fingerprint = requestFingerprint("adjust", req);
    const facts = { ...noFacts, reason: req.reason, adminUserId: req.adminUserId };
    return this.post(userId, idem, fingerprint, async (a) => ({
      posting: adjustmentRule(a, req.amount, this.config.spendOrder, this.config.maxCoinAmount, facts),
    }));
  }

  /** Refunds (part of) a usage or hold-capture entry of the same account. */
  async refund(
    userId: string,
    req: { transactionId: string; amount?: Minor | undefined; reason: string },
    idem: Idempotency,
  ): Promise<PostingResult> {
    const fingerprint = requestFingerprint("refund", { ...req, amount: req.amount ?? null });
    return this.post(userId, idem, fingerprint, async () => {
      const original = await this.store.getEntry(userId, req.transactionId);
      if (!original) throw transactionNotFound(req.transactionId);
      const before = await this.store.getRefundTally(userId, req.transactionId);
      const facts = {
        ...noFacts,
        serviceType: original.entry.serviceType,
        reason: req.reason,
        relatedTransactionId: original.entry.id,
      };
      const { posting, tally } = refundRule(original.entry, before ?? { refundedPaid: 0, refundedBonus: 0 }, req.amount, facts);
      return { posting, refundTally: { entryId: original.entry.id, before, after: tally } };
    });
  }

  /** Freezes (or unfreezes) an account: spends and charges on it are refused meanwhile. */
  async setFrozen(userId: string, frozen: boolean): Promise<Account> {
    const account = await this.store.setStatus(userId, frozen ? "frozen" : "active", this.clock());
    if (!account) throw accountNotFound(userId);
    return account;
  }

  async getTransaction(userId: string, transactionId: string): Promise<LedgerEntry> {
    const stored = await this.store.getEntry(userId, transactionId);
    if (!stored) throw transactionNotFound(transactionId);
    return stored.entry;
  }

  async listTransactions(userId: string, q: EntryQuery) {
    await this.getAccount(userId);
    return this.store.listEntries(userId, q);
  }

  /**
   * The write loop every coin movement shares (ledger rules 1, 4 and 5): read, decide,
   * write conditionally; on a lost race back off with jitter and decide again.
   */
  private async post(
    userId: string,
    idem: Idempotency,
    fingerprint: string,
    decide: (account: Account) => Promise<Decision>,
  ): Promise<PostingResult> {
    const entryId = entryIdFor(userId, idem.key);
    for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
      const account = await this.store.getAccount(userId);
      if (!account) throw accountNotFound(userId);
      let decision: Decision;
      try {
        decision = await decide(account);
      } catch (e) {
        // A refused rule may be a replay of a request that succeeded before the state changed.
        if (isNyangError(e)) {
          const stored = await this.store.getEntry(userId, entryId);
          if (stored) return this.replay(stored, fingerprint, idem);
        }
        throw e;
      }
      const { account: after, entry } = applyPosting(account, decision.posting, entryId, this.clock());
      const outcome = await this.store.writePosting({
        before: account,
        after,
        entry,
        fingerprint,
        idempotencyKey: idem.key,
        requiresActive: decision.posting.requiresActive,
        ...(decision.refundTally ? { refundTally: decision.refundTally } : {}),
      });
      if (outcome.kind === "written") return { entry, account: after, replayed: false };
      if (outcome.kind === "entry_exists") {
        const stored = outcome.stored ?? (await this.store.getEntry(userId, entryId));
        if (stored) return this.replay(stored, fingerprint, idem);
      }
      await sleep(backoff(this.retry, attempt));
    }
    throw contention(userId);
  }

  private replay(stored: StoredEntry, fingerprint: string, idem: Idempotency): PostingResult {
    if (stored.fingerprint !== fingerprint) throw idempotencyConflict(idem.key);
    return { entry: stored.entry, account: stored.accountAfter, replayed: true };
  }
}

/** Full jitter: a random wait up to an exponentially growing cap. */
function backoff(p: RetryPolicy, attempt: number): number {
  return Math.random() * Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** attempt);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
