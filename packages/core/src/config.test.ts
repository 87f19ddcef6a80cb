import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { activePackages, ConfigError, configEnvironment, loadConfig, priceOf } from "./config.ts";

describe("configuration", () => {
  it("defaults are the original module's (API.md, Defaults)", () => {
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
    const dir = mkdtempSync(join(tmpdir(), "nyang-config-"));
    const file = join(dir, "nyang.json");
    writeFileSync(file, JSON.stringify({ prices: [{ serviceType: "ai_writing", cost: "5.00" }], maxCoinAmount: 500 }));
    const c = loadConfig({ NYANG_CONFIG_FILE: file, MAX_COIN_AMOUNT: "600" });
    expect(c.prices).toEqual([{ serviceType: "ai_writing", cost: 500 }]);
    expect(c.maxCoinAmount).toBe(60000);
  });

  it.each([
    [{ DEFAULT_COIN_AMOUNT: "ten" }, "defaultCoinAmount"],
    [{ MAX_COIN_AMOUNT: "1.234" }, "maxCoinAmount"],
    [{ PRICE_AI_WRITING: "-3" }, "prices[0].cost"],
    [{ SPEND_ORDER: "random" }, "spendOrder"],
    [{ AUTO_CHARGE_ENABLED: "yes" }, "autoCharge.enabled"],
    [{ AUTO_CHARGE_FAILURE_LIMIT: "0" }, "autoCharge.failureLimit"],
    [{ AUTO_CHARGE_RETRY_BACKOFF_SECONDS: "soon" }, "autoCharge.retryBackoffSeconds"],
    [{ AUTO_CHARGE_RETRY_BACKOFF_SECONDS: "600", AUTO_CHARGE_RETRY_BACKOFF_MAX_SECONDS: "60" }, "autoCharge.retryBackoffMaxSeconds"],
    [{ MIN_PURCHASE_AMOUNT: "1000.5" }, "minPurchaseAmountKrw"],
  ])("a bad value stops start-up naming the field: %o", (env, field) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(field);
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
