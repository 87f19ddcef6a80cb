import { scheduleCadence, type ScheduleCadences } from "../schedule/cadence.ts";

/**
 * Every HTTP route the API serves, in API Gateway's route-key syntax. `stacks/api.ts`
 * wires exactly these to the HTTP handler, and the wiring test checks that the Hono app
 * serves the same list, so a route added in one place and forgotten in the other fails CI.
 */
export const httpRoutes = [
  "GET /v1/health",
  "GET /v1/openapi.json",
  "GET /v1/docs",
  "GET /v1/docs/{asset}",
  "GET /v1/prices",
  "GET /v1/packages",
  "GET /v1/settings",
  "POST /v1/accounts",
  "GET /v1/accounts/{userId}",
  "POST /v1/accounts/{userId}/usage",
  "POST /v1/accounts/{userId}/charges",
  "POST /v1/accounts/{userId}/adjustments",
  "POST /v1/accounts/{userId}/refunds",
  "POST /v1/accounts/{userId}/freeze",
  "POST /v1/accounts/{userId}/unfreeze",
  "GET /v1/accounts/{userId}/transactions",
  "GET /v1/accounts/{userId}/transactions/{transactionId}",
  "POST /v1/accounts/{userId}/holds",
  "GET /v1/accounts/{userId}/holds",
  "GET /v1/accounts/{userId}/holds/{holdId}",
  "POST /v1/accounts/{userId}/holds/{holdId}/capture",
  "POST /v1/accounts/{userId}/holds/{holdId}/release",
  "POST /v1/accounts/{userId}/purchases",
  "GET /v1/accounts/{userId}/purchases",
  "GET /v1/accounts/{userId}/purchases/{orderId}",
  "POST /v1/accounts/{userId}/purchases/{orderId}/confirm",
  "POST /v1/accounts/{userId}/purchases/{orderId}/cancel",
  "GET /v1/accounts/{userId}/auto-charge",
  "PUT /v1/accounts/{userId}/auto-charge",
  "DELETE /v1/accounts/{userId}/auto-charge",
  "GET /v1/accounts/{userId}/alerts",
  "POST /v1/accounts/{userId}/alerts/{alertId}/read",
  "GET /v1/accounts/{userId}/usage/daily",
  "GET /v1/accounts/{userId}/analytics",
  "GET /v1/admin/analytics/revenue",
  "GET /v1/admin/analytics/top-users",
  "GET /v1/admin/health",
  "GET /v1/admin/alerts",
  "GET /v1/admin/accounts/{userId}/auto-charge/unsettled",
  "POST /v1/admin/accounts/{userId}/auto-charge/charges/{chargeId}/retry-refund",
] as const;

export type HttpRoute = (typeof httpRoutes)[number];

/**
 * Browsers' CORS preflights. The app answers them itself (http/cors.ts), so on AWS the HTTP
 * API has no CORS configuration of its own and sends every OPTIONS to the function.
 */
export const corsPreflightRoute = "OPTIONS /{proxy+}";

/** The routes that serve the documentation (the OpenAPI document, the docs page and its assets) rather than being described in it. */
export const documentationRoutes = ["GET /v1/openapi.json", "GET /v1/docs", "GET /v1/docs/{asset}"] as const satisfies readonly HttpRoute[];

/** The files of Swagger UI the docs page (`GET /v1/docs/{asset}`) serves, with their content types. */
export const docsAssets = {
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui.css": "text/css; charset=utf-8",
} as const;

/** The package they come from: bundled code cannot import them, so the HTTP function's package carries copies. */
export const docsAssetPackage = "swagger-ui-dist";

/** Where the HTTP handler lives, as SST's `handler` property spells it. */
export const httpHandlerPath = "packages/functions/src/http/handler.handler";

/**
 * The scheduled handlers and their default cadence (EventBridge Scheduler expressions).
 * `stacks/schedules.ts` creates one schedule each; `packages/local` runs the same
 * handlers on the same cadence with croner. Both take them from {@link scheduledJobsFor},
 * which applies the cadence settings.
 */
export const scheduledJobs = {
  expireHolds: {
    handler: "packages/functions/src/schedule/expire-holds.handler",
    schedule: "rate(1 minute)",
    cron: "* * * * *",
    description: "Release holds past their expiry and mark them expired",
  },
  expireBonusLots: {
    handler: "packages/functions/src/schedule/expire-holds.expireBonusLots",
    schedule: "rate(5 minutes)",
    cron: "*/5 * * * *",
    description: "Write the bonus_expiry entry of bonus lots past their expiry (they already stopped counting)",
  },
  reconcileOrders: {
    handler: "packages/functions/src/schedule/reconcile-orders.handler",
    schedule: "rate(5 minutes)",
    cron: "*/5 * * * *",
    description: "Settle payment orders that waited on the gateway past their settle time",
  },
  // The original module's cadence: a daily run at 09:00 KST and an hourly check. Both are
  // deploy-time settings (schedule/cadence.ts); scheduledJobsFor applies them.
  autoChargeDaily: {
    handler: "packages/functions/src/schedule/auto-charge.daily",
    ...scheduleCadence("AUTO_CHARGE_DAILY_SCHEDULE", undefined),
    description: "Auto-charge: every account with auto-charge on whose balance is at or below its threshold, plus due retries",
  },
  autoChargeHourly: {
    handler: "packages/functions/src/schedule/auto-charge.hourly",
    ...scheduleCadence("AUTO_CHARGE_HOURLY_SCHEDULE", undefined),
    description: "Auto-charge: payment retries whose backoff is over, and attempts whose worker stopped",
  },
  audit: {
    handler: "packages/functions/src/schedule/audit.handler",
    schedule: "rate(1 hour)",
    cron: "0 * * * *",
    description: "Integrity audit: every balance proven against its ledger, holds and orders checked (resumable)",
  },
} as const;

/** The scheduled jobs with the cadence settings applied (env.ts's parsed variables, or stacks' {@link scheduleCadences}). */
export function scheduledJobsFor(cadences: ScheduleCadences) {
  return {
    ...scheduledJobs,
    autoChargeDaily: { ...scheduledJobs.autoChargeDaily, ...cadences.AUTO_CHARGE_DAILY_SCHEDULE },
    autoChargeHourly: { ...scheduledJobs.autoChargeHourly, ...cadences.AUTO_CHARGE_HOURLY_SCHEDULE },
  };
}
