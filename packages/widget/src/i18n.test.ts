import { describe, expect, it } from "vitest";
import { formatCoins, formatSignedCoins } from "./i18n.ts";

describe("the money formatter", () => {
  it("formats exact amounts per locale, grouped, two digits", () => {
    expect(formatCoins("1234.5")).toBe("1,234.50 냥");
    expect(formatCoins("1234.50", "en")).toBe("1,234.50 냥");
    expect(formatCoins("0")).toBe("0.00 냥");
    expect(formatCoins("99999999.99")).toBe("99,999,999.99 냥");
  });

  it("signs ledger amounts", () => {
    expect(formatSignedCoins("3.00")).toBe("+3.00 냥");
    expect(formatSignedCoins("-2.10")).toBe("-2.10 냥");
  });

  it("refuses what is not an exact amount", () => {
    expect(() => formatCoins("1.234")).toThrow(RangeError);
  });
});
