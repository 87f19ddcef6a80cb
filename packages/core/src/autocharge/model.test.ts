import { describe, expect, it } from "vitest";
import { isNyangError } from "../errors.ts";
import { entryIdFor } from "../ledger/idempotency.ts";
import { alertsForCharge } from "./alerts.ts";
import { chargeRecord } from "./charge-record.fixture.ts";
import {
  armedCrossingId,
  attemptKeyFor,
  backoffMs,
  chargeIdFor,
  creditKeyFor,
  crosses,
  currentCrossing,
  hmacCustomerKeys,
  krwFor,
  registrationKeyFor,
} from "./model.ts";

type E = { id: string; seq: number; balanceBefore: number; balanceAfter: number };

/** Entries from balances: [b0, b1, b2, …] makes entry n go from b(n-1) to b(n). */
function ledger(...balances: number[]): E[] {
  return balances.slice(1).map((after, i) => ({ id: `tx_${i + 1}`, seq: i + 1, balanceBefore: balances[i]!, balanceAfter: after }));
}
async function* newestFirst(entries: E[]) {
  for (const e of [...entries].reverse()) yield e;
}
const settings = (threshold: number, armedAtSeq = 0, armedRevision = 1) => ({ threshold, armedAtSeq, armedRevision });
const last = (entries: E[]) => ({ balance: entries.at(-1)!.balanceAfter, version: entries.at(-1)!.seq });

describe("the current crossing", () => {
  it("is the newest entry that took the balance from above the threshold to at or below it", async () => {
    const l = ledger(0, 10000, 1500, 800, 600, 300);
    expect(await currentCrossing(last(l), settings(1000), newestFirst(l))).toEqual({ crossingId: "tx_3", seq: 3 });
  });

  it("is null while the balance is above the threshold", async () => {
    const l = ledger(0, 10000, 500, 10500);
    expect(await currentCrossing(last(l), settings(1000), newestFirst(l))).toBeNull();
  });

  it("after a charge that left the balance still at or below it, stays the same crossing", async () => {
    const l = ledger(0, 10000, 5000, 15000, 14000); // threshold 20 000: crossed by… nothing above it since arming
    const armed = settings(20000, 1, 4);
    expect(await currentCrossing(last(l), armed, newestFirst(l))).toEqual({ crossingId: armedCrossingId(4), seq: null });
    const l2 = ledger(0, 30000, 15000, 16000, 12000); // crossed at 2, charged at 3 (still below), spent at 4
    expect(await currentCrossing(last(l2), settings(20000), newestFirst(l2))).toEqual({ crossingId: "tx_2", seq: 2 });
  });

  it("is the arming when no entry since the arming crossed (already low when turned on)", async () => {
    const l = ledger(0, 10000, 500, 400);
    expect(await currentCrossing(last(l), settings(1000, 2, 7), newestFirst(l))).toEqual({ crossingId: "armed-r7", seq: null });
    // A crossing after the arming wins over it.
    const l2 = ledger(0, 10000, 500, 5000, 300);
    expect(await currentCrossing(last(l2), settings(1000, 2, 7), newestFirst(l2))).toEqual({ crossingId: "tx_4", seq: 4 });
  });

  it("passes over entries newer than the account read, and refuses a ledger that does not chain", async () => {
    const l = ledger(0, 10000, 500, 10500, 400);
    expect(await currentCrossing({ balance: 500, version: 2 }, settings(1000), newestFirst(l))).toEqual({ crossingId: "tx_2", seq: 2 });
    await expect(currentCrossing({ balance: 700, version: 4 }, settings(1000), newestFirst(l))).rejects.toThrow(/does not chain/);
  });

  it("gives up (null) rather than guess when no crossing shows within the walk", async () => {
    const l = ledger(0, 10000, 900, 800, 700, 600);
    expect(await currentCrossing(last(l), settings(1000), newestFirst(l), 3)).toBeNull();
    expect(await currentCrossing(last(l), settings(1000), newestFirst(l), 4)).toEqual({ crossingId: "tx_2", seq: 2 });
  });

  it("crosses: strictly above before, at or below after", () => {
    expect(crosses({ balanceBefore: 1001, balanceAfter: 1000 }, 1000)).toBe(true);
    expect(crosses({ balanceBefore: 1000, balanceAfter: 900 }, 1000)).toBe(false);
    expect(crosses({ balanceBefore: 2000, balanceAfter: 1001 }, 1000)).toBe(false);
  });
});

