import { documentationRoutes, httpRoutes } from "@nyang/functions";
import { describe, expect, it } from "vitest";
import { callApi } from "../support/index.ts";

describe("public routes", () => {
  it("health", async () => {
    const r = await callApi("GET", "/v1/health");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: "ok" });
  });

  it("prices are the configured defaults (README, Configuration) as two-digit strings", async () => {
    const r = await callApi("GET", "/v1/prices");
    expect(r.body.prices).toEqual([
      { serviceType: "ai_writing", cost: "3.00" },
      { serviceType: "image_generation_dev", cost: "1.00" },
      { serviceType: "image_generation_pro", cost: "1.30" },
      { serviceType: "image_generation_max", cost: "2.10" },
      { serviceType: "keyword_analysis", cost: "2.00" },
      { serviceType: "smart_place_ranking", cost: "1.50" },
    ]);
  });

  it("packages are the active ones by sortOrder, with exactly docs/api.md's fields", async () => {
    const r = await callApi("GET", "/v1/packages");
    expect(r.body.packages[2]).toEqual({ id: "popular", name: "인기팩", coins: "5000.00", bonusCoins: "1000.00", priceKrw: 40000, popular: true, sortOrder: 3, bonusExpiryDays: null });
    expect(r.body.packages.map((p: { sortOrder: number }) => p.sortOrder)).toEqual([1, 2, 3, 4, 5]);
  });

  it("settings: whether auto-charge is available (off by default) and the defaults a UI shows, no token needed", async () => {
    const r = await callApi("GET", "/v1/settings");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      autoCharge: { available: false, defaultThreshold: "10.00", defaultAmount: "100.00", krwPerCoin: 10 },
      lowBalanceThreshold: "20.00",
      maxCoinAmount: "100000.00",
      minPurchaseAmountKrw: 1000,
    });
  });

  it("openapi.json documents every served route with its methods", async () => {
    const r = await callApi("GET", "/v1/openapi.json");
    expect(r.status).toBe(200);
    expect(r.body.openapi).toMatch(/^3\./);
    const documented = Object.entries(r.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    // The document describes neither itself nor the docs page.
    expect(documented.sort()).toEqual(httpRoutes.filter((r) => !(documentationRoutes as readonly string[]).includes(r)).sort());
    expect(r.body.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
  });
});
