import { accountNotFound, contention, idempotencyConflict, isNyangError } from "../errors.ts";
import type { WriteIntent } from "../intents.ts";
import { AGAIN, untilSettled, type RetryPolicy } from "../retry.ts";
import { entryIdFor, type KeySource } from "./idempotency.ts";
import type { AnyStoredRecord, LedgerPort } from "./ledger-port.ts";
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
  ): Promise<R> {
    const { key: idempotencyKey, source } = typeof record === "string" ? { key: record, source: "caller" as const } : record;
    // A lost race on the account hands back its current state: the next attempt decides on it without a read.
    let known: Account | undefined;
    return untilSettled(this.retry, async () => {
      const account = known ?? (await this.port.getAccount(userId));
      known = undefined;
      if (!account) throw accountNotFound(userId);
      let plan: Plan<R>;
      try {
        plan = await decide(account, this.clock());
      } catch (e) {
        if (isNyangError(e)) {
          const stored = await this.port.getRecordByKey(userId, idempotencyKey, source);
          if (stored) return replay(stored);
        }
        throw e;
      }
      const outcome = await this.port.commit(plan.operation, plan.intents);
      if (outcome.kind === "written") return plan.result;
      if (outcome.kind === "record_exists") {
        const stored = outcome.stored ?? (await this.port.getRecordByKey(userId, idempotencyKey, source));
        if (stored) return replay(stored);
      }
      if (outcome.kind === "conflict") known = outcome.account;
      return AGAIN;
    }, () => contention(userId));
  }

  /**
   * A posting: one ledger entry (plus any guard intents) keyed by the caller's idempotency
   * key, or by one Nyang makes itself (`source: "system"`). A replay answers the stored
   * entry and the account as it left it.
   */
  post(userId: string, idem: { key: string; source?: KeySource }, fingerprint: string, decide: PostingDecision): Promise<PostingResult> {
    const source = idem.source ?? "caller";
    const entryId = entryIdFor(userId, idem.key, source);
    return this.run<PostingResult>(userId, { key: idem.key, source }, async (a, now) => {
      const { posting, guards = [] } = await decide(a, now);
      const { account, entry } = applyPosting(a, posting, entryId, now);
      return {
        operation: posting.type,
        intents: [
          { kind: "account", before: a, after: account },
          { kind: "entry", entry, fingerprint, idempotencyKey: source === "caller" ? idem.key : `system:${idem.key}`, accountAfter: account },
          ...guards,
        ],
        result: { entry, account, replayed: false },
      };
    }, async (stored) => {
      if (stored.kind !== "entry" || stored.fingerprint !== fingerprint) throw idempotencyConflict(idem.key);
      return { entry: stored.value, account: stored.accountAfter, replayed: true };
    });
  }
}
