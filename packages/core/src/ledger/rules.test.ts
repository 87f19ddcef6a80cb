import { describe, expect, it } from "vitest";
import { isNyangError } from "../errors.ts";
import { loadConfig } from "../config.ts";
import { auditAccount } from "./audit.ts";
import { postingOf } from "./group-commit.ts";
import { adjustmentRule, amountOfUnits, applyPosting, chargeRule, MAX_QUANTITY, newAccount, priceUnits, refundRule, signupRule, spendRule, splitDebit, unitsOf } from "./rules.ts";
import { noFacts, type Account, type LedgerEntry } from "./types.ts";

const t0 = new Date("2026-11-24T09:00:00.000Z");
const opened = (): Account => applyPosting(newAccount("u1", t0), signupRule(10000), "tx_signup", t0).account;
const withPaid = (a: Account, paid: number): Account =>
  applyPosting(a, chargeRule(a, paid, "purchase", 10_000_000, noFacts), "tx_charge", t0).account;

function refusal(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isNyangError(e)) return e.code;
    throw e;
  }
  return undefined;
}

describe("ledger rules", () => {
  it("spends bonus coins first by default, paid first when configured", () => {
    const a = withPaid(opened(), 500);
    expect(splitDebit(a, 10200, "bonus_first", t0)).toEqual({ paid: 200, bonus: 10000 });
    expect(splitDebit(a, 600, "paid_first", t0)).toEqual({ paid: 500, bonus: 100 });
  });

  it("refuses a spend above available coins, counting what holds reserve", () => {
    const a = { ...opened(), holds: { h1: { amount: 9800, expiresAt: "2026-11-24T09:15:00.000Z" } } };
    expect(refusal(() => spendRule(a, 300, "bonus_first", noFacts, t0))).toBe("insufficient_coins");
    expect(refusal(() => spendRule(a, 200, "bonus_first", noFacts, t0))).toBeUndefined();
    // Once the hold is past its expiry it no longer counts, sweep or not.
    expect(refusal(() => spendRule(a, 300, "bonus_first", noFacts, new Date("2026-11-24T09:15:00.000Z")))).toBeUndefined();
  });

  it("refuses spends and charges on a frozen account, allows adjustments", () => {
    const a: Account = { ...opened(), status: "frozen" };
    expect(refusal(() => spendRule(a, 100, "bonus_first", noFacts, t0))).toBe("account_frozen");
    expect(refusal(() => chargeRule(a, 100, "purchase", 1e7, noFacts))).toBe("account_frozen");
    expect(refusal(() => adjustmentRule(a, 100, "bonus_first", 1e7, noFacts, t0))).toBeUndefined();
  });

  it("caps credits at the maximum balance", () => {
    const a = opened();
    expect(refusal(() => chargeRule(a, 90001, "purchase", 100000, noFacts))).toBe("balance_limit_exceeded");
    expect(refusal(() => chargeRule(a, 90000, "purchase", 100000, noFacts))).toBeUndefined();
    expect(refusal(() => adjustmentRule(a, 90001, "bonus_first", 100000, noFacts, t0))).toBe("balance_limit_exceeded");
  });

  it("a negative adjustment never takes the balance below zero", () => {
    const a = opened();
    expect(refusal(() => adjustmentRule(a, -10001, "bonus_first", 1e7, noFacts, t0))).toBe("insufficient_coins");
    const p = adjustmentRule(a, -10000, "bonus_first", 1e7, noFacts, t0);
    expect(applyPosting(a, p, "tx_adj", t0).account.balance).toBe(0);
  });

  it("refunds put paid coins back first and never exceed the original", () => {
    const a = withPaid(opened(), 100);
    const spent = applyPosting(a, spendRule(a, 300, "paid_first", noFacts, t0), "tx_spend", t0).entry;
    expect([spent.paidAmount, spent.bonusAmount]).toEqual([-100, -200]);
    const first = refundRule(spent, { refundedPaid: 0, refundedBonus: 0 }, 150, noFacts, a, 1e9);
    expect([first.posting.paidDelta, first.posting.bonusDelta]).toEqual([100, 50]);
    const second = refundRule(spent, first.tally, undefined, noFacts, a, 1e9);
    expect([second.posting.paidDelta, second.posting.bonusDelta]).toEqual([0, 150]);
    expect(refusal(() => refundRule(spent, second.tally, undefined, noFacts, a, 1e9))).toBe("refund_exceeds_original");
    expect(refusal(() => refundRule(spent, first.tally, 151, noFacts, a, 1e9))).toBe("refund_exceeds_original");
  });

  it("a refund never lifts the balance above the maximum", () => {
    const a = opened();
    const spent = applyPosting(a, spendRule(a, 300, "bonus_first", noFacts, t0), "tx_s", t0);
    const full = { ...spent.account, balance: 100000, bonusBalance: 100000 - spent.account.paidBalance };
    expect(refusal(() => refundRule(spent.entry, { refundedPaid: 0, refundedBonus: 0 }, undefined, noFacts, full, 100000))).toBe("balance_limit_exceeded");
  });

  it("only usage and hold_capture entries can be refunded", () => {
    const a = opened();
    const charge = applyPosting(a, chargeRule(a, 100, "purchase", 1e7, noFacts), "tx_c", t0).entry;
    expect(refusal(() => refundRule(charge, { refundedPaid: 0, refundedBonus: 0 }, undefined, noFacts, a, 1e9))).toBe("validation_failed");
  });

  it("applyPosting chains seq and balances, and never moves time backwards", () => {
    let a = newAccount("u1", t0);
    const entries: LedgerEntry[] = [];
    const clocks = [t0, new Date(t0.getTime() + 5000), new Date(t0.getTime() - 60_000)];
    const postings = [signupRule(10000), chargeRule(a, 250, "purchase", 1e7, noFacts), spendRule({ ...a, balance: 10250, bonusBalance: 10000, paidBalance: 250 }, 300, "bonus_first", noFacts, t0)];
    postings.forEach((p, i) => {
      const r = applyPosting(a, p, `tx_${i}`, clocks[i]!);
      entries.push(r.entry);
      a = r.account;
    });
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(entries[2]!.createdAt).toBe(entries[1]!.createdAt);
    expect(auditAccount(a, entries)).toEqual([]);
  });

  it("the audit names each kind of corruption", () => {
    const a = opened();
    const entry = applyPosting(newAccount("u1", t0), signupRule(10000), "tx_signup", t0).entry;
    expect(auditAccount({ ...a, balance: 9999, bonusBalance: 9999 }, [entry]).map((f) => f.kind)).toContain("balance_mismatch");
    expect(auditAccount(a, [{ ...entry, seq: 2 }]).map((f) => f.kind)).toContain("seq_gap");
    expect(auditAccount(a, [{ ...entry, balanceBefore: 1, balanceAfter: 10001 }]).map((f) => f.kind)).toContain("chain_break");
    expect(auditAccount(a, [{ ...entry, paidAmount: 1 }]).map((f) => f.kind)).toContain("split_mismatch");
    expect(auditAccount(a, [{ ...entry, quantity: 3, unitPrice: 3333 }]).map((f) => f.kind)).toContain("entry_arithmetic");
    expect(auditAccount(a, [{ ...entry, quantity: 4, unitPrice: 2500 }])).toEqual([]);
  });
});

