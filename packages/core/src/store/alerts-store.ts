import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type PutCommandInput, type UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import type { Alert, AlertType } from "../alerts/alert.ts";
import type { AlertsPort, AlertWriteIntent, StoredAlert } from "../alerts/alerts-port.ts";
import { newAlert, stillToPublish } from "../alerts/raising.ts";
import type { AlertReadIntent } from "../intents.ts";
import { NyangError } from "../errors.ts";
import type { DynamoClients } from "./client.ts";
import { itemToAlert } from "./codec.ts";
import { accountPk, ALERT_FEED_SHARDS, alertFeedPk, ALERT_SK_PREFIX, alertKey } from "./keys.ts";
import { queryPages, type CapacityListener } from "./paging.ts";
import { planIntent } from "./requests.ts";
import type { AlertsReader } from "../analytics/insights-port.ts";

/** One page of the cross-account feed: newest first, with an optional type and lower time bound. */
export interface AlertFeedQuery {
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | undefined;
  type?: AlertType | undefined;
  /** Inclusive lower bound on `createdAt`, an ISO time with milliseconds. */
  since?: string | undefined;
}

/** Rounds of shard queries one feed request makes at most before a (filtered) page comes back short. */
const MAX_FEED_ROUNDS = 5;

/** Alerts of an account (keys.ts, alertKey; ids sort by time), and the cross-account feed. */
export { itemToAlert };

/**
 * The DynamoDB adapter of alerts' port (alerts/alerts-port.ts): the writes alerts/raising.ts
 * decides, planned by requests.ts; the account's list and the cross-account feed.
 */
export class AlertsStore implements AlertsPort, AlertsReader {
  constructor(
    private readonly clients: DynamoClients,
    readonly tableName: string,
    private readonly onCapacity?: CapacityListener,
  ) {}

  async commit(intent: AlertWriteIntent): Promise<boolean> {
    const { item } = planIntent(this.tableName, intent);
    try {
      if (item.Put) {
        const out = await this.clients.doc.send(new PutCommand({ ...(item.Put as PutCommandInput), ReturnConsumedCapacity: "INDEXES" }));
        // The table's write and the feed index's, apart: what the feed adds to every alert.
        const used = out.ConsumedCapacity;
        this.onCapacity?.("write:alert", { read: 0, write: used?.Table?.CapacityUnits ?? 0 });
        this.onCapacity?.("write:alert_feed_index", { read: 0, write: used?.GlobalSecondaryIndexes?.byAlertTime?.CapacityUnits ?? 0 });
      } else {
        await this.clients.doc.send(new UpdateCommand(item.Update as UpdateCommandInput));
      }
      return true;
    } catch (e) {
      if ((e as { name?: string }).name === "ConditionalCheckFailedException") return false;
      throw e;
    }
  }

  async stored(userId: string, alertId: string): Promise<StoredAlert | null> {
    const out = await this.clients.doc.send(new GetCommand({ TableName: this.tableName, Key: alertKey(userId, alertId), ConsistentRead: true }));
    if (!out.Item) return null;
    return { alert: itemToAlert(out.Item), publishedAt: typeof out.Item.publishedAt === "string" ? out.Item.publishedAt : null };
  }

  /** Stores an alert once; false when it was already there (a redelivered trigger). Shorthand for `commit(newAlert(alert))`. */
  raise(alert: Alert): Promise<boolean> {
    return this.commit(newAlert(alert));
  }

  /** The alert as the API shows it; null when there is none. */
  async get(userId: string, alertId: string): Promise<Alert | null> {
    return (await this.stored(userId, alertId))?.alert ?? null;
  }

  /** The stored alert while it is not marked published, else null (alerts/raising.ts, `stillToPublish`). */
  async unpublished(userId: string, alertId: string): Promise<Alert | null> {
    return stillToPublish(await this.stored(userId, alertId));
  }

