import { OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { bodyLimit } from "hono/body-limit";
import { isNyangError } from "@nyang/core";
import { ApiError, toErrorResponse } from "./api-error.ts";
import { corsFor } from "./cors.ts";
import type { AppDeps, AppEnv } from "./context.ts";
import { registerAccountRoutes } from "./routes/accounts.ts";
import { registerAutoChargeRoutes } from "./routes/auto-charge.ts";
import { registerCatalogRoutes } from "./routes/catalog.ts";
import { registerDocsPageRoutes } from "./routes/docs-page.ts";
import { registerHealthRoutes } from "./routes/health.ts";
import { registerHoldRoutes } from "./routes/holds.ts";
import { registerInsightRoutes } from "./routes/insights.ts";
import { registerPurchaseRoutes } from "./routes/purchases.ts";
import { registerPostingRoutes } from "./routes/postings.ts";
import { registerTransactionRoutes } from "./routes/transactions.ts";
import { validationHook } from "./validation.ts";

/**
 * The OpenAPI document's own fields; the paths come from the routes. `servers` is relative:
 * the document describes the API that serves it, wherever that is (API Gateway, `npm run dev`).
 */
export const openApiDefinition = {
  openapi: "3.1.0",
  info: {
    title: "Nyang coin API",
    version: "1.0.0",
    description:
      "The 냥 coin ledger: balances, spends, holds, refunds, purchases, auto-charge, alerts and analytics. " +
      "Conventions the schemas cannot say (amounts, times, roles, idempotency, errors, pagination) are in docs/api.md; " +
      "events in docs/events.md; the WebSocket in docs/realtime.md.",
  },
  servers: [{ url: "/", description: "The API that serves this document" }],
  tags: [
    { name: "catalog", description: "Public: health, prices and coin packages" },
    { name: "accounts", description: "Opening, reading, freezing accounts" },
    { name: "ledger", description: "Coin movements (spend, charge, adjust, refund) and the history" },
    { name: "holds", description: "Reserve coins for work that may fail, then capture or release them" },
    { name: "purchases", description: "Coin packages bought through the payment gateway" },
    { name: "auto-charge", description: "Top an account up by card when its balance falls to a threshold" },
    { name: "alerts", description: "Low balance, high usage, unusual activity and auto-charge alerts" },
    { name: "analytics", description: "An account's usage, forecast and runway (stream-fed)" },
    { name: "admin", description: "Platform revenue, top users and the integrity check" },
  ],
};

/** docs/api.md's body limit. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The Nyang HTTP API as a Hono app: the same app runs in Lambda and behind the local gateway. */
export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: (result) => validationHook(result) });

  // First, so a preflight is answered before any guard and every reply (errors too) carries the headers.
  if (deps.corsOrigins?.length) app.use("*", corsFor(deps.corsOrigins));

  app.use(
    "*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError("payload_too_large", "The body is over 64 KiB");
      },
    }),
  );

  registerCatalogRoutes(app, deps);
  registerAccountRoutes(app, deps);
  registerPostingRoutes(app, deps);
  registerTransactionRoutes(app, deps);
  registerHoldRoutes(app, deps);
  registerPurchaseRoutes(app, deps);
  registerAutoChargeRoutes(app, deps);
  registerInsightRoutes(app, deps);
  registerHealthRoutes(app, deps);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  app.doc31("/v1/openapi.json", openApiDefinition);
  registerDocsPageRoutes(app);

  app.notFound(() => {
    throw new ApiError("not_found", "No such route");
  });

  app.onError((err, c) => {
    let e: unknown = err;
    if (err instanceof HTTPException) {
      // Hono's own refusals: malformed JSON and the like.
      e = err.status === 413
        ? new ApiError("payload_too_large", "The body is over 64 KiB")
        : new ApiError("validation_failed", err.message || "Bad request", { fields: { body: err.message } });
    }
    const { status, body, headers } = toErrorResponse(e);
    // Domain outcomes (payment_pending) are answers, not faults; anything else is a bug.
    if (status >= 500 && !(e instanceof ApiError) && !isNyangError(e)) {
      const userId = c.get("userId") as string | undefined;
      deps.log.error("unhandled error", { method: c.req.method, path: c.req.path, ...(userId ? { userId } : {}), error: err.name, detail: err.message, stack: err.stack });
    }
    return c.json(body, status, headers);
  });

  return app;
}

export type NyangApp = ReturnType<typeof createApp>;
