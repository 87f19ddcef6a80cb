import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppDeps, AppEnv } from "../context.ts";
import { guard } from "../middleware.ts";
import { presentTransaction } from "../../presenters.ts";
import { accountPath, transactionPath, transactionResponse, transactionsQuery, transactionsResponse } from "../schemas.ts";
import { bearer, errorResponses, jsonContent } from "./docs.ts";

/** The transaction history: a filtered, paginated list and single entries. */
export function registerTransactionRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const readers = guard(deps.verifyToken, { roles: ["service", "admin"], owner: true });

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/accounts/{userId}/transactions",
      operationId: "listTransactions",
      tags: ["ledger"],
      summary: "Ledger entries, newest first; `from`/`to` are inclusive: ISO times, or UTC dates meaning the whole day",
      security: bearer,
      middleware: [readers] as const,
      request: { params: accountPath, query: transactionsQuery },
      responses: { 200: jsonContent(transactionsResponse, "One page of entries"), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = await deps.ledger.listTransactions(c.var.userId, q);
      return c.json({ transactions: page.entries.map(presentTransaction), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/accounts/{userId}/transactions/{transactionId}",
      operationId: "getTransaction",
      tags: ["ledger"],
      summary: "One ledger entry",
      security: bearer,
      middleware: [readers] as const,
      request: { params: transactionPath },
      responses: { 200: jsonContent(transactionResponse, "The entry"), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { transactionId } = c.req.valid("param");
      return c.json({ transaction: presentTransaction(await deps.ledger.getTransaction(c.var.userId, transactionId)) }, 200);
    },
  );
}
