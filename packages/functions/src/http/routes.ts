/**
 * Every HTTP route the API serves, in API Gateway's route-key syntax. `stacks/api.ts`
 * wires exactly these to the HTTP handler, and the wiring test checks that the Hono app
 * serves the same list, so a route added in one place and forgotten in the other fails CI.
 */
export const httpRoutes = [
  "GET /v1/health",
  "GET /v1/openapi.json",
  "GET /v1/prices",
  "GET /v1/packages",
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
  "GET /v1/accounts/{userId}/holds/{holdId}",
  "POST /v1/accounts/{userId}/holds/{holdId}/capture",
  "POST /v1/accounts/{userId}/holds/{holdId}/release",
  "POST /v1/accounts/{userId}/purchases",
  "GET /v1/accounts/{userId}/purchases/{orderId}",
  "POST /v1/accounts/{userId}/purchases/{orderId}/confirm",
  "POST /v1/accounts/{userId}/purchases/{orderId}/cancel",
  "GET /v1/accounts/{userId}/alerts",
  "POST /v1/accounts/{userId}/alerts/{alertId}/read",
  "GET /v1/accounts/{userId}/usage/daily",
  "GET /v1/accounts/{userId}/analytics",
  "GET /v1/admin/analytics/revenue",
  "GET /v1/admin/analytics/top-users",
] as const;

export type HttpRoute = (typeof httpRoutes)[number];

/** Where the HTTP handler lives, as SST's `handler` property spells it. */
export const httpHandlerPath = "packages/functions/src/http/handler.handler";

/**
 * The scheduled handlers and their default cadence (EventBridge Scheduler expressions).
 * `stacks/schedules.ts` creates one schedule each; `packages/local` runs the same
 * handlers on the same cadence with croner.
 */
export const scheduledJobs = {
  expireHolds: {
    handler: "packages/functions/src/schedule/expire-holds.handler",
    schedule: "rate(1 minute)",
    cron: "* * * * *",
    description: "Release holds past their expiry and mark them expired",
  },
  reconcileOrders: {
    handler: "packages/functions/src/schedule/reconcile-orders.handler",
    schedule: "rate(5 minutes)",
    cron: "*/5 * * * *",
    description: "Settle payment orders that waited on the gateway past their settle time",
  },
} as const;
