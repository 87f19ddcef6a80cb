/**
 * Lambda event filtering (an event source mapping's `FilterCriteria`) for the local stream
 * pump: decides, record by record, whether Lambda would hand a stream record to a consumer.
 *
 * Lambda uses EventBridge's content-filtering rules. What this evaluator follows:
 *
 * - A pattern is a JSON object shaped like the record. Every key in it must match (AND);
 *   keys the pattern leaves out are ignored. A nested object descends into the record.
 * - At a leaf the pattern holds a list of rules; any one rule matching is enough (OR).
 * - A rule is an exact value (string, number, boolean or `null`; `""` is "empty") or one
 *   operator object: `prefix`, `suffix`, `equals-ignore-case`, `wildcard`,
 *   `anything-but` (a value, a list, or `{prefix|suffix|equals-ignore-case|wildcard}`),
 *   `numeric` (`["=", 5]`, `[">", 0, "<=", 10]`…) and `exists`.
 * - `$or: [pattern, …]` at any level matches when one of the sub-patterns does.
 * - Several filters in one `FilterCriteria` are OR'ed (Lambda allows 5, or 10 on request).
 * - Matching works on the record's *leaf values* (EventBridge flattens the event), which has
 *   consequences worth knowing for DynamoDB's typed JSON:
 *     · `{ "kind": [{ "exists": true }] }` does NOT match `NewImage.kind = { "S": "entry" }`:
 *       `kind` is an object, not a leaf. Write `{ "kind": { "S": [{ "exists": true }] } }`
 *       (the Lambda docs call this out for DynamoDB).
 *     · Numbers in images are strings (`{ "N": "150" }`), so `numeric` never matches them;
 *       only real JSON numbers (e.g. `dynamodb.SizeBytes`) do. Match `N` values as strings.
 *     · An array in the record matches when any of its elements matches.
 * - Strings compare character by character, no case folding or normalisation. (EventBridge
 *   also tells 300 from 300.0 by their text; after JSON.parse they are one number here.)
 *
 * A malformed pattern throws {@link InvalidFilterPatternError} when the consumer is set up,
 * as Lambda rejects it when the event source mapping is created, rather than silently
 * matching nothing at run time.
 */

/** A parsed filter pattern: `{ "dynamodb": { "NewImage": { "kind": { "S": ["entry"] } } } }`. */
export type FilterPattern = { readonly [key: string]: unknown };

/** A pattern as an object (what SST's `subscribe(..., { filters })` takes) or as Lambda's `Pattern` JSON string. */
export type FilterInput = FilterPattern | string;

/** Lambda's `FilterCriteria` shape, accepted as is. */
export interface FilterCriteria {
  Filters?: readonly { Pattern?: string }[];
}

/** A pattern Lambda would refuse. The message names the path inside the pattern. */
export class InvalidFilterPatternError extends Error {
  override name = "InvalidFilterPatternError";
}

/** Lambda's own limit without a quota increase is 5; 10 with one. */
export const MAX_FILTERS = 10;

type Scalar = string | number | boolean | null;
type RecordPredicate = (record: unknown) => boolean;

/**
 * Compiles the filters of one consumer into a predicate. No filters (undefined, `[]`, `{}`)
 * lets every record through, as a mapping without FilterCriteria does.
 */
export function compileFilters(filters: readonly FilterInput[] | FilterCriteria | undefined): RecordPredicate {
  const inputs: readonly FilterInput[] = filters === undefined ? [] : isFilterList(filters) ? filters : criteriaPatterns(filters);
  if (inputs.length > MAX_FILTERS) {
    throw new InvalidFilterPatternError(`${inputs.length} filters given; Lambda allows at most ${MAX_FILTERS} per event source mapping`);
  }
  const patterns = inputs.map((input, i) => parseFilterPattern(input, `filter ${i}`));
  if (patterns.length === 0) return () => true;
  return (record) => patterns.some((pattern) => matchesFilterPattern(pattern, record));
}

/** Parses (if a string) and validates one pattern. */
export function parseFilterPattern(input: FilterInput, label = "pattern"): FilterPattern {
  let pattern: unknown = input;
  if (typeof input === "string") {
    try {
      pattern = JSON.parse(input);
    } catch (error) {
      throw new InvalidFilterPatternError(`${label} is not valid JSON: ${(error as Error).message}`);
    }
  }
  validatePattern(pattern, label);
  return pattern as FilterPattern;
}

/** True when the (already validated) pattern matches the record. */
export function matchesFilterPattern(pattern: FilterPattern, record: unknown): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === "$or") return (expected as FilterPattern[]).some((alternative) => matchesFilterPattern(alternative, record));
    const actual = isPlainObject(record) ? record[key] : undefined;
    if (Array.isArray(expected)) return matchesRuleList(expected, leafValues(actual));
    return matchesNested(expected as FilterPattern, actual);
  });
}

