import { readFileSync } from "node:fs";
import { z } from "zod";
import { coinsToMinor, type Minor } from "./money.ts";

/**
 * Nyang's configuration, read and validated once at start-up (cold start) from three
 * layers, later ones winning: the original module's defaults (API.md, Defaults), a JSON
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
});

const configSchema = z.strictObject({
  defaultCoinAmount: coins,
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

/** The original module's values (API.md, Defaults). */
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
  },
  spendOrder: "bonus_first",
  dayUtcOffsetHours: 9,
  unusualActivity: { baselineDays: 14, multiplier: 5, minimumCoins: 50 },
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

/** Environment variables that override one field each, and how each is read. */
const envOverrides: Record<string, (v: string, c: Record<string, unknown>) => void> = {
  DEFAULT_COIN_AMOUNT: (v, c) => (c.defaultCoinAmount = v),
  MAX_COIN_AMOUNT: (v, c) => (c.maxCoinAmount = v),
  MIN_PURCHASE_AMOUNT: (v, c) => (c.minPurchaseAmountKrw = numberOrText(v)),
  LOW_BALANCE_THRESHOLD: (v, c) => (c.lowBalanceThreshold = v),
  USAGE_ALERT_THRESHOLD: (v, c) => (c.usageAlertThreshold = v),
  AUTO_CHARGE_ENABLED: (v, c) => (autoCharge(c).enabled = v === "true" ? true : v === "false" ? false : v),
  AUTO_CHARGE_THRESHOLD: (v, c) => (autoCharge(c).threshold = v),
  AUTO_CHARGE_AMOUNT: (v, c) => (autoCharge(c).amount = v),
  AUTO_CHARGE_KRW_PER_COIN: (v, c) => (autoCharge(c).krwPerCoin = numberOrText(v)),
  AUTO_CHARGE_FAILURE_LIMIT: (v, c) => (autoCharge(c).failureLimit = numberOrText(v)),
  AUTO_CHARGE_RETRY_BACKOFF_SECONDS: (v, c) => (autoCharge(c).retryBackoffSeconds = numberOrText(v)),
  AUTO_CHARGE_RETRY_BACKOFF_MAX_SECONDS: (v, c) => (autoCharge(c).retryBackoffMaxSeconds = numberOrText(v)),
  AUTO_CHARGE_LEASE_SECONDS: (v, c) => (autoCharge(c).leaseSeconds = numberOrText(v)),
  SPEND_ORDER: (v, c) => (c.spendOrder = v),
  DAY_UTC_OFFSET_HOURS: (v, c) => (c.dayUtcOffsetHours = numberOrText(v.replace(/^\+/, ""))),
  UNUSUAL_ACTIVITY_MULTIPLIER: (v, c) => (nested(c, "unusualActivity").multiplier = Number.isFinite(Number(v)) ? Number(v) : v),
  UNUSUAL_ACTIVITY_BASELINE_DAYS: (v, c) => (nested(c, "unusualActivity").baselineDays = numberOrText(v)),
  UNUSUAL_ACTIVITY_MIN_COINS: (v, c) => (nested(c, "unusualActivity").minimumCoins = v),
  PURCHASE_REFUND_DAYS: (v, c) => (nested(c, "purchases").refundWindowDays = numberOrText(v)),
  ORDER_SETTLE_AFTER_SECONDS: (v, c) => (nested(c, "purchases").settleAfterSeconds = numberOrText(v)),
  ORDER_ABANDON_AFTER_SECONDS: (v, c) => (nested(c, "purchases").abandonAfterSeconds = numberOrText(v)),
  WS_MAX_CONNECTIONS_PER_USER: (v, c) => (nested(c, "realtime").maxConnectionsPerUser = numberOrText(v)),
  WS_MESSAGES_PER_MINUTE: (v, c) => (nested(c, "realtime").messagesPerMinute = numberOrText(v)),
  WS_MESSAGE_BURST: (v, c) => (nested(c, "realtime").messageBurst = numberOrText(v)),
};

/**
 * The configuration's own environment variables found in `env` (the single-value names
 * above and every `PRICE_<SERVICE>`): what each deployed function must be given alike,
 * or two functions would disagree about prices and limits.
 */
export function configEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === "") continue;
    if (name in envOverrides || /^PRICE_[A-Z][A-Z0-9_]*$/.test(name)) picked[name] = value;
  }
  return picked;
}

function numberOrText(v: string): number | string {
  return /^-?\d+$/.test(v) ? Number(v) : v;
}

function nested(c: Record<string, unknown>, field: string): Record<string, unknown> {
  c[field] = { ...(c[field] as object) };
  return c[field] as Record<string, unknown>;
}

const autoCharge = (c: Record<string, unknown>) => nested(c, "autoCharge");

/**
 * Builds the configuration from defaults, the optional JSON file and the environment.
 * `PRICE_<SERVICE_TYPE>` (e.g. `PRICE_AI_WRITING=3.5`) overrides one price.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): NyangConfig {
  const merged: Record<string, unknown> = structuredClone(defaultConfig) as Record<string, unknown>;
  const file = env.NYANG_CONFIG_FILE;
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new ConfigError(`NYANG_CONFIG_FILE ${file}: ${(e as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError(`NYANG_CONFIG_FILE ${file}: must hold a JSON object`);
    }
    Object.assign(merged, parsed);
  }
  for (const [name, apply] of Object.entries(envOverrides)) {
    const value = env[name];
    if (value !== undefined && value !== "") apply(value, merged);
  }
  const prices = (merged.prices as { serviceType: string; cost: unknown }[]) ?? [];
  for (const [name, value] of Object.entries(env)) {
    const m = /^PRICE_([A-Z][A-Z0-9_]*)$/.exec(name);
    if (!m || value === undefined) continue;
    const serviceType = m[1]!.toLowerCase();
    const existing = prices.find((p) => p.serviceType === serviceType);
    if (existing) existing.cost = value;
    else prices.push({ serviceType, cost: value });
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${fieldName(i.path)}: ${i.message}`);
    throw new ConfigError(`Invalid Nyang configuration:\n${lines.join("\n")}`);
  }
  const config = result.data;
  assertUnique(config.prices.map((p) => p.serviceType), "prices[].serviceType");
  assertUnique(config.packages.map((p) => p.id), "packages[].id");
  if (config.defaultCoinAmount > config.maxCoinAmount) {
    throw new ConfigError("Invalid Nyang configuration:\n  defaultCoinAmount: exceeds maxCoinAmount");
  }
  if (config.autoCharge.retryBackoffMaxSeconds < config.autoCharge.retryBackoffSeconds) {
    throw new ConfigError("Invalid Nyang configuration:\n  autoCharge.retryBackoffMaxSeconds: is below autoCharge.retryBackoffSeconds");
  }
  return config;
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
