import { isNyangError, loadConfig, Purchases, purchaseSettings, TossPaymentsGateway, type Ledger, type LedgerStore } from "@nyang/core";
import { startFakeTossGateway, type FakeTossGateway } from "@nyang/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditOn, ledgerOn, manualClock, privateTable, uniqueUserId } from "../support/index.ts";

/**
 * Purchases end to end against DynamoDB Local and the fake Toss gateway (real HTTP): every
 * path of API.md's purchase flow, the gateway's failures, the reconciliation and purchase
 * cancels, including a crash between the ledger debit and the gateway cancel. Each test
 * sweeps with a clock it moves, so each works on a table of its own.
 */
let fake: FakeTossGateway;
beforeAll(async () => {
  fake = await startFakeTossGateway({ cancelCooldownMs: 0 });
});
afterAll(() => fake.close());

const codeOf = (e: unknown) => (isNyangError(e) ? e.code : `unexpected: ${String(e)}`);
const config = loadConfig({});

async function setup(env: Record<string, string> = {}) {
  const clock = manualClock();
  const { ledger, store } = ledgerOn(await privateTable("buy"), clock);
  const cfg = loadConfig(env);
  const gateway = new TossPaymentsGateway({ baseUrl: fake.url, secretKey: fake.secretKey, timeoutMs: 400 });
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

  it("timed out: the order stays pending with nothing charged, and the next confirm settles it once", async () => {
    const { purchases, ledger, store } = await setup();
    const { u, order, paymentKey } = await orderFor(purchases, ledger);
    fake.setMode("timeout", { times: 1, operations: ["confirm"], holdMs: 800 });
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
    fake.setMode("timeout", { times: 1, operations: ["lookup"], holdMs: 800 });
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
    fake.setMode("timeout", { times: 2, operations: ["confirm", "lookup"], holdMs: 800 });
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
    const { purchases, ledger, store, clock, u, order } = await paidOrder();
    // Step one alone, as if the process died right after it.
    await ledger.debitPurchaseCancel(u, order.id, { attempt: 1, reason: "crash", windowDays: 7, settleAfterMs: 300_000, adminUserId: null });
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
});
