import type { TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import type { RefundTally } from "../ledger/rules.ts";
import type { Account, LedgerEntry } from "../ledger/types.ts";
import { accountToItem, entryToItem, refundTallyToItem } from "./codec.ts";
import { accountKey } from "./keys.ts";

/**
 * The DynamoDB requests that move coins, built apart from sending them so that their
 * conditions are unit-tested without a database. Item order matters: the caller reads
 * cancellation reasons by position (0 = account, 1 = entry, 2 = refund tally).
 */

export interface PostingWrite {
  before: Account;
  after: Account;
  entry: LedgerEntry;
  fingerprint: string;
  idempotencyKey: string;
  /** Debits also require the account to still be active when the write lands. */
  requiresActive: boolean;
  /** A refund also moves its original's tally, conditioned on the tally as read. */
  refundTally?: { entryId: string; before: RefundTally | null; after: RefundTally };
}

export const POSTING_ITEM = { account: 0, entry: 1, refundTally: 2 } as const;

/** Ledger rule 1: the account update (conditioned on its version) plus the entry put. */
export function postingTransaction(tableName: string, w: PostingWrite): TransactWriteCommandInput {
  const a = w.after;
  const items: NonNullable<TransactWriteCommandInput["TransactItems"]> = [
    {
      Update: {
        TableName: tableName,
        Key: accountKey(a.userId),
        UpdateExpression:
          "SET balance = :balance, paidBalance = :paid, bonusBalance = :bonus, used = :used, " +
          "purchased = :purchased, version = :version, updatedAt = :updatedAt",
        // The version pins the whole state this posting was computed from: if anyone
        // wrote in between, this fails and the caller re-reads and decides again.
        ConditionExpression: w.requiresActive
          ? "version = :expected AND #status = :active"
          : "version = :expected",
        ...(w.requiresActive ? { ExpressionAttributeNames: { "#status": "status" } } : {}),
        ExpressionAttributeValues: {
          ":balance": a.balance,
          ":paid": a.paidBalance,
          ":bonus": a.bonusBalance,
          ":used": a.used,
          ":purchased": a.purchased,
          ":version": a.version,
          ":updatedAt": a.updatedAt,
          ":expected": w.before.version,
          ...(w.requiresActive ? { ":active": "active" } : {}),
        },
      },
    },
    {
      Put: {
        TableName: tableName,
        Item: entryToItem(w.entry, w.fingerprint, w.idempotencyKey, a),
        // Ledger rule 4: the same idempotency key meets this condition and never writes twice.
        ConditionExpression: "attribute_not_exists(pk)",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      },
    },
  ];
  if (w.refundTally) {
    const t = w.refundTally;
    items.push({
      Put: {
        TableName: tableName,
        Item: refundTallyToItem(a.userId, t.entryId, t.after),
        ConditionExpression: t.before
          ? "refundedPaid = :rp AND refundedBonus = :rb"
          : "attribute_not_exists(pk)",
        ...(t.before
          ? { ExpressionAttributeValues: { ":rp": t.before.refundedPaid, ":rb": t.before.refundedBonus } }
          : {}),
      },
    });
  }
  return { TransactItems: items, ReturnConsumedCapacity: "TOTAL" };
}

/** A new account and its signup entry, both only if the account does not exist yet. */
export function openAccountTransaction(
  tableName: string,
  account: Account,
  signup: { entry: LedgerEntry; fingerprint: string; idempotencyKey: string } | null,
): TransactWriteCommandInput {
  const items: NonNullable<TransactWriteCommandInput["TransactItems"]> = [
    { Put: { TableName: tableName, Item: accountToItem(account), ConditionExpression: "attribute_not_exists(pk)" } },
  ];
  if (signup) {
    items.push({
      Put: {
        TableName: tableName,
        Item: entryToItem(signup.entry, signup.fingerprint, signup.idempotencyKey, account),
        ConditionExpression: "attribute_not_exists(pk)",
      },
    });
  }
  return { TransactItems: items, ReturnConsumedCapacity: "TOTAL" };
}