  /** Newest first, at most `limit`, optionally only unread ones. */
  async list(userId: string, opts: { unreadOnly: boolean; limit: number }): Promise<Alert[]> {
    const alerts: Alert[] = [];
    const pages = queryPages(
      this.clients,
      {
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :alert)",
        ...(opts.unreadOnly ? { FilterExpression: "#read = :false", ExpressionAttributeNames: { "#read": "read" } } : {}),
        ExpressionAttributeValues: { ":pk": accountPk(userId), ":alert": ALERT_SK_PREFIX, ...(opts.unreadOnly ? { ":false": false } : {}) },
        ScanIndexForward: false,
        Limit: opts.limit,
      },
      { operation: "read:alerts", onCapacity: this.onCapacity },
    );
    for await (const page of pages) {
      alerts.push(...page.items.map(itemToAlert));
      if (alerts.length >= opts.limit) break;
    }
    return alerts.slice(0, opts.limit);
  }

  /**
   * The newest alerts of every account, one page at a time, from the `byAlertTime` index.
   * Each round queries every shard (in parallel) for up to `limit + 1` alerts older than the
   * position; everything at or above the newest point an unfinished shard stopped at has
   * been read in every shard, so that part is complete and in order. A `type` filter reads
   * past what it skips: after {@link MAX_FEED_ROUNDS} rounds a page comes back short, with
   * a `nextCursor` to go on from.
   */
  async feed(q: AlertFeedQuery): Promise<{ alerts: Alert[]; nextCursor: string | null }> {
    const before = q.cursor === undefined ? undefined : decodeFeedCursor(q.cursor);
    // A cursor already older than `since`: nothing is left (and DynamoDB refuses a BETWEEN whose bounds cross).
    if (before !== undefined && q.since !== undefined && before < q.since) return { alerts: [], nextCursor: null };
    const shards = Array.from({ length: ALERT_FEED_SHARDS }, (_, shard) => ({
      pk: alertFeedPk(shard),
      startKey: undefined as Record<string, unknown> | undefined,
      /** The position this shard has been read down to; null once it has no more. */
      reached: "" as string | null,
    }));
    const found: { position: string; alert: Alert }[] = [];
    let floor: string | null = null;
    for (let round = 0; round < MAX_FEED_ROUNDS; round++) {
      await Promise.all(
        shards
          .filter((s) => s.reached !== null)
          .map(async (s) => {
            const out = await this.clients.doc.send(new QueryCommand({ ...feedQuery(this.tableName, s.pk, q, before), ExclusiveStartKey: s.startKey }));
            this.onCapacity?.("read:alert_feed", { read: out.ConsumedCapacity?.CapacityUnits ?? 0, write: 0 });
            for (const item of out.Items ?? []) {
              if (String(item.gsi3sk) !== before) found.push({ position: String(item.gsi3sk), alert: itemToAlert(item) });
            }
            s.startKey = out.LastEvaluatedKey;
            s.reached = out.LastEvaluatedKey ? String(out.LastEvaluatedKey.gsi3sk) : null;
          }),
      );
      const unfinished = shards.flatMap((s) => (s.reached === null ? [] : [s.reached]));
      floor = unfinished.length === 0 ? null : unfinished.reduce((a, b) => (a > b ? a : b));
      const complete = found.filter((f) => floor === null || f.position >= floor).sort((a, b) => (a.position < b.position ? 1 : -1));
      if (complete.length > q.limit || (complete.length === q.limit && floor !== null)) {
        const page = complete.slice(0, q.limit);
        return { alerts: page.map((f) => f.alert), nextCursor: encodeFeedCursor(page[page.length - 1]!.position) };
      }
      if (floor === null) return { alerts: complete.map((f) => f.alert), nextCursor: null };
      if (round === MAX_FEED_ROUNDS - 1) return { alerts: complete.map((f) => f.alert), nextCursor: encodeFeedCursor(floor) };
    }
    throw new Error("unreachable: the last round returns");
  }

  async markRead(intent: AlertReadIntent): Promise<Alert | null> {
    const { item } = planIntent(this.tableName, intent);
    try {
      const out = await this.clients.doc.send(new UpdateCommand({ ...(item.Update as UpdateCommandInput), ReturnValues: "ALL_NEW" }));
      return out.Attributes ? itemToAlert(out.Attributes) : null;
    } catch (e) {
      if ((e as { name?: string }).name === "ConditionalCheckFailedException") return null;
      throw e;
    }
  }
}

/** One shard's query of the feed: newest first, below the cursor's position, at or after `since`. */
function feedQuery(tableName: string, pk: string, q: AlertFeedQuery, before: string | undefined) {
  const values: Record<string, unknown> = { ":pk": pk };
  let range = "";
  // A range can have one condition on the sort key: with both bounds, BETWEEN includes the
  // cursor's own alert, which the caller drops (one item read more).
  if (before !== undefined && q.since !== undefined) {
    range = " AND gsi3sk BETWEEN :since AND :before";
    Object.assign(values, { ":since": q.since, ":before": before });
  } else if (before !== undefined) {
    range = " AND gsi3sk < :before";
    values[":before"] = before;
  } else if (q.since !== undefined) {
    range = " AND gsi3sk >= :since";
    values[":since"] = q.since;
  }
  if (q.type !== undefined) values[":type"] = q.type;
  return {
    TableName: tableName,
    IndexName: "byAlertTime",
    KeyConditionExpression: `gsi3pk = :pk${range}`,
    ...(q.type !== undefined ? { FilterExpression: "#type = :type", ExpressionAttributeNames: { "#type": "type" } } : {}),
    ExpressionAttributeValues: values,
    ScanIndexForward: false,
    // One more than a page tells a shard that ends exactly at a page's end from one with more.
    Limit: q.limit + 1,
    ReturnConsumedCapacity: "TOTAL" as const,
  };
}

const FEED_POSITION = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z#[A-Za-z0-9_.:@-]{1,128}#alert_\d{13}[0-9a-f]{16}$/;

function encodeFeedCursor(position: string): string {
  return Buffer.from(JSON.stringify({ before: position })).toString("base64url");
}

function decodeFeedCursor(cursor: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parsed = null;
  }
  const before = (parsed as { before?: unknown } | null)?.before;
  if (typeof parsed !== "object" || parsed === null || Object.keys(parsed).length !== 1 || typeof before !== "string" || !FEED_POSITION.test(before)) {
    throw new NyangError("validation_failed", "The cursor is not one this API issued for the alert feed", { fields: { cursor: "unknown cursor" } });
  }
  return before;
}
