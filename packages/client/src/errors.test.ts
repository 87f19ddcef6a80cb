import { publicErrorStatuses } from "@nyang/functions/http/api-error";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  apiErrorCodes,
  hasCode,
  isAccountBusy,
  isAccountFrozen,
  isBalanceLimitExceeded,
  isIdempotencyConflict,
  isInsufficientCoins,
  isNetworkError,
  isNotFound,
  isNyangError,
  isTimeout,
  isValidationFailed,
  NyangError,
  type NyangErrorCode,
} from "./errors.ts";

// Unit: the error value and its guards (runtime and types).
const err = (status: number, code: string, details: Record<string, unknown> = {}) => new NyangError({ status, code, message: code, details });

describe("the codes", () => {
  it("are exactly the codes the API can answer with", () => {
    expect([...apiErrorCodes].sort()).toEqual(Object.keys(publicErrorStatuses()).sort());
  });

  it("isNotFound covers every 404 code the API has", () => {
    const notFound = Object.entries(publicErrorStatuses()).filter(([, status]) => status === 404);
    for (const [code] of notFound) expect(isNotFound(err(404, code)), code).toBe(true);
  });
});

describe("guards", () => {
  it("match the code, and nothing else", () => {
    const e = err(402, "insufficient_coins", { required: "3.00", available: "1.20" });
    expect(isInsufficientCoins(e)).toBe(true);
    expect(isInsufficientCoins(err(423, "account_frozen"))).toBe(false);
    expect(isInsufficientCoins(new Error("insufficient_coins"))).toBe(false);
    expect(isInsufficientCoins({ code: "insufficient_coins" })).toBe(false);
    expect(isAccountFrozen(err(423, "account_frozen"))).toBe(true);
    expect(isIdempotencyConflict(err(409, "idempotency_conflict"))).toBe(true);
    expect(isIdempotencyConflict(err(409, "hold_not_pending"))).toBe(false);
    expect(isBalanceLimitExceeded(err(422, "balance_limit_exceeded"))).toBe(true);
    expect(isNetworkError(err(0, "network_error"))).toBe(true);
    expect(isTimeout(err(0, "timeout"))).toBe(true);
  });

  it("isAccountBusy: 429 account_busy, and the older 500 with reason contention", () => {
    expect(isAccountBusy(err(429, "account_busy"))).toBe(true);
    expect(isAccountBusy(err(500, "internal", { reason: "contention" }))).toBe(true);
    expect(isAccountBusy(err(500, "internal"))).toBe(false);
  });

  it("isNotFound: every *_not_found code and the route's not_found", () => {
    for (const code of ["account_not_found", "hold_not_found", "order_not_found", "not_found"]) expect(isNotFound(err(404, code)), code).toBe(true);
    expect(isNotFound(err(409, "hold_not_pending"))).toBe(false);
  });

  it("recognise an error from another copy of the package by its brand", () => {
    const foreign = Object.create(null) as Record<PropertyKey, unknown>;
    foreign[Symbol.for("@nyang/client.NyangError")] = true;
    foreign.code = "account_frozen";
    expect(isNyangError(foreign)).toBe(true);
    expect(isAccountFrozen(foreign)).toBe(true);
  });

  it("narrow the type to the code and its details", () => {
    const e: unknown = err(402, "insufficient_coins", { required: "3.00", available: "1.20" });
    if (isInsufficientCoins(e)) {
      expectTypeOf(e).toExtend<NyangError>();
      expectTypeOf(e.code).toEqualTypeOf<"insufficient_coins">();
      expectTypeOf(e.details.required).toEqualTypeOf<string>();
      expectTypeOf(e.details.available).toEqualTypeOf<string>();
      expect(e.details).toEqual({ required: "3.00", available: "1.20" });
    } else {
      expect.unreachable();
    }
    const any = (): unknown => e;
    const b = any();
    if (isAccountBusy(b)) expectTypeOf(b.code).toEqualTypeOf<"account_busy" | "internal">();
    const v = any();
    if (isValidationFailed(v)) expectTypeOf(v.details.fields).toEqualTypeOf<Record<string, string> | undefined>();
    const n = any();
    if (isNotFound(n)) expectTypeOf(n.code).toExtend<`${string}not_found`>();
    const h = any();
    if (hasCode(h, "hold_not_pending")) expectTypeOf(h.code).toEqualTypeOf<"hold_not_pending">();
    const g = any();
    if (isNyangError(g)) {
      expectTypeOf(g.status).toBeNumber();
      expectTypeOf(g.requestId).toEqualTypeOf<string | null>();
      expectTypeOf(g.code).toEqualTypeOf<NyangErrorCode>();
    }
    // A guard takes anything a catch block has.
    expectTypeOf(isInsufficientCoins).parameter(0).toBeUnknown();
  });
});
