import Decimal from "decimal.js";
import {
  coins,
  isAccountFrozen,
  isForbidden,
  isHoldNotPending,
  isIdempotencyConflict,
  isNotFound,
  isUnauthorized,
  keyFor,
  type NyangClient,
} from "@nyang/client";
import { alertIdFor, AlertsStore, createDynamoClients, type Alert } from "@nyang/core";
import { accountAnalyticsSchema, alertFeedResponse, alertSchema, dailyUsageSchema, healthSchema, revenueSchema, topUsersSchema } from "@nyang/functions/http/insight-schemas";
import { fakeTossEnv, startFakeTossGateway, type FakeTossGateway, type HttpGateway } from "@nyang/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, startHttpApi } from "../support/client-stack.ts";
import { adminToken, auditFromTable, serviceToken, testTableName, tokenFor, uniqueUserId } from "../support/index.ts";

/**
 * Integration (DynamoDB Local, the local API Gateway emulator, the real Lambda handler):
 * every route family called through @nyang/client over HTTP, as a product backend (service
 * token), a user (own token, `me`) and an operator (admin token) would. The analytics
 * replies are parsed with the schemas the OpenAPI document (and so the client's types) is
 * generated from, so a presenter that drifts from its schema fails here.
 */
let api: HttpGateway;
let toss: FakeTossGateway;
let service: NyangClient;
let admin: NyangClient;

beforeAll(async () => {
  toss = await startFakeTossGateway({ cancelCooldownMs: 0 });
  api = await startHttpApi({ ...fakeTossEnv(toss), TOSS_TIMEOUT_MS: "2000" });
  service = clientFor(api.url, await serviceToken());
  admin = clientFor(api.url, await adminToken());
});
afterAll(async () => {
  await api?.close();
  await toss?.close();
});

/**
 * The reply has exactly the documented shape: parsing drops undocumented fields, so a
 * presenter that adds a field without its schema (and so without the client's type) fails.
 */
function documented<T>(schema: { parse(value: unknown): T }, reply: unknown): T {
  const parsed = schema.parse(reply);
  expect(parsed).toEqual(reply);
  return parsed;
}

async function user(prefix: string) {
  const u = uniqueUserId(prefix);
  const opened = await service.accounts.open(u);
  return { u, opened, me: clientFor(api.url, await tokenFor(u)) };
}

