import { describe, expect, it } from "vitest";
import { apiWith, auditFromTable, callApi, ledgerOn, manualClock, openAccount, serviceToken, testTableName, tokenFor, uniqueUserId } from "../support/index.ts";

/** The hold routes of docs/api.md through the Lambda event path. */
describe("hold routes", () => {
  const as = async (token: Promise<string>, method: string, path: string, body?: unknown, key?: string) =>
    callApi(method, path, { token: await token, body, ...(key ? { idempotencyKey: key } : {}) });

  it("reserve → capture: shapes, statuses and balances as docs/api.md says", async () => {
    const u = uniqueUserId("hold-http");
    await openAccount(u);
    const svc = serviceToken();
    const held = await as(svc, "POST", `/v1/accounts/${u}/holds`, { serviceType: "image_generation_max", details: { prompt: "cat" } }, "h1");
    expect(held.status).toBe(201);
    expect(held.body.hold).toMatchObject({ userId: u, amount: "2.10", serviceType: "image_generation_max", status: "pending", capturedAmount: null, details: { prompt: "cat" } });
    expect(Date.parse(held.body.hold.expiresAt) - Date.parse(held.body.hold.createdAt)).toBe(900_000);
    expect(held.body.account).toMatchObject({ balance: "100.00", held: "2.10", available: "97.90" });

    const replay = await as(svc, "POST", `/v1/accounts/${u}/holds`, { serviceType: "image_generation_max", details: { prompt: "cat" } }, "h1");
    expect(replay.status).toBe(201);
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    expect(replay.body).toEqual(held.body);

    const holdId = held.body.hold.id;
    const cap = await as(svc, "POST", `/v1/accounts/${u}/holds/${holdId}/capture`, { amount: "1.30" }, "c1");
    expect(cap.status).toBe(201);
    expect(cap.body.transaction).toMatchObject({ type: "hold_capture", amount: "-1.30", balanceBefore: "100.00", balanceAfter: "98.70", relatedTransactionId: holdId });
    expect(cap.body.hold).toMatchObject({ status: "captured", capturedAmount: "1.30", captureTransactionId: cap.body.transaction.id });
    expect(cap.body.account).toMatchObject({ balance: "98.70", held: "0.00", available: "98.70" });
    const capReplay = await as(svc, "POST", `/v1/accounts/${u}/holds/${holdId}/capture`, { amount: "1.30" }, "c1");
    expect(capReplay.headers["idempotent-replayed"]).toBe("true");
    expect(capReplay.body).toEqual(cap.body);

    const late = await as(svc, "POST", `/v1/accounts/${u}/holds/${holdId}/release`);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("hold_not_pending");
    const get = await as(tokenFor(u), "GET", `/v1/accounts/me/holds/${holdId}`);
    expect(get.body.hold.status).toBe("captured");
    expect((await auditFromTable(u)).findings).toEqual([]);
  });

  it("release frees the coins and writes no entry; a release replay with its key answers the same", async () => {
    const u = uniqueUserId("hold-rel");
    await openAccount(u);
    const svc = serviceToken();
    const held = await as(svc, "POST", `/v1/accounts/${u}/holds`, { amount: "40.00", ttlSeconds: 60 }, "h");
    const holdId = held.body.hold.id;
    const rel = await as(svc, "POST", `/v1/accounts/${u}/holds/${holdId}/release`, undefined, "r");
    expect(rel.status).toBe(200);
    expect(rel.body.hold.status).toBe("released");
    expect(rel.body.account).toMatchObject({ balance: "100.00", held: "0.00", available: "100.00" });
    const again = await as(svc, "POST", `/v1/accounts/${u}/holds/${holdId}/release`, undefined, "r");
    expect(again.status).toBe(200);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.body).toEqual(rel.body);
    const other = await as(svc, "POST", `/v1/accounts/${u}/holds/${holdId}/release`, undefined, "r2");
    expect(other.status).toBe(409);
    expect((await auditFromTable(u)).entries).toHaveLength(1);
  });

  it("refuses what docs/api.md refuses", async () => {
    const u = uniqueUserId("hold-err");
    await openAccount(u);
    const svc = serviceToken();
    const cases: [unknown, number, string][] = [
      [{}, 400, "validation_failed"],
      [{ serviceType: "ai_writing", ttlSeconds: 5 }, 400, "validation_failed"],
      [{ serviceType: "ai_writing", ttlSeconds: 3601 }, 400, "validation_failed"],
      [{ serviceType: "nope" }, 400, "unknown_service"],
      [{ amount: "0.001" }, 400, "invalid_amount"],
      [{ amount: "100.01" }, 402, "insufficient_coins"],
    ];
    for (const [body, status, code] of cases) {
      const r = await as(svc, "POST", `/v1/accounts/${u}/holds`, body, `k-${JSON.stringify(body)}`);
      expect([r.status, r.body.error?.code], JSON.stringify(body)).toEqual([status, code]);
    }
    expect((await as(svc, "POST", `/v1/accounts/${u}/holds`, { amount: "1.00" })).body.error.code).toBe("idempotency_key_required");
    expect((await as(tokenFor(u), "POST", `/v1/accounts/${u}/holds`, { amount: "1.00" }, "k")).status).toBe(403);
    const missing = await as(svc, "POST", `/v1/accounts/${u}/holds/hold_0000000000000000000000000a/capture`, {}, "c");
    expect([missing.status, missing.body.error.code]).toEqual([404, "hold_not_found"]);
    const held = await as(svc, "POST", `/v1/accounts/${u}/holds`, { amount: "2.00" }, "h");
    const over = await as(svc, "POST", `/v1/accounts/${u}/holds/${held.body.hold.id}/capture`, { amount: "2.01" }, "c-over");
    expect([over.status, over.body.error.code]).toEqual([400, "invalid_amount"]);
    await callApi("POST", `/v1/accounts/${u}/freeze`, { token: await tokenFor("root", "admin") });
    const frozen = await as(svc, "POST", `/v1/accounts/${u}/holds`, { amount: "1.00" }, "h-frozen");
    expect([frozen.status, frozen.body.error.code]).toEqual([423, "account_frozen"]);
    // Work reserved before the freeze can still be captured.
    const cap = await as(svc, "POST", `/v1/accounts/${u}/holds/${held.body.hold.id}/capture`, {}, "c-frozen");
    expect(cap.status).toBe(201);
    expect((await auditFromTable(u)).findings).toEqual([]);
  });
});

describe("a hold past its expiry", () => {
  it("shows as expired on a replay of its key, as GET shows it, with the same expiresAt", async () => {
    const clock = manualClock();
    const call = apiWith({ ledger: ledgerOn(testTableName(), clock).ledger });
    const u = uniqueUserId("hold-exp");
    await openAccount(u);
    const token = await serviceToken();
    const reserve = { token, body: { amount: "5.00", ttlSeconds: 10 }, idempotencyKey: "exp-1" };
    const held = await call("POST", `/v1/accounts/${u}/holds`, reserve);
    expect(held.status).toBe(201);
    expect(held.body.hold.status).toBe("pending");

    clock.advance(11_000);
    const replay = await call("POST", `/v1/accounts/${u}/holds`, reserve);
    expect(replay.status).toBe(201);
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    const get = await call("GET", `/v1/accounts/${u}/holds/${held.body.hold.id}`, { token });
    expect(get.body.hold.status).toBe("expired");
    expect(replay.body.hold).toEqual(get.body.hold);
    expect(replay.body.hold.expiresAt).toBe(held.body.hold.expiresAt);
  });
});
