import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Alert } from "../alerts/alert.ts";
import type { DynamoClients } from "./client.ts";
import { alertToItem, itemToAlert } from "./codec.ts";
import { queryPages, type CapacityListener } from "./paging.ts";
import { accountPk, ALERT_SK_PREFIX, alertKey } from "./keys.ts";
import type { AlertsReader } from "../analytics/insights-port.ts";

/** Alerts of an account (keys.ts, alertKey); ids sort by time. */
export { itemToAlert };

export class AlertsStore implements AlertsReader {
  constructor(
    private readonly clients: DynamoClients,
    readonly tableName: string,
    private readonly onCapacity?: CapacityListener,
  ) {}

  /** Stores an alert once; false when it was already there (a redelivered trigger). */
  async raise(alert: Alert): Promise<boolean> {
    try {
      await this.clients.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: alertToItem(alert),
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
