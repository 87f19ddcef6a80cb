import { describe, expect, it } from "vitest";
import { contributionOf } from "../analytics/aggregates.ts";
import { isNyangError } from "../errors.ts";
import { assertCancellable, bonusLotOf, type Order } from "../purchases/order.ts";
import { auditAccount } from "./audit.ts";
import { lotDueIntents, settleExpiredLots, withLotBookkeeping } from "./bonus-expiry.ts";
import { captureRule, reserveRule } from "./holds.ts";
import { expiryAfterDays, grantLot, legacyLots, MAX_BONUS_LOTS, nextBonusExpiry, POOL_LOT_ID } from "./lots.ts";
import { adjustmentRule, applyPosting, available, balanceAt, liveBonus, newAccount, refundRule, signupRule, spendRule } from "./rules.ts";
import { noFacts, type Account, type BonusLot, type LedgerEntry, type LotSource, type Posting } from "./types.ts";

const t0 = new Date("2026-11-24T09:00:00.000Z");
const day = (n: number) => new Date(t0.getTime() + n * 24 * 3600 * 1000);
const MAX = 10_000_000;

/** An account and the ledger that made it, so every step can be audited. */
interface Book {
  a: Account;
  entries: LedgerEntry[];
}
let n = 0;
const id = () => `tx_${String(++n).padStart(26, "0")}`;

function post(b: Book, posting: Posting, now = t0, entryId = id()): Book {
  const { account, entry } = applyPosting(b.a, posting, entryId, now);
  return { a: account, entries: [...b.entries, entry] };
}
const grant = (amount: number, expiresAt: string | null, source: LotSource = "purchase"): Posting => ({
  type: source === "purchase" ? "purchase" : "admin_adjustment",
  paidDelta: 0,
  bonusDelta: amount,
  usedDelta: 0,
  purchasedDelta: 0,
  facts: noFacts,
  lot: { kind: "grant", expiresAt, source },
});
const spend = (b: Book, amount: number, now = t0) => post(b, spendRule(b.a, amount, "bonus_first", noFacts, now), now);
const opened = (signup = 1000, expiresAt: string | null = null): Book => post({ a: newAccount("u1", t0), entries: [] }, signupRule(signup, expiresAt));
const remaining = (a: Account) => a.lots.map((l) => [l.id === POOL_LOT_ID ? "pool" : l.expiresAt, l.remaining]);
const clean = (b: Book) => expect(auditAccount(b.a, b.entries)).toEqual([]);

