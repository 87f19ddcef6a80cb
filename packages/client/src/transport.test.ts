import Decimal from "decimal.js";
import { describe, expect, it, vi } from "vitest";
import { createClient } from "./client.ts";
import { isInsufficientCoins, isNetworkError, isTimeout, isUnauthorized, NyangError } from "./errors.ts";
import type { FetchLike } from "./transport.ts";

// Unit: the transport's decisions against a scripted `fetch` (no server). The real API and
// a fault proxy are exercised in test/client/*.integration.test.ts.

interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch that answers from a script, one entry per attempt, and records what it was sent. */
function scripted(...script: (Response | Error | "hang")[]) {
  const seen: Seen[] = [];
  const fetch: FetchLike = (url, init) => {
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    seen.push({ url, method: String(init.method), headers, body: init.body === undefined ? undefined : JSON.parse(String(init.body)) });
    const next = script.shift() ?? new Error("script exhausted");
    if (next === "hang") {
      return new Promise((_, reject) => init.signal?.addEventListener("abort", () => reject(init.signal?.reason), { once: true }));
    }
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  return { fetch, seen };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const apiError = (status: number, code: string, details?: object, headers: Record<string, string> = {}) =>
  json(status, { error: { code, message: code, ...(details ? { details } : {}) } }, { "apigw-requestid": `req-${status}`, ...headers });
const posting = { transaction: { id: "tx_1" }, account: { balance: "97.00" } };
const base = { baseUrl: "http://api.test/", token: "t0", random: () => 0 };

describe("retries", () => {
  it("sends one Idempotency-Key on every attempt of a coin-moving call: no answer, 503, 429, then 201", async () => {
    const { fetch, seen } = scripted(new TypeError("fetch failed"), apiError(503, "internal"), apiError(429, "account_busy", {}, { "retry-after": "0" }), json(201, posting));
    const nyang = createClient({ ...base, fetch });
    const r = await nyang.usage.spend("u1", { serviceType: "ai_writing" });
    expect(r).toEqual(posting);
    expect(seen).toHaveLength(4);
    const keys = new Set(seen.map((s) => s.headers["idempotency-key"]));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[0]!.url).toBe("http://api.test/v1/accounts/u1/usage");
  });

  it("uses the caller's key, and a new logical call gets a new key", async () => {
    const { fetch, seen } = scripted(json(201, posting), json(201, posting), json(201, posting));
    const nyang = createClient({ ...base, fetch });
    await nyang.usage.spend("u1", { serviceType: "ai_writing" }, { idempotencyKey: "ai-request:r1:spend" });
    await nyang.usage.spend("u1", { serviceType: "ai_writing" });
    await nyang.usage.spend("u1", { serviceType: "ai_writing" });
    expect(seen[0]!.headers["idempotency-key"]).toBe("ai-request:r1:spend");
    expect(seen[1]!.headers["idempotency-key"]).not.toBe(seen[2]!.headers["idempotency-key"]);
  });

  it("never retries another 4xx; the error carries status, code, details and the request id", async () => {
    const { fetch, seen } = scripted(apiError(402, "insufficient_coins", { required: "3.00", available: "1.20" }), json(201, posting));
    const nyang = createClient({ ...base, fetch });
    const e = await nyang.usage.spend("u1", { serviceType: "ai_writing" }).catch((x: unknown) => x);
    expect(seen).toHaveLength(1);
    expect(isInsufficientCoins(e)).toBe(true);
    expect(e).toMatchObject({ status: 402, code: "insufficient_coins", requestId: "req-402", attempts: 1, details: { required: "3.00", available: "1.20" } });
  });

  it("stops after maxAttempts with the last answer's error", async () => {
    const { fetch, seen } = scripted(apiError(503, "internal"), apiError(503, "internal"), apiError(502, "internal"));
    const nyang = createClient({ ...base, fetch, retry: { maxAttempts: 3 } });
    const e = await nyang.accounts.get("u1").catch((x: unknown) => x);
    expect(seen).toHaveLength(3);
    expect(e).toMatchObject({ status: 502, attempts: 3 });
  });

  it("retry: false sends once", async () => {
    const { fetch, seen } = scripted(new TypeError("fetch failed"), json(200, { account: {} }));
    const e = await createClient({ ...base, fetch }).accounts.get("u1", { retry: false }).catch((x: unknown) => x);
    expect(seen).toHaveLength(1);
    expect(isNetworkError(e)).toBe(true);
  });

  it("a body that is not JSON still becomes a NyangError", async () => {
    const { fetch } = scripted(new Response("<html>Bad Gateway</html>", { status: 502 }));
    const e = await createClient({ ...base, fetch, retry: false }).accounts.get("u1").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NyangError);
    expect(e).toMatchObject({ status: 502, code: "internal" });
  });
});