describe("keys of a charge", () => {
  it("order id, attempt keys and credit entry all derive from the crossing", () => {
    const id = chargeIdFor("u1", "tx_abc");
    expect(id).toMatch(/^ac_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(id).toBe(chargeIdFor("u1", "tx_abc"));
    expect(id).not.toBe(chargeIdFor("u2", "tx_abc"));
    // Toss's order id rule: 6–64 of A-Z a-z 0-9 - _
    expect(id).toMatch(/^[A-Za-z0-9_-]{6,64}$/);
    expect(entryIdFor("u1", creditKeyFor("tx_abc"), "system").slice(3)).toBe(id.slice(3));
    expect(attemptKeyFor(id, 2)).toBe(`autocharge-${id}-2`);
    expect(attemptKeyFor(id, 2).length).toBeLessThanOrEqual(300);
  });
});

describe("backoff and money", () => {
  it("doubles from the base after each refusal, up to the maximum", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, 3600, 86400) / 3600_000)).toEqual([1, 2, 4, 8, 16, 24]);
    expect(backoffMs(100, 60, 600)).toBe(600_000);
  });

  it("KRW at the configured rate, whole won only", () => {
    expect(krwFor(10000, 10)).toBe(1000);
    expect(krwFor(10010, 10)).toBe(1001);
    const e = (() => {
      try {
        krwFor(10005, 10);
      } catch (error) {
        return error;
      }
    })();
    expect(isNyangError(e, "validation_failed")).toBe(true);
  });
});

describe("auto_charge alerts", () => {
  const record = chargeRecord;

  it("one per state, with fixed ids; the disabled alert sorts after its failure; no billing key in any", () => {
    expect(alertsForCharge(record({}), 3)).toEqual([]);
    const paid = alertsForCharge(record({ status: "paid", transactionId: "tx_c", paymentKey: "pk" }), 3);
    expect(paid.map((a) => [a.type, a.severity, a.data.event])).toEqual([["auto_charge", "info", "charged"]]);
    expect(alertsForCharge(record({ status: "paid", transactionId: "tx_c", paymentKey: "pk" }), 3)).toEqual(paid);
    const failed = alertsForCharge(record({ status: "retry_wait", failureCode: "REJECT_CARD_PAYMENT", nextAttemptAt: "2026-11-24T01:00:05.000Z" }), 3);
    expect(failed.map((a) => a.data.event)).toEqual(["payment_failed"]);
    const gaveUp = alertsForCharge(record({ status: "gave_up", attempts: 3, failureCode: "REJECT_CARD_PAYMENT" }), 3);
    expect(gaveUp.map((a) => [a.data.event, a.severity])).toEqual([["payment_failed", "warning"], ["disabled", "critical"]]);
    expect(gaveUp[0]!.id < gaveUp[1]!.id).toBe(true);
    for (const a of [...paid, ...failed, ...gaveUp]) expect(JSON.stringify(a)).not.toContain("secret-billing-key");
  });

  it("a gateway reason that ends with its own full stop gets no second one", () => {
    for (const status of ["retry_wait", "gave_up"] as const) {
      const [withStop] = alertsForCharge(record({ status, failureCode: "REJECT_CARD_PAYMENT", failureMessage: "한도초과 혹은 잔액부족으로 결제에 실패했습니다.", nextAttemptAt: "2026-11-24T01:00:05.000Z" }), 3);
      expect(withStop!.message).toContain("결제에 실패했습니다. ");
      expect(withStop!.message).not.toMatch(/\.\./);
      const [bare] = alertsForCharge(record({ status, failureCode: "REJECT_CARD_PAYMENT", failureMessage: null, nextAttemptAt: "2026-11-24T01:00:05.000Z" }), 3);
      expect(bare!.message).toContain("REJECT_CARD_PAYMENT. ");
    }
  });
});

describe("customer keys and registration keys (issue 8, item 2)", () => {
  it("a customer key is the account's: stable, one per user id and secret, within Toss's rule, read from the secret once", () => {
    let reads = 0;
    const keys = hmacCustomerKeys(() => (reads++, "test_sk_one"));
    const a = keys("u1");
    expect(keys("u1")).toBe(a);
    expect(keys("u2")).not.toBe(a);
    expect(hmacCustomerKeys(() => "test_sk_two")("u1")).not.toBe(a);
    expect(a).toMatch(/^nyc_[A-Za-z0-9_-]{43}$/);
    expect(reads).toBe(1);
  });

  it("a registration's gateway Idempotency-Key names the account as well as the authKey", () => {
    expect(registrationKeyFor("u1", "bln-1")).toBe(registrationKeyFor("u1", "bln-1"));
    expect(registrationKeyFor("u2", "bln-1")).not.toBe(registrationKeyFor("u1", "bln-1"));
    expect(registrationKeyFor("u1", "bln-2")).not.toBe(registrationKeyFor("u1", "bln-1"));
    expect(registrationKeyFor("u1", "x".repeat(300)).length).toBeLessThanOrEqual(300);
  });
});
