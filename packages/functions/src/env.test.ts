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

  it("refuses a bad business setting with core's message naming it", () => {
    expect(() => parseRuntimeEnv({ DEFAULT_COIN_AMOUNT: "ten" })).toThrow(/DEFAULT_COIN_AMOUNT/);
  });
});
