import { checkAccount, integrityRules, isNyangError, loadConfig, PaymentUnknownError, Purchases, purchaseSettings, TossPaymentsGateway, type Ledger, type LedgerStore, type PaymentGateway } from "@nyang/core";
import { startFakeTossGateway, type FakeTossGateway } from "@nyang/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditOn, ledgerOn, manualClock, privateTable, uniqueUserId } from "../support/index.ts";

/**
 * Purchases end to end against DynamoDB Local and the fake Toss gateway (real HTTP): every
 * path of docs/api.md's purchase flow, the gateway's failures, the reconciliation and purchase
 * cancels, including a crash between the ledger debit and the gateway cancel. Each test
 * sweeps with a clock it moves, so each works on a table of its own.
 */
let fake: FakeTossGateway;
beforeAll(async () => {
  fake = await startFakeTossGateway({ cancelCooldownMs: 0 });
});
afterAll(() => fake.close());

/** The gateway's calls bound to it, for a wrapper that replaces some of them. */
const bindGateway = (g: PaymentGateway): PaymentGateway => ({
  confirm: (req) => g.confirm(req),
  findByOrderId: (id) => g.findByOrderId(id),
  findByPaymentKey: (key) => g.findByPaymentKey(key),
  cancel: (req) => g.cancel(req),
  issueBillingKey: (req) => g.issueBillingKey(req),
  chargeBillingKey: (req) => g.chargeBillingKey(req),
});

const codeOf = (e: unknown) => (isNyangError(e) ? e.code : `unexpected: ${String(e)}`);
const config = loadConfig({});

async function setup(env: Record<string, string> = {}, wrap: (g: PaymentGateway, ledger: Ledger) => PaymentGateway = (g) => g) {
  const clock = manualClock();
  const { ledger, store } = ledgerOn(await privateTable("buy"), clock);
  const cfg = loadConfig(env);
  // The timeout leaves room for a loaded CI machine; the fake's timeout faults hold their answer for twice as long.
  const gateway = wrap(new TossPaymentsGateway({ baseUrl: fake.url, secretKey: fake.secretKey, timeoutMs: 1500 }), ledger);
  const purchases = new Purchases(ledger, store, gateway, cfg, purchaseSettings(cfg), clock);
  return { clock, ledger, store, purchases };
}

async function orderFor(purchases: Purchases, ledger: Ledger, packageId = "popular") {
  const u = uniqueUserId("buyer");
  await ledger.openAccount(u);
  const { order } = await purchases.create(u, packageId, { key: `order-${packageId}` });
  const paymentKey = fake.authorize({ orderId: order.id, amount: order.amountKrw });
  return { u, order, paymentKey };
}

async function purchaseEntries(store: LedgerStore, u: string) {
  const { entries, findings, account } = await auditOn(store, u);
  expect(findings).toEqual([]);
  return { purchases: entries.filter((e) => e.type === "purchase"), entries, account };
}

