import { describe, expect, it } from "vitest";
import { isNyangError } from "../errors.ts";
import { captureRule, expireRule, holdStatusAt, MAX_PENDING_HOLDS, releaseRule, reserveRule } from "./holds.ts";
import { applyPosting, available, chargeRule, newAccount, signupRule } from "./rules.ts";
import { noFacts, type Account } from "./types.ts";

const t0 = new Date("2026-11-24T09:00:00.000Z");
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const opened = (): Account => applyPosting(newAccount("u1", t0), signupRule(1000), "tx_signup", t0).account;
const reserve = (a: Account, id: string, amount: number, ttl = 60, now = t0) =>
  reserveRule(a, { holdId: id, amount, ttlSeconds: ttl, serviceType: "image_generation_max", details: null }, now);

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isNyangError(e)) return e.code;
    throw e;
  }
  return undefined;
}

describe("hold rules", () => {
  it("a hold reserves coins until it expires, then stops counting at once", () => {
    const { account, hold } = reserve(opened(), "h1", 300);
    expect(available(account, t0)).toBe(700);
    expect(hold.expiresAt).toBe(at(60).toISOString());
    expect(available(account, at(59))).toBe(700);
    expect(available(account, at(60))).toBe(1000);
    expect(holdStatusAt(hold, at(60))).toBe("expired");
  });

  it("never reserves more than is available", () => {
    const { account } = reserve(opened(), "h1", 900);
    expect(code(() => reserve(account, "h2", 101))).toBe("insufficient_coins");
    expect(code(() => reserve(account, "h2", 100))).toBeUndefined();
  });

  it("capture debits what is captured and frees the rest", () => {
    const { account, hold } = reserve(opened(), "h1", 300);
    const { account: freed, posting } = captureRule(account, hold, 210, "bonus_first", at(1));
    expect(posting.type).toBe("hold_capture");
    expect(posting.paidDelta + posting.bonusDelta).toBe(-210);
    expect(freed.holds).toEqual({});
    expect(code(() => captureRule(account, hold, 301, "bonus_first", at(1)))).toBe("invalid_amount");
  });

  it("a hold keeps its units; a capture records the units its amount makes at the hold's price", () => {
    const { account, hold } = reserveRule(opened(), { holdId: "h1", amount: 630, quantity: 3, unitPrice: 210, ttlSeconds: 60, serviceType: "image_generation_max", details: null }, t0);
    expect(hold).toMatchObject({ amount: 630, quantity: 3, unitPrice: 210 });
    expect(captureRule(account, hold, 420, "bonus_first", at(1)).posting.facts).toMatchObject({ quantity: 2, unitPrice: 210 });
    expect(captureRule(account, hold, undefined, "bonus_first", at(1)).posting.facts).toMatchObject({ quantity: 3, unitPrice: 210 });
    expect(captureRule(account, hold, 500, "bonus_first", at(1)).posting.facts).toMatchObject({ quantity: null, unitPrice: null });
    // A hold of a bare amount is one unit of it.
    expect(reserve(opened(), "h2", 300).hold).toMatchObject({ quantity: 1, unitPrice: 300 });
  });

  it("over-capture: refused by default; from_available takes the extra from the available coins, split in the spend order", () => {
    // 1000 bonus + 500 paid; holds of 300 (h1) and 600 (h2): 600 available.
    let a = opened();
    a = applyPosting(a, chargeRule(a, 500, "purchase", 1e7, noFacts), "tx_paid", t0).account;
    const { account: one, hold } = reserve(a, "h1", 300);
    const { account } = reserve(one, "h2", 600);
    expect(available(account, t0)).toBe(600);
    expect(code(() => captureRule(account, hold, 400, "bonus_first", at(1)))).toBe("invalid_amount");
    expect(code(() => captureRule(account, hold, 400, "bonus_first", at(1), "reject"))).toBe("invalid_amount");
    const over = captureRule(account, hold, 900, "paid_first", at(1), "from_available");
    expect([over.posting.paidDelta, over.posting.bonusDelta, over.posting.usedDelta]).toEqual([-500, -400, 900]);
    expect(Object.keys(over.account.holds)).toEqual(["h2"]);
    // The extra must fit beside every hold, this one included: 601 more is one too many.
    expect(code(() => captureRule(account, hold, 901, "bonus_first", at(1), "from_available"))).toBe("insufficient_coins");
    // A frozen account captures what it reserved, not more.
    const frozen: Account = { ...account, status: "frozen" };
    expect(code(() => captureRule(frozen, hold, 300, "bonus_first", at(1), "from_available"))).toBeUndefined();
    expect(code(() => captureRule(frozen, hold, 301, "bonus_first", at(1), "from_available"))).toBe("account_frozen");
    expect(code(() => captureRule(account, hold, 400, "bonus_first", at(60), "from_available"))).toBe("hold_not_pending");
  });

  it("capture and release refuse a hold that is settled or expired", () => {
    const { account, hold } = reserve(opened(), "h1", 300);
    expect(code(() => captureRule(account, hold, undefined, "bonus_first", at(60)))).toBe("hold_not_pending");
    expect(code(() => releaseRule(account, hold, at(60)))).toBe("hold_not_pending");
    expect(code(() => releaseRule(account, { ...hold, status: "captured" }, at(1)))).toBe("hold_not_pending");
    expect(releaseRule(account, hold, at(1)).holds).toEqual({});
  });

  it("the sweep expires only pending holds past their expiry", () => {
    const { account, hold } = reserve(opened(), "h1", 300);
    expect(expireRule(account, hold, at(59))).toBeNull();
    expect(expireRule(account, { ...hold, status: "released" }, at(61))).toBeNull();
    expect(expireRule(account, hold, at(60))?.holds).toEqual({});
  });

  it("any later write drops expired holds off the account", () => {
    const { account } = reserve(opened(), "h1", 300, 10);
    const { account: next } = reserve(account, "h2", 100, 60, at(11));
    expect(Object.keys(next.holds)).toEqual(["h2"]);
  });

  it("caps pending holds per account", () => {
    let a = applyPosting(newAccount("u1", t0), signupRule(100000), "tx_signup", t0).account;
    for (let i = 0; i < MAX_PENDING_HOLDS; i++) a = reserve(a, `h${i}`, 1).account;
    expect(code(() => reserve(a, "one-more", 1))).toBe("too_many_holds");
  });
});
