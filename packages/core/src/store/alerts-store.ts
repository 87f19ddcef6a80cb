import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Alert } from "../alerts/alert.ts";
import type { DynamoClients } from "./client.ts";
import { accountPk } from "./keys.ts";

/** How long an alert is kept before DynamoDB's TTL may delete it (AWS only). */
const ALERT_RETENTION_SECONDS = 180 * 24 * 3600;

const alertKey = (userId: string, alertId: string) => ({ pk: accountPk(userId), sk: `ALERT#${alertId}` });

/** An alert as stored (an item, or a stream record's image) → the alert. */
export function itemToAlert(item: Record<string, unknown>): Alert {
  return {
    id: String(item.id),
    userId: String(item.userId),
    type: item.type as Alert["type"],
    severity: item.severity as Alert["severity"],
    title: String(item.title),
    message: String(item.message),
    data: (item.data ?? {}) as Record<string, unknown>,
    read: item.read === true,
    readAt: item.readAt === undefined || item.readAt === null ? null : String(item.readAt),
    createdAt: String(item.createdAt),
  };
}

/** Alerts of an account: `ACCT#<userId>` / `ALERT#<alertId>`; ids sort by time. */
export class AlertsStore {
  constructor(
    private readonly clients: DynamoClients,
    readonly tableName: string,
  ) {}

  /** Stores an alert once; false when it was already there (a redelivered trigger). */
  async raise(alert: Alert): Promise<boolean> {
    try {
      await this.clients.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...alertKey(alert.userId, alert.id), kind: "alert", ...alert, readAt: undefined, ttl: Math.floor(Date.parse(alert.createdAt) / 1000) + ALERT_RETENTION_SECONDS },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (e) {
      if ((e as { name?: string }).name === "ConditionalCheckFailedException") return false;
      throw e;
    }
  }

  async get(userId: string, alertId: string): Promise<Alert | null> {
    const out = await this.clients.doc.send(new GetCommand({ TableName: this.tableName, Key: alertKey(userId, alertId), ConsistentRead: true }));
    return out.Item ? itemToAlert(out.Item) : null;
  }

  /**
   * The stored alert if it has not been marked published yet (see `markPublished`), else
   * null: what a raise that found its alert already stored still has to publish.
   */
  async unpublished(userId: string, alertId: string): Promise<Alert | null> {
    const out = await this.clients.doc.send(new GetCommand({ TableName: this.tableName, Key: alertKey(userId, alertId), ConsistentRead: true }));
    return out.Item && out.Item.publishedAt === undefined ? itemToAlert(out.Item) : null;
  }

  /**
   * Records that the alert reached the bus (`publishedAt`, first time kept). Not part of the
   * alert as the API shows it; a MODIFY no stream consumer is subscribed to.
   */
  async markPublished(userId: string, alertId: string, now: Date): Promise<void> {
    try {
      await this.clients.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: alertKey(userId, alertId),
          UpdateExpression: "SET publishedAt = :now",
          ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(publishedAt)",
          ExpressionAttributeValues: { ":now": now.toISOString() },
        }),
      );
    } catch (e) {
      // Marked already by a concurrent raise of the same alert: as good.
      if ((e as { name?: string }).name !== "ConditionalCheckFailedException") throw e;
    }
  }

  /** Newest first, at most `limit`, optionally only unread ones. */
  async list(userId: string, opts: { unreadOnly: boolean; limit: number }): Promise<Alert[]> {
    const alerts: Alert[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.clients.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :alert)",
          ...(opts.unreadOnly ? { FilterExpression: "#read = :false", ExpressionAttributeNames: { "#read": "read" } } : {}),
          ExpressionAttributeValues: { ":pk": accountPk(userId), ":alert": "ALERT#", ...(opts.unreadOnly ? { ":false": false } : {}) },
          ScanIndexForward: false,
          Limit: opts.limit,
          ExclusiveStartKey: startKey,
        }),
      );
      alerts.push(...(out.Items ?? []).map(itemToAlert));
      startKey = out.LastEvaluatedKey;
    } while (startKey && alerts.length < opts.limit);
    return alerts.slice(0, opts.limit);
  }

  /** Marks an alert read (once: a second call keeps the first readAt). Null if there is none. */
  async markRead(userId: string, alertId: string, now: Date): Promise<Alert | null> {
    try {
      const out = await this.clients.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: alertKey(userId, alertId),
          UpdateExpression: "SET #read = :true, readAt = if_not_exists(readAt, :now)",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeNames: { "#read": "read" },
          ExpressionAttributeValues: { ":true": true, ":now": now.toISOString() },
          ReturnValues: "ALL_NEW",
        }),
      );
      return out.Attributes ? itemToAlert(out.Attributes) : null;
    } catch (e) {
      if ((e as { name?: string }).name === "ConditionalCheckFailedException") return null;
      throw e;
    }
  }
}
