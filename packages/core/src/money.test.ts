import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { coinsToMinor, formatAmount, parseAmount } from "./money.ts";

const MAX = 999_999_999_99;

describe("money", () => {
  it("format then parse returns the same minor units (strings)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX }), (minor) => {
        expect(parseAmount(formatAmount(minor))).toEqual({ ok: true, minor });
        expect(parseAmount(formatAmount(-minor), "signed")).toEqual({ ok: true, minor: -minor });
      }),
    );
  });

  it("a JSON number with at most two fraction digits parses exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX }), (minor) => {
        expect(parseAmount(minor / 100)).toEqual({ ok: true, minor });
      }),
    );
  });

  it("formats with exactly two fraction digits", () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX, max: MAX }), (minor) => {
        expect(formatAmount(minor)).toMatch(/^-?\d{1,9}\.\d{2}$/);
      }),
    );
    expect(formatAmount(130)).toBe("1.30");
    expect(formatAmount(-300)).toBe("-3.00");
    expect(formatAmount(0)).toBe("0.00");
  });

  it("rejects strings with more than two fraction digits", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: 100, max: 999_999 }), (whole, frac) => {
        expect(parseAmount(`${whole}.${frac}`).ok).toBe(false);
      }),
    );
  });

  it("rejects anything that is not a plain decimal", () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/^-?\d{1,9}(\.\d{1,2})?$/.test(s)),
        (s) => {
          expect(parseAmount(s, "signed").ok).toBe(false);
        },
      ),
    );
    for (const bad of ["", " 1.00", "1.00 ", "1e2", "0x10", "NaN", "Infinity", "+1", "1.", ".5", "1,000", "1234567890", "٣"]) {
      expect(parseAmount(bad, "signed").ok, bad).toBe(false);
    }
    for (const bad of [Number.NaN, Infinity, -Infinity, 1.005, 0.1 + 0.2, 1e21, true, null, undefined, {}, [], "3.001"]) {
      expect(parseAmount(bad, "signed").ok, String(bad)).toBe(false);
    }
  });

  it("positive amounts must be above zero; signed ones must not be zero", () => {
    expect(parseAmount("0").ok).toBe(false);
    expect(parseAmount("0.00").ok).toBe(false);
    expect(parseAmount("-1.00").ok).toBe(false);
    expect(parseAmount("-0", "signed").ok).toBe(false);
    expect(parseAmount("-1.50", "signed")).toEqual({ ok: true, minor: -150 });
    expect(parseAmount("0.01")).toEqual({ ok: true, minor: 1 });
  });

  it("converts configured coin values exactly", () => {
    expect(coinsToMinor("1.3")).toBe(130);
    expect(coinsToMinor(2.1)).toBe(210);
    expect(() => coinsToMinor("1.005")).toThrow();
  });
});
