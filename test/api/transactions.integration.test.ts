import { describe, expect, it } from "vitest";
import { adminToken, apiWith, callApi, ledgerOn, manualClock, openAccount, serviceToken, testTableName, tokenFor, uniqueUserId } from "../support/index.ts";

/** The transaction history: newest first, type and time filters, cursor pagination. */
describe("transaction history", () => {
  async function accountWithHistory() {
    const u = uniqueUserId("hist");
    await openAccount(u);
    const [svc, admin] = await Promise.all([serviceToken(), adminToken()]);
    // seq 2..13: usage, with a charge at every fourth step
    for (let i = 0; i < 12; i++) {
      const r =
        i % 4 === 3
          ? await callApi("POST", `/v1/accounts/${u}/charges`, { token: admin, body: { amount: "1.00", paymentMethod: "card" }, idempotencyKey: `c${i}` })
          : await callApi("POST", `/v1/accounts/${u}/usage`, { token: svc, body: { serviceType: "image_generation_dev" }, idempotencyKey: `u${i}` });
      expect(r.status).toBe(201);
    }
    return { u, token: await tokenFor(u) };
  }

  it("pages newest first through every entry exactly once", async () => {
    const { u, token } = await accountWithHistory();
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `?limit=5&cursor=${cursor}` : "?limit=5";
      const r = await callApi("GET", `/v1/accounts/me/transactions${q}`, { token });
      expect(r.status).toBe(200);
      expect(r.body.transactions.length).toBeLessThanOrEqual(5);
      seen.push(...r.body.transactions.map((t: { seq: number }) => t.seq));
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 13 }, (_, i) => 13 - i));
    expect(pages).toBe(3);
    void u;
  });

  it("the last page says so: nextCursor is null when nothing is left", async () => {
    const { u, token } = await accountWithHistory();
    const r = await callApi("GET", `/v1/accounts/${u}/transactions?limit=13`, { token });
    expect(r.body.transactions).toHaveLength(13);
    expect(r.body.nextCursor).toBeNull();
  });

  it("defaults to 50 per page", async () => {
    const { u, token } = await accountWithHistory();
    const r = await callApi("GET", `/v1/accounts/${u}/transactions`, { token });
    expect(r.body.transactions).toHaveLength(13);
  });

  it("filters by type across pages", async () => {
    const { u, token } = await accountWithHistory();
    const first = await callApi("GET", `/v1/accounts/${u}/transactions?type=purchase&limit=2`, { token });
    expect(first.body.transactions.map((t: { seq: number }) => t.seq)).toEqual([13, 9]);
    const second = await callApi("GET", `/v1/accounts/${u}/transactions?type=purchase&limit=2&cursor=${first.body.nextCursor}`, { token });
    expect(second.body.transactions.map((t: { seq: number }) => t.seq)).toEqual([5]);
    expect(second.body.nextCursor).toBeNull();
    const signup = await callApi("GET", `/v1/accounts/${u}/transactions?type=signup_bonus`, { token });
    expect(signup.body.transactions.map((t: { type: string }) => t.type)).toEqual(["signup_bonus"]);
  });

  it("filters by service, alone and with a type, across pages", async () => {
    const { u, token } = await accountWithHistory();
    const svc = await serviceToken();
    const writing = await callApi("POST", `/v1/accounts/${u}/usage`, { token: svc, body: { serviceType: "ai_writing" }, idempotencyKey: "w1" });
    expect(writing.status).toBe(201);
    const ai = await callApi("GET", `/v1/accounts/${u}/transactions?serviceType=ai_writing`, { token });
    expect(ai.body.transactions.map((t: { seq: number }) => t.seq)).toEqual([14]);
    const first = await callApi("GET", `/v1/accounts/${u}/transactions?serviceType=image_generation_dev&type=usage&limit=5`, { token });
    const second = await callApi("GET", `/v1/accounts/${u}/transactions?serviceType=image_generation_dev&type=usage&limit=5&cursor=${first.body.nextCursor}`, { token });
    const seqs = [...first.body.transactions, ...second.body.transactions].map((t: { seq: number; serviceType: string }) => [t.seq, t.serviceType]);
    expect(seqs).toEqual([12, 11, 10, 8, 7, 6, 4, 3, 2].map((seq) => [seq, "image_generation_dev"]));
    expect(second.body.nextCursor).toBeNull();
    const none = await callApi("GET", `/v1/accounts/${u}/transactions?serviceType=ai_writing&type=purchase`, { token });
    expect(none.body.transactions).toEqual([]);
  });

  it("filters by an inclusive time range", async () => {
    const { u, token } = await accountWithHistory();
    const all = (await callApi("GET", `/v1/accounts/${u}/transactions`, { token })).body.transactions as { seq: number; createdAt: string }[];
    const bySeq = new Map(all.map((t) => [t.seq, t.createdAt]));
    const from = bySeq.get(4)!;
    const to = bySeq.get(8)!;
    const r = await callApi("GET", `/v1/accounts/${u}/transactions?from=${from}&to=${to}`, { token });
    const seqs = r.body.transactions.map((t: { seq: number }) => t.seq);
    // Entries sharing a millisecond with the bounds are inside too.
    const expected = all.filter((t) => t.createdAt >= from && t.createdAt <= to).map((t) => t.seq);
    expect(seqs).toEqual(expected);
    expect(seqs).toContain(4);
    expect(seqs).toContain(8);
    const typed = await callApi("GET", `/v1/accounts/${u}/transactions?type=purchase&from=${from}&to=${to}`, { token });
    expect(typed.body.transactions.every((t: { type: string; createdAt: string }) => t.type === "purchase" && t.createdAt >= from && t.createdAt <= to)).toBe(true);
  });

  it("gets one transaction by id, and 404s an id from another account", async () => {
    const { u, token } = await accountWithHistory();
    const list = await callApi("GET", `/v1/accounts/${u}/transactions?limit=1`, { token });
    const id = list.body.transactions[0].id;
    const one = await callApi("GET", `/v1/accounts/${u}/transactions/${id}`, { token });
    expect(one.status).toBe(200);
    expect(one.body.transaction).toEqual(list.body.transactions[0]);
    const other = uniqueUserId("hist-other");
    await openAccount(other);
    const miss = await callApi("GET", `/v1/accounts/${other}/transactions/${id}`, { token: await adminToken() });
    expect(miss.status).toBe(404);
    expect(miss.body.error.code).toBe("transaction_not_found");
  });

  it("refuses a cursor issued for another account", async () => {
    const { u, token } = await accountWithHistory();
    const page = await callApi("GET", `/v1/accounts/${u}/transactions?limit=2`, { token });
    const other = uniqueUserId("hist-other");
    await openAccount(other);
    const r = await callApi("GET", `/v1/accounts/${other}/transactions?cursor=${page.body.nextCursor}`, { token: await adminToken() });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("validation_failed");
  });
});

