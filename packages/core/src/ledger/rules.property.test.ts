import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SpendOrder } from "../config.ts";
import { isNyangError, type ErrorCode } from "../errors.ts";
import { auditAccount } from "./audit.ts";
import { captureRule, expireRule, holdStatusAt, releaseRule, reserveRule } from "./holds.ts";
import { settleExpiredLots } from "./bonus-expiry.ts";
import { adjustmentRule, applyPosting, assertWithinLimit, available, balanceAt, chargeRule, heldAt, newAccount, refundRule, signupRule, spendRule, splitDebit, type RefundTally } from "./rules.ts";
import { expiredBonus, isLive, legacyLots } from "./lots.ts";
import { noFacts, type Account, type BonusLot, type Hold, type LedgerEntry, type Posting } from "./types.ts";

/**
 * Property tests of the pure ledger rules (no database): random sequences of spends, charges,
 * adjustments, refunds, holds (reserve, capture in full or in part, release, expiry) and
 * freezes, bonus lots granted with and without expiry and written off (by the write that finds
 * them expired, as the write loop does, or by a sweep step), applied through the rules and
 * `applyPosting` exactly as the Ledger applies them, with the clock moving. After every step the ledger invariants of ARCHITECTURE.md hold, and
 * every refusal is one the state justifies. The DynamoDB-backed property test
 * (test/ledger/ledger.property.integration.test.ts) checks the Ledger itself against a model.
 */

const t0 = Date.parse("2026-11-24T09:00:00.000Z");

type Step =
  | { op: "spend"; amount: number }
  | { op: "charge"; amount: number }
  | { op: "adjust"; amount: number }
  | { op: "refund"; pick: number; amount: number | undefined }
  | { op: "reserve"; amount: number; quantity: number; ttlSeconds: number }
  | { op: "capture"; pick: number; amount: number | undefined; over: boolean }
  | { op: "release"; pick: number }
  | { op: "expire"; pick: number }
  | { op: "advance"; ms: number }
  | { op: "freeze"; frozen: boolean }
  | { op: "grant"; amount: number; expiresInMs: number | null }
  | { op: "sweepLots" };

