import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { activePackages, formatAmount, type NyangConfig } from "@nyang/core";
import type { AppDeps, AppEnv } from "../context.ts";
import { presentPackage, presentPrice } from "../../presenters.ts";
import { packagesResponse, pricesResponse } from "../schemas.ts";
import { jsonContent } from "./docs.ts";

const coinAmount = z.string().regex(/^\d+\.\d{2}$/).openapi({ example: "10.00" });

/** What a UI may read before anyone signs in: the limits and defaults the service runs with. */
export const settingsResponse = z
  .object({
    autoCharge: z.object({
      available: z.boolean().openapi({
        description: "Whether the service offers auto-charge (AUTO_CHARGE_ENABLED). When false, turning it on is refused and nothing is charged",
      }),
      defaultThreshold: coinAmount.openapi({ description: "An account's threshold when it sets none (AUTO_CHARGE_THRESHOLD)" }),
      defaultAmount: coinAmount.openapi({ description: "An account's charge amount when it sets none (AUTO_CHARGE_AMOUNT)" }),
      krwPerCoin: z.number().int().openapi({ description: "KRW an auto-charge takes per coin (AUTO_CHARGE_KRW_PER_COIN)" }),
    }),
    lowBalanceThreshold: coinAmount.openapi({ description: "A low_balance alert is raised at or below this (LOW_BALANCE_THRESHOLD)" }),
    maxCoinAmount: coinAmount.openapi({ description: "No balance may exceed this (MAX_COIN_AMOUNT)" }),
    minPurchaseAmountKrw: z.number().int().openapi({ description: "The smallest purchase or auto-charge, in KRW (MIN_PURCHASE_AMOUNT)" }),
  })
  .openapi("ServiceSettings");

/** The public settings, from the configuration this process runs with. */
export function presentSettings(config: NyangConfig): z.infer<typeof settingsResponse> {
  return {
    autoCharge: {
      available: config.autoCharge.enabled,
      defaultThreshold: formatAmount(config.autoCharge.threshold),
      defaultAmount: formatAmount(config.autoCharge.amount),
      krwPerCoin: config.autoCharge.krwPerCoin,
    },
    lowBalanceThreshold: formatAmount(config.lowBalanceThreshold),
    maxCoinAmount: formatAmount(config.maxCoinAmount),
    minPurchaseAmountKrw: config.minPurchaseAmountKrw,
  };
}

/** Public routes: health, prices, coin packages and the service's settings. */
export function registerCatalogRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/health",
      operationId: "getHealth",
      tags: ["catalog"],
      summary: "Liveness: the API answers",
      security: [],
      responses: { 200: jsonContent(z.object({ status: z.literal("ok") }), "The API is up") },
    }),
    (c) => c.json({ status: "ok" as const }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/prices",
      operationId: "listPrices",
      tags: ["catalog"],
      summary: "The price of each service, in coins",
      security: [],
      responses: { 200: jsonContent(pricesResponse, "The price of each service, in coins") },
    }),
    (c) => c.json({ prices: deps.config.prices.map(presentPrice) }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/packages",
      operationId: "listPackages",
      tags: ["catalog"],
      summary: "The coin packages on sale, by sortOrder",
      security: [],
      responses: { 200: jsonContent(packagesResponse, "Active coin packages by sortOrder") },
    }),
    (c) => c.json({ packages: activePackages(deps.config).map(presentPackage) }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/settings",
      operationId: "getSettings",
      tags: ["catalog"],
      security: [],
      summary: "The limits and defaults the service runs with, for a UI: whether auto-charge is available, its defaults, the alert threshold",
      responses: { 200: jsonContent(settingsResponse, "The service's public settings") },
    }),
    (c) => c.json(presentSettings(deps.config), 200),
  );
}
