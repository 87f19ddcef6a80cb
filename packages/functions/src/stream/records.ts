import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";

/** A stream record's new and old images as plain objects (Lambda hands them marshalled). */
export function imagesOf(record: DynamoDBRecord): { next: Record<string, unknown> | null; prev: Record<string, unknown> | null } {
  const decode = (image: Record<string, unknown> | undefined) =>
    image ? unmarshall(image as Record<string, AttributeValue>) : null;
  return { next: decode(record.dynamodb?.NewImage), prev: decode(record.dynamodb?.OldImage) };
}

/** A record's log keys: the account its item belongs to (every item this table streams has `userId`). */
export function recordKeys(record: DynamoDBRecord): { userId?: string } {
  const userId = (record.dynamodb?.NewImage ?? record.dynamodb?.OldImage)?.userId?.S;
  return userId ? { userId } : {};
}