describe("bonus lots", () => {
  it("a signup grant with no expiry is the pool, exactly as a bonus balance was before lots", () => {
    const b = opened(1000);
    expect(b.a.lots).toEqual([{ id: POOL_LOT_ID, amount: 1000, remaining: 1000, expiresAt: null, source: "pool" }]);
    expect(legacyLots(1000)).toEqual(b.a.lots);
    expect(legacyLots(0)).toEqual([]);
    expect(nextBonusExpiry(b.a.lots, t0)).toBeNull();
    clean(b);
  });

  it("debits draw the soonest-expiring live lot first and the never-expiring pool last", () => {
    let b = opened(1000);
    b = post(b, grant(300, day(30).toISOString()));
    b = post(b, grant(200, day(10).toISOString()));
    expect(remaining(b.a)).toEqual([[day(10).toISOString(), 200], [day(30).toISOString(), 300], ["pool", 1000]]);
    expect(nextBonusExpiry(b.a.lots, t0)).toEqual({ at: day(10).toISOString(), amount: 200 });
    b = spend(b, 250);
    // The 10-day lot is gone (it ran out), 50 came out of the 30-day one, the pool is untouched.
    expect(remaining(b.a)).toEqual([[day(30).toISOString(), 250], ["pool", 1000]]);
    b = spend(b, 1100);
    expect(remaining(b.a)).toEqual([["pool", 150]]);
    clean(b);
  });

  it("paid coins first (SPEND_ORDER=paid_first) leaves the lots alone until the paid coins run out", () => {
    let b = opened(100);
    b = post(b, { type: "purchase", paidDelta: 500, bonusDelta: 0, usedDelta: 0, purchasedDelta: 500, facts: noFacts });
    b = post(b, grant(50, day(5).toISOString()));
    b = post(b, spendRule(b.a, 520, "paid_first", noFacts, t0));
    expect(remaining(b.a)).toEqual([[day(5).toISOString(), 30], ["pool", 100]]);
    clean(b);
  });

  it("a lot past its expiry stops counting at once: balance, bonus and available all drop before any entry", () => {
    let b = opened(100);
    b = post(b, grant(300, day(10).toISOString()));
    expect([balanceAt(b.a, day(10)), liveBonus(b.a, day(10)), available(b.a, day(10))]).toEqual([100, 100, 100]);
    expect(available(b.a, new Date(day(10).getTime() - 1))).toBe(400);
    // A spend can no longer reach the expired coins…
    const refused = (() => {
      try {
        spendRule(b.a, 101, "bonus_first", noFacts, day(10));
      } catch (e) {
        return isNyangError(e) ? e.code : "other";
      }
      return null;
    })();
    expect(refused).toBe("insufficient_coins");
    // …and what it takes comes from the live pool, never from the expired lot.
    b = spend(b, 60, day(10));
    expect(remaining(b.a)).toEqual([[day(10).toISOString(), 300], ["pool", 40]]);
    clean(b);
  });

  it("settling expired lots writes one bonus_expiry entry per lot for what was left, keyed on the lot", () => {
    let b = opened(100);
    b = post(b, grant(300, day(10).toISOString()));
    const lotId = b.entries[1]!.id;
    b = spend(b, 120);
    const settled = settleExpiredLots(b.a, day(11));
    expect(settled.entries).toHaveLength(1);
    const e = settled.entries[0]!;
    expect(e.entry).toMatchObject({ type: "bonus_expiry", amount: -180, paidAmount: 0, bonusAmount: -180, relatedTransactionId: lotId, balanceBefore: 280, balanceAfter: 100 });
    expect(e.idempotencyKey).toBe(`system:bonus_expiry:${lotId}:${day(10).toISOString()}`);
    expect(settled.account.lots.map((l) => l.id)).toEqual([POOL_LOT_ID]);
    clean({ a: settled.account, entries: [...b.entries, e.entry] });
    // Another writer settling the same lot at another moment makes the same entry id: it lands once.
    expect(settleExpiredLots(b.a, day(40)).entries[0]!.entry.id).toBe(e.entry.id);
    expect(settleExpiredLots(b.a, day(9)).entries).toEqual([]);
  });

  it("analytics count a bonus_expiry as expired coins, never as usage", () => {
    let b = opened(100);
    b = post(b, grant(300, day(10).toISOString()));
    const expiry = settleExpiredLots(b.a, day(11)).entries[0]!.entry;
    expect(contributionOf(expiry, 9)).toMatchObject({ counters: { expiredCoins: 300 }, isUsage: false, listedByDay: false });
  });

  it("the write loop's bookkeeping writes the account from the state it read, expiries last, and queues granted lots", () => {
    let b = opened(100);
    b = post(b, grant(300, day(10).toISOString()));
    const read = b.a;
    const settled = settleExpiredLots(read, day(11));
    const decided = applyPosting(settled.account, grant(50, day(40).toISOString()), "tx_new", day(11));
    const intents = withLotBookkeeping(
      [{ kind: "account", before: settled.account, after: decided.account }, { kind: "entry", entry: decided.entry, fingerprint: "f", idempotencyKey: "k", accountAfter: decided.account }],
      read,
      settled,
    );
    expect(intents.map((i) => i.kind)).toEqual(["account", "entry", "lot_due", "entry"]);
    expect(intents[0]).toMatchObject({ before: read });
    expect(intents[2]).toEqual({ kind: "lot_due", userId: "u1", lotId: "tx_new", expiresAt: day(40).toISOString() });
    expect(lotDueIntents(decided.account, decided.account)).toEqual([]);
  });

  it("never-expiring bonus from signup, admin credits and usage refunds pools; a purchase's keeps its own lot", () => {
    let b = opened(100);
    b = post(b, adjustmentRule(b.a, 50, "bonus_first", MAX, noFacts, t0));
    b = post(b, grant(70, null, "purchase"));
    expect(b.a.lots.map((l) => [l.id === POOL_LOT_ID ? "pool" : l.source, l.remaining])).toEqual([["pool", 150], ["purchase", 70]]);
    b = spend(b, 30);
    const usage = b.entries[b.entries.length - 1]!;
    // Refunded bonus coins go back into the pool, never to the lot they came from.
    b = post(b, refundRule(usage, { refundedPaid: 0, refundedBonus: 0 }, undefined, noFacts, b.a, MAX).posting);
    expect(b.a.lots.find((l) => l.id === POOL_LOT_ID)?.remaining).toBe(150);
    clean(b);
  });

  it(`past ${MAX_BONUS_LOTS} lots a new lot merges into the lot expiring next at or after it, so no coin expires sooner`, () => {
    let lots: BonusLot[] = [];
    for (let i = 1; i <= MAX_BONUS_LOTS; i++) lots = grantLot(lots, { id: `tx_${i}`, amount: 10, remaining: 10, expiresAt: day(i * 2).toISOString(), source: "purchase" }, t0);
    expect(lots).toHaveLength(MAX_BONUS_LOTS);
    const merged = grantLot(lots, { id: "tx_new", amount: 5, remaining: 5, expiresAt: day(5).toISOString(), source: "purchase" }, t0);
    expect(merged).toHaveLength(MAX_BONUS_LOTS);
    // Day 5 merges into the day-6 lot, which keeps its id and its (later) expiry.
    expect(merged.find((l) => l.id === "tx_3")).toMatchObject({ amount: 15, remaining: 15, expiresAt: day(6).toISOString() });
    // Later than every lot: the latest lot takes it, and the later expiry with it.
    const last = grantLot(lots, { id: "tx_late", amount: 5, remaining: 5, expiresAt: day(100).toISOString(), source: "purchase" }, t0);
    expect(last.find((l) => l.id === `tx_${MAX_BONUS_LOTS}`)).toMatchObject({ remaining: 15, expiresAt: day(100).toISOString() });
    // An expired lot is never merged into (it leaves only by its own bonus_expiry entry).
    const expiredFirst = grantLot(lots, { id: "tx_x", amount: 5, remaining: 5, expiresAt: day(1).toISOString(), source: "purchase" }, day(3));
    expect(expiredFirst.find((l) => l.id === "tx_1")).toMatchObject({ remaining: 10 });
    expect(expiredFirst.find((l) => l.id === "tx_2")).toMatchObject({ remaining: 15, expiresAt: day(4).toISOString() });
  });

  it("a capture finds fewer coins when bonus it was reserved against expired: 402, never a negative balance", () => {
    let b = opened(0);
    b = post(b, grant(100, day(1).toISOString()));
    const { account, hold } = reserveRule(b.a, { holdId: "h1", amount: 80, ttlSeconds: 3 * 24 * 3600, serviceType: null, details: null }, t0);
    const code = (() => {
      try {
        captureRule(account, hold, undefined, "bonus_first", day(2));
      } catch (e) {
        return isNyangError(e) ? e.code : "other";
      }
      return null;
    })();
    expect(code).toBe("insufficient_coins");
    expect(captureRule(account, hold, undefined, "bonus_first", t0).posting.bonusDelta).toBe(-80);
  });

  it("the audit proves Σ lots = bonus, each lot's grant, and one expiry per lot", () => {
    let b = opened(100);
    b = post(b, grant(300, day(10).toISOString()));
    const settled = settleExpiredLots(b.a, day(11));
    const after: Book = { a: settled.account, entries: [...b.entries, ...settled.entries.map((e) => e.entry)] };
    clean(after);
    const kinds = (a: Account, entries: LedgerEntry[]) => auditAccount(a, entries).map((f) => `${f.kind}: ${f.message}`);
    const tampered = { ...b.a, lots: b.a.lots.map((l) => ({ ...l, remaining: l.remaining + 1 })) };
    expect(kinds(tampered, b.entries).join("\n")).toMatch(/lot_mismatch: Σ lots.remaining 402 ≠ bonusBalance 400/);
    const forged = { ...b.a, lots: [...b.a.lots.slice(0, 1).map((l) => ({ ...l, id: "tx_nobody" })), ...b.a.lots.slice(1)] };
    expect(kinds(forged, b.entries).join("\n")).toMatch(/lot tx_nobody was granted by no bonus credit/);
    // The lot still on the account after its expiry entry: written twice, or not taken off.
    const stillThere = { ...after.a, lots: b.a.lots, bonusBalance: 400 };
    expect(kinds(stillThere, after.entries).join("\n")).toMatch(/still on the account after its bonus_expiry/);
  });
});

