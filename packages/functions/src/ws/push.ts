import { available, balanceAt, entities, formatAmount, goneForGood, itemToAccount, type Account, type Alert } from "@nyang/core";
import type { DynamoDBRecord } from "aws-lambda";
import { presentAlert } from "../presenters.ts";
import type { Runtime } from "../runtime.ts";
import { imagesOf } from "../stream/records.ts";

/**
 * Real-time pushes (docs/realtime.md), sent from the alerts stream consumer (AWS allows
 * two readers per stream shard; pushes ride inside an existing one) to every live
 * WebSocket connection of the account's user, and to no one else.
 *
 * `balance_update` comes from the account item's own stream record: every ledger entry,
 * hold, capture, release and expiry sweep rewrites it, and the records of one item keep
 * their order. `alert` comes from each alert the consumer publishes (raise-alert.ts: again
 * only while it is not marked published). Delivery is at least once, as for the bus: a
 * retried record pushes again, so a client keeps the `balance_update` with the highest
 * (`seq`, `at`) and dedupes alerts by `alert.id`.
 */

export interface BalanceUpdateMessage {
  type: "balance_update";
  userId: string;
  balance: string;
  available: string;
  /**
   * The ledger entry this change wrote (`seq` = its seq), or null when the change wrote
   * none: a hold, a release, an expiry sweep — only `available` moved.
   */
  transactionId: string | null;
  /** The account's version: the seq of its newest ledger entry. */
  seq: number;
  /** When the account was written (its `updatedAt`); `available` is as of this moment. */
  at: string;
}

export interface AlertMessage {
  type: "alert";
  alert: ReturnType<typeof presentAlert>;
}

export type PushMessage = BalanceUpdateMessage | AlertMessage;

/** What one fan-out did: posted, found gone (and removed), or failed to post. */
export interface FanOutReport {
  sent: number;
  gone: number;
  failed: number;
}

const sameHolds = (a: Account["holds"], b: Account["holds"]) => {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((id) => b[id] !== undefined && b[id].amount === a[id]!.amount && b[id].expiresAt === a[id]!.expiresAt);
};

/**
 * Whether an account write is worth a `balance_update`: its balance, its holds or its
 * version moved (a freeze or unfreeze alone is not). A new account always is.
 */
export function balanceChanged(prev: Account | null, next: Account): boolean {
  if (prev === null) return true;
  return prev.balance !== next.balance || prev.version !== next.version || !sameHolds(prev.holds, next.holds);
}

/** The message for an account as written; `transactionId` is looked up by the caller. */
export function balanceUpdateMessage(next: Account, transactionId: string | null): BalanceUpdateMessage {
  return {
    type: "balance_update",
    userId: next.userId,
    balance: formatAmount(balanceAt(next, new Date(next.updatedAt))),
    available: formatAmount(available(next, new Date(next.updatedAt))),
    transactionId,
    seq: next.version,
    at: next.updatedAt,
  };
}

export const alertMessage = (alert: Alert): AlertMessage => ({ type: "alert", alert: presentAlert(alert) });

/** The pushes of one runtime: what the alerts stream consumer sends (see the file's comment). */
export interface Pushes {
  fanOut(userId: string, message: PushMessage | (() => Promise<PushMessage>), now?: Date): Promise<FanOutReport>;
  pushAccountChange(record: DynamoDBRecord): Promise<FanOutReport | null>;
  pushAlerts(alerts: readonly Alert[]): Promise<void>;
}

export function makePushes(rt: Pick<Runtime, "connections" | "push" | "store" | "log">): Pushes {
  const { connections, push, store, log } = rt;

  /**
   * Posts one message to every live connection of `userId`. A connection that answers 410
   * Gone is removed (its `$disconnect` was missed, or it timed out) once it is past
   * CONNECT_GRACE_MS (before that, 410 may mean it is still connecting). Any other failure to
   * post is logged and skipped: a push is worth nothing minutes later, so it does not hold
   * up the stream with retries. A failure to read or delete connections is thrown (the
   * record is retried; the pushes it repeats are at-least-once anyway).
   */
  async function fanOut(userId: string, message: PushMessage | (() => Promise<PushMessage>), now = new Date()): Promise<FanOutReport> {
    const report: FanOutReport = { sent: 0, gone: 0, failed: 0 };
    const live = await connections.listForUser(userId, now);
    if (live.length === 0) return report;
    // Only built (and, for a balance update, its entry looked up) when someone listens.
    const data = JSON.stringify(typeof message === "function" ? await message() : message);
    await Promise.all(
      live.map(async (c) => {
        let outcome: "ok" | "gone";
        try {
          outcome = await push.post(c.connectionId, data);
        } catch (e) {
          report.failed++;
          const err = e instanceof Error ? e : new Error(String(e));
          log.warn("push failed", { userId, connectionId: c.connectionId, error: err.name, detail: err.message });
          return;
        }
        if (outcome === "ok") {
          report.sent++;
          return;
        }
        report.gone++;
        // A connection still inside its $connect answers 410 too: forgetting it would leave its
        // socket open with nothing ever pushed to it. Its item stays until a later 410.
        if (goneForGood(c, now)) await connections.removeFor(userId, c.connectionId);
      }),
    );
    return report;
  }

  /**
   * Pushes of one user run one after another, in the order they were asked for. The batch
   * processor handles a batch's records concurrently; records of one account item arrive in
   * stream order and each asks (synchronously, before its first await) here, so the
   * `balance_update`s of a batch leave in the order the account was written.
   */
  const tails = new Map<string, Promise<unknown>>();
  function inOrder<T>(key: string, task: () => Promise<T>): Promise<T> {
    const run = (tails.get(key) ?? Promise.resolve()).then(task, task);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  }

  return {
    fanOut,
    /**
     * The `balance_update` for an account item's stream record (INSERT or MODIFY), if its
     * balance, holds or version moved. When the version moved, the entry it wrote is found by
     * an exact key on the `byTime` index (1 read unit) — only when the user has a connection.
     * Must be called synchronously from the record handler (see `inOrder`).
     */
    pushAccountChange(record) {
      const { next, prev } = imagesOf(record);
      if (!next || !entities.account.is(next)) return Promise.resolve(null);
      const after = itemToAccount(next);
      const before = prev && entities.account.is(prev) ? itemToAccount(prev) : null;
      if (!balanceChanged(before, after)) return Promise.resolve(null);
      const versionMoved = before === null || before.version !== after.version;
      return inOrder(after.userId, () =>
        fanOut(after.userId, async () => {
          const transactionId = versionMoved && after.version > 0 ? await store.entryIdAt(after.userId, after.version, after.updatedAt) : null;
          return balanceUpdateMessage(after, transactionId);
        }),
      );
    },
    /** One `alert` message per alert, to its user's connections. */
    async pushAlerts(alerts) {
      for (const alert of alerts) await fanOut(alert.userId, alertMessage(alert));
    },
  };
}