const coins = fc.integer({ min: 1, max: 6000 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("spend" as const), amount: coins }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("charge" as const), amount: fc.integer({ min: 1, max: 20_000 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("adjust" as const), amount: fc.integer({ min: -6000, max: 6000 }).filter((n) => n !== 0) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("refund" as const), pick: fc.nat(), amount: fc.option(coins, { nil: undefined }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("reserve" as const), amount: coins, quantity: fc.integer({ min: 1, max: 4 }), ttlSeconds: fc.integer({ min: 10, max: 3600 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("capture" as const), pick: fc.nat(), amount: fc.option(fc.integer({ min: 1, max: 12_000 }), { nil: undefined }), over: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("release" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("expire" as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 4_000_000 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("freeze" as const), frozen: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("grant" as const), amount: coins, expiresInMs: fc.option(fc.integer({ min: 1, max: 8_000_000 }), { nil: null }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("sweepLots" as const) }) },
);

interface World {
  account: Account;
  entries: LedgerEntry[];
  holds: Hold[];
  tallies: Map<string, RefundTally>;
  now: Date;
  order: SpendOrder;
  max: number;
  /** Whether writes settle expired lots before deciding (the quiet write loop) or leave them to the sweep (a group commit). */
  inline: boolean;
  /** The account the last step decided on (after any expiries written first). */
  decidedOn: Account;
}

/** The refusals each step may meet; anything else (or a plain Error) fails the property. */
const allowed: Record<Step["op"], readonly ErrorCode[]> = {
  spend: ["insufficient_coins", "account_frozen"],
  charge: ["balance_limit_exceeded", "account_frozen"],
  adjust: ["insufficient_coins", "balance_limit_exceeded"],
  refund: ["refund_exceeds_original", "balance_limit_exceeded"],
  reserve: ["insufficient_coins", "account_frozen", "too_many_holds"],
  capture: ["hold_not_pending", "invalid_amount", "insufficient_coins", "account_frozen"],
  release: ["hold_not_pending"],
  expire: [],
  advance: [],
  freeze: [],
  grant: ["balance_limit_exceeded"],
  sweepLots: [],
};

const pickFrom = <T>(list: readonly T[], n: number): T | undefined => (list.length === 0 ? undefined : list[n % list.length]);

/** Applies one step as the Ledger would; returns the refusal's code, or null when it was applied. */
function apply(w: World, s: Step): ErrorCode | null {
  // The write loop writes off expired lots before a write decides; a sweep step does it alone.
  const settle = () => {
    const { account, entries } = settleExpiredLots(w.account, w.now);
    w.account = account;
    w.entries.push(...entries.map((e) => ({ ...e.entry, id: `tx_x${w.entries.length + 1}` })));
  };
  if (s.op === "sweepLots" || (w.inline && !["advance", "freeze", "expire", "release"].includes(s.op))) {
    // Only written together with the step's own write: a refused step writes nothing, expiries included.
    const saved = { account: w.account, entries: w.entries.length };
    settle();
    w.decidedOn = w.account;
    if (s.op !== "sweepLots") {
      const refused = applyStep(w, s);
      if (refused !== null) {
        w.account = saved.account;
        w.entries.length = saved.entries;
      }
      return refused;
    }
    return null;
  }
  w.decidedOn = w.account;
  return applyStep(w, s);
}

function applyStep(w: World, s: Step): ErrorCode | null {
  const post = (posting: Posting, from: Account = w.account) => {
    const { account, entry } = applyPosting(from, posting, `tx_${w.entries.length + 1}`, w.now);
    w.account = account;
    w.entries.push(entry);
    return entry;
  };
  try {
    switch (s.op) {
      case "spend":
        post(spendRule(w.account, s.amount, w.order, noFacts, w.now));
        return null;
      case "charge":
        post(chargeRule(w.account, s.amount, "purchase", w.max, noFacts));
        return null;
      case "adjust":
        post(adjustmentRule(w.account, s.amount, w.order, w.max, noFacts, w.now));
        return null;
      case "refund": {
        const original = pickFrom(refundable(w), s.pick);
        if (!original) return null;
        const before = w.tallies.get(original.id) ?? { refundedPaid: 0, refundedBonus: 0 };
        const { posting, tally } = refundRule(original, before, s.amount, noFacts, w.account, w.max);
        post(posting);
        w.tallies.set(original.id, tally);
        return null;
      }
      case "reserve": {
        const { account, hold } = reserveRule(
          w.account,
          { holdId: `hold_${w.holds.length + 1}`, amount: s.amount * s.quantity, quantity: s.quantity, unitPrice: s.amount, ttlSeconds: s.ttlSeconds, serviceType: null, details: null },
          w.now,
        );
        w.account = account;
        w.holds.push(hold);
        return null;
      }
      case "capture": {
        const i = w.holds.length === 0 ? -1 : s.pick % w.holds.length;
        const hold = w.holds[i];
        if (!hold) return null;
        const { account: freed, posting } = captureRule(w.account, hold, s.amount, w.order, w.now, s.over ? "from_available" : "reject");
        const entry = post(posting, freed);
        w.holds[i] = { ...hold, status: "captured", capturedAmount: -entry.amount, captureTransactionId: entry.id };
        return null;
      }
      case "release": {
        const i = w.holds.length === 0 ? -1 : s.pick % w.holds.length;
        const hold = w.holds[i];
        if (!hold) return null;
        w.account = releaseRule(w.account, hold, w.now);
        w.holds[i] = { ...hold, status: "released" };
        return null;
      }
      case "expire": {
        const i = w.holds.length === 0 ? -1 : s.pick % w.holds.length;
        const hold = w.holds[i];
        if (!hold) return null;
        const after = expireRule(w.account, hold, w.now);
        if (after) {
          w.account = after;
          w.holds[i] = { ...hold, status: "expired" };
        }
        return null;
      }
      case "advance":
        w.now = new Date(w.now.getTime() + s.ms);
        return null;
      case "freeze":
        w.account = { ...w.account, status: s.frozen ? "frozen" : "active" };
        return null;
      case "grant": {
        assertWithinLimit(w.account, s.amount, w.max);
        const expiresAt = s.expiresInMs === null ? null : new Date(w.now.getTime() + s.expiresInMs).toISOString();
        const before = w.account.lots;
        post({ type: "admin_adjustment", paidDelta: 0, bonusDelta: s.amount, usedDelta: 0, purchasedDelta: 0, facts: noFacts, lot: { kind: "grant", expiresAt, source: "purchase" } });
        check(w.account.lots.reduce((n, l) => n + l.remaining, 0) === before.reduce((n, l) => n + l.remaining, 0) + s.amount, "a grant adds its coins to the lots");
        return null;
      }
      case "sweepLots":
        return null;
    }
  } catch (e) {
    if (!isNyangError(e)) throw e;
    return e.code;
  }
}

const refundable = (w: World) => w.entries.filter((e) => e.type === "usage" || e.type === "hold_capture");

/** What is left to refund of the entry a refund step picks. */
function refundableLeft(w: World, pick: number): number {
  const original = pickFrom(refundable(w), pick)!;
  const t = w.tallies.get(original.id) ?? { refundedPaid: 0, refundedBonus: 0 };
  return -original.amount - t.refundedPaid - t.refundedBonus;
}

/** Why a refusal was right: the state it was refused in must justify it. */
function justified(w: World, s: Step, code: ErrorCode): boolean {
  const free = available(w.account, w.now);
  switch (code) {
    case "account_frozen":
      return w.account.status === "frozen";
    case "insufficient_coins":
      if (s.op === "capture") {
        // Over-capture: the extra beyond the hold must fit in what is available.
        const hold = pickFrom(w.holds, s.pick);
        if (hold === undefined) return false;
        // Bonus coins the hold was reserved against may have expired: what counts must cover the capture.
        const counting = balanceAt(w.account, w.now);
        return (s.over && (s.amount ?? 0) - hold.amount > free) || (s.amount ?? hold.amount) > counting;
      }
      if (s.op === "reserve") return s.amount * s.quantity > free;
      return s.op === "spend" ? s.amount > free : s.op === "adjust" && -s.amount > free;
    case "balance_limit_exceeded": {
      const credit = s.op === "refund" ? (s.amount ?? refundableLeft(w, s.pick)) : s.op === "charge" || s.op === "adjust" || s.op === "grant" ? s.amount : 0;
      return w.account.balance + credit > w.max;
    }
    case "hold_not_pending": {
      const hold = "pick" in s ? pickFrom(w.holds, s.pick) : undefined;
      return hold !== undefined && holdStatusAt(hold, w.now) !== "pending";
    }
    case "invalid_amount": {
      const hold = "pick" in s ? pickFrom(w.holds, s.pick) : undefined;
      return hold !== undefined && s.op === "capture" && !s.over && (s.amount ?? 0) > hold.amount;
    }
    default:
      return true;
  }
}

/** Throws with `what` unless `ok`: cheaper than `expect` in a loop run tens of thousands of times. */
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`invariant broken: ${what}`);
}

function checkInvariants(w: World): void {
  const a = w.account;
  // Ledger rule 2: gapless seqs, an exact chain, balance = Σ amounts, paid and bonus parts included.
  const findings = auditAccount(a, w.entries);
  check(findings.length === 0, JSON.stringify(findings));
  check(a.paidBalance >= 0 && a.bonusBalance >= 0, "no part of the balance goes negative");
  check(Number.isSafeInteger(a.balance), "balances are integers");
  // Holds never reserve more than there is, and only pending, unexpired holds count; a hold pins
  // no lot, so bonus that expired under a hold may leave available short by at most what expired.
  const expired = expiredBonus(a.lots, w.now) - w.entries.reduce((n, e) => n + (e.type === "bonus_expiry" ? e.amount : 0), 0);
  check(available(a, w.now) >= -expired, "available ≥ −(bonus expired so far)");
  check(balanceAt(a, w.now) >= 0, "the counting balance ≥ 0");
  const pending = w.holds.filter((h) => holdStatusAt(h, w.now) === "pending");
  check(heldAt(a, w.now) === pending.reduce((s, h) => s + h.amount, 0), "held = Σ pending holds");
  // Every credit checks MAX_COIN_AMOUNT, and the account starts below it.
  check(a.balance <= w.max, "balance ≤ MAX_COIN_AMOUNT");
  // The side counters are sums of what the entries moved.
  const used = w.entries.reduce((s, e) => s + (e.type === "usage" || e.type === "hold_capture" || e.type === "refund" ? -e.amount : 0), 0);
  check(a.used === used, "used = Σ debits − refunds");
  check(a.purchased === w.entries.reduce((s, e) => s + (e.type === "purchase" ? e.amount : 0), 0), "purchased = Σ purchases");
  // Refunds of an entry never exceed it, part by part.
  for (const [id, t] of w.tallies) {
    const original = w.entries.find((e) => e.id === id)!;
    check(t.refundedPaid <= -original.paidAmount && t.refundedBonus <= -original.bonusAmount, `refunds of ${id} within it`);
  }
  // Lots: spending order, and an expired lot is only ever taken off whole, by its own entry.
  const key = (l: BonusLot) => l.expiresAt ?? "\uffff";
  for (let i = 1; i < a.lots.length; i++) check(key(a.lots[i - 1]!) <= key(a.lots[i]!), "lots in spending order");
  // Entries' times follow their seqs.
  for (let i = 1; i < w.entries.length; i++) check(w.entries[i]!.createdAt >= w.entries[i - 1]!.createdAt, "entry times follow seqs");
}

const world = (order: SpendOrder, max: number, inline = true): World => {
  const now = new Date(t0);
  const { account, entry } = applyPosting(newAccount("u1", now), signupRule(10_000), "tx_1", now);
  return { account, entries: [entry], holds: [], tallies: new Map(), now, order, max, inline, decidedOn: account };
};

/** Debits draw live lots soonest expiry first: no live lot that expires sooner than one a debit drew keeps coins. */
function checkDrawOrder(before: readonly BonusLot[], after: readonly BonusLot[], now: Date): void {
  const key = (l: BonusLot) => l.expiresAt ?? "\uffff";
  const left = new Map(after.map((l) => [l.id, l.remaining]));
  const drawn = before.filter((l) => (left.get(l.id) ?? 0) < l.remaining);
  for (const l of drawn) check(isLive(l, now), `expired lot ${l.id} drawn by a debit`);
  const latest = drawn.reduce((m, l) => (key(l) > m ? key(l) : m), "");
  for (const l of after) if (isLive(l, now) && key(l) < latest) check((left.get(l.id) ?? 0) === 0, `lot ${l.id} kept coins while a later one was drawn`);
}

describe("ledger rules, as properties", () => {
  it("any sequence of operations keeps the invariants, and every refusal is justified by the state", () => {
    fc.assert(
      fc.property(fc.constantFrom<SpendOrder>("bonus_first", "paid_first"), fc.constantFrom(20_000, 10_000_000), fc.array(step, { maxLength: 60 }), fc.boolean(), (order, max, steps, inline) => {
        const w = world(order, max, inline);
        for (const s of steps) {
          const before = { account: w.account, entries: w.entries.length };
          const refused = apply(w, s);
          const last = w.entries[w.entries.length - 1];
          // A debit's bonus part: the lots it found (after any expiry written first) against the lots it left.
          if (refused === null && w.entries.length > before.entries && last && last.bonusAmount < 0 && last.type !== "bonus_expiry") checkDrawOrder(w.decidedOn.lots, w.account.lots, w.now);
          if (refused !== null) {
            check(allowed[s.op].includes(refused), `${s.op} refused with ${refused}`);
            check(justified(w, s, refused), `${s.op} refused with ${refused} in a state that allows it`);
            // A refusal changes nothing.
            check(w.account === before.account && w.entries.length === before.entries, "a refusal changes nothing");
          }
          checkInvariants(w);
        }
      }),
      {
        numRuns: 1000,
        examples: [
          // Shrunk by fast-check: a refund of "what is left" (2) that passes MAX_COIN_AMOUNT only
          // by that amount is refused, and rightly (a first version of `justified` said otherwise).
          ["bonus_first", 20_000, [{ op: "spend", amount: 2 }, { op: "adjust", amount: 1966 }, { op: "adjust", amount: 3497 }, { op: "adjust", amount: 4538 }, { op: "refund", pick: 0, amount: undefined }], true],
        ],
      },
    );
  });

  it("a debit's split takes exactly the amount, never more of a part than there is, the configured part first", () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(1_000_000), fc.nat(2_000_000), fc.constantFrom<SpendOrder>("bonus_first", "paid_first"), (paidBalance, bonusBalance, wanted, order) => {
        const a: Account = { ...newAccount("u1", new Date(t0)), paidBalance, bonusBalance, balance: paidBalance + bonusBalance, lots: legacyLots(bonusBalance) };
        const amount = Math.min(wanted, a.balance);
        const { paid, bonus } = splitDebit(a, amount, order, new Date(t0));
        expect(paid + bonus).toBe(amount);
        expect(paid).toBeGreaterThanOrEqual(0);
        expect(bonus).toBeGreaterThanOrEqual(0);
        expect(paid).toBeLessThanOrEqual(paidBalance);
        expect(bonus).toBeLessThanOrEqual(bonusBalance);
        if (order === "bonus_first") expect(bonus).toBe(Math.min(amount, bonusBalance));
        else expect(paid).toBe(Math.min(amount, paidBalance));
      }),
      { numRuns: 2000 },
    );
  });

  it("the refunds of an entry, in any amounts, add up to at most the entry, paid coins back first", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50_000 }), fc.nat(50_000), fc.array(fc.option(fc.integer({ min: 1, max: 30_000 }), { nil: undefined }), { maxLength: 12 }), (paidPart, bonusPart, asks) => {
        const original: LedgerEntry = {
          ...noFacts, id: "tx_o", userId: "u1", seq: 2, type: "usage", amount: -(paidPart + bonusPart), paidAmount: -paidPart, bonusAmount: -bonusPart,
          balanceBefore: 100_000, balanceAfter: 100_000 - paidPart - bonusPart, status: "completed", createdAt: new Date(t0).toISOString(),
        };
        const account = newAccount("u1", new Date(t0));
        let tally: RefundTally = { refundedPaid: 0, refundedBonus: 0 };
        let refunded = 0;
        for (const ask of asks) {
          const left = paidPart + bonusPart - refunded;
          try {
            const r = refundRule(original, tally, ask, noFacts, account, 10_000_000);
            const amount = r.posting.paidDelta + r.posting.bonusDelta;
            check(amount === (ask ?? left), "a refund credits what it asks, or all that is left");
            // Paid coins go back first: bonus only once the paid part is all back.
            check(r.posting.bonusDelta === 0 || r.tally.refundedPaid === paidPart, "paid coins back first");
            tally = r.tally;
            refunded += amount;
          } catch (e) {
            if (!isNyangError(e, "refund_exceeds_original")) throw e;
            check(ask === undefined ? left === 0 : ask > left, "refused only past what is left");
          }
          check(tally.refundedPaid <= paidPart && tally.refundedBonus <= bonusPart, "each part within the original's");
          check(tally.refundedPaid + tally.refundedBonus === refunded, "the tally counts every refund");
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("a hold's status only moves forward in time: once not pending, never pending again", () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 3600 }), fc.array(fc.nat(7_200_000), { minLength: 2, maxLength: 10 }), (ttlSeconds, offsets) => {
        const now = new Date(t0);
        const a = applyPosting(newAccount("u1", now), signupRule(1000), "tx_1", now).account;
        const { hold } = reserveRule(a, { holdId: "h", amount: 100, ttlSeconds, serviceType: null, details: null }, now);
        const statuses = [...offsets].sort((x, y) => x - y).map((ms) => holdStatusAt(hold, new Date(t0 + ms)));
        const firstExpired = statuses.indexOf("expired");
        if (firstExpired >= 0) expect(statuses.slice(firstExpired).every((s) => s === "expired")).toBe(true);
        statuses.forEach((s, i) => expect(s).toBe(t0 + [...offsets].sort((x, y) => x - y)[i]! >= t0 + ttlSeconds * 1000 ? "expired" : "pending"));
      }),
      { numRuns: 2000 },
    );
  });
});
