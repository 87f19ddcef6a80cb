/**
 * Exact coin amounts. On the wire an amount is a decimal string with two fraction digits
 * ("97.00"); here it is worked on as integer minor units (1 냥 = 100) in a `bigint`, so no
 * float ever touches a balance. Inputs are strings or decimal.js `Decimal`s (anything with
 * `toFixed()` and `decimalPlaces()`, so decimal.js is an optional input, not a dependency).
 */

/** A decimal.js `Decimal`, or any value with the same two methods. A `number` is not one. */
export interface DecimalLike {
  /** The exact value in normal notation (decimal.js: `toFixed()` without arguments). */
  toFixed(): string;
  decimalPlaces(): number;
}

/** An amount the client accepts: `"3.00"`, `"3"`, `"1.3"` or a `Decimal`. */
export type Amount = string | DecimalLike;

const AMOUNT = /^(-?)(\d+)(?:\.(\d{1,2}))?$/;

/**
 * An amount as the API takes it: strings as given (the API validates them), a Decimal as
 * its exact decimal string. Never rounds: `Decimal("1.234")` goes out as "1.234" and the
 * API answers 400 `invalid_amount`, rather than the client quietly charging 1.23.
 */
export function toWire(a: Amount): string {
  if (typeof a === "string") return a;
  if (a !== null && typeof a === "object" && typeof a.toFixed === "function" && typeof a.decimalPlaces === "function") return a.toFixed();
  throw new TypeError(`an amount is a decimal string or a Decimal, never a ${typeof a}: floats cannot hold coins exactly`);
}

/** Minor units (1 냥 = 100) of an amount; throws a RangeError unless it has at most two fraction digits. */
export function toMinor(a: Amount): bigint {
  const s = toWire(a).trim();
  const m = AMOUNT.exec(s);
  if (!m) throw new RangeError(`not an amount with at most two fraction digits: ${JSON.stringify(s)}`);
  const minor = BigInt(m[2]!) * 100n + BigInt((m[3] ?? "").padEnd(2, "0"));
  return m[1] === "-" ? -minor : minor;
}

/** Minor units as the API's two-digit string. */
export function fromMinor(minor: bigint): string {
  const neg = minor < 0n;
  const abs = neg ? -minor : minor;
  return `${neg ? "-" : ""}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}

export interface FormatOptions {
  /** Grouping and decimal marks of this locale (default `ko-KR`). */
  locale?: string;
  /** Appended after a space (default `냥`); `false` for none. */
  unit?: string | false;
  /** Fraction digits: `2` always (default), or `auto` to drop ".00" on whole amounts. */
  fraction?: 2 | "auto";
}

function separators(locale: string): { group: string; decimal: string } {
  const parts = new Intl.NumberFormat(locale).formatToParts(11111.5);
  return {
    group: parts.find((p) => p.type === "group")?.value ?? ",",
    decimal: parts.find((p) => p.type === "decimal")?.value ?? ".",
  };
}

/** The coin helpers: exact arithmetic and comparison on amounts, and one formatter. */
export const coins = {
  toMinor,
  fromMinor,
  toWire,
  /** Normalises to the API's form: `"3"` → `"3.00"`. */
  normalize: (a: Amount): string => fromMinor(toMinor(a)),
  /** The exact sum, as a two-digit string. */
  add: (...amounts: Amount[]): string => fromMinor(amounts.reduce<bigint>((s, a) => s + toMinor(a), 0n)),
  /** The exact sum of a list. */
  sum: (amounts: readonly Amount[]): string => fromMinor(amounts.reduce<bigint>((s, a) => s + toMinor(a), 0n)),
  /** a − b, exactly. */
  sub: (a: Amount, b: Amount): string => fromMinor(toMinor(a) - toMinor(b)),
  /** a × n for a whole n (a price times a count). */
  times: (a: Amount, n: number | bigint): string => {
    if (typeof n === "number" && !Number.isSafeInteger(n)) throw new RangeError(`times: ${n} is not a whole number`);
    return fromMinor(toMinor(a) * BigInt(n));
  },
  /** −1, 0 or 1, as for a sort. */
  compare: (a: Amount, b: Amount): -1 | 0 | 1 => {
    const x = toMinor(a);
    const y = toMinor(b);
    return x < y ? -1 : x > y ? 1 : 0;
  },
  eq: (a: Amount, b: Amount): boolean => toMinor(a) === toMinor(b),
  lt: (a: Amount, b: Amount): boolean => toMinor(a) < toMinor(b),
  lte: (a: Amount, b: Amount): boolean => toMinor(a) <= toMinor(b),
  gt: (a: Amount, b: Amount): boolean => toMinor(a) > toMinor(b),
  gte: (a: Amount, b: Amount): boolean => toMinor(a) >= toMinor(b),
  isZero: (a: Amount): boolean => toMinor(a) === 0n,
  isNegative: (a: Amount): boolean => toMinor(a) < 0n,
  min: (first: Amount, ...rest: Amount[]): string => fromMinor(rest.reduce<bigint>((m, a) => (toMinor(a) < m ? toMinor(a) : m), toMinor(first))),
  max: (first: Amount, ...rest: Amount[]): string => fromMinor(rest.reduce<bigint>((m, a) => (toMinor(a) > m ? toMinor(a) : m), toMinor(first))),
  /** For display only: `"1234.5"` → `"1,234.50 냥"` (grouping per locale, exact digits). */
  format: (a: Amount, options: FormatOptions = {}): string => {
    const { group, decimal } = separators(options.locale ?? "ko-KR");
    const [int, frac] = fromMinor(toMinor(a)).split(".") as [string, string];
    const neg = int.startsWith("-");
    const digits = neg ? int.slice(1) : int;
    const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, group);
    const fraction = options.fraction === "auto" && frac === "00" ? "" : `${decimal}${frac}`;
    const unit = options.unit === false ? "" : ` ${options.unit ?? "냥"}`;
    return `${neg ? "-" : ""}${grouped}${fraction}${unit}`;
  },
  /** A decimal.js Decimal of the amount, with the Decimal class the caller brings. */
  toDecimal: <D>(a: Amount, Decimal: new (value: string) => D): D => new Decimal(fromMinor(toMinor(a))),
} as const;
