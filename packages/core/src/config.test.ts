import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { activePackages, ConfigError, configEnvironment, loadConfig, priceOf } from "./config.ts";

/** A configuration file of the test's own. */
function configFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), "nyang-config-")), "nyang.json");
  writeFileSync(file, JSON.stringify(content));
  return file;
}

describe("configuration", () => {
  it("defaults are the original module's (README, Configuration)", () => {
    const c = loadConfig({});
    expect(c.defaultCoinAmount).toBe(10000);
    expect(c.maxCoinAmount).toBe(10000000);
    expect(c.minPurchaseAmountKrw).toBe(1000);
    expect(c.lowBalanceThreshold).toBe(2000);
    expect(c.usageAlertThreshold).toBe(10000);
    expect(c.autoCharge).toEqual({
      enabled: false,
      threshold: 1000,
      amount: 10000,
      krwPerCoin: 10,
      failureLimit: 3,
      retryBackoffSeconds: 3600,
      retryBackoffMaxSeconds: 86_400,
      leaseSeconds: 300,
      monthlyCapKrw: null,
    });
    expect(Object.fromEntries(c.prices.map((p) => [p.serviceType, p.cost]))).toEqual({
      ai_writing: 300,
      image_generation_dev: 100,
      image_generation_pro: 130,
      image_generation_max: 210,
      keyword_analysis: 200,
      smart_place_ranking: 150,
    });
    expect(activePackages(c).map((p) => [p.name, p.coins / 100, p.priceKrw, p.bonusCoins / 100, p.popular])).toEqual([
      ["기본팩", 1000, 10000, 0, false],
      ["알뜰팩", 3000, 27000, 300, false],
      ["인기팩", 5000, 40000, 1000, true],
      ["프리미엄팩", 10000, 70000, 3000, false],
      ["VIP팩", 20000, 120000, 8000, false],
    ]);
  });

  it("environment variables override single values and prices", () => {
    const c = loadConfig({ DEFAULT_COIN_AMOUNT: "50", PRICE_AI_WRITING: "3.5", PRICE_NEW_SERVICE: "4", SPEND_ORDER: "paid_first", AUTO_CHARGE_ENABLED: "true" });
    expect(c.defaultCoinAmount).toBe(5000);
    expect(priceOf(c, "ai_writing")).toBe(350);
    expect(priceOf(c, "new_service")).toBe(400);
    expect(c.spendOrder).toBe("paid_first");
    expect(c.autoCharge.enabled).toBe(true);
  });

  it("a JSON file overrides defaults, and the environment overrides the file", () => {
    const file = configFile({ prices: [{ serviceType: "ai_writing", cost: "5.00" }], maxCoinAmount: 500 });
    const c = loadConfig({ NYANG_CONFIG_FILE: file, MAX_COIN_AMOUNT: "600" });
    expect(priceOf(c, "ai_writing")).toBe(500);
    expect(c.maxCoinAmount).toBe(60000);
  });

  it("a file overrides the prices it names and keeps the others (the README's example)", () => {
    const c = loadConfig({ NYANG_CONFIG_FILE: configFile({ prices: [{ serviceType: "ai_writing", cost: "3.50" }, { serviceType: "translation", cost: 4 }] }) });
    expect(Object.fromEntries(c.prices.map((p) => [p.serviceType, p.cost]))).toEqual({
      ai_writing: 350,
      image_generation_dev: 100,
      image_generation_pro: 130,
      image_generation_max: 210,
      keyword_analysis: 200,
      smart_place_ranking: 150,
      translation: 400,
    });
  });

  it("a file that says it replaces a list gives the whole list", () => {
    const c = loadConfig({
      NYANG_CONFIG_FILE: configFile({ replace: ["prices", "packages"], prices: [{ serviceType: "ai_writing", cost: "3.50" }], packages: [] }),
    });
    expect(c.prices).toEqual([{ serviceType: "ai_writing", cost: 350 }]);
    expect(c.packages).toEqual([]);
    expect(() => loadConfig({ NYANG_CONFIG_FILE: configFile({ replace: ["autoCharge"] }) })).toThrow(/"replace"/);
    expect(() => loadConfig({ NYANG_CONFIG_FILE: configFile({ replace: "prices" }) })).toThrow(/"replace"/);
  });

  it("a file changes a package's fields by id, adds new ones, and merges nested settings field by field", () => {
    const c = loadConfig({
      NYANG_CONFIG_FILE: configFile({
        packages: [
          { id: "vip", active: false },
          { id: "starter", name: "체험팩", coins: 100, bonusCoins: 0, priceKrw: 1000, sortOrder: 0 },
        ],
        autoCharge: { enabled: true },
      }),
    });
    expect(activePackages(c).map((p) => p.id)).toEqual(["starter", "basic", "saver", "popular", "premium"]);
    expect(c.packages.find((p) => p.id === "vip")).toMatchObject({ name: "VIP팩", coins: 2000000, active: false });
    expect(c.autoCharge).toMatchObject({ enabled: true, threshold: 1000, amount: 10000, failureLimit: 3 });
  });

  it("AUTO_CHARGE_MONTHLY_CAP_KRW sets the default monthly cap (whole won); unset or empty: no cap", () => {
    expect(loadConfig({ AUTO_CHARGE_MONTHLY_CAP_KRW: "50000" }).autoCharge.monthlyCapKrw).toBe(50000);
    expect(loadConfig({ AUTO_CHARGE_MONTHLY_CAP_KRW: "" }).autoCharge.monthlyCapKrw).toBeNull();
    expect(loadConfig({}).autoCharge.monthlyCapKrw).toBeNull();
  });

  it.each([
    [{ DEFAULT_COIN_AMOUNT: "ten" }, "DEFAULT_COIN_AMOUNT (defaultCoinAmount)"],
    [{ MAX_COIN_AMOUNT: "1.234" }, "MAX_COIN_AMOUNT (maxCoinAmount)"],
    [{ LOW_BALANCE_THRESHOLD: "low" }, "LOW_BALANCE_THRESHOLD (lowBalanceThreshold)"],
    [{ PRICE_AI_WRITING: "-3" }, "PRICE_AI_WRITING (prices[0].cost)"],
    [{ SPEND_ORDER: "random" }, "SPEND_ORDER (spendOrder)"],
    [{ AUTO_CHARGE_ENABLED: "yes" }, "AUTO_CHARGE_ENABLED (autoCharge.enabled)"],
    [{ AUTO_CHARGE_FAILURE_LIMIT: "0" }, "AUTO_CHARGE_FAILURE_LIMIT (autoCharge.failureLimit)"],
    [{ AUTO_CHARGE_MONTHLY_CAP_KRW: "0" }, "AUTO_CHARGE_MONTHLY_CAP_KRW (autoCharge.monthlyCapKrw)"],
    [{ AUTO_CHARGE_MONTHLY_CAP_KRW: "50000.5" }, "AUTO_CHARGE_MONTHLY_CAP_KRW (autoCharge.monthlyCapKrw)"],
    [{ AUTO_CHARGE_RETRY_BACKOFF_SECONDS: "soon" }, "AUTO_CHARGE_RETRY_BACKOFF_SECONDS (autoCharge.retryBackoffSeconds)"],
    [{ AUTO_CHARGE_RETRY_BACKOFF_SECONDS: "600", AUTO_CHARGE_RETRY_BACKOFF_MAX_SECONDS: "60" }, "AUTO_CHARGE_RETRY_BACKOFF_MAX_SECONDS (autoCharge.retryBackoffMaxSeconds)"],
    [{ MIN_PURCHASE_AMOUNT: "1000.5" }, "MIN_PURCHASE_AMOUNT (minPurchaseAmountKrw)"],
    [{ DEFAULT_COIN_AMOUNT: "700", MAX_COIN_AMOUNT: "600" }, "DEFAULT_COIN_AMOUNT (defaultCoinAmount): exceeds MAX_COIN_AMOUNT (maxCoinAmount)"],
  ])("a bad value stops start-up naming the variable that set it and the field: %o", (env, named) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(named);
  });

  it("a bad value from the file names the field and the file; a default's field is named as is", () => {
    const file = configFile({ lowBalanceThreshold: "low", prices: [{ serviceType: "ai_writing", cost: "x" }] });
    expect(() => loadConfig({ NYANG_CONFIG_FILE: file })).toThrow(`lowBalanceThreshold (NYANG_CONFIG_FILE ${file})`);
    expect(() => loadConfig({ NYANG_CONFIG_FILE: file })).toThrow(`prices[0].cost (NYANG_CONFIG_FILE ${file})`);
    expect(() => loadConfig({ DEFAULT_COIN_AMOUNT: "200000" })).toThrow("DEFAULT_COIN_AMOUNT (defaultCoinAmount): exceeds maxCoinAmount");
  });

  it("a config file with unknown or duplicate fields is refused", () => {
    const dir = mkdtempSync(join(tmpdir(), "nyang-config-"));
    const unknown = join(dir, "a.json");
    writeFileSync(unknown, JSON.stringify({ pricez: [] }));
    expect(() => loadConfig({ NYANG_CONFIG_FILE: unknown })).toThrow(/pricez/);
    const dup = join(dir, "b.json");
    writeFileSync(dup, JSON.stringify({ prices: [{ serviceType: "a", cost: 1 }, { serviceType: "a", cost: 2 }] }));
    expect(() => loadConfig({ NYANG_CONFIG_FILE: dup })).toThrow(/appears twice/);
    expect(() => loadConfig({ NYANG_CONFIG_FILE: join(dir, "missing.json") })).toThrow(/NYANG_CONFIG_FILE/);
  });

  it("WebSocket limits: 10 connections per user, 60 messages a minute in bursts of 10, each settable and checked", () => {
    expect(loadConfig({}).realtime).toEqual({ maxConnectionsPerUser: 10, messagesPerMinute: 60, messageBurst: 10 });
    expect(loadConfig({ WS_MAX_CONNECTIONS_PER_USER: "3", WS_MESSAGES_PER_MINUTE: "120", WS_MESSAGE_BURST: "5" }).realtime).toEqual({
      maxConnectionsPerUser: 3,
      messagesPerMinute: 120,
      messageBurst: 5,
    });
    for (const env of [{ WS_MAX_CONNECTIONS_PER_USER: "0" }, { WS_MESSAGES_PER_MINUTE: "ten" }, { WS_MESSAGE_BURST: "1.5" }]) {
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(ConfigError);
    }
  });

  it("names exactly its own variables for forwarding to deployed functions", () => {
    expect(
      configEnvironment({ DEFAULT_COIN_AMOUNT: "50", PRICE_AI_WRITING: "3.5", SPEND_ORDER: "paid_first", HOME: "/root", PRICE_: "1", EMPTY: "", AUTO_CHARGE_ENABLED: "" }),
    ).toEqual({ DEFAULT_COIN_AMOUNT: "50", PRICE_AI_WRITING: "3.5", SPEND_ORDER: "paid_first" });
  });
});
