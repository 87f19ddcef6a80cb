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
import { registerHealthRoutes } from "./routes/health.ts";
import { registerHoldRoutes } from "./routes/holds.ts";
import { registerInsightRoutes } from "./routes/insights.ts";
import { registerPurchaseRoutes } from "./routes/purchases.ts";
import { registerPostingRoutes } from "./routes/postings.ts";
import { registerTransactionRoutes } from "./routes/transactions.ts";
import { validationHook } from "./validation.ts";

/** API.md's body limit. */
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
  app.doc31("/v1/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Nyang coin API",
      version: "1.0.0",
      description: "The 냥 coin ledger: balances, spends, charges, adjustments, refunds and history (API.md v1).",
    },
  });

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
    const { status, body } = toErrorResponse(e);
    // Domain outcomes (payment_pending, contention) are answers, not faults; anything else is a bug.
    if (status >= 500 && !(e instanceof ApiError) && !isNyangError(e)) logUnexpected(err, c.req.method, c.req.path);
    return c.json(body, status);
  });

  return app;
}

export type NyangApp = ReturnType<typeof createApp>;

function logUnexpected(err: Error, method: string, path: string): void {
  console.error(
    JSON.stringify({ level: "ERROR", message: "unhandled error", method, path, error: err.name, detail: err.message, stack: err.stack }),
  );
}