describe("every route family through the client", () => {
  it("catalog: health, prices and packages (no token)", async () => {
    const anon = clientFor(api.url, "");
    expect(await anon.health()).toEqual({ status: "ok" });
    const prices = await anon.prices.list();
    expect(prices).toContainEqual({ serviceType: "image_generation_pro", cost: "1.30" });
    const packages = await anon.packages.list();
    expect(packages.map((p) => p.name)).toEqual(["기본팩", "알뜰팩", "인기팩", "프리미엄팩", "VIP팩"]);
    expect(await anon.settings.get()).toMatchObject({ autoCharge: { available: false, defaultThreshold: "10.00" }, minPurchaseAmountKrw: 1000 });
  });

  it("accounts: open (idempotent by userId), get as service and as the owner; another user's is forbidden", async () => {
    const { u, opened, me } = await user("cr-acct");
    expect(opened).toMatchObject({ userId: u, balance: "100.00", available: "100.00", status: "active", version: 1 });
    expect(await service.accounts.open(u)).toEqual(opened);
    expect(await me.accounts.get("me")).toMatchObject({ userId: u, balance: "100.00" });
    const other = await user("cr-other");
    const e = await me.accounts.get(other.u).catch((x: unknown) => x);
    expect(isForbidden(e)).toBe(true);
    const missing = await service.accounts.get(uniqueUserId("nobody")).catch((x: unknown) => x);
    expect(isNotFound(missing) && missing.code).toBe("account_not_found");
    const anon = await clientFor(api.url, "").accounts.get(u).catch((x: unknown) => x);
    expect(isUnauthorized(anon)).toBe(true);
  });

  it("usage, transactions (list, get, every page) and a refund", async () => {
    const { u, me } = await user("cr-usage");
    const first = await service.usage.spend(u, { serviceType: "ai_writing", details: { action: "generate_content" } });
    expect(first.transaction).toMatchObject({ type: "usage", amount: "-3.00", balanceAfter: "97.00", seq: 2 });
    const byDecimal = await service.usage.spend(u, { serviceType: "custom", amount: new Decimal("0.7") }).catch((x: unknown) => x);
    // An unknown service is refused even with an amount; the Decimal went out as "0.7".
    expect(byDecimal).toMatchObject({ status: 400, code: "unknown_service" });
    await service.usage.spend(u, { serviceType: "image_generation_pro" });
    const refund = await service.refunds.create(u, { transactionId: first.transaction.id, amount: "1", reason: "partial outage" });
    expect(refund.transaction).toMatchObject({ type: "refund", amount: "1.00", relatedTransactionId: first.transaction.id });

    const page = await me.transactions.list("me", { limit: 2 });
    expect(page.transactions.map((t) => t.seq)).toEqual([4, 3]);
    expect(page.nextCursor).not.toBeNull();
    const all = [];
    for await (const t of me.transactions.iterate("me", { limit: 2 })) all.push(t);
    expect(all.map((t) => t.seq)).toEqual([4, 3, 2, 1]);
    expect(coins.sum(all.map((t) => t.amount))).toBe((await me.accounts.get("me")).balance);
    const usage = await me.transactions.list("me", { type: "usage" });
    expect(usage.transactions).toHaveLength(2);
    expect(await me.transactions.get("me", first.transaction.id)).toEqual(first.transaction);
    expect((await auditFromTable(u)).findings).toEqual([]);
  });

  it("holds: create, get, capture part, release; a second capture is hold_not_pending; a reused key for another request is a conflict", async () => {
    const { u } = await user("cr-hold");
    const key = keyFor("ai-request", u, "hold");
    const { hold, account } = await service.holds.create(u, { serviceType: "image_generation_max", ttlSeconds: 60 }, { idempotencyKey: key });
    expect(hold).toMatchObject({ status: "pending", amount: "2.10" });
    expect(account).toMatchObject({ held: "2.10", available: "97.90" });
    expect(await service.holds.get(u, hold.id)).toMatchObject({ id: hold.id, status: "pending" });
    const conflict = await service.holds.create(u, { amount: "3" }, { idempotencyKey: key }).catch((x: unknown) => x);
    expect(isIdempotencyConflict(conflict)).toBe(true);
    const captured = await service.holds.capture(u, hold.id, { amount: new Decimal("1.5") });
    expect(captured.hold).toMatchObject({ status: "captured", capturedAmount: "1.50" });
    expect(captured.account).toMatchObject({ balance: "98.50", held: "0.00" });
    const again = await service.holds.capture(u, hold.id).catch((x: unknown) => x);
    expect(isHoldNotPending(again)).toBe(true);
    const other = await service.holds.create(u, { amount: "10" });
    expect((await service.holds.release(u, other.hold.id)).hold.status).toBe("released");
    const listed = await service.holds.list(u);
    expect(listed.holds.map((h) => h.id).sort()).toEqual([hold.id, other.hold.id].sort());
    expect((await service.holds.list(u, { status: "released" })).holds.map((h) => h.id)).toEqual([other.hold.id]);
    expect((await auditFromTable(u)).findings).toEqual([]);
  });

  it("purchases: create, get, confirm, cancel as the owner", async () => {
    const { u, me } = await user("cr-buy");
    const order = await me.purchases.create("me", { packageId: "saver" });
    expect(order).toMatchObject({ userId: u, status: "pending", amountKrw: 27000, coins: "3000.00", bonusCoins: "300.00" });
    expect((await me.purchases.get("me", order.id)).id).toBe(order.id);
    const paymentKey = toss.authorize({ orderId: order.id, amount: order.amountKrw });
    const settled = await me.purchases.confirm("me", order.id, { paymentKey, amount: order.amountKrw });
    expect(settled.account.balance).toBe("3400.00");
    const canceled = await me.purchases.cancel("me", order.id, { reason: "단순 변심" });
    expect(canceled.order.status).toBe("canceled");
    expect((await me.purchases.list("me")).orders.map((o) => [o.id, o.status])).toEqual([[order.id, "canceled"]]);
    expect((await auditFromTable(u)).findings).toEqual([]);
  });

  it("auto-charge: get, put (off: settings kept), delete", async () => {
    const { me } = await user("cr-auto");
    expect(await me.autoCharge.get("me")).toMatchObject({ enabled: false, card: null });
    const put = await me.autoCharge.put("me", { enabled: false, threshold: "15", amount: new Decimal("200") });
    expect(put).toMatchObject({ enabled: false, threshold: "15.00", amount: "200.00" });
    expect(await me.autoCharge.delete("me")).toMatchObject({ enabled: false, card: null });
  });

  it("alerts, daily usage and analytics as the owner; revenue, top users and health as an admin (replies match their schemas)", async () => {
    const { u, me } = await user("cr-insight");
    await service.usage.spend(u, { serviceType: "ai_writing" });
    for (const a of await me.alerts.list("me", { unread: "true" })) documented(alertSchema, a);
    const noAlert = await me.alerts.markRead("me", "alert_00000000000000000000000000000").catch((x: unknown) => x);
    expect(isNotFound(noAlert) && noAlert.code).toBe("alert_not_found");
    const days = await me.usage.daily("me", { days: 3 });
    expect(days).toHaveLength(3);
    for (const d of days) documented(dailyUsageSchema, d);
    const analytics = documented(accountAnalyticsSchema, await me.analytics.get("me"));
    expect(analytics).toMatchObject({ userId: u, balance: "97.00" });
    documented(revenueSchema, await admin.admin.revenue({ period: "7days" }));
    documented(topUsersSchema, await admin.admin.topUsers());
    // The stored report (a fresh run would audit every file's accounts on the shared table).
    expect(documented(healthSchema, await admin.admin.health()).status).toMatch(/^(healthy|unhealthy|unknown)$/);
    expect(isForbidden(await me.admin.revenue().catch((x: unknown) => x))).toBe(true);
  });

  it("admin: the alerts of every account, a page at a time (owner refused)", async () => {
    const { u, me } = await user("cr-feed");
    // Raised as the alerts consumer raises them (no stream runs in this file).
    const at = new Date().toISOString();
    const alert: Alert = {
      id: alertIdFor(u, "low_balance\nclient-feed", at), userId: u, type: "low_balance", severity: "warning", title: "잔액 부족",
      message: "잔액이 기준 아래로 내려갔습니다", data: {}, read: false, readAt: null, createdAt: at,
    };
    expect(await new AlertsStore(createDynamoClients(process.env), testTableName()).raise(alert)).toBe(true);
    const first = documented(alertFeedResponse, await admin.admin.alerts({ limit: 1, since: alert.createdAt }));
    expect(first.alerts.length).toBe(1);
    const seen = [...first.alerts];
    let cursor = first.nextCursor;
    while (cursor && !seen.some((a) => a.id === alert.id)) {
      const page = await admin.admin.alerts({ limit: 100, since: alert.createdAt, cursor });
      seen.push(...page.alerts);
      cursor = page.nextCursor;
    }
    expect(seen.find((a) => a.id === alert.id)).toMatchObject({ userId: u, type: "low_balance" });
    expect(isForbidden(await me.admin.alerts().catch((x: unknown) => x))).toBe(true);
  });

  it("admin: charge, adjust, freeze (spends refused 423), unfreeze", async () => {
    const { u } = await user("cr-admin");
    const charged = await admin.admin.charge(u, { amount: "50", paymentMethod: "bank_transfer" });
    expect(charged.account.balance).toBe("150.00");
    expect((await admin.admin.adjust(u, { amount: "-10.5", reason: "correction" })).account.balance).toBe("139.50");
    expect((await admin.admin.freeze(u)).status).toBe("frozen");
    expect(isAccountFrozen(await service.usage.spend(u, { serviceType: "ai_writing" }).catch((x: unknown) => x))).toBe(true);
    expect((await admin.admin.unfreeze(u)).status).toBe("active");
    expect((await service.usage.spend(u, { serviceType: "ai_writing" })).account.balance).toBe("136.50");
    expect((await auditFromTable(u)).findings).toEqual([]);
  });
});
