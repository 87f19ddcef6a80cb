import { isAccountBusy, isInsufficientCoins, keyFor, type NyangClient } from "@nyang/client";
import { fakeTossEnv, startFakeTossGateway, type FakeTossGateway, type HttpGateway } from "@nyang/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, startHttpApi } from "../support/client-stack.ts";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy.ts";
import { adminToken, auditFromTable, serviceToken, tokenFor, uniqueUserId } from "../support/index.ts";

/**
 * Integration (DynamoDB Local, the local API Gateway emulator, the real Lambda handler):
 * the client's retries through a proxy that loses answers after the API wrote them,
 * replaces them with 503, and throttles with 429. Whatever happens on the way, each
 * logical call moves coins exactly once, and every account's ledger audits clean.
 */
let api: HttpGateway;
let proxy: FaultProxy;
let toss: FakeTossGateway;
let service: NyangClient;

beforeAll(async () => {
  toss = await startFakeTossGateway({ cancelCooldownMs: 0 });
  api = await startHttpApi({ ...fakeTossEnv(toss), TOSS_TIMEOUT_MS: "2000" });
  proxy = await startFaultProxy(api.url);
  service = clientFor(proxy.url, await serviceToken());
});
afterAll(async () => {
  await proxy?.close();
  await api?.close();
  await toss?.close();
});

async function account(prefix: string): Promise<string> {
  const u = uniqueUserId(prefix);
  await service.accounts.open(u);
  return u;
}

/** What the proxy saw for one key. */
const sentWith = (key: string) => proxy.log.filter((r) => r.idempotencyKey === key);

async function expectCleanLedger(userId: string) {
  const { findings, entries } = await auditFromTable(userId);
  expect(findings).toEqual([]);
  return entries;
}

describe("retries through lost and refused answers move coins once", () => {
  it("a spend: answer lost, replaced by 503, throttled (429), refused (503), lost again, then through", async () => {
    const u = await account("cf-spend");
    proxy.script("drop", "replace-503", "429", "503", "drop");
    const r = await service.request("post", "/v1/accounts/{userId}/usage", { params: { userId: u }, body: { serviceType: "ai_writing" } });
    expect(proxy.pending()).toBe(0);
    expect(r.attempts).toBe(6);
    expect(r.replayed).toBe(true);
    expect(r.data.account.balance).toBe("97.00");
    const seen = sentWith(r.idempotencyKey!);
    expect(seen.map((s) => s.fault)).toEqual(["drop", "replace-503", "429", "503", "drop", "pass"]);
    // The API applied the spend on the first attempt and replayed it on every later one it saw.
    expect(seen.map((s) => s.upstreamStatus)).toEqual([201, 201, null, null, 201, 201]);
    const entries = await expectCleanLedger(u);
    expect(entries.filter((e) => e.type === "usage")).toHaveLength(1);
    expect((await service.accounts.get(u)).balance).toBe("97.00");
  });

  it("a hold, its capture and a second hold's release, each with its answer lost", async () => {
    const u = await account("cf-hold");
    const requestId = `img-${u}`;
    proxy.script("drop");
    const { hold } = await service.holds.create(u, { serviceType: "image_generation_max" }, { idempotencyKey: keyFor("ai-request", requestId, "hold") });
    proxy.script("drop", "replace-503");
    const captured = await service.holds.capture(u, hold.id, { amount: "1.30" }, { idempotencyKey: keyFor("ai-request", requestId, "capture") });
    expect(captured.transaction).toMatchObject({ type: "hold_capture", amount: "-1.30" });
    expect(captured.account).toMatchObject({ balance: "98.70", held: "0.00", available: "98.70" });

    // Release moves no coins, but without the same key a retried release would answer 409.
    const second = await service.holds.create(u, { amount: "5" });
    proxy.script("drop");
    const released = await service.holds.release(u, second.hold.id);
    expect(released.hold.status).toBe("released");
    expect(released.account.available).toBe("98.70");

    const entries = await expectCleanLedger(u);
    expect(entries.map((e) => e.type)).toEqual(["signup_bonus", "hold_capture"]);
  });

  it("a refund and an admin adjustment with their answers lost", async () => {
    const u = await account("cf-refund");
    const spent = await service.usage.spend(u, { serviceType: "ai_writing" });
    proxy.script("drop", "429");
    await service.refunds.create(u, { transactionId: spent.transaction.id, reason: "model failed" });
    const admin = clientFor(proxy.url, await adminToken());
    proxy.script("replace-503", "drop");
    const adjusted = await admin.admin.adjust(u, { amount: "-0.50", reason: "correction" });
    expect(adjusted.account.balance).toBe("99.50");
    const entries = await expectCleanLedger(u);
    expect(entries.map((e) => e.type)).toEqual(["signup_bonus", "usage", "refund", "admin_adjustment"]);
  });

  it("a purchase confirmation whose answer is lost credits the package once", async () => {
    const u = await account("cf-buy");
    const buyer = clientFor(proxy.url, await tokenFor(u));
    const order = await buyer.purchases.create("me", { packageId: "basic" });
    const paymentKey = toss.authorize({ orderId: order.id, amount: order.amountKrw });
    proxy.script("drop", "replace-503");
    const settled = await buyer.purchases.confirm("me", order.id, { paymentKey });
    expect(settled.order.status).toBe("paid");
    expect(settled.account.balance).toBe("1100.00");
    const entries = await expectCleanLedger(u);
    expect(entries.filter((e) => e.type === "purchase")).toHaveLength(1);
  });
});

describe("what is not retried", () => {
  it("a 402 is answered once and never sent again", async () => {
    const u = await account("cf-402");
    const before = proxy.log.length;
    const e = await service.usage.spend(u, { serviceType: "ai_writing", amount: "1000" }).catch((x: unknown) => x);
    expect(isInsufficientCoins(e) && e.details).toEqual({ required: "1000.00", available: "100.00" });
    expect(proxy.log.length - before).toBe(1);
    await expectCleanLedger(u);
  });

  it("a Retry-After longer than the call's budget ends the call at once with account_busy", async () => {
    const u = await account("cf-busy");
    proxy.retryAfter = "30";
    try {
      proxy.script("429");
      const before = proxy.log.length;
      const e = await service.usage.spend(u, { serviceType: "ai_writing" }, { timeoutMs: 2_000 }).catch((x: unknown) => x);
      expect(isAccountBusy(e)).toBe(true);
      expect(e).toMatchObject({ status: 429, retryAfterMs: 30_000, attempts: 1 });
      expect(proxy.log.length - before).toBe(1);
    } finally {
      proxy.retryAfter = "0";
    }
    const entries = await expectCleanLedger(u);
    expect(entries).toHaveLength(1);
  });
});