describe("purchases", () => {
  it("confirm credits coins as paid and bonus as bonus, in one purchase entry; a repeat is a replay", async () => {
    const { purchases, ledger, store } = await setup();
    const { u, order, paymentKey } = await orderFor(purchases, ledger);
    expect(order).toMatchObject({ status: "pending", coins: 500000, bonusCoins: 100000, amountKrw: 40000 });
    const paid = await purchases.confirm(u, order.id, { paymentKey, amount: 40000 });
    expect(paid.order).toMatchObject({ status: "paid", paymentKey, transactionId: paid.entry.id });
    expect(paid.entry).toMatchObject({ type: "purchase", amount: 600000, paidAmount: 500000, bonusAmount: 100000, paymentReference: paymentKey });
    expect(paid.account).toMatchObject({ balance: 610000, paidBalance: 500000, bonusBalance: 110000 });
    const again = await purchases.confirm(u, order.id, { paymentKey });
    expect(again.replayed).toBe(true);
    expect(again.entry).toEqual(paid.entry);
    expect((await purchaseEntries(store, u)).purchases).toHaveLength(1);
  });

  it("ten confirms racing each other credit once", async () => {
    const { purchases, ledger, store } = await setup();
    const { u, order, paymentKey } = await orderFor(purchases, ledger);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => purchases.confirm(u, order.id, { paymentKey })));
    const ok = results.filter((r) => r.status === "fulfilled");
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of results) if (r.status === "rejected") expect(["payment_pending", "order_not_pending"]).toContain(codeOf(r.reason));
    expect((await purchaseEntries(store, u)).purchases).toHaveLength(1);
  });

  it("a tampered amount is refused before the gateway is asked", async () => {
    const { purchases, ledger, store } = await setup();
    const { u, order, paymentKey } = await orderFor(purchases, ledger);
    const calls = fake.confirmCalls;
    await expect(purchases.confirm(u, order.id, { paymentKey, amount: 100 })).rejects.toSatisfy((e) => codeOf(e) === "validation_failed");
    expect(fake.confirmCalls).toBe(calls);
    expect((await purchases.getOrder(u, order.id)).status).toBe("pending");
    expect((await purchaseEntries(store, u)).purchases).toHaveLength(0);
  });

  it("declined: the order fails and no coins move; confirming again is refused", async () => {
    const { purchases, ledger, store } = await setup();
    const { u, order, paymentKey } = await orderFor(purchases, ledger);
    fake.setMode("decline", { times: 1, operations: ["confirm"] });
    await expect(purchases.confirm(u, order.id, { paymentKey })).rejects.toSatisfy((e) => codeOf(e) === "payment_declined");
    expect(await purchases.getOrder(u, order.id)).toMatchObject({ status: "failed", failureCode: "REJECT_CARD_PAYMENT" });
    await expect(purchases.confirm(u, order.id, { paymentKey })).rejects.toSatisfy((e) => codeOf(e) === "order_not_pending");
    expect((await purchaseEntries(store, u)).purchases).toHaveLength(0);
  });

  it("a refusal whose answer was lost: the gateway's record fails the order, under the gateway's own word for it", async () => {
    // The real confirm is refused (the payment ABORTED at the gateway), but its answer never arrives.
    const { purchases, ledger, store } = await setup({}, (g) => ({
      ...bindGateway(g),
      confirm: async (req) => {
        await g.confirm(req).catch(() => undefined);
        throw new PaymentUnknownError("the answer was lost");
      },
    }));
    const { u, order, paymentKey } = await orderFor(purchases, ledger);
    fake.setMode("decline", { times: 1, operations: ["confirm"] });
    await expect(purchases.confirm(u, order.id, { paymentKey })).rejects.toSatisfy((e) => codeOf(e) === "payment_pending");
    expect(fake.paymentByOrderId(order.id)?.status).toBe("ABORTED");
    expect(await purchases.getOrder(u, order.id)).toMatchObject({ status: "failed", failureCode: "ABORTED", failureMessage: "The payment is ABORTED" });
    expect((await purchaseEntries(store, u)).purchases).toHaveLength(0);
  });

  it("timed out: the order stays pending with nothing charged, and the next confirm settles it once", async () => {
    const { purchases, ledger, store } = await setup();
    const { u, order, paymentKey } = await orderFor(purchases, ledger);
    fake.setMode("timeout", { times: 1, operations: ["confirm"], holdMs: 3000 });
    await expect(purchases.confirm(u, order.id, { paymentKey })).rejects.toSatisfy((e) => codeOf(e) === "payment_pending");
    expect((await purchases.getOrder(u, order.id)).status).toBe("pending");
    expect(fake.paymentByOrderId(order.id)?.status).not.toBe("DONE");
    const paid = await purchases.confirm(u, order.id, { paymentKey });
    expect(paid.order.status).toBe("paid");
    expect((await purchaseEntries(store, u)).purchases).toHaveLength(1);
  });

  it("approved but the answer was lost: retries credit exactly once", async () => {
    const { purchases, ledger, store } = await setup();
    const { u, order, paymentKey } = await orderFor(purchases, ledger);
    fake.setMode("lose_response", { times: 1, operations: ["confirm"] });
    const first = await purchases.confirm(u, order.id, { paymentKey }).catch((e: unknown) => e);
    // The look-up after the lost answer may already settle it; either way the gateway took the money.
    expect(fake.paymentByOrderId(order.id)?.status).toBe("DONE");
    if (isNyangError(first)) expect(first.code).toBe("payment_pending");
    const retries = await Promise.all([1, 2, 3].map(() => purchases.confirm(u, order.id, { paymentKey })));
    for (const r of retries) expect(r.order.status).toBe("paid");
    expect((await purchaseEntries(store, u)).purchases).toHaveLength(1);
  });

  it("approved, answer lost, customer gone: the reconciliation credits it once, concurrently or twice", async () => {
    const { purchases, ledger, store, clock } = await setup();
    const { u, order, paymentKey } = await orderFor(purchases, ledger);
    fake.setMode("lose_response", { times: 1, operations: ["confirm"] });
    fake.setMode("timeout", { times: 1, operations: ["lookup"], holdMs: 3000 });
    await expect(purchases.confirm(u, order.id, { paymentKey })).rejects.toSatisfy((e) => codeOf(e) === "payment_pending");
    expect((await purchases.getOrder(u, order.id)).status).toBe("pending");
    // Not due yet: the reconciliation leaves it alone.
    expect((await purchases.reconcile()).examined).toBe(0);
    clock.advance(config.purchases.settleAfterSeconds * 1000 + 1000);
    const [a, b] = await Promise.all([purchases.reconcile(), purchases.reconcile()]);
    expect(a.credited + b.credited).toBe(1);
    expect((await purchases.reconcile()).examined).toBe(0);
    expect((await purchases.getOrder(u, order.id)).status).toBe("paid");
    expect((await purchaseEntries(store, u)).purchases).toHaveLength(1);
  });

  it("a confirm the gateway never saw is given up after the abandon time, without coins", async () => {
    const { purchases, ledger, store, clock } = await setup();
    const { u, order, paymentKey } = await orderFor(purchases, ledger);
    fake.setMode("timeout", { times: 2, operations: ["confirm", "lookup"], holdMs: 3000 });
    await expect(purchases.confirm(u, order.id, { paymentKey })).rejects.toSatisfy((e) => codeOf(e) === "payment_pending");
    clock.advance(config.purchases.settleAfterSeconds * 1000 + 1000);
    expect((await purchases.reconcile()).stillPending).toBe(1);
    clock.advance(config.purchases.abandonAfterSeconds * 1000);
    expect((await purchases.reconcile()).failed).toBe(1);
    expect(await purchases.getOrder(u, order.id)).toMatchObject({ status: "failed", failureCode: "ABANDONED" });
    expect((await purchaseEntries(store, u)).purchases).toHaveLength(0);
  });

  it("another order's payment key fails the confirm clearly (payment_mismatch), nothing moves, and the order stays confirmable", async () => {
    const { purchases, ledger, store } = await setup();
    const a = await orderFor(purchases, ledger);
    await purchases.confirm(a.u, a.order.id, { paymentKey: a.paymentKey });
    const { order: b } = await purchases.create(a.u, "popular", { key: "order-b" });
    const bKey = fake.authorize({ orderId: b.id, amount: b.amountKrw });
    // A's key is approved already (for A): the gateway answers ALREADY_PROCESSED_PAYMENT.
    await expect(purchases.confirm(a.u, b.id, { paymentKey: a.paymentKey })).rejects.toSatisfy(
      (e) => codeOf(e) === "payment_mismatch" && (e as { details?: { gatewayCode?: string } }).details?.gatewayCode === "ALREADY_PROCESSED_PAYMENT",
    );
    expect(await purchases.getOrder(a.u, b.id)).toMatchObject({ status: "pending", paymentKey: null });
    // A key authorised for another order, and one the gateway never issued: refused the same way.
    const c = await purchases.create(a.u, "basic", { key: "order-c" });
    const cKey = fake.authorize({ orderId: c.order.id, amount: c.order.amountKrw });
    for (const paymentKey of [cKey, "wrong"]) {
      await expect(purchases.confirm(a.u, b.id, { paymentKey })).rejects.toSatisfy((e) => codeOf(e) === "payment_mismatch");
      expect(await purchases.getOrder(a.u, b.id)).toMatchObject({ status: "pending", paymentKey: null, confirmAttemptAt: null });
    }
    expect((await purchaseEntries(store, a.u)).purchases).toHaveLength(1);
    expect(fake.paymentByOrderId(b.id)).toBeUndefined();
    // B confirms with its own key, and C with its own.
    expect((await purchases.confirm(a.u, b.id, { paymentKey: bKey })).order).toMatchObject({ status: "paid", paymentKey: bKey });
    expect((await purchases.confirm(a.u, c.order.id, { paymentKey: cKey })).order.status).toBe("paid");
    const after = await purchaseEntries(store, a.u);
    expect(after.purchases.map((e) => e.paymentReference).sort()).toEqual([a.paymentKey, bKey, cKey].sort());
    expect(after.account.balance).toBe(10000 + 600000 + 600000 + 100000);
  });

  it("approved for another amount than the order's: refunded through refund_pending, and a lost cancel answer is finished by the reconciliation", async () => {
    // A gateway whose approval reports another amount than the order's (never expected from Toss).
    const { purchases, ledger, store, clock } = await setup({}, (g) => ({
      ...bindGateway(g),
      confirm: async (req) => ({ ...(await g.confirm(req)), totalAmount: req.amount + 100 }),
    }));
    const { u, order, paymentKey } = await orderFor(purchases, ledger);
    fake.setMode("lose_response", { times: 1, operations: ["cancel"] });
    await expect(purchases.confirm(u, order.id, { paymentKey })).rejects.toSatisfy((e) => codeOf(e) === "payment_pending");
    expect(await purchases.getOrder(u, order.id)).toMatchObject({ status: "refund_pending", failureCode: "AMOUNT_MISMATCH", paymentKey, transactionId: null });
    clock.advance(config.purchases.settleAfterSeconds * 1000 + 1000);
    const [a, b] = await Promise.all([purchases.reconcile(), purchases.reconcile()]);
    expect(a.refunded + b.refunded).toBe(1);
    expect((await purchases.reconcile()).examined).toBe(0);
    expect(await purchases.getOrder(u, order.id)).toMatchObject({ status: "failed", failureCode: "AMOUNT_MISMATCH" });
    expect(fake.paymentByOrderId(order.id)).toMatchObject({ status: "CANCELED", balanceAmount: 0 });
    expect((await purchaseEntries(store, u)).purchases).toEqual([]);
  });

  it("refuses packages that are not for sale and purchases under the minimum", async () => {
    const { purchases, ledger } = await setup({ MIN_PURCHASE_AMOUNT: "20000" });
    const u = uniqueUserId("min");
    await ledger.openAccount(u);
    await expect(purchases.create(u, "nope", { key: "k1" })).rejects.toSatisfy((e) => codeOf(e) === "package_not_found");
    await expect(purchases.create(u, "basic", { key: "k2" })).rejects.toSatisfy((e) => codeOf(e) === "below_minimum_purchase");
    const { order, replayed } = await purchases.create(u, "saver", { key: "k3" });
    expect(replayed).toBe(false);
    const again = await purchases.create(u, "saver", { key: "k3" });
    expect(again).toEqual({ order, replayed: true });
    await expect(purchases.create(u, "vip", { key: "k3" })).rejects.toSatisfy((e) => codeOf(e) === "idempotency_conflict");
  });
});

