import type { NyangConfig } from "../config.ts";
import { isNyangError } from "../errors.ts";
import type { WriteIntent } from "../intents.ts";
import type { AnyStoredRecord, GroupCommitPort, PendingRequest, QueuedRequest } from "./ledger-port.ts";
import { adjustmentRule, applyPosting, chargeRule, spendRule } from "./rules.ts";
import { noFacts, type Account, type Posting } from "./types.ts";

/**
 * Group commit for a busy account (docs/hot-accounts.md). DynamoDB lets one transaction at a
 * time write an account item, so a busy account's throughput is the number of decisions each
 * transaction carries. A request that loses the race on the account, or finds it marked busy,
 * leaves itself as a pending item of the account (keyed by its time and entry id, sorted right
 * after the account item: store/keys.ts) and waits. One waiter at a time claims the account (a short lease on
 * the account item, `busyUntil`, which is also the busy mark newcomers read) and commits: it reads
 * the account and the oldest pending requests in one query, decides each of them in order on
 * the running state (the same pure rules as the quiet path), and writes the account, every
 * entry and the deletion of every pending item it took in one `TransactWriteItems`; then it
 * drains a few more batches before it answers. Each waiter answers once its own entry exists.
 *
 * Nothing here is shared memory: the queue and the busy mark are items, so it holds across
 * any number of Lambda instances. What keeps the ledger rules:
 * - one transaction conditioned on the account's revision changes the balance (rule 1), and
 *   applyPosting chains every entry of a batch from the one before (rule 2);
 * - an entry is still put on `attribute_not_exists` under the caller's key (rule 4): a request
 *   queued twice, or queued while its quiet attempt landed, is written once, the other copy's
 *   pending item is dropped and its waiter answers from the stored entry;
 * - each pending item is deleted on `attribute_exists` in the transaction that applies it, so
 *   a waiter that gives up (withdraws its item) and a committer that applies it cannot both win.
 * A committer that crashes leaves its batch pending and its claim runs out after
 * {@link GroupCommitPolicy.leaseMs}: the next waiter claims the account and applies the batch;
 * an item older than its `expiresAt` (nobody waits for it any more) is deleted unapplied.
 */

/** The posting a queued request makes on the account as it stands (a rule may refuse it). */
export function postingOf(req: QueuedRequest, a: Account, now: Date, config: NyangConfig): Posting {
  switch (req.op) {
    case "spend":
      return spendRule(a, req.amount, config.spendOrder, {
        ...noFacts, serviceType: req.serviceType, details: req.details, quantity: req.quantity ?? 1, unitPrice: req.unitPrice ?? req.amount,
      }, now);
    case "charge":
      return chargeRule(a, req.amount, req.type, config.maxCoinAmount, { ...noFacts, paymentMethod: req.paymentMethod, paymentReference: req.paymentReference });
    case "adjust":
      return adjustmentRule(a, req.amount, config.spendOrder, config.maxCoinAmount, { ...noFacts, reason: req.reason, adminUserId: req.adminUserId }, now);
  }
}

export interface GroupCommitPolicy {
  /**
   * How long a committer's claim on the account lasts (renewed by each batch it writes). It
   * is also the busy mark: a newcomer reading it queues at once instead of racing the
   * committer, and a committer that crashed is replaced once it runs out.
   */
  leaseMs: number;
  /** Pending requests one transaction takes: the account + 2 items each ≤ 100 items. */
  batchSize: number;
  /** Batches a committer drains before it answers its own caller. */
  maxBatches: number;
  /** Polls of a waiter: from this wait, growing to the cap. */
  pollMs: number;
  pollCapMs: number;
  /** How long a pending item may wait unapplied beyond its waiter's deadline. */
  expiryGraceMs: number;
}

export const defaultGroupCommit: GroupCommitPolicy = {
  leaseMs: 3_000,
  batchSize: 49,
  maxBatches: 8,
  // Waiters poll gently: 32 waiters polling fast load the database until every call slows down (issue 12).
  pollMs: 20,
  pollCapMs: 400,
  expiryGraceMs: 2_000,
};

/** What became of a queued request. */
export type QueueOutcome =
  /** Its entry exists; `mine` when this very queued request made it (not an earlier one with the same key). */
  | { kind: "committed"; stored: AnyStoredRecord; mine: boolean }
  /** A committer found it refused by a rule on the state it reached (or expired): decide again. */
  | { kind: "dropped" }
  /** Past the deadline, withdrawn before anyone applied it. */
  | { kind: "timeout" };

