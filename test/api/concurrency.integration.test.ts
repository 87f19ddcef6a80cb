import { describe, expect, it } from "vitest";
import {
  adminToken,
  auditFromTable,
  callApi,
  callApiRetryingContention,
  openAccount,
  serviceToken,
  testStore,
  uniqueUserId,
} from "../support/index.ts";

/**
 * Ledger rules 1, 2 and 5 under load: concurrent writers on one account never overspend,
 * never lose an entry and leave a gapless, chained history whose sum is the balance. The
 * callers behave as docs/api.md tells clients to: an answer of 429 `account_busy` (the retry budget ran
 * out on a busy machine) is retried with the same Idempotency-Key.
 */
describe("concurrent spends on one account", () => {
  it("50 spends of 3.00 on 100.00: exactly 33 succeed, 17 are refused, 1.00 is left", async () => {
    const userId = uniqueUserId("race");
    await openAccount(userId);
    const token = await serviceToken();
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        callApiRetryingContention("POST", `/v1/accounts/${userId}/usage`, {
          token,
          body: { serviceType: "ai_writing" },
          idempotencyKey: `spend-${i}`,
        }),
      ),
    );
    const ok = replies.filter((r) => r.status === 201);
    const refused = replies.filter((r) => r.status === 402);
    expect(ok).toHaveLength(33);
    expect(refused).toHaveLength(17);
    for (const r of refused) expect(r.body.error.code).toBe("insufficient_coins");

    const account = await callApi("GET", `/v1/accounts/${userId}`, { token });
    expect(account.body.account.balance).toBe("1.00");
    expect(account.body.account.version).toBe(34);

    const { findings, entries } = await auditFromTable(userId);
    expect(findings).toEqual([]);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 34 }, (_, i) => i + 1));
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.balanceBefore).toBe(entries[i - 1]!.balanceAfter);
    expect(entries.reduce((s, e) => s + e.amount, 0)).toBe(100);
    // Every successful reply names a distinct entry that is in the ledger.
    const ids = new Set(ok.map((r) => r.body.transaction.id));
    expect(ids.size).toBe(33);
    for (const e of entries.slice(1)) expect(ids.has(e.id)).toBe(true);
  });

  it("mixed spends, charges and refunds across several accounts keep every ledger exact", async () => {
    const users = Array.from({ length: 4 }, () => uniqueUserId("mixed"));
    await Promise.all(users.map(openAccount));
    const [svc, admin] = await Promise.all([serviceToken(), adminToken()]);

    // Seed one refundable spend per account so refunds can race the rest.
    const seeds = await Promise.all(
      users.map((u) =>
        callApiRetryingContention("POST", `/v1/accounts/${u}/usage`, { token: svc, body: { serviceType: "ai_writing" }, idempotencyKey: "seed" }),
      ),
    );
    const ops: Promise<{ status: number }>[] = [];
    users.forEach((u, n) => {
      const seedId = seeds[n]!.body.transaction.id as string;
      for (let i = 0; i < 12; i++) {
        ops.push(
          callApiRetryingContention("POST", `/v1/accounts/${u}/usage`, {
            token: svc,
            body: { serviceType: i % 2 ? "image_generation_pro" : "keyword_analysis" },
            idempotencyKey: `s${i}`,
          }),
        );
      }
      for (let i = 0; i < 4; i++) {
        ops.push(
          callApiRetryingContention("POST", `/v1/accounts/${u}/charges`, {
            token: admin,
            body: { amount: "10.50", paymentMethod: "card" },
            idempotencyKey: `c${i}`,
          }),
        );
      }
      // Three racing refunds of 1.00 each against a 3.00 spend: all fit, none more.
      for (let i = 0; i < 4; i++) {
        ops.push(
          callApiRetryingContention("POST", `/v1/accounts/${u}/refunds`, {
            token: svc,
            body: { transactionId: seedId, amount: "1.00", reason: "race" },
            idempotencyKey: `r${i}`,
          }),
        );
      }
    });
    const replies = await Promise.all(ops);
    const statuses = replies.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);

    for (const u of users) {
      const { findings, entries } = await auditFromTable(u);
      expect(findings).toEqual([]);
      const refunds = entries.filter((e) => e.type === "refund");
      expect(refunds).toHaveLength(3);
      expect(entries.filter((e) => e.type === "purchase")).toHaveLength(4);
      expect(entries.filter((e) => e.type === "usage")).toHaveLength(13);
      const account = await testStore().getAccount(u);
      // 100 − 3 (seed) + 3 (refunds) + 42 (charges) − 6×2 − 6×1.3
      expect(account?.balance).toBe(10000 - 300 + 300 + 4200 - 1200 - 780);
    }
    // Exactly one refund per account lost the race for the last coin.
    expect(statuses.filter((s) => s === 409)).toHaveLength(users.length);
  });
});
