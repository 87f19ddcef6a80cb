import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { entities, itemToStoredEntry } from "@nyang/core";
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { presentTransaction } from "../presenters.ts";
import { runtime } from "../runtime.ts";
import { imagesOf } from "./records.ts";

/**
 * Stream consumer: every new ledger entry is added to its account's and the platform's
 * daily aggregates (once, however often the record is delivered) and published as a
 * `LedgerEntryCreated` event. Failed records are reported, not thrown, so the rest of the
 * batch goes on (ReportBatchItemFailures).
 */
const processor = new BatchProcessor(EventType.DynamoDBStreams);

async function onRecord(record: DynamoDBRecord): Promise<void> {
  const { next } = imagesOf(record);
  if (!next || !entities.entry.is(next)) return;
  const entry = itemToStoredEntry(next).value;
  const { aggregates, events, config } = runtime();
  await aggregates.applyEntry(entry, config.dayUtcOffsetHours);
  await events.publish([
    {
      source: "nyang.ledger",
      detailType: "LedgerEntryCreated",
      time: entry.createdAt,
      detail: { version: 1, id: entry.id, userId: entry.userId, transaction: presentTransaction(entry) },
    },
  ]);
}

export const handler = (event: DynamoDBStreamEvent, context: Context) =>
  // One record at a time, in stream order: records of one account would otherwise race on the
  // same items (its day aggregate, its pushes) and thrash on conditional writes (see BENCHMARKS.md).
  processPartialResponse(event, onRecord, processor, { context, processInParallel: false });