function isFilterList(filters: readonly FilterInput[] | FilterCriteria): filters is readonly FilterInput[] {
  return Array.isArray(filters);
}

function criteriaPatterns(criteria: FilterCriteria): FilterInput[] {
  return (criteria.Filters ?? []).map((filter, i) => {
    if (typeof filter.Pattern !== "string") throw new InvalidFilterPatternError(`FilterCriteria.Filters[${i}].Pattern must be a JSON string`);
    return filter.Pattern;
  });
}

/** A nested pattern against an object, an array of objects (any element), or nothing. */
function matchesNested(pattern: FilterPattern, actual: unknown): boolean {
  if (Array.isArray(actual)) {
    const objects = actual.filter(isPlainObject);
    // Each element is tried on its own, so fields matched together come from one element.
    if (objects.length > 0) return objects.some((element) => matchesFilterPattern(pattern, element));
  }
  // Missing (or a scalar where the pattern expects an object): the nested paths do not
  // exist, which only `exists: false` rules accept.
  return matchesFilterPattern(pattern, isPlainObject(actual) ? actual : undefined);
}

/**
 * The scalar values at a path, as EventBridge's flattening sees them: a scalar is one value,
 * an array contributes its scalar elements, and an object (an intermediate node) none.
 */
function leafValues(value: unknown): Scalar[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((element) => (isPlainObject(element) ? [] : leafValues(element)));
  if (isPlainObject(value)) return [];
  return [value as Scalar];
}

function matchesRuleList(rules: readonly unknown[], values: readonly Scalar[]): boolean {
  return rules.some((rule) => {
    if (!isPlainObject(rule)) return values.some((value) => value === rule);
    if ("exists" in rule) return rule.exists === values.length > 0;
    return values.some((value) => matchesOperator(rule, value));
  });
}

function matchesOperator(rule: Record<string, unknown>, value: Scalar): boolean {
  const [operator, operand] = Object.entries(rule)[0] as [string, unknown];
  switch (operator) {
    case "prefix":
      return typeof value === "string" && matchesAffix(operand, value, (s, affix) => s.startsWith(affix));
    case "suffix":
      return typeof value === "string" && matchesAffix(operand, value, (s, affix) => s.endsWith(affix));
    case "equals-ignore-case":
      return typeof value === "string" && value.toLowerCase() === (operand as string).toLowerCase();
    case "wildcard":
      return typeof value === "string" && wildcardRegExp(operand as string).test(value);
    case "anything-but":
      return matchesAnythingBut(operand, value);
    case "numeric":
      return typeof value === "number" && matchesNumeric(operand as readonly (string | number)[], value);
    default:
      // validatePattern lets no other operator through.
      return false;
  }
}

/** `prefix`/`suffix` take a string or `{ "equals-ignore-case": string }`. */
function matchesAffix(operand: unknown, value: string, test: (s: string, affix: string) => boolean): boolean {
  if (typeof operand === "string") return test(value, operand);
  const affix = (operand as { "equals-ignore-case": string })["equals-ignore-case"];
  return test(value.toLowerCase(), affix.toLowerCase());
}

function matchesAnythingBut(operand: unknown, value: Scalar): boolean {
  if (Array.isArray(operand)) return !operand.includes(value);
  if (!isPlainObject(operand)) return value !== operand;
  const [operator, inner] = Object.entries(operand)[0] as [string, unknown];
  if (typeof value !== "string") {
    // A string-shaped exclusion says nothing about numbers or booleans: they are "anything but" it.
    return true;
  }
  const list = Array.isArray(inner) ? (inner as string[]) : [inner as string];
  switch (operator) {
    case "prefix":
      return !list.some((affix) => value.startsWith(affix));
    case "suffix":
      return !list.some((affix) => value.endsWith(affix));
    case "equals-ignore-case":
      return !list.some((s) => s.toLowerCase() === value.toLowerCase());
    case "wildcard":
      return !list.some((glob) => wildcardRegExp(glob).test(value));
    default:
      return false;
  }
}