describe("deadline and abort", () => {
  it("an attempt that hangs is retried; a call past its budget is a timeout error", async () => {
    const { fetch, seen } = scripted("hang", json(200, { account: { userId: "u1" } }));
    const nyang = createClient({ ...base, fetch, attemptTimeoutMs: 20 });
    expect(await nyang.accounts.get("u1")).toEqual({ userId: "u1" });
    expect(seen).toHaveLength(2);

    const slow = scripted("hang", "hang", "hang", "hang", "hang");
    const e = await createClient({ ...base, fetch: slow.fetch, timeoutMs: 50 }).accounts.get("u1").catch((x: unknown) => x);
    expect(isTimeout(e)).toBe(true);
  });

  it("the caller's AbortSignal stops the call at once with its reason, and no further attempt is made", async () => {
    const { fetch, seen } = scripted("hang", json(200, {}));
    const controller = new AbortController();
    const pending = createClient({ ...base, fetch }).accounts.get("u1", { signal: controller.signal });
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    controller.abort(new Error("user left"));
    await expect(pending).rejects.toThrow("user left");
    expect(seen).toHaveLength(1);

    const before = scripted(json(200, {}));
    const aborted = AbortSignal.abort(new Error("never mind"));
    await expect(createClient({ ...base, fetch: before.fetch }).accounts.get("u1", { signal: aborted })).rejects.toThrow("never mind");
    expect(before.seen).toHaveLength(0);
  });
});

describe("auth", () => {
  it("asks getToken for every request, and once more with refresh after a 401", async () => {
    const { fetch, seen } = scripted(apiError(401, "unauthorized"), json(200, { account: {} }), json(200, { account: {} }));
    const asked: boolean[] = [];
    const nyang = createClient({ baseUrl: "http://api.test", fetch, getToken: ({ refresh }) => (asked.push(refresh), refresh ? "fresh" : "stale") });
    await nyang.accounts.get("me");
    await nyang.accounts.get("me");
    expect(asked).toEqual([false, true, false]);
    expect(seen.map((s) => s.headers.authorization)).toEqual(["Bearer stale", "Bearer fresh", "Bearer stale"]);
  });

  it("a second 401 stands", async () => {
    const { fetch, seen } = scripted(apiError(401, "unauthorized"), apiError(401, "unauthorized"), json(200, {}));
    const e = await createClient({ baseUrl: "http://api.test", fetch, getToken: () => "t" }).accounts.get("me").catch((x: unknown) => x);
    expect(isUnauthorized(e)).toBe(true);
    expect(seen).toHaveLength(2);
  });
});

describe("requests", () => {
  it("sends Decimals as exact strings and encodes path parameters and queries", async () => {
    const { fetch, seen } = scripted(json(201, posting), json(200, { transactions: [], nextCursor: null }));
    const nyang = createClient({ ...base, fetch });
    await nyang.admin.adjust("u/1", { amount: new Decimal("-5.5"), reason: "outage" });
    await nyang.transactions.list("me", { type: "usage", limit: 10 });
    expect(seen[0]).toMatchObject({ url: "http://api.test/v1/accounts/u%2F1/adjustments", method: "POST", body: { amount: "-5.5", reason: "outage" } });
    expect(seen[1]).toMatchObject({ url: "http://api.test/v1/accounts/me/transactions?type=usage&limit=10", method: "GET" });
    expect(seen[1]!.headers["idempotency-key"]).toBeUndefined();
  });

  it("client.request reaches any route, typed, with what the client learned", async () => {
    const { fetch } = scripted(json(200, { account: { userId: "u1" } }, { "apigw-requestid": "r-1", "idempotent-replayed": "true" }));
    const r = await createClient({ ...base, fetch }).request("post", "/v1/accounts", { body: { userId: "u1" } });
    expect(r).toMatchObject({ status: 200, requestId: "r-1", replayed: true, attempts: 1, data: { account: { userId: "u1" } } });
    expect(r.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("iterates every page of the history", async () => {
    const { fetch, seen } = scripted(
      json(200, { transactions: [{ id: "a" }, { id: "b" }], nextCursor: "c1" }),
      json(200, { transactions: [{ id: "c" }], nextCursor: null }),
    );
    const ids: string[] = [];
    for await (const t of createClient({ ...base, fetch }).transactions.iterate("u1", { limit: 2 })) ids.push(t.id);
    expect(ids).toEqual(["a", "b", "c"]);
    expect(seen[1]!.url).toContain("cursor=c1");
  });
});
