import { ConfigError } from "@nyang/core";
import { describe, expect, it } from "vitest";
import { parseRuntimeEnv } from "./env.ts";

describe("parseRuntimeEnv", () => {
  it("gives the documented defaults for an empty environment", () => {
    const { vars, config } = parseRuntimeEnv({});
    expect(vars).toMatchObject({ NYANG_TABLE: "nyang", NYANG_EVENT_BUS: "default", NYANG_CORS_ORIGINS: [], POWERTOOLS_METRICS_NAMESPACE: "Nyang" });
    expect(vars.DYNAMODB_ENDPOINT).toBeUndefined();
    expect(vars.TOSS_TIMEOUT_MS).toBeUndefined();
    expect(config.defaultCoinAmount).toBeGreaterThan(0);
  });

  it("reads and types what is set; blank counts as unset", () => {
    const { vars } = parseRuntimeEnv({
      NYANG_TABLE: " t1 ",
      DYNAMODB_ENDPOINT: "http://127.0.0.1:8000",
      TOSS_TIMEOUT_MS: "2500",
      NYANG_AUDIT_SEGMENTS: "4",
      NYANG_CORS_ORIGINS: "https://a.example.com, http://127.0.0.1:3024/",
      POWERTOOLS_LOG_LEVEL: "debug",
      TOSS_SECRET_KEY: "  ",
    });
    expect(vars).toMatchObject({
      NYANG_TABLE: "t1",
      DYNAMODB_ENDPOINT: "http://127.0.0.1:8000",
      TOSS_TIMEOUT_MS: 2500,
      NYANG_AUDIT_SEGMENTS: 4,
      NYANG_CORS_ORIGINS: ["https://a.example.com", "http://127.0.0.1:3024"],
      POWERTOOLS_LOG_LEVEL: "DEBUG",
    });
    expect(vars.TOSS_SECRET_KEY).toBeUndefined();
  });

  it("refuses bad values with one error naming every bad variable", () => {
    const bad = () =>
      parseRuntimeEnv({
        DYNAMODB_ENDPOINT: "localhost:8000",
        TOSS_TIMEOUT_MS: "2s",
        NYANG_AUDIT_SEGMENTS: "0",
        NYANG_CORS_ORIGINS: "*",
        POWERTOOLS_LOG_LEVEL: "loud",
        NYANG_EVENTBRIDGE_ENDPOINT: "ftp://x",
      });
    expect(bad).toThrow(ConfigError);
    let message = "";
    try {
      bad();
    } catch (e) {
      message = (e as Error).message;
    }
    for (const name of ["DYNAMODB_ENDPOINT", "TOSS_TIMEOUT_MS", "NYANG_AUDIT_SEGMENTS", "NYANG_CORS_ORIGINS", "POWERTOOLS_LOG_LEVEL", "NYANG_EVENTBRIDGE_ENDPOINT"]) {
      expect(message).toContain(`${name}:`);
    }
  });

  it("parses the sweeps' cadence settings (defaults when unset) into Scheduler's expression and the local cron pattern", () => {
    expect(parseRuntimeEnv({}).vars).toMatchObject({
      AUTO_CHARGE_DAILY_SCHEDULE: { schedule: "cron(0 0 * * ? *)", cron: "0 0 * * *" },
      AUTO_CHARGE_HOURLY_SCHEDULE: { schedule: "cron(30 * * * ? *)", cron: "30 * * * *" },
    });
    expect(parseRuntimeEnv({ AUTO_CHARGE_HOURLY_SCHEDULE: " rate(15 minutes) " }).vars.AUTO_CHARGE_HOURLY_SCHEDULE).toEqual({ schedule: "rate(15 minutes)", cron: "*/15 * * * *" });
    // Named with every other bad value, in one error.
    const bad = () => parseRuntimeEnv({ AUTO_CHARGE_HOURLY_SCHEDULE: "hourly", TOSS_TIMEOUT_MS: "2s" });
    expect(bad).toThrow(/AUTO_CHARGE_HOURLY_SCHEDULE: schedule "hourly": use rate/);
    expect(bad).toThrow(/TOSS_TIMEOUT_MS: must be a positive integer/);
  });

  it("refuses a bad business setting with core's message naming it", () => {
    expect(() => parseRuntimeEnv({ DEFAULT_COIN_AMOUNT: "ten" })).toThrow(/DEFAULT_COIN_AMOUNT/);
  });
});
