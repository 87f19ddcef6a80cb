/**
 * The floor a spend is measured against: the ledger's two-item `TransactWriteItems` sent
 * raw with the plain SDK client (no HTTP, no auth, no validation, no read before the write).
 * An Update of the account item conditioned on its version (and status) plus a Put of an
 * entry conditioned on `attribute_not_exists`, with items cloned from a real account and a
 * real usage entry of this run, so item sizes and the LSI write match the real thing.
 *
 * A lost race (the version moved) learns the current version from the cancellation reason
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`, so no read) and retries with the same
 * jittered backoff the ledger uses.
 */
import {
  BatchWriteItemCommand,
  GetItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { createHash } from "node:crypto";
import { accountKey, accountPk, BY_TIME_RECORDS_START, byTimeSk } from "@nyang/core";
import type { OpResult } from "./load.ts";
import { sleep } from "./lifecycle.ts";

type Item = Record<string, AttributeValue>;

export interface Templates {
  account: Item;
  entry: Item;
}

/** A real account item and its newest usage entry, read back from the table. */
export async function readTemplates(raw: DynamoDBClient, table: string, userId: string): Promise<Templates> {
  const key = accountKey(userId);
  const account = (
    await raw.send(new GetItemCommand({ TableName: table, Key: { pk: { S: key.pk }, sk: { S: key.sk } }, ConsistentRead: true }))
  ).Item;
  const page = await raw.send(
    new QueryCommand({
      TableName: table,
      IndexName: "byTime",
      KeyConditionExpression: "pk = :pk AND lsi1sk < :records",
      ExpressionAttributeValues: { ":pk": { S: accountPk(userId) }, ":records": { S: BY_TIME_RECORDS_START } },
      ScanIndexForward: false,
      Limit: 20,
    }),
  );
  const entry = page.Items?.find((i) => i.type?.S === "usage");
  if (!account || !entry) throw new Error(`no account or usage entry to copy for ${userId}`);
  return { account, entry };
}

interface BaseAccount {
  userId: string;
  /** The version this client believes the item has. */
  version: number;
}

const START_BALANCE = 9_999_900;

/** Creates `count` baseline account items (clones of the template) named `<prefix>-<n>`. */
export async function createBaselineAccounts(
  raw: DynamoDBClient,
  table: string,
  t: Templates,
  prefix: string,
  count: number,
): Promise<BaseAccount[]> {
  const accounts: BaseAccount[] = Array.from({ length: count }, (_, i) => ({
    userId: count === 1 ? prefix : `${prefix}-${String(i).padStart(4, "0")}`,
    version: 1,
  }));
  for (let i = 0; i < accounts.length; i += 25) {
    const chunk = accounts.slice(i, i + 25);
    let requests: { PutRequest: { Item: Item } }[] = chunk.map((a) => ({
      PutRequest: {
        Item: {
          ...t.account,
          pk: { S: accountPk(a.userId) },
          userId: { S: a.userId },
          version: { N: "1" },
          balance: { N: String(START_BALANCE) },
        },
      },
    }));
    while (requests.length > 0) {
      const out = await raw.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
      requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
  return accounts;
}

const RETRY = { attempts: 60, baseDelayMs: 4, maxDelayMs: 200 };

/** One raw spend transaction on account `i mod accounts.length`, retried on a lost race. */
export function baselineSpendOp(raw: DynamoDBClient, table: string, t: Templates, accounts: readonly BaseAccount[], tag: string) {
  return async (i: number): Promise<OpResult> => {
    const account = accounts[i % accounts.length]!;
    for (let attempt = 0; attempt < RETRY.attempts; attempt++) {
      const expected = account.version;
      const version = expected + 1;
      const balance = START_BALANCE - (version - 1) * 100;
      const now = new Date().toISOString();
      try {
        await raw.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: { pk: { S: accountPk(account.userId) }, sk: { S: "ACCOUNT" } },
                  UpdateExpression:
                    "SET balance = :balance, paidBalance = :paid, bonusBalance = :bonus, used = :used, " +
                    "purchased = :purchased, version = :version, updatedAt = :updatedAt",
                  ConditionExpression: "version = :expected AND #status = :active",
                  ExpressionAttributeNames: { "#status": "status" },
                  ExpressionAttributeValues: {
                    ":balance": { N: String(balance) },
                    ":paid": { N: String(balance) },
                    ":bonus": { N: "0" },
                    ":used": { N: String((version - 1) * 100) },
                    ":purchased": { N: "9990000" },
                    ":version": { N: String(version) },
                    ":updatedAt": { S: now },
                    ":expected": { N: String(expected) },
                    ":active": { S: "active" },
                  },
                  ReturnValuesOnConditionCheckFailure: "ALL_OLD",
                },
              },
              {
                Put: { TableName: table, Item: clonedEntry(t, account.userId, `${tag}-${i}`, version, now), ConditionExpression: "attribute_not_exists(pk)" },
              },
            ],
          }),
        );
        account.version = Math.max(account.version, version);
        return { ok: true, attempts: attempt + 1 };
      } catch (error) {
        const reasons = (error as { name?: string; CancellationReasons?: { Code?: string; Item?: Item }[] }).CancellationReasons;
        const first = reasons?.[0];
        if ((error as { name?: string }).name !== "TransactionCanceledException" || first?.Code !== "ConditionalCheckFailed") {
          return { ok: false, error: (error as Error).name || String(error) };
        }
        const current = Number(first.Item?.version?.N ?? Number.NaN);
        account.version = Number.isFinite(current) ? current : await readVersion(raw, table, account.userId);
        await sleep(Math.random() * Math.min(RETRY.maxDelayMs, RETRY.baseDelayMs * 2 ** attempt));
      }
    }
    return { ok: false, error: "contention (60 attempts)" };
  };
}

async function readVersion(raw: DynamoDBClient, table: string, userId: string): Promise<number> {
  const out = await raw.send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: accountPk(userId) }, sk: { S: "ACCOUNT" } }, ConsistentRead: true }),
  );
  return Number(out.Item?.version?.N ?? 0);
}

/** The template entry as operation `opKey` on `userId` writes it: its own id and sort key, shaped like the template's (same prefix and length). */
export function clonedEntry(t: Templates, userId: string, opKey: string, seq: number, now: string): Item {
  const seed = `${userId}\n${opKey}`;
  return {
    ...t.entry,
    pk: { S: accountPk(userId) },
    sk: { S: sameShape(t.entry.sk?.S ?? "TX#", seed) },
    id: { S: sameShape(t.entry.id?.S ?? "tx_", seed) },
    userId: { S: userId },
    seq: { N: String(seq) },
    lsi1sk: { S: byTimeSk(now, seq) },
    createdAt: { S: now },
    idempotencyKey: { S: opKey },
  };
}

/** A string with `template`'s prefix (up to its last `#` or first `_`) and length, the rest derived from `seed` by SHA-256. */
function sameShape(template: string, seed: string): string {
  const cut = Math.max(template.lastIndexOf("#"), template.indexOf("_")) + 1;
  const prefix = template.slice(0, cut);
  let rest = "";
  for (let round = 0; rest.length < template.length - cut; round++) {
    rest += createHash("sha256").update(`${round}\n${seed}`).digest("base64url").toLowerCase().replace(/[^0-9a-z]/g, "");
  }
  return prefix + rest.slice(0, template.length - cut);
}