describe("purchase cancels", () => {
  async function paidOrder() {
    const s = await setup();
    const { u, order, paymentKey } = await orderFor(s.purchases, s.ledger);
    await s.purchases.confirm(u, order.id, { paymentKey });
    return { ...s, u, order, paymentKey };
  }

  it("an unused purchase cancels within the window: coins back out, money back, once", async () => {
    const { purchases, store, u, order } = await paidOrder();
    const canceled = await purchases.cancel(u, order.id, { reason: "단순 변심", adminUserId: null });
    expect(canceled.order).toMatchObject({ status: "canceled", cancelTransactionId: canceled.entry.id });
    expect(canceled.entry).toMatchObject({ type: "refund", amount: -600000, paidAmount: -500000, bonusAmount: -100000 });
    expect(canceled.account).toMatchObject({ balance: 10000, paidBalance: 0, bonusBalance: 10000 });
    expect(fake.paymentByOrderId(order.id)?.status).toBe("CANCELED");
    const again = await purchases.cancel(u, order.id, { reason: "단순 변심", adminUserId: null });
    expect(again.replayed).toBe(true);
    expect(again.entry).toEqual(canceled.entry);
    expect((await auditOn(store, u)).findings).toEqual([]);
  });

  it("after the window, or once its coins are spent, it cannot be cancelled", async () => {
    const late = await paidOrder();
    late.clock.advance(7 * 24 * 3600 * 1000 + 1000);
    await expect(late.purchases.cancel(late.u, late.order.id, { reason: "r", adminUserId: null })).rejects.toSatisfy((e) => codeOf(e) === "refund_window_closed");
    const spent = await paidOrder();
    await spent.ledger.spend(spent.u, { serviceType: "ai_writing", amount: 10001 }, { key: "spend" });
    await expect(spent.purchases.cancel(spent.u, spent.order.id, { reason: "r", adminUserId: null })).rejects.toSatisfy((e) => codeOf(e) === "purchase_coins_spent");
    expect((await spent.purchases.getOrder(spent.u, spent.order.id)).status).toBe("paid");
  });

  it("a crash between the ledger debit and the gateway cancel is finished by the reconciliation", async () => {
    const { purchases, store, clock, u, order } = await paidOrder();
    // Step one alone, as if the process died right after it.
    await purchases.orders.debitPurchaseCancel(u, order.id, { attempt: 1, reason: "crash", windowDays: 7, settleAfterMs: 300_000, adminUserId: null });
    expect((await purchases.getOrder(u, order.id)).status).toBe("cancel_pending");
    expect(fake.paymentByOrderId(order.id)?.status).toBe("DONE");
    clock.advance(301_000);
    const report = await purchases.reconcile();
    expect(report.canceled).toBe(1);
    expect((await purchases.getOrder(u, order.id)).status).toBe("canceled");
    expect(fake.paymentByOrderId(order.id)?.status).toBe("CANCELED");
    const { entries, findings, account } = await auditOn(store, u);
    expect(findings).toEqual([]);
    expect(entries.filter((e) => e.type === "refund")).toHaveLength(1);
    expect(account.balance).toBe(10000);
  });

  it("a cancel whose answer is lost settles through the reconciliation", async () => {
    const { purchases, clock, u, order } = await paidOrder();
    fake.setMode("lose_response", { times: 1, operations: ["cancel"] });
    await expect(purchases.cancel(u, order.id, { reason: "r", adminUserId: null })).rejects.toSatisfy((e) => codeOf(e) === "payment_pending");
    expect((await purchases.getOrder(u, order.id)).status).toBe("cancel_pending");
    clock.advance(301_000);
    expect((await purchases.reconcile()).canceled).toBe(1);
    expect((await purchases.getOrder(u, order.id)).status).toBe("canceled");
  });

  it("a cancel the gateway refuses gives the coins back and leaves the order paid", async () => {
    const { purchases, store, u, order } = await paidOrder();
    fake.setMode("decline", { times: 1, operations: ["cancel"] });
    await expect(purchases.cancel(u, order.id, { reason: "r", adminUserId: null })).rejects.toSatisfy((e) => codeOf(e) === "payment_declined");
    const o = await purchases.getOrder(u, order.id);
    expect(o).toMatchObject({ status: "paid", cancelAttempts: 1, failureCode: "NOT_CANCELABLE_PAYMENT" });
    const { entries, findings, account } = await auditOn(store, u);
    expect(findings).toEqual([]);
    expect(entries.filter((e) => e.type === "refund").map((e) => e.amount)).toEqual([-600000, 600000]);
    expect(account.balance).toBe(610000);
    // A second attempt is a new cancel and can succeed.
    const canceled = await purchases.cancel(u, order.id, { reason: "again", adminUserId: null });
    expect(canceled.order.status).toBe("canceled");
  });

  it("a refused cancel gives the coins back even past MAX_COIN_AMOUNT (they are owed: the money was kept), and the integrity audit reports the balance", async () => {
    let user = "";
    // While the cancel is pending (coins taken back, money not yet), another credit uses the room.
    const s = await setup({}, (g, ledger) => ({
      ...bindGateway(g),
      cancel: async (req) => {
        await ledger.charge(user, { amount: 9_500_000, type: "purchase", paymentMethod: "bank" }, { key: "room-used" });
        return g.cancel(req);
      },
    }));
    const { u, order, paymentKey } = await orderFor(s.purchases, s.ledger);
    user = u;
    await s.purchases.confirm(u, order.id, { paymentKey });
    fake.setMode("decline", { times: 1, operations: ["cancel"] });
    await expect(s.purchases.cancel(u, order.id, { reason: "r", adminUserId: null })).rejects.toSatisfy((e) => codeOf(e) === "payment_declined");
    expect(await s.purchases.getOrder(u, order.id)).toMatchObject({ status: "paid", failureCode: "NOT_CANCELABLE_PAYMENT" });
    expect(fake.paymentByOrderId(order.id)?.status).toBe("DONE");
    const { entries, findings, account } = await auditOn(s.store, u);
    expect(findings).toEqual([]);
    expect(entries.filter((e) => e.type === "refund").map((e) => e.amount)).toEqual([-600000, 600000]);
    expect(account.balance).toBe(10_110_000);
    const rules = integrityRules(config);
    expect(account.balance).toBeGreaterThan(rules.maxBalance);
    const audit = checkAccount({ userId: u, account, entries, holds: [], orders: [], charges: [], chargeMonths: [], alerts: [], lastKey: {} }, s.clock(), rules);
    expect(audit.map((f) => [f.kind, f.severity])).toEqual([["over_limit", "warning"]]);
    // Nothing else may credit it meanwhile.
    await expect(s.ledger.charge(u, { amount: 100, type: "purchase", paymentMethod: "bank" }, { key: "more" })).rejects.toSatisfy((e) => codeOf(e) === "balance_limit_exceeded");
  });
});

