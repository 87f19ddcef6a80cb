import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { applyEntry, entities, itemToStoredEntry } from "@nyang/core";
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { ledgerEntryCreated } from "../events.ts";
import { lazyHandler, type Runtime } from "../runtime.ts";
import { imagesOf, recordKeys } from "./records.ts";

/**
 * Stream consumer: every new ledger entry is added to its account's and the platform's
 * daily aggregates (once, however often the record is delivered) and published as a
 * `LedgerEntryCreated` event. Failed records are reported, not thrown, so the rest of the
 * batch goes on (ReportBatchItemFailures).
 */
export function makeHandler(rt: Runtime) {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  const { aggregates, events, config, log } = rt;

  async function onRecord(record: DynamoDBRecord): Promise<void> {
    const { next } = imagesOf(record);
    if (!next || !entities.entry.is(next)) return;
    const entry = itemToStoredEntry(next).value;
    await applyEntry(aggregates, entry, config.dayUtcOffsetHours);
    await events.publish([ledgerEntryCreated(entry)]);
  }

  return (event: DynamoDBStreamEvent, context: Context) =>
    log.within({ requestId: context.awsRequestId }, () =>
      // One record at a time, in stream order: records of one account would otherwise race on the
      // same items (its day aggregate, its pushes) and thrash on conditional writes (see BENCHMARKS.md).
      processPartialResponse(event, (record: DynamoDBRecord) => log.within(recordKeys(record), () => onRecord(record)), processor, { context, processInParallel: false }),
    );
}

/** The Lambda entry point (the runtime from the environment, built at the first invocation). */
export const handler = lazyHandler(makeHandler);
