import { AlertsStore, createDynamoClients, lowBalanceAlert, newAlert, publishedMark, readMark, type Alert, type LedgerEntry } from "@nyang/core";
import { describe, expect, it } from "vitest";
import { testTableName, uniqueUserId } from "../support/index.ts";

/**
 * The alerts adapter (store/alerts-store.ts) writing alerts/raising.ts's intents on DynamoDB
 * Local: an alert stored once by its id, and marks that keep their first time and never
 * create an alert that is not there.
 */
const store = new AlertsStore(createDynamoClients(process.env), testTableName());

function crossing(userId: string): Alert {
  const entry = { id: `tx_${userId}`, userId, balanceBefore: 2000, balanceAfter: 1000, createdAt: "2026-11-24T09:00:00.000Z" } as LedgerEntry;
  return lowBalanceAlert(entry, 1500)!;
}
const t1 = new Date("2026-11-24T09:00:01.000Z");
const t2 = new Date("2026-11-24T09:00:02.000Z");

describe("the alerts port on DynamoDB", () => {
  it("stores an alert once by its id; the published mark keeps its first time", async () => {
    const alert = crossing(uniqueUserId("port"));
    expect(await store.commit(newAlert(alert))).toBe(true);
    expect(await store.commit(newAlert({ ...alert, title: "again" }))).toBe(false);
    expect(await store.stored(alert.userId, alert.id)).toEqual({ alert, publishedAt: null });
    expect(await store.commit(publishedMark(alert, t1))).toBe(true);
    expect(await store.commit(publishedMark(alert, t2))).toBe(false);
    expect(await store.stored(alert.userId, alert.id)).toEqual({ alert, publishedAt: t1.toISOString() });
  });

  it("a read mark keeps the first readAt; neither mark makes an alert that is not stored", async () => {
    const alert = crossing(uniqueUserId("port"));
    expect(await store.commit(publishedMark(alert, t1))).toBe(false);
    expect(await store.markRead(readMark(alert.userId, alert.id, t1))).toBeNull();
    expect(await store.stored(alert.userId, alert.id)).toBeNull();
    await store.commit(newAlert(alert));
    expect(await store.markRead(readMark(alert.userId, alert.id, t1))).toEqual({ ...alert, read: true, readAt: t1.toISOString() });
    expect(await store.markRead(readMark(alert.userId, alert.id, t2))).toEqual({ ...alert, read: true, readAt: t1.toISOString() });
  });
});
