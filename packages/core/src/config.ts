import { readFileSync } from "node:fs";
import { z } from "zod";
import { coinsToMinor, type Minor } from "./money.ts";

/**
 * Nyang's configuration, read and validated once at start-up (cold start) from three
 * layers, later ones winning: the original module's defaults (README, Configuration), a JSON
 * file named by `NYANG_CONFIG_FILE`, and single environment variables. A bad value stops
 * the process with a message naming the field.
 */

export const serviceTypes = [
  "ai_writing",
  "image_generation_dev",
  "image_generation_pro",
  "image_generation_max",
  "keyword_analysis",
  "smart_place_ranking",
] as const;

export const spendOrders = ["bonus_first", "paid_first"] as const;
export type SpendOrder = (typeof spendOrders)[number];

const coins = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const text = String(v);
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(text)) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not a coin amount like 3 or 1.30` });
    return z.NEVER;
  }
  return coinsToMinor(text);
});

const priceSchema = z.strictObject({
  serviceType: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
  cost: coins,
});

const packageSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9_-]{1,64}$/),
  name: z.string().min(1).max(100),
  coins,
  bonusCoins: coins,
  priceKrw: z.number().int().positive(),
  popular: z.boolean().default(false),
  sortOrder: z.number().int(),
  active: z.boolean().default(true),
  /** Days the package's bonus coins last after the payment (docs/credits.md, bonus lots); null: they never expire. */
  bonusExpiryDays: z.number().int().min(1).max(3650).nullable().default(null),
});

const configSchema = z.strictObject({
  defaultCoinAmount: coins,
  /** Days the signup grant lasts (docs/credits.md, bonus lots); null: it never expires, as before lots. */
  signupBonusExpiryDays: z.number().int().min(1).max(3650).nullable().default(null),
  maxCoinAmount: coins,
  minPurchaseAmountKrw: z.number().int().nonnegative(),
  lowBalanceThreshold: coins,
  usageAlertThreshold: coins,
  autoCharge: z.strictObject({
    /** The global switch: off, no account is auto-charged and enabling it is refused. */
    enabled: z.boolean(),
    /** Defaults for an account's settings when it gives none. */
    threshold: coins,
    amount: coins,
    /** KRW charged per coin (the base package's price: 10 000 KRW for 1 000 coins). */
    krwPerCoin: z.number().int().positive().default(10),
    /** Consecutive payment failures after which an account's auto-charge turns itself off. */
    failureLimit: z.number().int().min(1).max(100).default(3),
    /** Wait after the first failed payment; doubled after each further one, up to the maximum. */
    retryBackoffSeconds: z.number().int().min(1).default(3600),
    retryBackoffMaxSeconds: z.number().int().min(1).default(86_400),
    /**
     * How long one charge attempt may be in flight before a sweep takes it over (a crash
     * between the gateway and the ledger): well above the gateway's time-out.
     */
    leaseSeconds: z.number().int().min(10).default(300),
    /**
     * The default cap on the KRW auto-charged per account and calendar month (Korea time), for
     * accounts that set none; null: no cap. An account's own cap wins over it.
     */
    monthlyCapKrw: z.number().int().positive().max(1_000_000_000).nullable().default(null),
  }),
  spendOrder: z.enum(spendOrders),
  /** Days for daily figures start at midnight in this offset from UTC (Korea: +9, no DST). */
  dayUtcOffsetHours: z.number().int().min(-12).max(14),
  unusualActivity: z.strictObject({
    baselineDays: z.number().int().min(1).max(90),
    multiplier: z.number().min(1),
    minimumCoins: coins,
  }),
  /** WebSocket limits (docs/realtime.md): a user's open connections, and a connection's message rate. */
  realtime: z
    .strictObject({
      /** Open connections per user; a new one beyond it closes the user's oldest. */
      maxConnectionsPerUser: z.number().int().min(1).max(1000).default(10),
      /** Messages a connection may send per minute, sustained… */
      messagesPerMinute: z.number().int().min(1).max(60_000).default(60),
      /** …and at once (the bucket's size); past either, the connection is closed. */
      messageBurst: z.number().int().min(1).max(1000).default(10),
    })
    .default({ maxConnectionsPerUser: 10, messagesPerMinute: 60, messageBurst: 10 }),
  purchases: z.strictObject({
    refundWindowDays: z.number().int().min(0).max(365),
    settleAfterSeconds: z.number().int().min(1),
    abandonAfterSeconds: z.number().int().min(60),
  }),
  prices: z.array(priceSchema).min(1),
  packages: z.array(packageSchema),
});

export type ServicePrice = { serviceType: string; cost: Minor };
export type CoinPackage = z.output<typeof packageSchema>;
export type NyangConfig = z.output<typeof configSchema>;
type ConfigInput = z.input<typeof configSchema>;

/** The original module's values (README, Configuration). */
export const defaultConfig: ConfigInput = {
  defaultCoinAmount: 100,
  maxCoinAmount: 100000,
  minPurchaseAmountKrw: 1000,
  lowBalanceThreshold: 20,
  usageAlertThreshold: 100,
  autoCharge: {
    enabled: false,
    threshold: 10,
    amount: 100,
    krwPerCoin: 10,
    failureLimit: 3,
    retryBackoffSeconds: 3600,
    retryBackoffMaxSeconds: 86_400,
    leaseSeconds: 300,
    monthlyCapKrw: null,
  },
  spendOrder: "bonus_first",
  dayUtcOffsetHours: 9,
  unusualActivity: { baselineDays: 14, multiplier: 5, minimumCoins: 50 },
  realtime: { maxConnectionsPerUser: 10, messagesPerMinute: 60, messageBurst: 10 },
  purchases: { refundWindowDays: 7, settleAfterSeconds: 300, abandonAfterSeconds: 1800 },
  prices: [
    { serviceType: "ai_writing", cost: 3 },
    { serviceType: "image_generation_dev", cost: 1 },
    { serviceType: "image_generation_pro", cost: "1.3" },
    { serviceType: "image_generation_max", cost: "2.1" },
    { serviceType: "keyword_analysis", cost: 2 },
    { serviceType: "smart_place_ranking", cost: "1.5" },
  ],
  packages: [
    { id: "basic", name: "기본팩", coins: 1000, bonusCoins: 0, priceKrw: 10000, popular: false, sortOrder: 1 },
    { id: "saver", name: "알뜰팩", coins: 3000, bonusCoins: 300, priceKrw: 27000, popular: false, sortOrder: 2 },
    { id: "popular", name: "인기팩", coins: 5000, bonusCoins: 1000, priceKrw: 40000, popular: true, sortOrder: 3 },
    { id: "premium", name: "프리미엄팩", coins: 10000, bonusCoins: 3000, priceKrw: 70000, popular: false, sortOrder: 4 },
    { id: "vip", name: "VIP팩", coins: 20000, bonusCoins: 8000, priceKrw: 120000, popular: false, sortOrder: 5 },
  ],
};

/** A configuration value that failed validation; the message names the field. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** An environment variable that sets one field, and how its text is read. */
interface EnvVariable {
  path: readonly string[];
  read: (v: string) => unknown;
}

const asText = (v: string): string => v;
const asInteger = (v: string): number | string => (/^-?\d+$/.test(v) ? Number(v) : v);
const asNumber = (v: string): number | string => (v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : v);
const asBoolean = (v: string): boolean | string => (v === "true" ? true : v === "false" ? false : v);

/** Environment variables that override one field each (`PRICE_<SERVICE>` aside). */
const envVariables: Record<string, EnvVariable> = {
  DEFAULT_COIN_AMOUNT: { path: ["defaultCoinAmount"], read: asText },
  SIGNUP_BONUS_EXPIRY_DAYS: { path: ["signupBonusExpiryDays"], read: asInteger },
  MAX_COIN_AMOUNT: { path: ["maxCoinAmount"], read: asText },
  MIN_PURCHASE_AMOUNT: { path: ["minPurchaseAmountKrw"], read: asInteger },
  LOW_BALANCE_THRESHOLD: { path: ["lowBalanceThreshold"], read: asText },
  USAGE_ALERT_THRESHOLD: { path: ["usageAlertThreshold"], read: asText },
  AUTO_CHARGE_ENABLED: { path: ["autoCharge", "enabled"], read: asBoolean },
  AUTO_CHARGE_THRESHOLD: { path: ["autoCharge", "threshold"], read: asText },
  AUTO_CHARGE_AMOUNT: { path: ["autoCharge", "amount"], read: asText },
  AUTO_CHARGE_KRW_PER_COIN: { path: ["autoCharge", "krwPerCoin"], read: asInteger },
  AUTO_CHARGE_FAILURE_LIMIT: { path: ["autoCharge", "failureLimit"], read: asInteger },
  AUTO_CHARGE_RETRY_BACKOFF_SECONDS: { path: ["autoCharge", "retryBackoffSeconds"], read: asInteger },
  AUTO_CHARGE_RETRY_BACKOFF_MAX_SECONDS: { path: ["autoCharge", "retryBackoffMaxSeconds"], read: asInteger },
  AUTO_CHARGE_LEASE_SECONDS: { path: ["autoCharge", "leaseSeconds"], read: asInteger },
  AUTO_CHARGE_MONTHLY_CAP_KRW: { path: ["autoCharge", "monthlyCapKrw"], read: asInteger },
  SPEND_ORDER: { path: ["spendOrder"], read: asText },
  DAY_UTC_OFFSET_HOURS: { path: ["dayUtcOffsetHours"], read: (v) => asInteger(v.replace(/^\+/, "")) },
  UNUSUAL_ACTIVITY_MULTIPLIER: { path: ["unusualActivity", "multiplier"], read: asNumber },
  UNUSUAL_ACTIVITY_BASELINE_DAYS: { path: ["unusualActivity", "baselineDays"], read: asInteger },
  UNUSUAL_ACTIVITY_MIN_COINS: { path: ["unusualActivity", "minimumCoins"], read: asText },
  PURCHASE_REFUND_DAYS: { path: ["purchases", "refundWindowDays"], read: asInteger },
  ORDER_SETTLE_AFTER_SECONDS: { path: ["purchases", "settleAfterSeconds"], read: asInteger },
  ORDER_ABANDON_AFTER_SECONDS: { path: ["purchases", "abandonAfterSeconds"], read: asInteger },
  WS_MAX_CONNECTIONS_PER_USER: { path: ["realtime", "maxConnectionsPerUser"], read: asInteger },
  WS_MESSAGES_PER_MINUTE: { path: ["realtime", "messagesPerMinute"], read: asInteger },
  WS_MESSAGE_BURST: { path: ["realtime", "messageBurst"], read: asInteger },
};

const pricePattern = /^PRICE_([A-Z][A-Z0-9_]*)$/;

/**
 * The configuration's own environment variables found in `env` (the single-value names
 * above and every `PRICE_<SERVICE>`): what each deployed function must be given alike,
 * or two functions would disagree about prices and limits.
 */
export function configEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === "") continue;
    if (name in envVariables || pricePattern.test(name)) picked[name] = value;
  }
  return picked;
}

/** The lists a configuration file may replace outright instead of merging into (`"replace": [...]`). */
export const replaceableLists = ["prices", "packages"] as const;
type ReplaceableList = (typeof replaceableLists)[number];
/** How a list's entries are matched when a file merges into it. */
const listKeys: Record<ReplaceableList, string> = { prices: "serviceType", packages: "id" };

type Fields = Record<string, unknown>;
const isFields = (v: unknown): v is Fields => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Builds the configuration from defaults, the optional JSON file and the environment.
 *
 * A layer overrides what it names and keeps the rest: a file's nested objects
 * (`autoCharge`, …) merge field by field; its `prices` merge into the list by
 * `serviceType` and its `packages` by `id` (a named entry's fields override, a new one is
 * added), unless the file says `"replace": ["prices"]` (or `"packages"`), when its list is
 * the whole list. `PRICE_<SERVICE_TYPE>` (e.g. `PRICE_AI_WRITING=3.5`) overrides one price
 * or adds a service. A bad value stops start-up naming what set it: the environment
 * variable, the file, or the field of the defaults.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): NyangConfig {
  const merged = structuredClone(defaultConfig) as Fields;
  /** Who set a field (by its printed path): an environment variable or the file. */
  const origins = new Map<string, string>();
  const file = env.NYANG_CONFIG_FILE;
  if (file) mergeFile(merged, readConfigFile(file), `NYANG_CONFIG_FILE ${file}`, origins);
  for (const [name, variable] of Object.entries(envVariables)) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    setPath(merged, variable.path, variable.read(value));
    origins.set(variable.path.join("."), name);
  }
  const prices = merged.prices as { serviceType: string; cost: unknown }[];
  for (const [name, value] of Object.entries(env)) {
    const m = pricePattern.exec(name);
    if (!m || value === undefined) continue;
    const serviceType = m[1]!.toLowerCase();
    let at = prices.findIndex((p) => p.serviceType === serviceType);
    if (at >= 0) prices[at] = { ...prices[at]!, cost: value };
    else at = prices.push({ serviceType, cost: value }) - 1;
    origins.set(`prices[${at}].cost`, name);
  }

  const named = (field: string): string => {
    // The closest origin: `prices[2].cost` was set by PRICE_X, or by the file that set `prices`.
    for (let f = field; f !== ""; f = f.replace(/(\.[^.[\]]*|\[\d+\])$/, "")) {
      const origin = origins.get(f);
      if (origin) return origin.startsWith("NYANG_CONFIG_FILE") ? `${field} (${origin})` : `${origin} (${field})`;
      if (!/[.[]/.test(f)) break;
    }
    return field;
  };
  const invalid = (lines: string[]) => new ConfigError(`Invalid Nyang configuration:\n${lines.map((l) => `  ${l}`).join("\n")}`);

  const result = configSchema.safeParse(merged);
  if (!result.success) throw invalid(result.error.issues.map((i) => `${named(fieldName(i.path))}: ${i.message}`));
  const config = result.data;
  assertUnique(config.prices.map((p) => p.serviceType), "prices[].serviceType");
  assertUnique(config.packages.map((p) => p.id), "packages[].id");
  if (config.defaultCoinAmount > config.maxCoinAmount) throw invalid([`${named("defaultCoinAmount")}: exceeds ${named("maxCoinAmount")}`]);
  if (config.autoCharge.retryBackoffMaxSeconds < config.autoCharge.retryBackoffSeconds) {
    throw invalid([`${named("autoCharge.retryBackoffMaxSeconds")}: is below ${named("autoCharge.retryBackoffSeconds")}`]);
  }
  return config;
}

function readConfigFile(file: string): Fields {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ConfigError(`NYANG_CONFIG_FILE ${file}: ${(e as Error).message}`);
  }
  if (!isFields(parsed)) throw new ConfigError(`NYANG_CONFIG_FILE ${file}: must hold a JSON object`);
  return parsed;
}

/** Lays a configuration file over `base` (see loadConfig), recording which fields it set. */
function mergeFile(base: Fields, layer: Fields, source: string, origins: Map<string, string>): void {
  const { replace = [], ...fields } = layer;
  if (!Array.isArray(replace) || !replace.every((r) => (replaceableLists as readonly unknown[]).includes(r))) {
    throw new ConfigError(`${source}: "replace" lists the lists the file replaces: ${replaceableLists.map((l) => `"${l}"`).join(", ")}`);
  }
  for (const [key, value] of Object.entries(fields)) {
    origins.set(key, source);
    const list = (replaceableLists as readonly string[]).includes(key) ? (key as ReplaceableList) : undefined;
    if (list && Array.isArray(value) && !replace.includes(list)) base[key] = mergeList(base[key] as Fields[], value, listKeys[list], `${list}[].${listKeys[list]}`, source);
    else if (isFields(value) && isFields(base[key])) base[key] = { ...base[key], ...value };
    else base[key] = value;
  }
}

/** Entries matched by `key` take the layer's fields over their own; unmatched ones are appended. */
function mergeList(base: Fields[], layer: unknown[], key: string, field: string, source: string): unknown[] {
  const merged: unknown[] = [...base];
  const seen = new Set<unknown>();
  for (const entry of layer) {
    const id = isFields(entry) ? entry[key] : undefined;
    if (id !== undefined && seen.has(id)) throw new ConfigError(`Invalid Nyang configuration:\n  ${field}: "${String(id)}" appears twice in ${source}`);
    seen.add(id);
    const at = id === undefined ? -1 : merged.findIndex((e) => isFields(e) && e[key] === id);
    if (at >= 0) merged[at] = { ...(merged[at] as Fields), ...(entry as Fields) };
    else merged.push(entry);
  }
  return merged;
}

function setPath(target: Fields, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    node[key] = { ...(isFields(node[key]) ? node[key] : {}) };
    node = node[key] as Fields;
  }
  node[path[path.length - 1]!] = value;
}

function fieldName(path: PropertyKey[]): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
}

function assertUnique(values: string[], field: string): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) throw new ConfigError(`Invalid Nyang configuration:\n  ${field}: "${v}" appears twice`);
    seen.add(v);
  }
}

/** The price of one use of a service, or undefined for a service not in the list. */
export function priceOf(config: NyangConfig, serviceType: string): Minor | undefined {
  return config.prices.find((p) => p.serviceType === serviceType)?.cost;
}

/** Active packages in display order. */
export function activePackages(config: NyangConfig): CoinPackage[] {
  return config.packages.filter((p) => p.active).sort((a, b) => a.sortOrder - b.sortOrder);
}
