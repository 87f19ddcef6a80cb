import { describe, expect, it } from "vitest";
import type { LedgerEntry } from "../ledger/types.ts";
import { lowBalanceAlert } from "./alert.ts";
import { newAlert, publishedMark, readMark, stillToPublish } from "./raising.ts";

const entry = { id: "tx_a", userId: "u1", balanceBefore: 2000, balanceAfter: 1000, createdAt: "2026-11-24T09:00:00.000Z" } as LedgerEntry;
const alert = lowBalanceAlert(entry, 1500)!;
const now = new Date("2026-11-24T09:00:01.000Z");

describe("raising an alert, as write intents", () => {
  it("a new alert is stored as it is, by the id its trigger fixed", () => {
    expect(newAlert(alert)).toEqual({ kind: "alert", alert });
    expect(newAlert(lowBalanceAlert(entry, 1500)!)).toEqual(newAlert(alert));
  });

  it("a stored alert is published again only while it is not marked published", () => {
    expect(stillToPublish({ alert, publishedAt: null })).toBe(alert);
    expect(stillToPublish({ alert, publishedAt: "2026-11-24T09:00:01.000Z" })).toBeNull();
    // Gone (TTL'd, or never stored): nothing to publish.
    expect(stillToPublish(null)).toBeNull();
  });

  it("the published and read marks name the alert and the time", () => {
    expect(publishedMark(alert, now)).toEqual({ kind: "alert_published", userId: "u1", alertId: alert.id, publishedAt: "2026-11-24T09:00:01.000Z" });
    expect(readMark("u1", alert.id, now)).toEqual({ kind: "alert_read", userId: "u1", alertId: alert.id, readAt: "2026-11-24T09:00:01.000Z" });
  });
});
