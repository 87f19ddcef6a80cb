import Decimal from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { coins, fromMinor, toMinor, toWire } from "./coins.ts";

// Unit: exact amount arithmetic on minor units.
describe("coins", () => {
  it("reads amounts into minor units and writes them back with two digits", () => {
    expect(toMinor("97.00")).toBe(9700n);
    expect(toMinor("1.3")).toBe(130n);
    expect(toMinor("-0.05")).toBe(-5n);
    expect(toMinor("12345678901234")).toBe(1234567890123400n);
    expect(fromMinor(-5n)).toBe("-0.05");
    expect(fromMinor(130n)).toBe("1.30");
    expect(coins.normalize("3")).toBe("3.00");
  });

  it("refuses what is not an amount with at most two fraction digits, and numbers", () => {
    for (const bad of ["1.234", "", "1e3", "0x10", " ", "1.", ".5", "NaN", "--1"]) expect(() => toMinor(bad), bad).toThrow(RangeError);
    expect(() => toWire(0.1 as unknown as string)).toThrow(TypeError);
  });

  it("adds and compares without floats (0.1 + 0.2 is 0.30)", () => {
    expect(coins.add("0.1", "0.2")).toBe("0.30");
    expect(coins.sum(["1.10", "2.20", "-0.30"])).toBe("3.00");
    expect(coins.sub("100.00", "3.00")).toBe("97.00");
    expect(coins.times("1.30", 3)).toBe("3.90");
    expect(coins.compare("1.30", "1.3")).toBe(0);
    expect(coins.compare("2", "10")).toBe(-1);
    expect(coins.gte("94.90", "2.10")).toBe(true);
    expect(coins.lt("-1", "0")).toBe(true);
    expect(coins.min("3", "1.5", "2")).toBe("1.50");
    expect(coins.max("3", "1.5", "20")).toBe("20.00");
    expect(coins.isZero("0.00")).toBe(true);
  });

  it("sums exactly for any amounts (property)", () => {
    const cents = fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n });
    fc.assert(
      fc.property(fc.array(cents, { maxLength: 20 }), (list) => {
        const total = list.reduce((s, c) => s + c, 0n);
        expect(coins.sum(list.map(fromMinor))).toBe(fromMinor(total));
        expect(toMinor(fromMinor(total))).toBe(total);
      }),
    );
  });

  it("takes decimal.js Decimals exactly, never rounding", () => {
    expect(toWire(new Decimal("1.3"))).toBe("1.3");
    expect(toWire(new Decimal("1.234"))).toBe("1.234"); // the API answers invalid_amount; the client never rounds
    expect(coins.add(new Decimal("0.1"), "0.2")).toBe("0.30");
    expect(coins.toDecimal("97.5", Decimal).equals(new Decimal("97.5"))).toBe(true);
    expect(() => toMinor(new Decimal("1.234"))).toThrow(RangeError);
  });

  it("formats for display with grouping and the unit", () => {
    expect(coins.format("1234.5")).toBe("1,234.50 냥");
    expect(coins.format("-1234567")).toBe("-1,234,567.00 냥");
    expect(coins.format("3", { fraction: "auto", unit: false })).toBe("3");
    expect(coins.format("1234.5", { locale: "de-DE", unit: "coins" })).toBe("1.234,50 coins");
  });
});
