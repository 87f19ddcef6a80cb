import { describe, expect, it } from "vitest";
import type { LedgerEntry } from "../ledger/types.ts";
import { contributionOf } from "./aggregates.ts";
import { testEntry } from "./entry.fixture.ts";
import { addUsage, usageOfEntry } from "./usage.ts";

const entry = (type: LedgerEntry["type"], amount: number, details: Record<string, unknown> | null = null) => testEntry(type, amount, { details });

describe("usage: gross, refunded, net", () => {
  it("usage and hold captures are gross; refunds of them are refunded; net is the difference", () => {
    const entries = [entry("usage", -300), entry("hold_capture", -130), entry("refund", 100), entry("refund", 30)];
    const total = entries.map(usageOfEntry).reduce(addUsage);
    expect(total).toEqual({ gross: 430, refunded: 130, net: 300 });
  });

  it("a purchase cancel (a refund entry naming its order), a purchase, a grant or an adjustment is no usage", () => {
    for (const e of [
      entry("refund", -10000, { orderId: "ord_1", amountKrw: 10000 }),
      entry("purchase", 10000),
      entry("auto_charge", 10000),
      entry("signup_bonus", 10000),
      entry("admin_adjustment", -500),
      entry("expiration", -500),
    ]) {
      expect(usageOfEntry(e), e.type).toEqual({ gross: 0, refunded: 0, net: 0 });
    }
  });

  it("the aggregates count exactly these: gross as usageCoins, refunded as refundCoins and per service", () => {
    const refund = contributionOf(entry("refund", 100), 9);
    expect(refund.counters).toEqual({ refundCoins: 100, refundCount: 1, svc_ai_writing_refunded: 100 });
    expect([refund.isUsage, refund.listedByDay]).toEqual([false, true]);
    const cancel = contributionOf(entry("refund", -10000, { orderId: "ord_1", amountKrw: 10000 }), 9);
    expect(cancel.counters.refundCoins).toBeUndefined();
    expect(cancel.listedByDay).toBe(false);
    expect(contributionOf(entry("hold_capture", -130), 9).counters.usageCoins).toBe(130);
  });
});