describe("quantities and the price snapshot", () => {
  it("prices quantity × the list price, or one unit of a caller's amount; never both", () => {
    expect(priceUnits(130, {})).toEqual({ quantity: 1, unitPrice: 130, amount: 130 });
    expect(priceUnits(130, { quantity: 4 })).toEqual({ quantity: 4, unitPrice: 130, amount: 520 });
    expect(priceUnits(130, { amount: 70 })).toEqual({ quantity: 1, unitPrice: 70, amount: 70 });
    expect(refusal(() => priceUnits(130, { amount: 70, quantity: 1 }))).toBe("validation_failed");
    for (const q of [0, -1, 1.5, MAX_QUANTITY + 1]) expect(refusal(() => priceUnits(130, { quantity: q })), String(q)).toBe("validation_failed");
    expect(priceUnits(130, { quantity: MAX_QUANTITY }).amount).toBe(1_300_000);
  });

  it("a capture or refund by quantity counts at the stored unit price; without one it is refused", () => {
    expect(amountOfUnits({ quantity: 3 }, 210)).toBe(630);
    expect(amountOfUnits({ amount: 5 }, 210)).toBe(5);
    expect(amountOfUnits({}, 210)).toBeUndefined();
    expect(refusal(() => amountOfUnits({ quantity: 1 }, null))).toBe("validation_failed");
    expect(refusal(() => amountOfUnits({ quantity: 1, amount: 5 }, 210))).toBe("validation_failed");
  });

  it("an amount makes units only when it is a whole number of them", () => {
    expect(unitsOf(630, 210)).toEqual({ quantity: 3, unitPrice: 210 });
    expect(unitsOf(500, 210)).toEqual({ quantity: null, unitPrice: null });
    expect(unitsOf(500, null)).toEqual({ quantity: null, unitPrice: null });
  });

  it("a queued spend (group commit) keeps its units; one queued before quantities existed is one unit of its amount", () => {
    const a = opened();
    const config = loadConfig({});
    const queued = postingOf({ op: "spend", amount: 520, quantity: 4, unitPrice: 130, serviceType: "image_generation_pro", details: null }, a, t0, config);
    expect(queued.facts).toMatchObject({ quantity: 4, unitPrice: 130 });
    const old = postingOf({ op: "spend", amount: 300, serviceType: "ai_writing", details: null }, a, t0, config);
    expect(old.facts).toMatchObject({ quantity: 1, unitPrice: 300 });
  });

  it("a refund records its units at the original's price, whatever the price list says now", () => {
    const a = opened();
    const facts = { ...noFacts, serviceType: "keyword_analysis", quantity: 30, unitPrice: 200 };
    const spent = applyPosting(a, spendRule(a, 6000, "bonus_first", facts, t0), "tx_s", t0);
    expect(spent.entry).toMatchObject({ amount: -6000, quantity: 30, unitPrice: 200 });
    const five = refundRule(spent.entry, { refundedPaid: 0, refundedBonus: 0 }, amountOfUnits({ quantity: 5 }, spent.entry.unitPrice), noFacts, spent.account, 1e9);
    expect(five.posting.facts).toMatchObject({ quantity: 5, unitPrice: 200 });
    const odd = refundRule(spent.entry, five.tally, 150, noFacts, spent.account, 1e9);
    expect(odd.posting.facts).toMatchObject({ quantity: null, unitPrice: null });
    // 4850 left: 25 units is more than that.
    expect(refusal(() => refundRule(spent.entry, odd.tally, amountOfUnits({ quantity: 25 }, 200), noFacts, spent.account, 1e9))).toBe("refund_exceeds_original");
  });
});
