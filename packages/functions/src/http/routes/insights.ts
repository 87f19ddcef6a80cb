import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { NyangError, periods, readMark, type Period } from "@nyang/core";
import type { AppDeps, AppEnv } from "../context.ts";
import { guard } from "../middleware.ts";
import { presentAccountAnalytics, presentAlert, presentDailyUsage, presentRevenue, presentTopUsers } from "../../presenters.ts";
import { accountPath } from "../schemas.ts";
import { accountAnalyticsSchema, alertFeedQuery, alertFeedResponse, alertResponse, alertsResponse, dailyUsageResponse, revenueSchema, topUsersSchema } from "../insight-schemas.ts";
import { bearer, errorResponses, jsonContent } from "./docs.ts";

const alertIdParam = z
  .string()
  .regex(/^alert_\d{13}[0-9a-f]{16}$/)
  .openapi({ param: { name: "alertId", in: "path" }, example: "alert_17640000000000123456789abcdef" });
const periodQuery = z.strictObject({
  period: z.enum(Object.keys(periods) as [Period, ...Period[]]).default("30days"),
});

/** Alerts, daily usage, account analytics and the admin's platform figures (all from the stream-fed aggregates). */
export function registerInsightRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const ownerOrAdmin = guard(deps.verifyToken, { roles: ["admin"], owner: true });
  const adminOnly = guard(deps.verifyToken, { roles: ["admin"], owner: false });

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/accounts/{userId}/alerts",
      operationId: "listAlerts",
      tags: ["alerts"],
      summary: "The account's alerts, newest first (at most 100); `unread=true` for unread ones only",
      security: bearer,
      middleware: [ownerOrAdmin] as const,
      request: {
        params: accountPath,
        query: z.strictObject({
          unread: z.enum(["true", "false"]).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
        }),
      },
      responses: { 200: jsonContent(alertsResponse, "Alerts"), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const q = c.req.valid("query");
      await deps.ledger.getAccount(c.var.userId);
      const alerts = await deps.alerts.list(c.var.userId, { unreadOnly: q.unread === "true", limit: q.limit });
      return c.json({ alerts: alerts.map(presentAlert) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/accounts/{userId}/alerts/{alertId}/read",
      operationId: "markAlertRead",
      tags: ["alerts"],
      summary: "Mark an alert read (idempotent: readAt stays the first time)",
      security: bearer,
      middleware: [ownerOrAdmin] as const,
      request: { params: z.object({ userId: accountPath.shape.userId, alertId: alertIdParam }) },
      responses: { 200: jsonContent(alertResponse, "The alert"), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { alertId } = c.req.valid("param");
      const alert = await deps.alerts.markRead(readMark(c.var.userId, alertId, new Date()));
      if (!alert) throw new NyangError("alert_not_found", `No alert ${alertId}`, { alertId });
      return c.json({ alert: presentAlert(alert) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/admin/alerts",
      operationId: "listRecentAlerts",
      tags: ["admin"],
      summary:
        "Recent alerts of every account, newest first, `limit` (1–100, default 50) at a time from `cursor`; `type` keeps one type, " +
        "`since` (inclusive) bounds the age. A filtered page may come back short with a nextCursor. Alerts raised before this " +
        "feed's index existed are not in it",
      security: bearer,
      middleware: [adminOnly] as const,
      request: { query: alertFeedQuery },
      responses: { 200: jsonContent(alertFeedResponse, "One page of alerts"), ...errorResponses(400, 401, 403) },
    }),
    async (c) => {
      const page = await deps.alerts.feed(c.req.valid("query"));
      return c.json({ alerts: page.alerts.map(presentAlert), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/accounts/{userId}/usage/daily",
      operationId: "getDailyUsage",
      tags: ["analytics"],
      summary: "Usage per business day and service over the last `days` days (today included, every day listed): count, total (gross), gross, refunded, net",
      security: bearer,
      middleware: [ownerOrAdmin] as const,
      request: { params: accountPath, query: z.strictObject({ days: z.coerce.number().int().min(1).max(365).default(30) }) },
      responses: { 200: jsonContent(dailyUsageResponse, "Daily usage"), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { days } = c.req.valid("query");
      return c.json({ days: (await deps.insights.dailyUsage(c.var.userId, days)).map(presentDailyUsage) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/accounts/{userId}/analytics",
      operationId: "getAccountAnalytics",
      tags: ["analytics"],
      summary: "Balance, monthly usage, next month's prediction (method and confidence stated), runway, recent alerts, recommendations",
      security: bearer,
      middleware: [ownerOrAdmin] as const,
      request: { params: accountPath },
      responses: { 200: jsonContent(accountAnalyticsSchema, "Account analytics"), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => c.json(presentAccountAnalytics(await deps.insights.accountAnalytics(c.var.userId), new Date()), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/admin/analytics/revenue",
      operationId: "getRevenue",
      tags: ["admin"],
      summary: "Platform revenue for 7/30/90 days: totals (KRW net of cancels), ARPU per active account, daily trend",
      security: bearer,
      middleware: [adminOnly] as const,
      request: { query: periodQuery },
      responses: { 200: jsonContent(revenueSchema, "Revenue"), ...errorResponses(400, 401, 403) },
    }),
    async (c) => c.json(presentRevenue(await deps.insights.revenue(c.req.valid("query").period)), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/admin/analytics/top-users",
      operationId: "getTopUsers",
      tags: ["admin"],
      summary: "The 50 accounts with the most net usage in the period (gross, refunded and net shown)",
      security: bearer,
      middleware: [adminOnly] as const,
      request: { query: periodQuery },
      responses: { 200: jsonContent(topUsersSchema, "Top users"), ...errorResponses(400, 401, 403) },
    }),
    async (c) => c.json(presentTopUsers(await deps.insights.topUsers(c.req.valid("query").period)), 200),
  );
}
