import { describe, expect, it } from "vitest";
import { isNyangError } from "../errors.ts";
import type { AutoChargeSettings, ChargeRecord } from "./model.ts";
import { assertChargeFits, defaultSettings, settingsAfterDecline, settingsAfterDisable, settingsAfterUpdate, type SettingsUpdate } from "./settings-transitions.ts";

/** Unit tests of how auto-charge settings change: no DynamoDB, no gateway. */

const T0 = "2026-11-24T00:00:00.000Z";
const T1 = new Date("2026-11-24T00:10:00.000Z");
const card = { billingKey: "bk", customerKey: "nyc_1", cardCompany: "신한", cardNumber: "4330****", registeredAt: T0 };
const off = defaultSettings("u1", { threshold: 1000, amount: 10000 }, new Date(T0));
const on: AutoChargeSettings = { ...off, enabled: true, billing: card, armedRevision: 1, armedAtSeq: 3, armedAt: T0, revision: 1 };
const update = (over: Partial<SettingsUpdate> = {}): SettingsUpdate => ({
  enabled: true, threshold: 1000, amount: 10000, paymentMethod: "card", billing: card, monthlyCapKrw: null, accountVersion: 7, now: T1, maxCoinAmount: 1_000_000, ...over,
});
const codeOf = (f: () => unknown) => {
  try {
    f();
    return null;
  } catch (e) {
    return isNyangError(e) ? e.code : `unexpected: ${String(e)}`;
  }
};

describe("auto-charge settings", () => {
  it("start off, with the configured threshold and amount, no card, never armed", () => {
    expect(off).toMatchObject({ userId: "u1", enabled: false, threshold: 1000, amount: 10000, billing: null, consecutiveFailures: 0, armedRevision: 0, revision: 0 });
  });

  it("turning on arms the account at its current version, and starts the failure count afresh", () => {
    const failed = { ...off, consecutiveFailures: 3, disabledReason: "payment_failures" as const, disabledAt: T0 };
    expect(settingsAfterUpdate(failed, update())).toMatchObject({
      enabled: true, billing: card, consecutiveFailures: 0, disabledReason: null, disabledAt: null,
      armedRevision: 1, armedAtSeq: 7, armedAt: T1.toISOString(), updatedAt: T1.toISOString(), revision: 1,
    });
  });

  it("a new threshold while on re-arms; a new amount alone does not", () => {
    expect(settingsAfterUpdate(on, update({ threshold: 2000 }))).toMatchObject({ armedRevision: 2, armedAtSeq: 7, revision: 2 });
    expect(settingsAfterUpdate(on, update({ amount: 20000 }))).toMatchObject({ amount: 20000, armedRevision: 1, armedAtSeq: 3, revision: 2 });
  });

  it("turning on needs a card, and threshold + amount within MAX_COIN_AMOUNT; turning off needs neither", () => {
    expect(codeOf(() => settingsAfterUpdate(off, update({ billing: null })))).toBe("validation_failed");
    expect(codeOf(() => settingsAfterUpdate(off, update({ maxCoinAmount: 10999 })))).toBe("balance_limit_exceeded");
    expect(codeOf(() => settingsAfterUpdate(off, update({ maxCoinAmount: 11000 })))).toBeNull();
    expect(settingsAfterUpdate(on, update({ enabled: false, billing: null, maxCoinAmount: 1 }))).toMatchObject({
      enabled: false, disabledReason: "user", disabledAt: T1.toISOString(), armedRevision: 1,
    });
    expect(codeOf(() => assertChargeFits(500, 501, 1000))).toBe("balance_limit_exceeded");
  });

  it("disable: off and the card forgotten; the reason stays the one it had when already off", () => {
    expect(settingsAfterDisable(on, T1)).toMatchObject({ enabled: false, billing: null, disabledReason: "user", disabledAt: T1.toISOString(), revision: 2 });
    const gaveUp = { ...off, billing: card, disabledReason: "payment_failures" as const, disabledAt: T0, revision: 4 };
    expect(settingsAfterDisable(gaveUp, T1)).toMatchObject({ billing: null, disabledReason: "payment_failures", disabledAt: T0, revision: 5 });
  });

  it("a refused payment counts one failure; the record that gave up turns auto-charge off, at the record's time", () => {
    const declined = (status: ChargeRecord["status"]) => ({ status, updatedAt: T1.toISOString() }) as ChargeRecord;
    expect(settingsAfterDecline({ ...on, consecutiveFailures: 1 }, declined("retry_wait"))).toMatchObject({ enabled: true, consecutiveFailures: 2, updatedAt: T1.toISOString(), revision: 2 });
    expect(settingsAfterDecline({ ...on, consecutiveFailures: 2 }, declined("gave_up"))).toMatchObject({
      enabled: false, consecutiveFailures: 3, disabledReason: "payment_failures", disabledAt: T1.toISOString(), revision: 2,
    });
    const ahead = { ...on, updatedAt: "2026-11-24T00:20:00.000Z" };
    expect(settingsAfterDecline(ahead, declined("retry_wait")).updatedAt).toBe("2026-11-24T00:20:00.000Z");
  });

  it("the monthly cap: whole won from 1 to 1,000,000,000 or null (the default), kept on or off; anything else refused", () => {
    expect(off.monthlyCapKrw).toBeNull();
    expect(settingsAfterUpdate(on, update({ monthlyCapKrw: 30_000 })).monthlyCapKrw).toBe(30_000);
    expect(settingsAfterUpdate(on, update({ enabled: false, billing: null, monthlyCapKrw: 1 })).monthlyCapKrw).toBe(1);
    expect(settingsAfterUpdate({ ...on, monthlyCapKrw: 30_000 }, update({ monthlyCapKrw: null })).monthlyCapKrw).toBeNull();
    for (const bad of [0, -1, 1.5, 1_000_000_001, Number.NaN]) expect(codeOf(() => settingsAfterUpdate(on, update({ monthlyCapKrw: bad })))).toBe("validation_failed");
  });
});
