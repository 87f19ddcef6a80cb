import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { checkAccount, createDynamoClients, integrityRules, Ledger, LedgerStore, loadConfig, paymentGatewayFromEnv, Purchases, purchaseSettings, type NyangConfig } from "@nyang/core";
import { fakeTossEnv, startFakeTossGateway, type FakeTossGateway } from "@nyang/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminToken, apiWith, auditOn, manualClock, privateTable, serviceToken, tokenFor, uniqueUserId } from "../support/index.ts";

/**
 * Bonus lots with expiry (docs/credits.md) through the HTTP API on DynamoDB Local, with the
 * fake Toss gateway behind purchases and a clock the test moves (as the hold-expiry tests do).
 * A table of its own: the sweep walks the whole LOTS queue with a clock weeks ahead.
 */
const DAY = 24 * 3600 * 1000;
let fake: FakeTossGateway;
beforeAll(async () => {
  fake = await startFakeTossGateway({ cancelCooldownMs: 0 });
});
afterAll(() => fake.close());

/** The default configuration with expiring bonus: 인기팩 10 days, 알뜰팩 30 days; the signup grant as asked. */
function lotConfig(signupBonusExpiryDays: number | null = null): NyangConfig {
  const base = loadConfig({});
  const days: Record<string, number> = { popular: 10, saver: 30 };
  return { ...base, signupBonusExpiryDays, packages: base.packages.map((p) => ({ ...p, bonusExpiryDays: days[p.id] ?? null })) };
}

async function stack(config = lotConfig()) {
  // A table per test: each test's sweep then sees only its own lots.
  const table = await privateTable("lots");
  const clock = manualClock(new Date("2026-12-01T00:00:00.000Z"));
  const store = new LedgerStore(createDynamoClients(process.env), table);
  const ledger = new Ledger(store, config, clock, { attempts: 80, baseDelayMs: 2, maxDelayMs: 50 });
  const gateway = paymentGatewayFromEnv(fakeTossEnv(fake), { timeoutMs: 2000 });
  const purchases = new Purchases(ledger, store, gateway, config, purchaseSettings(config), clock);
  const call = apiWith({ ledger, purchases, config });
  const t0 = clock().getTime();
  const at = (days: number, ms = 0) => new Date(t0 + days * DAY + ms);

  const open = async (prefix: string) => {
    const u = uniqueUserId(prefix);
    const r = await call("POST", "/v1/accounts", { token: await serviceToken(), body: { userId: u } });
    expect(r.status).toBe(201);
    return u;
  };
  const buy = async (u: string, packageId: string, key: string) => {
    const token = await tokenFor(u);
    const order = (await call("POST", `/v1/accounts/${u}/purchases`, { token, body: { packageId }, idempotencyKey: key })).body.order;
    const paymentKey = fake.authorize({ orderId: order.id, amount: order.amountKrw });
    const r = await call("POST", `/v1/accounts/${u}/purchases/${order.id}/confirm`, { token, body: { paymentKey }, idempotencyKey: `${key}-c` });
    expect(r.status).toBe(200);
    return r.body as { order: { id: string }; transaction: { id: string } };
  };
  const spend = async (u: string, amount: string, key: string) =>
    call("POST", `/v1/accounts/${u}/usage`, { token: await serviceToken(), body: { serviceType: "ai_writing", amount }, idempotencyKey: key });
  const account = async (u: string) => (await call("GET", `/v1/accounts/${u}`, { token: await tokenFor(u) })).body.account;
  const entries = async (u: string, type?: string) =>
    (await call("GET", `/v1/accounts/${u}/transactions${type ? `?type=${type}` : ""}`, { token: await tokenFor(u) })).body.transactions as Record<string, unknown>[];
  const audit = async (u: string) => (await auditOn(store, u)).findings;
  return { table, config, clock, at, store, ledger, call, open, buy, spend, account, entries, audit };
}

