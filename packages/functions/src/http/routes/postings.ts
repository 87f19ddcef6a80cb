import { createRoute, type OpenAPIHono, type z } from "@hono/zod-openapi";
import type { PostingResult } from "@nyang/core";
import type { Context } from "hono";
import type { AppDeps, AppEnv } from "../context.ts";
import { guard, requireIdempotencyKey, requireJsonBody } from "../middleware.ts";
import { presentAccount, presentTransaction } from "../../presenters.ts";
import { accountPath, adjustmentBody, chargeBody, postingResponse, refundBody, spendBody } from "../schemas.ts";
import { bearer, errorResponses, idempotencyHeaderDoc, jsonContent } from "./docs.ts";

/** The coin-moving routes: usage, charges, adjustments and refunds. */
export function registerPostingRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const serviceOrAdmin = guard(deps.verifyToken, { roles: ["service", "admin"], owner: false });
  const adminOnly = guard(deps.verifyToken, { roles: ["admin"], owner: false });

  const postingRoute = <S extends z.ZodType>(path: string, operationId: string, summary: string, guardFn: typeof adminOnly, schema: S, errors: number[]) =>
    createRoute({
      method: "post",
      path,
      operationId,
      tags: ["ledger"],
      summary,
      security: bearer,
      middleware: [guardFn, requireIdempotencyKey, requireJsonBody] as const,
      request: {
        params: accountPath,
        body: { content: { "application/json": { schema } }, required: true },
      },
      responses: {
        201: {
          ...jsonContent(postingResponse, "The ledger entry written and the account after it"),
          headers: { "Idempotent-Replayed": { schema: { type: "string" as const, enum: ["true"] } } },
        },
        ...errorResponses(...errors),
      },
      parameters: [idempotencyHeaderDoc],
    });

  app.openapi(
    postingRoute("/v1/accounts/{userId}/usage", "spendCoins", "Spend coins for a service (its price, or `amount`)", serviceOrAdmin, spendBody, [400, 401, 402, 403, 404, 409, 413, 423, 429]),
    async (c) => {
      const body = c.req.valid("json");
      return respond(c, await deps.ledger.spend(c.var.userId, body, { key: c.var.idempotencyKey }));
    },
  );

  app.openapi(
    postingRoute("/v1/accounts/{userId}/charges", "chargeCoins", "Credit paid coins (admin)", adminOnly, chargeBody, [400, 401, 403, 404, 409, 413, 422, 423, 429]),
    async (c) => {
      const body = c.req.valid("json");
      return respond(c, await deps.ledger.charge(c.var.userId, body, { key: c.var.idempotencyKey }));
    },
  );

  app.openapi(
    postingRoute("/v1/accounts/{userId}/adjustments", "adjustBalance", "Signed admin adjustment; never below zero", adminOnly, adjustmentBody, [400, 401, 402, 403, 404, 409, 413, 422, 429]),
    async (c) => {
      const body = c.req.valid("json");
      const adminUserId = c.var.principal.sub;
      return respond(c, await deps.ledger.adjust(c.var.userId, { ...body, adminUserId }, { key: c.var.idempotencyKey }));
    },
  );

  app.openapi(
    postingRoute("/v1/accounts/{userId}/refunds", "refundUsage", "Refund (part of) a usage or hold_capture entry", serviceOrAdmin, refundBody, [400, 401, 403, 404, 409, 413, 429]),
    async (c) => {
      const body = c.req.valid("json");
      return respond(c, await deps.ledger.refund(c.var.userId, body, { key: c.var.idempotencyKey }));
    },
  );
}

/** 201 with the entry and account; a replay says so in `Idempotent-Replayed`. */
function respond(c: Context<AppEnv>, result: PostingResult) {
  if (result.replayed) c.header("Idempotent-Replayed", "true");
  return c.json({ transaction: presentTransaction(result.entry), account: presentAccount(result.account) }, 201);
}
