import { describe, expect, it } from "vitest";
import { chargeRecord } from "./charge-record.fixture.ts";
import type { ChargeRecord, ChargeStatus } from "./model.ts";
import { effectiveMonthlyCap, fitsUnderCap, holdsRoom, monthIntents, seoulMonth, seoulMonthStart } from "./monthly-cap.ts";

/** Unit tests of the monthly cap's rules (monthly-cap.ts): no DynamoDB. */

describe("seoulMonth: the calendar month in Korea time (UTC+9, no daylight saving)", () => {
  it("turns at 15:00 UTC on the last day of the month", () => {
    expect(seoulMonth(new Date("2026-11-30T14:59:59.000Z"))).toBe("2026-11");
    expect(seoulMonth(new Date("2026-11-30T14:59:59.999Z"))).toBe("2026-11");
    expect(seoulMonth(new Date("2026-11-30T15:00:00.000Z"))).toBe("2026-12");
    expect(seoulMonth(new Date("2026-12-31T15:00:00.000Z"))).toBe("2027-01");
    expect(seoulMonth(new Date("2026-11-01T00:00:00.000Z"))).toBe("2026-11");
    expect(seoulMonth(new Date("2026-10-31T14:59:59.999Z"))).toBe("2026-10");
  });

  it("seoulMonthStart is the month's first instant in UTC", () => {
    expect(seoulMonthStart("2026-12")).toBe("2026-11-30T15:00:00.000Z");
    expect(seoulMonthStart("2027-01")).toBe("2026-12-31T15:00:00.000Z");
    expect(seoulMonth(new Date(seoulMonthStart("2026-03")))).toBe("2026-03");
    expect(seoulMonth(new Date(Date.parse(seoulMonthStart("2026-03")) - 1))).toBe("2026-02");
  });
});

describe("the cap decision", () => {
  it("a charge fits while the month's count plus it stays at or below the cap; no cap, always", () => {
    expect(fitsUnderCap(0, 1000, 1000)).toBe(true);
    expect(fitsUnderCap(1, 1000, 1000)).toBe(false);
    expect(fitsUnderCap(4000, 1000, 5000)).toBe(true);
    expect(fitsUnderCap(0, 1001, 1000)).toBe(false);
    expect(fitsUnderCap(10 ** 9, 10 ** 9, null)).toBe(true);
  });

  it("the account's own cap wins over the default, higher or lower; none set: the default (null: no cap)", () => {
    expect(effectiveMonthlyCap({ monthlyCapKrw: 3000 }, 50_000)).toBe(3000);
    expect(effectiveMonthlyCap({ monthlyCapKrw: 90_000 }, 50_000)).toBe(90_000);
    expect(effectiveMonthlyCap({ monthlyCapKrw: null }, 50_000)).toBe(50_000);
    expect(effectiveMonthlyCap(null, 50_000)).toBe(50_000);
    expect(effectiveMonthlyCap({ monthlyCapKrw: null }, null)).toBeNull();
  });
});

describe("the month counter moves with the record", () => {
  const r = (over: Partial<ChargeRecord>) => chargeRecord({ amountKrw: 1000, capMonth: "2026-11", ...over });
  const counting: ChargeStatus[] = ["charging", "retry_wait", "paid", "refund_pending"];

  it("a record counts while money is taken or may still be; canceled counts only while its gateway recheck is due", () => {
    for (const status of counting) expect(holdsRoom(r({ status }))).toBe(true);
    for (const status of ["gave_up", "refunded", "canceled"] as const) expect(holdsRoom(r({ status, leaseUntil: null }))).toBe(false);
    expect(holdsRoom(r({ status: "canceled", leaseUntil: "2026-11-24T00:05:00.000Z" }))).toBe(true);
    expect(holdsRoom(r({ status: "charging", capMonth: null }))).toBe(false);
  });

  it("a new counting record adds its KRW under the cap; a skipped one (capMonth null) writes nothing", () => {
    expect(monthIntents(null, r({ status: "charging" }), 5000)).toEqual([{ kind: "auto_charge_month", userId: "u1", month: "2026-11", addKrw: 1000, capKrw: 5000 }]);
    expect(monthIntents(null, r({ status: "charging" }), null)).toEqual([{ kind: "auto_charge_month", userId: "u1", month: "2026-11", addKrw: 1000, capKrw: null }]);
    expect(monthIntents(null, r({ status: "canceled", capMonth: null, failureCode: "MONTHLY_CAP_REACHED" }), 5000)).toEqual([]);
  });

  it("closing unpaid gives the room back, unconditionally, to the month it was counted in; staying counted moves nothing", () => {
    const giveBack = [{ kind: "auto_charge_month", userId: "u1", month: "2026-10", addKrw: -1000, capKrw: null }];
    expect(monthIntents(r({ status: "charging", capMonth: "2026-10" }), r({ status: "gave_up", capMonth: "2026-10" }), 5000)).toEqual(giveBack);
    expect(monthIntents(r({ status: "retry_wait", capMonth: "2026-10" }), r({ status: "canceled", capMonth: "2026-10" }), 5000)).toEqual(giveBack);
    expect(monthIntents(r({ status: "refund_pending", capMonth: "2026-10" }), r({ status: "refunded", capMonth: "2026-10" }), 5000)).toEqual(giveBack);
    expect(monthIntents(r({ status: "charging" }), r({ status: "paid" }), 5000)).toEqual([]);
    expect(monthIntents(r({ status: "charging" }), r({ status: "retry_wait" }), 5000)).toEqual([]);
    expect(monthIntents(r({ status: "charging" }), r({ status: "canceled", leaseUntil: "2026-11-24T00:05:00.000Z" }), 5000)).toEqual([]);
    expect(monthIntents(r({ status: "canceled", leaseUntil: "2026-11-24T00:05:00.000Z" }), r({ status: "canceled", leaseUntil: null }), 5000)).toEqual([
      { kind: "auto_charge_month", userId: "u1", month: "2026-11", addKrw: -1000, capKrw: null },
    ]);
  });

  it("a closed record counted again (approved after it closed, being refunded: the caller gives no cap) adds back unconditionally; a resumed skip, under the cap", () => {
    expect(monthIntents(r({ status: "canceled", capMonth: null, failureCode: "MONTHLY_CAP_REACHED" }), r({ status: "charging", capMonth: "2026-12" }), 5000)).toEqual([
      { kind: "auto_charge_month", userId: "u1", month: "2026-12", addKrw: 1000, capKrw: 5000 },
    ]);
    expect(monthIntents(r({ status: "gave_up" }), r({ status: "refund_pending" }), null)).toEqual([
      { kind: "auto_charge_month", userId: "u1", month: "2026-11", addKrw: 1000, capKrw: null },
    ]);
  });
});
