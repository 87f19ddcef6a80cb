import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { activePackages } from "@nyang/core";
import type { AppDeps, AppEnv } from "../context.ts";
import { presentPackage, presentPrice } from "../../presenters.ts";
import { packagesResponse, pricesResponse } from "../schemas.ts";
import { jsonContent } from "./docs.ts";

/** Public routes: health, prices and coin packages. */
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
}