/** Whether an account carries a live busy mark. */
export const isBusy = (busyUntil: string | null, now: Date) => busyUntil !== null && busyUntil > now.toISOString();

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class GroupCommit {
  constructor(
    private readonly store: GroupCommitPort,
    private readonly config: NyangConfig,
    private readonly clock: () => Date,
    private readonly policy: GroupCommitPolicy = defaultGroupCommit,
  ) {}

  /** Queues a request and waits until it is written, dropped, or `deadline` (epoch ms) passes. */
  async submit(
    userId: string,
    req: { request: QueuedRequest; entryId: string; fingerprint: string; idempotencyKey: string; recordKey: { key: string; source: "caller" | "system" } },
    deadline: number,
  ): Promise<QueueOutcome> {
    const now = this.clock();
    const enqueuedAt = now.toISOString();
    const pending: PendingRequest = {
      queueKey: `${enqueuedAt}#${req.entryId}`,
      entryId: req.entryId,
      idempotencyKey: req.idempotencyKey,
      fingerprint: req.fingerprint,
      request: req.request,
      enqueuedAt,
      expiresAt: new Date(deadline + this.policy.expiryGraceMs).toISOString(),
    };
    await this.store.enqueue(userId, pending);
    const outcome = async (): Promise<QueueOutcome> => {
      const found = await this.store.queuedRecord(userId, req.recordKey.key, req.recordKey.source, pending.queueKey);
      return found ? { kind: "committed", ...found } : { kind: "dropped" };
    };
    const token = `${pending.entryId}@${enqueuedAt}`;
    for (let poll = 0; ; poll++) {
      const view = await this.store.queueView(userId, pending.queueKey, 1);
      if (!view || !view.pending[0]) return outcome();
      if (Date.now() >= deadline) {
        if (await this.store.withdraw(userId, pending.queueKey)) return { kind: "timeout" };
        return outcome();
      }
      const t = this.clock();
      // No committer holds the account: whoever claims it first commits (one at a time, so committers never cancel each other).
      if (!isBusy(view.busyUntil, t) && (await this.store.claimCommit(userId, token, this.leaseEnd(t), t))) {
        try {
          await this.drain(userId, deadline);
        } finally {
          await this.store.releaseCommit(userId, token, this.clock());
        }
        continue;
      }
      await sleep(Math.min(this.policy.pollCapMs, this.policy.pollMs * 1.5 ** poll) * (0.5 + Math.random()));
    }
  }

  private leaseEnd(now: Date): string {
    return new Date(now.getTime() + this.policy.leaseMs).toISOString();
  }

  /**
   * Commits the account's queue, oldest first, a batch per transaction, until it is empty or
   * enough batches went by. Each batch's account write extends the claim.
   */
  private async drain(userId: string, deadline: number): Promise<void> {
    // Entry ids whose entry exists already (a duplicate, or a quiet write that landed): dropped, not applied.
    const written = new Set<string>();
    for (let batch = 0; batch < this.policy.maxBatches && Date.now() < deadline; batch++) {
      const view = await this.store.queueView(userId, null, this.policy.batchSize);
      if (!view || view.pending.length === 0) return;
      const now = this.clock();
      const plan = this.planBatch(view.account, view.pending, now, written);
      const outcome = await this.store.commitBatch(plan.intents);
      if (outcome.kind === "written") continue;
      for (const i of outcome.failed) {
        const entryId = plan.entryAt.get(i);
        if (entryId) written.add(entryId);
      }
      // Another writer moved the account (or DynamoDB failed in passing): let it finish before reading again.
      await sleep(Math.random() * this.policy.pollCapMs);
    }
  }

  /** The batch's transaction: every pending request decided in order on the running account. */
  private planBatch(before: Account, pending: PendingRequest[], now: Date, written: ReadonlySet<string>) {
    const intents: WriteIntent[] = [];
    /** Transaction index of each entry → its entry id. */
    const entryAt = new Map<number, string>();
    const seen = new Set<string>(written);
    let account = before;
    for (const p of pending) {
      intents.push({ kind: "pending_done", userId: before.userId, queueKey: p.queueKey });
      if (p.expiresAt <= now.toISOString() || seen.has(p.entryId)) continue;
      seen.add(p.entryId);
      let posting: Posting;
      try {
        posting = postingOf(p.request, account, now, this.config);
      } catch (e) {
        // Refused on the state the batch reached: its waiter decides again and answers the refusal.
        if (isNyangError(e)) continue;
        throw e;
      }
      const applied = applyPosting(account, posting, p.entryId, now);
      account = applied.account;
      // +1: the account intent goes first.
      entryAt.set(intents.length + 1, p.entryId);
      intents.push({ kind: "entry", entry: applied.entry, fingerprint: p.fingerprint, idempotencyKey: p.idempotencyKey, accountAfter: account, queuedAs: p.queueKey });
    }
    // With nothing applied there are no entries, only the deletions.
    if (account !== before) intents.unshift({ kind: "account", before, after: account, busyUntil: this.leaseEnd(now) });
    return { intents, entryAt };
  }
}
