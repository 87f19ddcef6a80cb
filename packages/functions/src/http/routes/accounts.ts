import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppDeps, AppEnv } from "../context.ts";
import { guard, requireJsonBody } from "../middleware.ts";
import { presentAccount } from "../../presenters.ts";
import { accountPath, accountResponse, openAccountBody } from "../schemas.ts";
import { bearer, errorResponses, jsonContent } from "./docs.ts";

/** Opening, reading, freezing and unfreezing accounts. */
export function registerAccountRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/accounts",
      operationId: "openAccount",
      tags: ["accounts"],
      summary: "Open an account with the signup grant (idempotent by userId: an open account is returned as is)",
      security: bearer,
      middleware: [guard(deps.verifyToken, { roles: ["service", "admin"], owner: false }), requireJsonBody] as const,
      request: { body: { content: { "application/json": { schema: openAccountBody } }, required: true } },
      responses: {
        201: jsonContent(accountResponse, "Opened, with the signup grant"),
        200: jsonContent(accountResponse, "Already open: returned unchanged"),
        ...errorResponses(400, 401, 403, 413),
      },
    }),
    async (c) => {
      const { userId } = c.req.valid("json");
      const { account, created } = await deps.ledger.openAccount(userId);
      return c.json({ account: presentAccount(account, created ? undefined : deps.ledger.now()) }, created ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/accounts/{userId}",
      operationId: "getAccount",
      tags: ["accounts"],
      summary: "An account's balance, held and available coins, paid/bonus split and totals",
      security: bearer,
      middleware: [guard(deps.verifyToken, { roles: ["service", "admin"], owner: true })] as const,
      request: { params: accountPath },
      responses: { 200: jsonContent(accountResponse, "The account"), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => c.json({ account: presentAccount(await deps.ledger.getAccount(c.var.userId), deps.ledger.now()) }, 200),
  );

  for (const action of ["freeze", "unfreeze"] as const) {
    app.openapi(
      createRoute({
        method: "post",
        path: `/v1/accounts/{userId}/${action}`,
        operationId: `${action}Account`,
        tags: ["accounts"],
        summary:
          action === "freeze"
            ? "Freeze an account (admin): spends, holds and charges answer 423 until it is unfrozen"
            : "Unfreeze an account (admin)",
        security: bearer,
        middleware: [guard(deps.verifyToken, { roles: ["admin"], owner: false })] as const,
        request: { params: accountPath },
        responses: { 200: jsonContent(accountResponse, "The account"), ...errorResponses(400, 401, 403, 404) },
      }),
      async (c) => c.json({ account: presentAccount(await deps.ledger.setFrozen(c.var.userId, action === "freeze"), deps.ledger.now()) }, 200),
    );
  }
}
