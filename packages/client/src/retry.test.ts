import { describe, expect, it } from "vitest";
import { backoffDelay, decideRetry, defaultRetryPolicy, isRetryable, parseRetryAfter } from "./retry.ts";

// Unit: the retry decisions.
const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 };
const answer = (status: number, retryAfterMs: number | null = null) => ({ kind: "answer" as const, status, retryAfterMs });

describe("which outcomes are retried", () => {
  it("retries no answer, 429 and every 5xx; never another 4xx", () => {
    expect(isRetryable({ kind: "no_answer" })).toBe(true);
    for (const s of [429, 500, 502, 503, 504]) expect(isRetryable(answer(s)), String(s)).toBe(true);
    for (const s of [400, 401, 402, 403, 404, 409, 413, 422, 423]) {
      expect(isRetryable(answer(s)), String(s)).toBe(false);
      expect(decideRetry(answer(s), 0, 60_000, policy)).toEqual({ retry: false, reason: "not_retryable" });
    }
  });
});

describe("how long to wait", () => {
  it("full jitter: between 0 and min(cap, base × 2^attempt)", () => {
    expect(backoffDelay(0, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(400);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(999);
    expect(backoffDelay(4, policy, () => 0)).toBe(0);
  });

  it("waits at least what Retry-After asks", () => {
    const d = decideRetry(answer(429, 2_000), 0, 60_000, policy, () => 0.5);
    expect(d).toEqual({ retry: true, delayMs: 2_050 });
  });

  it("gives up when the wait would cross the deadline, or after maxAttempts", () => {
    expect(decideRetry(answer(429, 5_000), 0, 4_000, policy)).toEqual({ retry: false, reason: "deadline" });
    expect(decideRetry(answer(503), 4, 60_000, policy)).toEqual({ retry: false, reason: "attempts" });
    expect(decideRetry({ kind: "no_answer" }, 3, 60_000, policy, () => 0.5)).toEqual({ retry: true, delayMs: 400 });
    expect(decideRetry(answer(503), 0, 60_000, { ...defaultRetryPolicy, maxAttempts: 1 })).toEqual({ retry: false, reason: "attempts" });
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("2")).toBe(2_000);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter("soon")).toBeNull();
    const now = Date.parse("2026-11-24T09:00:00Z");
    expect(parseRetryAfter("Tue, 24 Nov 2026 09:00:03 GMT", now)).toBe(3_000);
    expect(parseRetryAfter("Tue, 24 Nov 2026 08:00:00 GMT", now)).toBe(0);
  });
});