describe("history bounds given as dates", () => {
  it("a date is that whole day in UTC: from starts at its first millisecond, to ends at its last", async () => {
    const clock = manualClock(new Date("2026-11-30T12:00:00.000Z"));
    const call = apiWith({ ledger: ledgerOn(testTableName(), clock).ledger });
    const token = await serviceToken();
    const u = uniqueUserId("hist-date");
    expect((await call("POST", "/v1/accounts", { token, body: { userId: u } })).status).toBe(201);
    const times = ["2026-11-30T23:59:59.999Z", "2026-12-01T00:00:00.000Z", "2026-12-01T23:59:59.999Z", "2026-12-02T00:00:00.000Z"];
    for (const [i, t] of times.entries()) {
      clock.set(new Date(t));
      expect((await call("POST", `/v1/accounts/${u}/usage`, { token, body: { serviceType: "image_generation_dev" }, idempotencyKey: `d${i}` })).status).toBe(201);
    }
    const createdAt = async (q: string) => {
      const r = await call("GET", `/v1/accounts/${u}/transactions?${q}`, { token });
      expect(r.status, q).toBe(200);
      return (r.body.transactions as { createdAt: string }[]).map((t) => t.createdAt).reverse();
    };
    expect(await createdAt("from=2026-12-01&to=2026-12-01")).toEqual([times[1], times[2]]);
    expect(await createdAt("from=2026-12-01")).toEqual([times[1], times[2], times[3]]);
    expect(await createdAt("to=2026-11-30")).toEqual(["2026-11-30T12:00:00.000Z", times[0]]);
    // A date and a time mix: the time bound is exact.
    expect(await createdAt("from=2026-12-01T00:00:00.001Z&to=2026-12-02")).toEqual([times[2], times[3]]);
  });
});