describe("bonus lots with expiry", () => {
  it("a package's bonus expires on time: spends take the soonest lot, the balance drops at once, the sweep writes bonus_expiry once", async () => {
    const s = await stack();
    const u = await s.open("lots");
    const popular = await s.buy(u, "popular", "o1");
    await s.buy(u, "saver", "o2");
    expect(await s.account(u)).toMatchObject({
      balance: "9400.00", paidBalance: "8000.00", bonusBalance: "1400.00",
      nextBonusExpiry: { at: s.at(10).toISOString(), amount: "1000.00" },
    });
    // bonus_first: the 10-day lot goes first, before the 30-day one and the never-expiring signup grant.
    expect((await s.spend(u, "100.00", "s1")).body.transaction).toMatchObject({ bonusAmount: "-100.00" });
    expect((await s.account(u)).nextBonusExpiry).toEqual({ at: s.at(10).toISOString(), amount: "900.00" });

    s.clock.set(s.at(10));
    const dropped = await s.account(u);
    // Nothing is written yet, and the 900 already stopped counting.
    expect(dropped).toMatchObject({ balance: "8400.00", bonusBalance: "400.00", available: "8400.00", version: 4, nextBonusExpiry: { at: s.at(30).toISOString(), amount: "300.00" } });

    // The queue hands out what is due before now: a moment later.
    s.clock.set(s.at(10, 1));
    expect(await s.ledger.sweepExpiredLots()).toMatchObject({ expired: 1, errors: 0 });
    expect(await s.ledger.sweepExpiredLots()).toMatchObject({ examined: 0, expired: 0 });
    const expiries = await s.entries(u, "bonus_expiry");
    expect(expiries).toHaveLength(1);
    expect(expiries[0]).toMatchObject({ amount: "-900.00", paidAmount: "0.00", bonusAmount: "-900.00", balanceBefore: "9300.00", balanceAfter: "8400.00", relatedTransactionId: popular.transaction.id, seq: 5 });
    expect(await s.account(u)).toMatchObject({ balance: "8400.00", bonusBalance: "400.00", version: 5 });
    expect(await s.audit(u)).toEqual([]);
  });

  it("a spend that finds an expired lot writes its expiry first, in its own transaction; the sweep then finds nothing to do", async () => {
    const s = await stack();
    const u = await s.open("lots-inline");
    await s.buy(u, "popular", "o1");
    s.clock.set(s.at(11));
    const spent = await s.spend(u, "50.00", "s1");
    expect(spent.status).toBe(201);
    // The pool's 100 is what is left of the bonus; the spend comes out of it.
    expect(spent.body.transaction).toMatchObject({ seq: 4, balanceBefore: "5100.00", bonusAmount: "-50.00" });
    expect(spent.body.account).toMatchObject({ balance: "5050.00", bonusBalance: "50.00", nextBonusExpiry: null });
    const all = await s.entries(u);
    expect(all.map((e) => [e.seq, e.type, e.amount])).toEqual([[4, "usage", "-50.00"], [3, "bonus_expiry", "-1000.00"], [2, "purchase", "6000.00"], [1, "signup_bonus", "100.00"]]);
    expect(await s.ledger.sweepExpiredLots()).toMatchObject({ expired: 0 });
    expect(await s.entries(u, "bonus_expiry")).toHaveLength(1);
    expect(await s.audit(u)).toEqual([]);
  });

  it("an expiry racing concurrent spends of the same lot resolves once, and balances equal the ledger", async () => {
    const s = await stack();
    const users = await Promise.all([0, 1, 2].map(() => s.open("lots-race")));
    for (const u of users) await s.buy(u, "popular", "o1");
    s.clock.set(s.at(10, 1));
    const spends = users.flatMap((u) => [1, 2, 3].map((i) => s.spend(u, "1.00", `race-${i}`)));
    const [, ...answers] = await Promise.all([s.ledger.sweepExpiredLots(), s.ledger.sweepExpiredLots(), ...spends]);
    for (const r of answers.slice(1)) expect((r as { status: number }).status).toBe(201);
    for (const u of users) {
      const expiries = await s.entries(u, "bonus_expiry");
      expect(expiries.map((e) => e.amount)).toEqual(["-1000.00"]);
      expect(await s.account(u)).toMatchObject({ balance: "5097.00", bonusBalance: "97.00" });
      expect(await s.audit(u)).toEqual([]);
    }
  });

  it("a purchase cancel claws back its own lot only; with any of its lot spent it cannot be cancelled", async () => {
    const s = await stack();
    const u = await s.open("lots-cancel");
    const token = await tokenFor(u);
    await s.call("POST", `/v1/accounts/${u}/adjustments`, { token: await adminToken(), body: { amount: "50.00", reason: "promo" }, idempotencyKey: "a1" });
    const saver = await s.buy(u, "saver", "o1");
    expect(await s.account(u)).toMatchObject({ bonusBalance: "450.00" });
    const canceled = await s.call("POST", `/v1/accounts/${u}/purchases/${saver.order.id}/cancel`, { token, body: { reason: "단순 변심" }, idempotencyKey: "x1" });
    expect(canceled.status).toBe(200);
    expect(canceled.body.transaction).toMatchObject({ type: "refund", amount: "-3300.00", paidAmount: "-3000.00", bonusAmount: "-300.00" });
    // The signup grant and the admin's 50 are still there; the saver lot is gone with its queue item's purpose.
    expect(canceled.body.account).toMatchObject({ balance: "150.00", bonusBalance: "150.00", nextBonusExpiry: null });

    const again = await s.buy(u, "saver", "o2");
    // One coin of bonus spent: the 30-day lot goes before the never-expiring pool, so it is the saver's.
    await s.spend(u, "1.00", "s1");
    const refused = await s.call("POST", `/v1/accounts/${u}/purchases/${again.order.id}/cancel`, { token, body: { reason: "단순 변심" }, idempotencyKey: "x2" });
    expect([refused.status, refused.body.error.code]).toEqual([409, "purchase_coins_spent"]);
    expect(refused.body.error.details).toMatchObject({ bonusCoins: "300.00", bonusLotRemaining: "299.00", bonusBalance: "449.00" });
    expect(await s.audit(u)).toEqual([]);
  });

  it("the signup grant expires when configured; its lot sits on the due queue until the sweep", async () => {
    const s = await stack(lotConfig(30));
    const u = await s.open("lots-signup");
    expect(await s.account(u)).toMatchObject({ balance: "100.00", nextBonusExpiry: { at: s.at(30).toISOString(), amount: "100.00" } });
    s.clock.set(s.at(29));
    expect(await s.ledger.sweepExpiredLots()).toMatchObject({ expired: 0 });
    s.clock.set(s.at(30));
    expect(await s.account(u)).toMatchObject({ balance: "0.00", available: "0.00", bonusBalance: "0.00", nextBonusExpiry: null });
    const refused = await s.spend(u, "1.00", "s1");
    expect([refused.status, refused.body.error.code]).toEqual([402, "insufficient_coins"]);
    // The integrity monitor warns of a lot long past its expiry with no entry: the sweep is not running.
    const monitor = async () => {
      const { account, entries } = await auditOn(s.store, u);
      return checkAccount({ userId: u, account, entries, holds: [], orders: [], charges: [], chargeMonths: [], alerts: [], lastKey: {} }, s.clock(), integrityRules(s.config)).map((f) => f.kind);
    };
    s.clock.set(s.at(30, 11 * 60_000));
    expect(await monitor()).toEqual(["stale_lot"]);
    expect(await s.ledger.sweepExpiredLots()).toMatchObject({ expired: 1 });
    expect(await monitor()).toEqual([]);
    expect((await s.entries(u)).map((e) => [e.type, e.amount, e.balanceAfter])).toEqual([["bonus_expiry", "-100.00", "0.00"], ["signup_bonus", "100.00", "100.00"]]);
    expect(await s.audit(u)).toEqual([]);
  });

  it("past 20 lots a never-expiring purchase lot merges into the latest lot, which then never expires and leaves the due queue", async () => {
    const base = lotConfig(60);
    const s = await stack({ ...base, packages: base.packages.map((p) => (p.id === "popular" ? { ...p, bonusExpiryDays: null } : p)) });
    const u = await s.open("lots-bound");
    for (let i = 0; i < 19; i++) await s.buy(u, "saver", `o${i}`);
    const popular = await s.buy(u, "popular", "p");
    const lots = (await s.store.getAccount(u))!.lots;
    // The signup lot (60 days) and 19 saver lots (30 days): the popular lot joined the latest of them, the signup lot.
    expect(lots).toHaveLength(20);
    expect(lots.some((l) => l.id === popular.transaction.id)).toBe(false);
    expect(lots.filter((l) => l.expiresAt === null).map((l) => l.remaining)).toEqual([10_000 + 100_000]);
    expect((await s.account(u)).nextBonusExpiry).toEqual({ at: s.at(30).toISOString(), amount: "5700.00" });
    s.clock.set(s.at(31));
    // The first due saver lot writes all 19 off in one transaction and takes their queue items
    // with it: shards read after it find nothing, items already read find their lot gone.
    const swept = await s.ledger.sweepExpiredLots();
    expect(swept).toMatchObject({ expired: 19, errors: 0 });
    expect(swept.examined).toBe(1 + swept.alreadySettled);
    s.clock.set(s.at(61));
    // The merged signup lot no longer expires: its queue item goes, and nothing comes due again.
    expect(await s.ledger.sweepExpiredLots()).toMatchObject({ examined: 1, expired: 0 });
    expect(await s.ledger.sweepExpiredLots()).toMatchObject({ examined: 0 });
    expect(await s.account(u)).toMatchObject({ bonusBalance: "1100.00", nextBonusExpiry: null, version: 21 + 19 });
    expect(await s.audit(u)).toEqual([]);
  });

  it("an account item written before lots reads as one never-expiring lot; the audit catches a tampered lot", async () => {
    const s = await stack();
    const u = await s.open("lots-old");
    await s.buy(u, "saver", "o1");
    const clients = createDynamoClients(process.env);
    const key = { pk: `ACCT#${u}`, sk: "ACCOUNT" };
    await clients.doc.send(new UpdateCommand({ TableName: s.table, Key: key, UpdateExpression: "SET lots[0].remaining = :r", ExpressionAttributeValues: { ":r": 29_000 } }));
    const findings = await s.audit(u);
    expect(findings.map((f) => f.kind)).toContain("lot_mismatch");
    expect(findings.map((f) => f.message).join("\n")).toMatch(/Σ lots.remaining 39000 ≠ bonusBalance 40000/);

    // An item from before lots: no `lots` at all. Its bonus is one never-expiring lot.
    await clients.doc.send(new UpdateCommand({ TableName: s.table, Key: key, UpdateExpression: "REMOVE lots" }));
    expect(await s.account(u)).toMatchObject({ balance: "3400.00", bonusBalance: "400.00", nextBonusExpiry: null });
    const spent = await s.spend(u, "10.00", "s1");
    expect(spent.body.transaction).toMatchObject({ bonusAmount: "-10.00" });
    expect(await s.audit(u)).toEqual([]);
    s.clock.set(s.at(40));
    expect(await s.account(u)).toMatchObject({ bonusBalance: "390.00" });
    clients.doc.destroy();
  });
});
