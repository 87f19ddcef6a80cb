import { describe, expect, it } from "vitest";
import { adminToken, auditFromTable, callApi, openAccount, serviceToken, uniqueUserId } from "../support/index.ts";

/** docs/api.md, Idempotency: a replay answers the original, a reused key for another request is a conflict. */
describe("idempotency of coin-moving POSTs", () => {
  const post = async (path: string, body: unknown, key: string, admin = false) =>
    callApi("POST", path, { token: admin ? await adminToken() : await serviceToken(), body, idempotencyKey: key });

  const cases = [
    { name: "usage", path: "usage", body: { serviceType: "ai_writing", details: { action: "generate_content" } }, admin: false, other: { serviceType: "ai_writing", amount: "2.00" } },
    { name: "charge", path: "charges", body: { amount: "50.00", paymentMethod: "card", paymentReference: "pg-1" }, admin: true, other: { amount: "51.00", paymentMethod: "card" } },
    { name: "adjustment", path: "adjustments", body: { amount: "-5.00", reason: "correction" }, admin: true, other: { amount: "-5.00", reason: "other reason" } },
  ];

  for (const c of cases) {
    it(`${c.name}: a replay returns the same status and body with Idempotent-Replayed, and writes nothing`, async () => {
      const u = uniqueUserId(`idem-${c.name}`);
      await openAccount(u);
      const first = await post(`/v1/accounts/${u}/${c.path}`, c.body, "key-1", c.admin);
      expect(first.status).toBe(201);
      expect(first.headers["idempotent-replayed"]).toBeUndefined();
      // Something else happens in between: the replay must still answer the original body.
      await post(`/v1/accounts/${u}/usage`, { serviceType: "image_generation_dev" }, "key-2");
      const replay = await post(`/v1/accounts/${u}/${c.path}`, c.body, "key-1", c.admin);
      expect(replay.status).toBe(201);
      expect(replay.headers["idempotent-replayed"]).toBe("true");
      expect(replay.body).toEqual(first.body);
      const { entries, findings } = await auditFromTable(u);
      expect(findings).toEqual([]);
      expect(entries).toHaveLength(3);
    });

    it(`${c.name}: the same key with a different request is 409 idempotency_conflict`, async () => {
      const u = uniqueUserId(`idem-${c.name}`);
      await openAccount(u);
      expect((await post(`/v1/accounts/${u}/${c.path}`, c.body, "k", c.admin)).status).toBe(201);
      const conflict = await post(`/v1/accounts/${u}/${c.path}`, c.other, "k", c.admin);
      expect(conflict.status).toBe(409);
      expect(conflict.body.error.code).toBe("idempotency_conflict");
      expect((await auditFromTable(u)).entries).toHaveLength(2);
    });
  }

  it("refund: a replay returns the original even after the entry is fully refunded", async () => {
    const u = uniqueUserId("idem-refund");
    await openAccount(u);
    const spend = await post(`/v1/accounts/${u}/usage`, { serviceType: "ai_writing" }, "spend");
    const body = { transactionId: spend.body.transaction.id, reason: "service failed" };
    const first = await post(`/v1/accounts/${u}/refunds`, body, "refund");
    expect(first.status).toBe(201);
    expect(first.body.transaction.amount).toBe("3.00");
    const replay = await post(`/v1/accounts/${u}/refunds`, body, "refund");
    expect(replay.status).toBe(201);
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    expect(replay.body).toEqual(first.body);
    // A new key for the same refund is a new request: nothing is left to refund.
    const again = await post(`/v1/accounts/${u}/refunds`, body, "refund-2");
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("refund_exceeds_original");
  });

  it("a replay of a spend succeeds even when the balance could no longer pay for it", async () => {
    const u = uniqueUserId("idem-drained");
    await openAccount(u);
    const first = await post(`/v1/accounts/${u}/usage`, { serviceType: "ai_writing" }, "first");
    await post(`/v1/accounts/${u}/usage`, { serviceType: "ai_writing", amount: "97.00" }, "drain");
    const replay = await post(`/v1/accounts/${u}/usage`, { serviceType: "ai_writing" }, "first");
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
  });

  it("keys are scoped per account: the same key on two accounts makes two entries", async () => {
    const [a, b] = [uniqueUserId("scope"), uniqueUserId("scope")];
    await Promise.all([openAccount(a), openAccount(b)]);
    const ra = await post(`/v1/accounts/${a}/usage`, { serviceType: "ai_writing" }, "shared");
    const rb = await post(`/v1/accounts/${b}/usage`, { serviceType: "ai_writing" }, "shared");
    expect(ra.status).toBe(201);
    expect(rb.status).toBe(201);
    expect(rb.headers["idempotent-replayed"]).toBeUndefined();
    expect(ra.body.transaction.id).not.toBe(rb.body.transaction.id);
  });

  it("a replay racing its original: one entry, every reply identical to it", async () => {
    const u = uniqueUserId("idem-race");
    await openAccount(u);
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => post(`/v1/accounts/${u}/usage`, { serviceType: "keyword_analysis" }, "racy")),
    );
    for (const r of replies) expect(r.status).toBe(201);
    const originals = replies.filter((r) => r.headers["idempotent-replayed"] === undefined);
    expect(originals).toHaveLength(1);
    for (const r of replies) expect(r.body).toEqual(originals[0]!.body);
    const { entries, findings } = await auditFromTable(u);
    expect(findings).toEqual([]);
    expect(entries).toHaveLength(2);
  });

  describe("one key, one request, whatever route used it first", () => {
    const hold = async (u: string, key: string, amount = "10.00") =>
      (await post(`/v1/accounts/${u}/holds`, { amount }, key)).body.hold.id as string;
    const release = (u: string, holdId: string, key: string) => post(`/v1/accounts/${u}/holds/${holdId}/release`, undefined, key);
    const capture = (u: string, holdId: string, key: string) => post(`/v1/accounts/${u}/holds/${holdId}/capture`, {}, key);
    const expectConflict = (r: { status: number; body: { error?: { code: string } } }) => {
      expect(r.status).toBe(409);
      expect(r.body.error?.code).toBe("idempotency_conflict");
    };
    const holdStatus = async (u: string, holdId: string) =>
      (await callApi("GET", `/v1/accounts/${u}/holds/${holdId}`, { token: await serviceToken() })).body.hold.status;

    it("a spend's key used to release a hold is a conflict, and the hold stays pending", async () => {
      const u = uniqueUserId("key-spend-rel");
      await openAccount(u);
      expect((await post(`/v1/accounts/${u}/usage`, { serviceType: "ai_writing" }, "k")).status).toBe(201);
      const h = await hold(u, "h");
      expectConflict(await release(u, h, "k"));
      expect(await holdStatus(u, h)).toBe("pending");
    });

    it("a release's key used on a second hold is a conflict; on the first it replays", async () => {
      const u = uniqueUserId("key-rel-rel");
      await openAccount(u);
      const [a, b] = [await hold(u, "ha"), await hold(u, "hb")];
      const first = await release(u, a, "r");
      expect(first.status).toBe(200);
      expectConflict(await release(u, b, "r"));
      expect(await holdStatus(u, b)).toBe("pending");
      const replay = await release(u, a, "r");
      expect(replay.status).toBe(200);
      expect(replay.headers["idempotent-replayed"]).toBe("true");
      expect(replay.body).toEqual(first.body);
    });

    it("a release's key used for a spend is a conflict, and no coins move", async () => {
      const u = uniqueUserId("key-rel-spend");
      await openAccount(u);
      expect((await release(u, await hold(u, "h"), "k")).status).toBe(200);
      expectConflict(await post(`/v1/accounts/${u}/usage`, { serviceType: "ai_writing" }, "k"));
      const { entries, findings } = await auditFromTable(u);
      expect(findings).toEqual([]);
      expect(entries).toHaveLength(1);
    });

    it("a hold's own key used to release or capture it is a conflict", async () => {
      const u = uniqueUserId("key-hold-settle");
      await openAccount(u);
      const h = await hold(u, "h");
      expectConflict(await release(u, h, "h"));
      expectConflict(await capture(u, h, "h"));
      expect(await holdStatus(u, h)).toBe("pending");
    });

    it("a spend's key used to capture is a conflict; a capture's key on a second hold too", async () => {
      const u = uniqueUserId("key-capture");
      await openAccount(u);
      expect((await post(`/v1/accounts/${u}/usage`, { serviceType: "ai_writing" }, "k")).status).toBe(201);
      const [a, b] = [await hold(u, "ha"), await hold(u, "hb")];
      expectConflict(await capture(u, a, "k"));
      expect((await capture(u, a, "c")).status).toBe(201);
      expectConflict(await capture(u, b, "c"));
      expect(await holdStatus(u, b)).toBe("pending");
      expect((await auditFromTable(u)).entries).toHaveLength(3);
    });
  });

  it("opening an account is idempotent by userId: 201 once, then 200 with the account unchanged", async () => {
    const u = uniqueUserId("open");
    const token = await serviceToken();
    const replies = await Promise.all(
      Array.from({ length: 5 }, () => callApi("POST", "/v1/accounts", { token, body: { userId: u } })),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(4);
    for (const r of replies) expect(r.body.account.balance).toBe("100.00");
    const { entries, findings } = await auditFromTable(u);
    expect(findings).toEqual([]);
    expect(entries.map((e) => e.type)).toEqual(["signup_bonus"]);
  });
});