/**
 * MAX_COIN_AMOUNT (100,000 coins by default) holds for purchases at the moment they are
 * credited, not only when the order opens: a confirm whose coins would not fit is refused
 * before the payment is taken; a payment approved while another credit made the room run out
 * is cancelled at the gateway and its order fails. Never coins past the limit, never money
 * kept without coins. Coin amounts below are minor units (1 coin = 100).
 */
describe("the balance limit on confirm", () => {
  const MAX = 100_000 * 100;
  const VIP = { coins: 2_000_000, bonusCoins: 800_000, total: 2_800_000 };
  const limitRefusal = (payment: string) => (e: unknown) =>
    codeOf(e) === "balance_limit_exceeded" && (e as { details?: { payment?: string } }).details?.payment === payment;

  /** Money and coins agree: an order is paid exactly when its payment is DONE at the gateway. */
  async function expectMoneyMatchesCoins(purchases: Purchases, store: LedgerStore, u: string, orderIds: string[]) {
    const { purchases: entries, account } = await purchaseEntries(store, u);
    // Purchases of orders (an admin charge of type purchase has no order).
    const credited = entries.filter((e) => e.details?.orderId !== undefined);
    expect(account.balance).toBeLessThanOrEqual(MAX);
    for (const id of orderIds) {
      const order = await purchases.getOrder(u, id);
      const payment = fake.paymentByOrderId(id);
      if (order.status === "paid") expect(payment?.status).toBe("DONE");
      else expect(payment === undefined || payment.status === "CANCELED").toBe(true);
    }
    expect(credited.map((e) => e.details?.orderId).sort()).toEqual(
      (await Promise.all(orderIds.map((id) => purchases.getOrder(u, id)))).filter((o) => o.status === "paid").map((o) => o.id).sort(),
    );
    return account;
  }

  async function vipOrders(purchases: Purchases, ledger: Ledger, n: number) {
    const u = uniqueUserId("vip");
    await ledger.openAccount(u);
    const orders = [];
    for (let i = 0; i < n; i++) {
      const { order } = await purchases.create(u, "vip", { key: `vip-${i}` });
      orders.push({ order, paymentKey: fake.authorize({ orderId: order.id, amount: order.amountKrw }) });
    }
    return { u, orders };
  }

  it("an order opened before the balance was raised is refused at confirm, before the payment is taken, and stays confirmable", async () => {
    const { purchases, ledger, store } = await setup();
    const { u, orders } = await vipOrders(purchases, ledger, 1);
    const [{ order, paymentKey }] = orders as [(typeof orders)[0]];
    await ledger.charge(u, { amount: 9_000_000, type: "purchase", paymentMethod: "bank" }, { key: "raise" });
    const calls = fake.confirmCalls;
    await expect(purchases.confirm(u, order.id, { paymentKey })).rejects.toSatisfy(limitRefusal("not_charged"));
    expect(fake.confirmCalls).toBe(calls);
    expect(fake.paymentByOrderId(order.id)).toBeUndefined();
    expect(await purchases.getOrder(u, order.id)).toMatchObject({ status: "pending", paymentKey: null });
    // Room made: the same checkout confirms.
    await ledger.spend(u, { serviceType: "ai_writing", amount: 2_000_000 }, { key: "spend" });
    const paid = await purchases.confirm(u, order.id, { paymentKey });
    expect(paid.account.balance).toBe(7_010_000 + VIP.total);
    await expectMoneyMatchesCoins(purchases, store, u, [order.id]);
  });

  it("four VIP orders opened at 100 coins and confirmed one after another: three fit, the fourth is refused before payment", async () => {
    const { purchases, ledger, store } = await setup();
    const { u, orders } = await vipOrders(purchases, ledger, 4);
    const balances = [];
    for (const { order, paymentKey } of orders.slice(0, 3)) balances.push((await purchases.confirm(u, order.id, { paymentKey })).account.balance);
    expect(balances).toEqual([2_810_000, 5_610_000, 8_410_000]);
    const last = orders[3]!;
    await expect(purchases.confirm(u, last.order.id, { paymentKey: last.paymentKey })).rejects.toSatisfy(limitRefusal("not_charged"));
    expect(fake.paymentByOrderId(last.order.id)).toBeUndefined();
    expect((await expectMoneyMatchesCoins(purchases, store, u, orders.map((o) => o.order.id))).balance).toBe(8_410_000);
  });

  it("four VIP orders confirmed at once: three are credited, the fourth is refused, and its money is never kept", async () => {
    const { purchases, ledger, store } = await setup();
    const { u, orders } = await vipOrders(purchases, ledger, 4);
    const results = await Promise.allSettled(orders.map(({ order, paymentKey }) => purchases.confirm(u, order.id, { paymentKey })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    expect(refused.map(codeOf)).toEqual(["balance_limit_exceeded"]);
    expect(["not_charged", "refunded"]).toContain((refused[0] as { details: { payment: string } }).details.payment);
    expect((await expectMoneyMatchesCoins(purchases, store, u, orders.map((o) => o.order.id))).balance).toBe(8_410_000);
  });

  /** A gateway whose approval is followed, before Nyang credits it, by another credit to the account. */
  const creditAfterApproval = (u: () => string, amount: number) => (g: PaymentGateway, ledger: Ledger): PaymentGateway => ({
    ...bindGateway(g),
    confirm: async (req) => {
      const payment = await g.confirm(req);
      await ledger.charge(u(), { amount, type: "purchase", paymentMethod: "bank" }, { key: `race-${req.orderId}` });
      return payment;
    },
  });

  /** One VIP order at 100 coins whose approval is followed by a 90,000-coin credit, before Nyang credits it. */
  async function vipOrderRacedByACredit() {
    let user = "";
    const s = await setup({}, creditAfterApproval(() => user, 9_000_000));
    const { u, orders } = await vipOrders(s.purchases, s.ledger, 1);
    user = u;
    return { ...s, u, ...orders[0]! };
  }

  it("a credit that lands between the gateway's approval and the order's: the payment is cancelled and the order fails, without coins", async () => {
    const { purchases, store, u, order, paymentKey } = await vipOrderRacedByACredit();
    await expect(purchases.confirm(u, order.id, { paymentKey })).rejects.toSatisfy(limitRefusal("refunded"));
    expect(fake.paymentByOrderId(order.id)).toMatchObject({ status: "CANCELED", balanceAmount: 0 });
    expect(await purchases.getOrder(u, order.id)).toMatchObject({ status: "failed", failureCode: "BALANCE_LIMIT_EXCEEDED", transactionId: null });
    // Asking again answers the same, and moves nothing.
    await expect(purchases.confirm(u, order.id, { paymentKey })).rejects.toSatisfy(limitRefusal("refunded"));
    expect((await expectMoneyMatchesCoins(purchases, store, u, [order.id])).balance).toBe(9_010_000);
  });

  it("the refund's answer is lost or late: the order waits in refund_pending and the reconciliation finishes the refund, once", async () => {
    const { purchases, store, clock, u, order, paymentKey } = await vipOrderRacedByACredit();
    fake.setMode("timeout", { times: 1, operations: ["cancel"], holdMs: 3000 });
    await expect(purchases.confirm(u, order.id, { paymentKey })).rejects.toSatisfy(limitRefusal("refund_pending"));
    expect(await purchases.getOrder(u, order.id)).toMatchObject({ status: "refund_pending", paymentKey, transactionId: null });
    expect(fake.paymentByOrderId(order.id)?.status).toBe("DONE");
    // A cancel of the purchase is not the customer's to make: no coins were credited.
    await expect(purchases.cancel(u, order.id, { reason: "r", adminUserId: null })).rejects.toSatisfy((e) => codeOf(e) === "order_not_pending");
    clock.advance(config.purchases.settleAfterSeconds * 1000 + 1000);
    const [a, b] = await Promise.all([purchases.reconcile(), purchases.reconcile()]);
    expect(a.refunded + b.refunded).toBe(1);
    expect((await purchases.reconcile()).examined).toBe(0);
    expect(fake.paymentByOrderId(order.id)).toMatchObject({ status: "CANCELED" });
    expect((await purchases.getOrder(u, order.id)).status).toBe("failed");
    expect((await expectMoneyMatchesCoins(purchases, store, u, [order.id])).balance).toBe(9_010_000);
  });

  it("a refund the gateway refuses waits for an operator, never as coins; asking again retries it under a fresh key", async () => {
    const { purchases, store, clock, u, order, paymentKey } = await vipOrderRacedByACredit();
    fake.setMode("decline", { times: 1, operations: ["cancel"] });
    await expect(purchases.confirm(u, order.id, { paymentKey })).rejects.toSatisfy(limitRefusal("refund_pending"));
    expect(await purchases.getOrder(u, order.id)).toMatchObject({ status: "refund_pending", failureCode: "BALANCE_LIMIT_EXCEEDED" });
    expect((await purchases.getOrder(u, order.id)).failureMessage).toContain("NOT_CANCELABLE_PAYMENT");
    // Off the reconciliation's queue: a refused refund is not retried blindly every few minutes.
    clock.advance(config.purchases.settleAfterSeconds * 1000 + 1000);
    expect((await purchases.reconcile()).examined).toBe(0);
    await expect(purchases.confirm(u, order.id, { paymentKey })).rejects.toSatisfy(limitRefusal("refunded"));
    expect(fake.paymentByOrderId(order.id)?.status).toBe("CANCELED");
    expect((await expectMoneyMatchesCoins(purchases, store, u, [order.id])).balance).toBe(9_010_000);
  });

  it("approved while nobody heard, the customer gone, then the balance raised: the reconciliation refunds it", async () => {
    const { purchases, ledger, store, clock } = await setup();
    const { u, orders } = await vipOrders(purchases, ledger, 1);
    const [{ order, paymentKey }] = orders as [(typeof orders)[0]];
    fake.setMode("lose_response", { times: 1, operations: ["confirm"] });
    fake.setMode("timeout", { times: 1, operations: ["lookup"], holdMs: 3000 });
    await expect(purchases.confirm(u, order.id, { paymentKey })).rejects.toSatisfy((e) => codeOf(e) === "payment_pending");
    await ledger.charge(u, { amount: 9_000_000, type: "purchase", paymentMethod: "bank" }, { key: "raise" });
    clock.advance(config.purchases.settleAfterSeconds * 1000 + 1000);
    expect(await purchases.reconcile()).toMatchObject({ examined: 1, refunded: 1, credited: 0 });
    expect(await purchases.getOrder(u, order.id)).toMatchObject({ status: "failed", failureCode: "BALANCE_LIMIT_EXCEEDED" });
    expect(fake.paymentByOrderId(order.id)?.status).toBe("CANCELED");
    expect((await expectMoneyMatchesCoins(purchases, store, u, [order.id])).balance).toBe(9_010_000);
  });

  it("approved while nobody heard (answer lost), then the balance raised: the next confirm refunds it instead of claiming nothing was charged", async () => {
    const { purchases, ledger, store } = await setup();
    const { u, orders } = await vipOrders(purchases, ledger, 1);
    const [{ order, paymentKey }] = orders as [(typeof orders)[0]];
    fake.setMode("lose_response", { times: 1, operations: ["confirm"] });
    fake.setMode("timeout", { times: 1, operations: ["lookup"], holdMs: 3000 });
    await expect(purchases.confirm(u, order.id, { paymentKey })).rejects.toSatisfy((e) => codeOf(e) === "payment_pending");
    expect(fake.paymentByOrderId(order.id)?.status).toBe("DONE");
    await ledger.charge(u, { amount: 9_000_000, type: "purchase", paymentMethod: "bank" }, { key: "raise" });
    await expect(purchases.confirm(u, order.id, { paymentKey })).rejects.toSatisfy(limitRefusal("refunded"));
    expect(fake.paymentByOrderId(order.id)?.status).toBe("CANCELED");
    expect((await expectMoneyMatchesCoins(purchases, store, u, [order.id])).balance).toBe(9_010_000);
  });
});
