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
import { presentAlert } from "../presenters.ts";
import { runtime } from "../runtime.ts";
import { pushAccountChange, pushAlerts } from "../ws/push.ts";
import { imagesOf } from "./records.ts";

/**
 * Stream consumer for alerts. A new ledger entry may cross the low-balance threshold; a
 * change of an account's day aggregate may cross the daily usage threshold or the
 * unusual-activity rule. Each alert is stored once (its id is fixed by its trigger) and
 * published as `AlertRaised` — again on a redelivery, so subscribers dedupe on its id.
 * `auto_charge` alerts are raised (and published) by the auto-charge service wherever it
 * runs; their stored item's INSERT brings them here to be pushed.
 */
const processor = new BatchProcessor(EventType.DynamoDBStreams);

async function alertsFor(record: DynamoDBRecord): Promise<Alert[]> {
  const { config, aggregates } = runtime();
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
  const alerts = await alertsFor(record);
  if (alerts.length === 0) return;
  const { alerts: store, events } = runtime();
  const toPublish: Alert[] = [];
  for (const alert of alerts) {
    if (await store.raise(alert)) {
      toPublish.push(alert);
      continue;
    }
    // Already stored: by this very trigger (a redelivery, whose event may not have gone
    // out before a crash) → publish again; by an earlier one (a later checkpoint of the
    // same day) → nothing new to say.
    const stored = await store.get(alert.userId, alert.id);
    if (stored && stored.createdAt === alert.createdAt) toPublish.push(stored);
  }
  if (toPublish.length === 0) return;
  await events.publish(
    toPublish.map((a) => ({
      source: "nyang.alerts" as const,
      detailType: "AlertRaised" as const,
      time: a.createdAt,
      detail: { version: 1 as const, id: a.id, userId: a.userId, alert: presentAlert(a) },
    })),
  );
  await pushAlerts(toPublish);
}

async function autoChargeOn(record: DynamoDBRecord): Promise<void> {
  const { next } = imagesOf(record);
  if (record.eventName !== "INSERT" || !next) return;
  await runtime().autoCharge.onEntry(itemToStoredEntry(next).value);
}

export const handler = (event: DynamoDBStreamEvent, context: Context) =>
  // One record at a time, in stream order: records of one account would otherwise race on the
  // same items (its day aggregate, its pushes) and thrash on conditional writes (see BENCHMARKS.md).
  processPartialResponse(event, onRecord, processor, { context, processInParallel: false });
