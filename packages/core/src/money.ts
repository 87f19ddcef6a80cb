import Decimal from "decimal.js";

/**
 * Coins (냥) are integer minor units everywhere inside Nyang: 1 냥 = 100. A float never
 * holds a balance (ledger rule 3); amounts become two-digit strings only at the edge.
 */
export type Minor = number;

export const MINOR_PER_COIN = 100;

/** The largest amount an input may carry: nine integer digits, as docs/api.md allows. */
const MAX_INPUT_MINOR = 999_999_999_99;

const AMOUNT_PATTERN = /^-?\d{1,9}(\.\d{1,2})?$/;

export type AmountSign = "positive" | "signed";

export type ParseResult = { ok: true; minor: Minor } | { ok: false; reason: string };

/**
 * Parses an API amount: a string matching `^-?\d{1,9}(\.\d{1,2})?$` or a finite number
 * with at most two fraction digits. `positive` amounts must be > 0; `signed` ones must be
 * non-zero (a zero adjustment moves nothing).
 */
export function parseAmount(input: unknown, sign: AmountSign = "positive"): ParseResult {
  let decimal: Decimal;
  if (typeof input === "string") {
    if (!AMOUNT_PATTERN.test(input)) return { ok: false, reason: "must look like 12.34" };
    decimal = new Decimal(input);
  } else if (typeof input === "number") {
    if (!Number.isFinite(input)) return { ok: false, reason: "must be finite" };
    // String(n) is the shortest text that round-trips: 0.1+0.2 shows its 17 digits and is refused.
    const text = String(input);
    if (!/^-?\d+(\.\d+)?$/.test(text)) return { ok: false, reason: "must be a plain decimal number" };
    decimal = new Decimal(text);
    if (decimal.decimalPlaces() > 2) return { ok: false, reason: "at most two fraction digits" };
  } else {
    return { ok: false, reason: "must be a decimal string or number" };
  }
  const minor = decimal.times(MINOR_PER_COIN).toNumber();
  if (Math.abs(minor) > MAX_INPUT_MINOR) return { ok: false, reason: "too large" };
  if (sign === "positive" && minor <= 0) return { ok: false, reason: "must be greater than zero" };
  if (sign === "signed" && minor === 0) return { ok: false, reason: "must not be zero" };
  return { ok: true, minor: minor === 0 ? 0 : minor };
}

/** Formats minor units as docs/api.md's amount string: exactly two fraction digits. */
export function formatAmount(minor: Minor): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`not an integer amount of minor units: ${minor}`);
  return new Decimal(minor).dividedBy(MINOR_PER_COIN).toFixed(2);
}

/** Whole or fractional coins (as configured, e.g. `1.3`) to minor units, exactly. */
export function coinsToMinor(coins: number | string): Minor {
  const d = new Decimal(coins).times(MINOR_PER_COIN);
  if (!d.isInteger()) throw new RangeError(`more than two fraction digits: ${coins}`);
  return d.toNumber();
}
