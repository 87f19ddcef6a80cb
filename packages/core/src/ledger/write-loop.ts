import { accountNotFound, contention, idempotencyConflict, isNyangError } from "../errors.ts";
import type { WriteIntent } from "../intents.ts";
import { AGAIN, untilSettled, type RetryPolicy } from "../retry.ts";
import { entryIdFor, type KeySource } from "./idempotency.ts";
import { isBusy, type GroupCommit, type QueueOutcome } from "./group-commit.ts";
import type { AnyStoredRecord, LedgerPort, QueuedRequest } from "./ledger-port.ts";
import { settleExpiredLots, withLotBookkeeping } from "./bonus-expiry.ts";
import { applyPosting } from "./rules.ts";
import type { Account, Posting, PostingResult } from "./types.ts";

/** A decision: the intents to write and what to answer once they are written. */
export interface Plan<R> {
  /** Names the write for metering. */
  operation: string;
  intents: WriteIntent[];
  result: R;
}

/** The key a record is made under: a caller's Idempotency-Key, or one Nyang makes itself. */
export type RecordRef = string | { key: string; source: KeySource };

/** A posting's decision: the posting, and any guard intents written in the same transaction. */
export type PostingDecision = (account: Account, now: Date) => Promise<{ posting: Posting; guards?: WriteIntent[] }>;

/**
 * The write loop every keyed operation on an account shares — the ledger's and the order
 * book's (ledger rules 1, 4 and 5): read the account, decide, commit the decision's intents
 * conditionally; on a lost race back off with jitter and decide again on the account the
 * store handed back; a record that already exists is a replay. One place, so that a change
 * to how an account is written (batching a busy account's requests) is made once.
 */
export class WriteLoop {
  constructor(
    private readonly port: LedgerPort,
    private readonly clock: () => Date,
    private readonly retry: RetryPolicy,
    /** Where a queueable posting that loses the race on a busy account goes (group-commit.ts); none: it only retries. */
    private readonly groupCommit?: GroupCommit,
  ) {}

  /**
   * Runs one keyed operation to its end. A refused rule may be a replay of a request that
   * succeeded before the state changed, so the key's record is looked up before the
   * refusal is reported.
   */
  run<R>(
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
      // The one read the quiet path makes also carries the account's busy mark (group-commit.ts).
      const state = known ? { account: known, busyUntil: null } : await this.port.getAccountState(userId);
      known = undefined;
      if (!state) throw accountNotFound(userId);
      let plan: Plan<R>;
      const now = this.clock();
      // Bonus lots past their expiry are written off first, in this write (bonus-expiry.ts).
      const settled = settleExpiredLots(state.account, now);
      try {
        plan = await decide(settled.account, now);
        plan = { ...plan, intents: withLotBookkeeping(plan.intents, state.account, settled) };
      } catch (e) {
        if (isNyangError(e)) {
          const stored = await this.port.getRecordByKey(userId, idempotencyKey, source);
          if (stored) return replay(stored);
        }
        throw e;
      }
      // A busy account, or a lost race on one: the decision goes to the account's queue instead of backing off.
      const queued = async (): Promise<R | typeof AGAIN> => {
        const out = await queue!.submit(deadline);
        if (out.kind === "timeout") throw contention(userId);
        if (out.kind === "dropped") return AGAIN;
        return out.mine ? queue!.answer(out.stored) : replay(out.stored);
      };
      if (queue && isBusy(state.busyUntil, this.clock())) return queued();
      const outcome = await this.port.commit(plan.operation, plan.intents);
      if (outcome.kind === "written") return plan.result;
      if (outcome.kind === "record_exists") {
        const stored = outcome.stored ?? (await this.port.getRecordByKey(userId, idempotencyKey, source));
        if (stored) return replay(stored);
      }
      // A transient failure may hide a write that landed: deciding again meets it, queueing would not.
      if (queue && !(outcome.kind === "conflict" && outcome.transient)) return queued();
      if (outcome.kind === "conflict") known = outcome.account;
      return AGAIN;
    }, () => contention(userId));
  }

  /**
   * A posting: one ledger entry (plus any guard intents) keyed by the caller's idempotency
   * key, or by one Nyang makes itself (`source: "system"`). A replay answers the stored
   * entry and the account as it left it.
   */
  post(
    userId: string,
    idem: { key: string; source?: KeySource },
    fingerprint: string,
    decide: PostingDecision,
    /** The posting as data, when it depends on the account alone: it may then be group-committed on a busy account. */
    queueable?: QueuedRequest,
  ): Promise<PostingResult> {
    const source = idem.source ?? "caller";
    const entryId = entryIdFor(userId, idem.key, source);
    const storedKey = source === "caller" ? idem.key : `system:${idem.key}`;
    const groupCommit = this.groupCommit;
    const queue = queueable && groupCommit && {
      submit: (deadline: number) =>
        groupCommit.submit(userId, { request: queueable, entryId, fingerprint, idempotencyKey: storedKey, recordKey: { key: idem.key, source } }, deadline),
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
        intents: [
          { kind: "account", before: a, after: account },
          { kind: "entry", entry, fingerprint, idempotencyKey: storedKey, accountAfter: account },
          ...guards,
        ],
        result: { entry, account, replayed: false },
      };
    }, async (stored) => {
      if (stored.kind !== "entry" || stored.fingerprint !== fingerprint) throw idempotencyConflict(idem.key);
      return { entry: stored.value, account: stored.accountAfter, replayed: true };
    }, queue || undefined);
  }
}
