import { QueryCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { expect } from "vitest";
import { localDynamoClient, testTableName } from "./dynamo.ts";
import type { ApiReply } from "./http-api.ts";

/**
 * Assertions for refused requests: docs/api.md's error shape with its status and code, no
 * leaked stack, and nothing written — the account partitions are exactly as before.
 */

let dynamo: ReturnType<typeof localDynamoClient> | undefined;

type Item = Record<string, AttributeValue>;

/** Every item of the account's partition, read strongly consistently. */
export async function partition(userId: string): Promise<Item[]> {
  dynamo ??= localDynamoClient();
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const out = await dynamo.send(
      new QueryCommand({
        TableName: testTableName(),
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": { S: `ACCT#${userId}` } },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export const snapshot = (userIds: string[]) => Promise.all(userIds.map(partition));

/** Stack frames, source paths or module paths: none may reach a client. */
const STACK_TEXT = /\n\s*at\s|\bat\s+\S+\s+\(|\.(?:[cm]?[jt]s|tsx?):\d+|node_modules|\bstack\b/i;

/** docs/api.md's error shape: `{ error: { code, message, details? } }` with this status and code. */
export function expectError(r: ApiReply, status: number, code: string) {
  // Status and code together, so a failure shows both.
  expect({ status: r.status, code: r.body?.error?.code }).toEqual({ status, code });
  expect(r.headers["content-type"]).toMatch(/^application\/json/);
  expect(Object.keys(r.body)).toEqual(["error"]);
  const e = r.body.error;
  expect(Object.keys(e).filter((k) => !["code", "message", "details"].includes(k))).toEqual([]);
  expect(typeof e.message).toBe("string");
  expect(e.message.length).toBeGreaterThan(0);
  if ("details" in e) {
    expect(typeof e.details === "object" && e.details !== null && !Array.isArray(e.details)).toBe(true);
  }
  if (code === "validation_failed" || code === "invalid_amount") {
    // "details lists the fields"
    expect(Object.keys(e.details ?? {}).length).toBeGreaterThan(0);
  }
  expect(JSON.stringify(r.body)).not.toMatch(STACK_TEXT);
}

/** Runs a call that must be refused and proves that it wrote nothing to any of `userIds`. */
export async function expectRefused(
  userIds: string | string[],
  call: () => Promise<ApiReply>,
  status: number,
  code: string,
): Promise<ApiReply> {
  const ids = Array.isArray(userIds) ? userIds : [userIds];
  const before = await snapshot(ids);
  const r = await call();
  expectError(r, status, code);
  expect(await snapshot(ids)).toEqual(before);
  return r;
}