describe("a purchase cancel claws back its own lot only", () => {
  const order = (lotId: string | null, over: Partial<Order> = {}): Order => ({
    id: "ord_1", userId: "u1", packageId: "saver", packageName: "알뜰팩", coins: 3000, bonusCoins: 300, bonusExpiryDays: 30, bonusLotId: lotId, amountKrw: 27000,
    status: "paid", paymentKey: "pk", confirmAttemptAt: null, paymentMethod: "card", transactionId: lotId, cancelTransactionId: null, cancelReason: null, cancelAttempts: 0,
    failureCode: null, failureMessage: null, createdAt: t0.toISOString(), updatedAt: t0.toISOString(), paidAt: t0.toISOString(), canceledAt: null, revision: 1, ...over,
  });
  const bought = () => {
    let b = opened(1000);
    const lotId = id();
    b = post(b, { type: "purchase", paidDelta: 3000, bonusDelta: 300, usedDelta: 0, purchasedDelta: 3300, facts: noFacts, lot: { kind: "grant", expiresAt: expiryAfterDays(t0, 30), source: "purchase" } }, t0, lotId);
    return { b, lotId };
  };
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return isNyangError(e) ? e.code : "other";
    }
    return null;
  };

  it("takes the purchase's lot, leaving the pool as it is", () => {
    const { b, lotId } = bought();
    const move = assertCancellable(order(lotId), b.a, available(b.a, t0), 7, t0);
    expect(move).toEqual({ kind: "from", lotId });
    const after = post(b, { type: "refund", paidDelta: -3000, bonusDelta: -300, usedDelta: 0, purchasedDelta: -3300, facts: noFacts, lot: move! });
    expect(remaining(after.a)).toEqual([["pool", 1000]]);
    clean(after);
  });

  it("refuses once any of its own lot was spent, though other bonus could cover it", () => {
    const { b, lotId } = bought();
    // A spend draws the 30-day lot before the never-expiring pool.
    const spent = spend(b, 1);
    expect(spent.a.bonusBalance).toBe(1299);
    expect(refusal(() => assertCancellable(order(lotId), spent.a, available(spent.a, t0), 7, t0))).toBe("purchase_coins_spent");
  });

  it("a refused cancel's reversal gives the purchase its own lot back with its expiry", () => {
    const { lotId } = bought();
    expect(bonusLotOf(order(lotId))).toEqual({ kind: "grant", lotId, expiresAt: expiryAfterDays(t0, 30), source: "purchase" });
    // A purchase credited before lots existed: its bonus went into the pool, and comes back out of it.
    expect(bonusLotOf(order(null))).toEqual({ kind: "grant", lotId: POOL_LOT_ID, expiresAt: null, source: "pool" });
    const legacy = opened(1300);
    expect(assertCancellable(order(null, { coins: 0 }), legacy.a, available(legacy.a, t0), 7, t0)).toEqual({ kind: "from", lotId: POOL_LOT_ID });
  });
});
