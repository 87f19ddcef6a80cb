import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import {
  addDays,
  entities,
  highUsageAlert,
  itemToAlert,
  itemToStoredEntry,
  lowBalanceAlert,
  passesCheckpoint,
  startOfDay,
  unusualActivityAlert,
  type Alert,
  type DayRef,
} from "@nyang/core";
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { lazyHandler, type Runtime } from "../runtime.ts";
import { makePushes } from "../ws/push.ts";
import { imagesOf, recordKeys } from "./records.ts";

/**
 * Stream consumer for alerts. A new ledger entry may cross the low-balance threshold; a
 * change of an account's day aggregate may cross the daily usage threshold or the
 * unusual-activity rule. Each alert is stored once (its id is fixed by its trigger) and
 * published as `AlertRaised` under raise-alert.ts's one redelivery rule: until its item is
 * marked published (a failed publish fails the record, and the retry publishes it).
 * `auto_charge` alerts are raised (and published) by the auto-charge service wherever it
 * runs; their stored item's INSERT brings them here to be pushed.
 */
async function alertsFor(rt: Runtime, record: DynamoDBRecord): Promise<Alert[]> {
  const { config, aggregates } = rt;
  const { next, prev } = imagesOf(record);
  if (!next) return [];
  if (entities.entry.is(next)) {
    const alert = lowBalanceAlert(itemToStoredEntry(next).value, config.lowBalanceThreshold);
    return alert ? [alert] : [];
  }
  if (!entities.accountDay.is(next)) return [];
  const userId = String(next.userId);
  const dayRef: DayRef = { day: String(next.day), startsAt: startOfDay(String(next.day), config.dayUtcOffsetHours).toISOString() };
  const before = Number(prev?.usageCoins ?? 0);
  const after = Number(next.usageCoins ?? 0);
  // The alert's time is the time of the spend that moved the day (the entry the aggregate
  // just counted), not the stream record's (seconds, and later than the spend).
  const at = typeof next.entryAt === "string" ? next.entryAt : new Date((record.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000).toISOString();
  const out: Alert[] = [];
  const high = highUsageAlert(userId, dayRef, before, after, config.usageAlertThreshold, at);
  if (high) out.push(high);
  const rule = config.unusualActivity;
  if (passesCheckpoint(before, after, rule.minimumCoins)) {
    const days = await aggregates.accountDays(userId, addDays(dayRef.day, -rule.baselineDays), addDays(dayRef.day, -1));
    const baseline = days.length === 0 ? null : Math.round(days.reduce((s, d) => s + (d.counters.usageCoins ?? 0), 0) / rule.baselineDays);
    const unusual = unusualActivityAlert(userId, dayRef, after, baseline, rule, at);
    if (unusual) out.push(unusual);
  }
  return out;
}

export function makeHandler(rt: Runtime) {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  const { pushAccountChange, pushAlerts } = makePushes(rt);

  async function onRecord(record: DynamoDBRecord): Promise<void> {
    // An account item's write: a WebSocket balance_update. Dispatched before any await, so
    // one account's pushes leave in stream order (see ws/push.ts).
    if (record.dynamodb?.NewImage?.kind?.S === entities.account.kind) {
      await pushAccountChange(record);
      return;
    }
    // A stored auto_charge alert (whoever raised it): pushed like the alerts raised here.
    if (record.dynamodb?.NewImage?.kind?.S === entities.alert.kind) {
      const { next } = imagesOf(record);
      if (record.eventName === "INSERT" && next?.type === "auto_charge") await pushAlerts([itemToAlert(next)]);
      return;
    }
    // The auto-charge trigger: an entry that took the balance to or below the account's
    // threshold charges that crossing now — once, whichever trigger gets there (autocharge/model.ts).
    if (record.dynamodb?.NewImage?.kind?.S === entities.entry.kind) await autoChargeOn(record);
    const published: Alert[] = [];
    for (const alert of await alertsFor(rt, record)) {
      const raised = await rt.raiser.raise(alert);
      if (raised) published.push(raised);
    }
    await pushAlerts(published);
  }

  async function autoChargeOn(record: DynamoDBRecord): Promise<void> {
    const { next } = imagesOf(record);
    if (record.eventName !== "INSERT" || !next) return;
    await rt.autoCharge.onEntry(itemToStoredEntry(next).value);
  }

  return (event: DynamoDBStreamEvent, context: Context) =>
    rt.log.within({ requestId: context.awsRequestId }, () =>
      // One record at a time, in stream order: records of one account would otherwise race on the
      // same items (its day aggregate, its pushes) and thrash on conditional writes (see BENCHMARKS.md).
      processPartialResponse(event, (record: DynamoDBRecord) => rt.log.within(recordKeys(record), () => onRecord(record)), processor, { context, processInParallel: false }),
    );
}

/** The Lambda entry point (the runtime from the environment, built at the first invocation). */
export const handler = lazyHandler(makeHandler);
