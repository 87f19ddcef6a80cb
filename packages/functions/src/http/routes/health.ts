import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppDeps, AppEnv } from "../context.ts";
import { guard } from "../middleware.ts";
import { healthSchema } from "../insight-schemas.ts";
import { bearer, errorResponses, jsonContent } from "./docs.ts";

/** How long a fresh run may take inside a request; the rest continues on the next scheduled run. */
export const FRESH_AUDIT_BUDGET_MS = 15_000;

/**
 * The integrity monitor's verdict: the last stored report, or a fresh run when asked. A
 * fresh run is the one request that scans the table (admin only, bounded in time and
 * resumable): a report that could not finish says `complete: false`, and the next
 * scheduled run carries on from where it stopped.
 */
export function registerHealthRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/admin/health",
      operationId: "getIntegrityReport",
      tags: ["admin"],
      summary: "The integrity check's last result; `fresh=true` runs one now (bounded to 15 s, resumable)",
      security: bearer,
      middleware: [guard(deps.verifyToken, { roles: ["admin"], owner: false })] as const,
      request: { query: z.strictObject({ fresh: z.enum(["true", "false"]).optional() }) },
      responses: {
        200: jsonContent(
          healthSchema,
          "healthy: the last report found no violation; unhealthy: it did; unknown: no audit has run yet",
        ),
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const fresh = c.req.valid("query").fresh === "true";
      const report = fresh ? await deps.integrity.runFresh(FRESH_AUDIT_BUDGET_MS) : await deps.integrity.latest();
      const status: "healthy" | "unhealthy" | "unknown" = report === null ? "unknown" : report.violations > 0 ? "unhealthy" : "healthy";
      return c.json({ status, report }, 200);
    },
  );
}
