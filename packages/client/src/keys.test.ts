import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isValidIdempotencyKey, keyFor, newIdempotencyKey, sha256Hex } from "./keys.ts";

// Unit: idempotency keys.
describe("keyFor", () => {
  it("derives the same key from the same ids, every time", () => {
    expect(keyFor("ai-request", "req-42", "hold")).toBe("ai-request:req-42:hold");
    expect(keyFor("ai-request", "req-42", "hold")).toBe(keyFor("ai-request", "req-42", "hold"));
    expect(keyFor("order", 7)).toBe("order:7");
  });

  it("keeps different ids apart, even when they contain the separator or non-ASCII text", () => {
    expect(keyFor("s", "a:b")).not.toBe(keyFor("s", "a", "b"));
    expect(keyFor("s", "요청-1")).toBe("s:%EC%9A%94%EC%B2%AD-1");
    expect(keyFor("s", "x".repeat(300))).not.toBe(keyFor("s", "x".repeat(301)));
  });

  it("always meets docs/api.md's rule (1–255 printable ASCII) and is injective (property)", () => {
    const part = fc.oneof(fc.string(), fc.string({ unit: "grapheme", maxLength: 200 }), fc.string({ unit: "binary", maxLength: 400 }));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 3 }), fc.array(part, { minLength: 1, maxLength: 3 }), (a, b) => {
        const ka = keyFor("scope", ...a);
        expect(isValidIdempotencyKey(ka)).toBe(true);
        if (JSON.stringify(a) !== JSON.stringify(b)) expect(ka).not.toBe(keyFor("scope", ...b));
      }),
    );
  });

  it("hashes ids too long to spell out", () => {
    const k = keyFor("ai-request", "y".repeat(400));
    expect(k).toMatch(/^ai-request:#[0-9a-f]{64}$/);
  });

  it("refuses a scope that could blur the parts, and no ids", () => {
    expect(() => keyFor("a:b", "x")).toThrow(RangeError);
    expect(() => keyFor("", "x")).toThrow(RangeError);
    expect(() => keyFor("a")).toThrow(RangeError);
    expect(() => keyFor("a", 1.5)).toThrow(RangeError);
  });
});

describe("newIdempotencyKey", () => {
  it("is a fresh v4 UUID each time", () => {
    const a = newIdempotencyKey();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newIdempotencyKey()).not.toBe(a);
  });
});

describe("sha256Hex", () => {
  it("matches node:crypto for any input (property), across block boundaries", () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 31) & 0xff);
      expect(sha256Hex(bytes)).toBe(createHash("sha256").update(bytes).digest("hex"));
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(sha256Hex(bytes)).toBe(createHash("sha256").update(bytes).digest("hex"));
      }),
    );
  });
});