function matchesNumeric(conditions: readonly (string | number)[], value: number): boolean {
  for (let i = 0; i < conditions.length; i += 2) {
    const bound = conditions[i + 1] as number;
    switch (conditions[i]) {
      case "=":
        if (value !== bound) return false;
        break;
      case "<":
        if (!(value < bound)) return false;
        break;
      case "<=":
        if (!(value <= bound)) return false;
        break;
      case ">":
        if (!(value > bound)) return false;
        break;
      case ">=":
        if (!(value >= bound)) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

const wildcardCache = new Map<string, RegExp>();

/** `*` matches any run of characters; `\*` is a literal star and `\\` a literal backslash. */
function wildcardRegExp(glob: string): RegExp {
  let re = wildcardCache.get(glob);
  if (re) return re;
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === "\\" && (glob[i + 1] === "*" || glob[i + 1] === "\\")) {
      source += escapeRegExp(glob[++i] as string);
    } else if (ch === "*") {
      source += "[\\s\\S]*";
    } else {
      source += escapeRegExp(ch);
    }
  }
  re = new RegExp(`^${source}$`);
  wildcardCache.set(glob, re);
  return re;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// ---- validation: what Lambda refuses when the mapping is created ----

function validatePattern(pattern: unknown, path: string): void {
  if (!isPlainObject(pattern)) fail(path, "must be a JSON object");
  const entries = Object.entries(pattern);
  if (entries.length === 0) fail(path, "is empty");
  for (const [key, value] of entries) {
    const at = `${path}.${key}`;
    if (key === "$or") {
      if (!Array.isArray(value) || value.length < 2) fail(at, "must be a list of at least two patterns");
      value.forEach((alternative, i) => validatePattern(alternative, `${at}[${i}]`));
    } else if (Array.isArray(value)) {
      value.forEach((rule, i) => validateRule(rule, `${at}[${i}]`));
    } else if (isPlainObject(value)) {
      validatePattern(value, at);
    } else {
      // The most common mistake: { "eventName": "INSERT" } instead of { "eventName": ["INSERT"] }.
      fail(at, `must be a list of rules or a nested object, not ${JSON.stringify(value)} (write [${JSON.stringify(value)}])`);
    }
  }
}

function validateRule(rule: unknown, path: string): void {
  if (rule === null || typeof rule === "string" || typeof rule === "boolean") return;
  if (typeof rule === "number") {
    if (!Number.isFinite(rule)) fail(path, "must be a finite number");
    return;
  }
  if (!isPlainObject(rule)) fail(path, `is not a valid rule: ${JSON.stringify(rule)}`);
  const keys = Object.keys(rule);
  if (keys.length !== 1) fail(path, `an operator object has exactly one key, got ${JSON.stringify(keys)}`);
  const operator = keys[0] as string;
  const operand = rule[operator];
  switch (operator) {
    case "exists":
      if (typeof operand !== "boolean") fail(path, "exists takes true or false");
      return;
    case "prefix":
    case "suffix":
      if (typeof operand === "string") return;
      if (isIgnoreCaseObject(operand)) return;
      return fail(path, `${operator} takes a string or { "equals-ignore-case": string }`);
    case "equals-ignore-case":
    case "wildcard":
      if (typeof operand !== "string") fail(path, `${operator} takes a string`);
      return;
    case "numeric":
      return validateNumeric(operand, path);
    case "anything-but":
      return validateAnythingBut(operand, path);
    default:
      return fail(path, `unsupported operator ${JSON.stringify(operator)}`);
  }
}

function isIgnoreCaseObject(operand: unknown): boolean {
  return isPlainObject(operand) && Object.keys(operand).length === 1 && typeof operand["equals-ignore-case"] === "string";
}

function validateNumeric(operand: unknown, path: string): void {
  const ok =
    Array.isArray(operand) &&
    (operand.length === 2 || operand.length === 4) &&
    operand.every((item, i) => (i % 2 === 0 ? ["=", "<", "<=", ">", ">="].includes(item as string) : typeof item === "number" && Number.isFinite(item)));
  if (!ok) fail(path, 'numeric takes [op, number] or [op, number, op, number] with op one of = < <= > >=');
  const ops = (operand as unknown[]).filter((_, i) => i % 2 === 0);
  if (ops.length === 2) {
    // A range is a lower bound then an upper bound, as EventBridge requires.
    if (!(ops[0] === ">" || ops[0] === ">=") || !(ops[1] === "<" || ops[1] === "<=")) {
      fail(path, "a numeric range is a lower bound (> or >=) followed by an upper bound (< or <=)");
    }
  }
}

function validateAnythingBut(operand: unknown, path: string): void {
  const isScalar = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v);
  if (isScalar(operand)) return;
  if (Array.isArray(operand)) {
    if (operand.length === 0 || !operand.every(isScalar)) fail(path, "anything-but takes a value or a non-empty list of values");
    return;
  }
  if (!isPlainObject(operand) || Object.keys(operand).length !== 1) fail(path, "anything-but takes a value, a list, or one operator");
  const [operator, inner] = Object.entries(operand)[0] as [string, unknown];
  if (!["prefix", "suffix", "equals-ignore-case", "wildcard"].includes(operator)) {
    fail(path, `anything-but does not take ${JSON.stringify(operator)}`);
  }
  const strings = Array.isArray(inner) ? inner : [inner];
  if (strings.length === 0 || !strings.every((s) => typeof s === "string")) fail(path, `anything-but ${operator} takes a string or a list of strings`);
}

function fail(path: string, message: string): never {
  throw new InvalidFilterPatternError(`${path} ${message}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
