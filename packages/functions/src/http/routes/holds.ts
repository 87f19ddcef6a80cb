import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppDeps, AppEnv } from "../context.ts";
import { guard, optionalIdempotencyKey, requireIdempotencyKey, requireJsonBody } from "../middleware.ts";
import { presentAccount, presentHold, presentTransaction } from "../../presenters.ts";
import { accountPath, captureBody, captureResponse, holdBody, holdOnlyResponse, holdPath, holdResponse, holdsQuery, holdsResponse } from "../schemas.ts";
import { bearer, errorResponses, idempotencyHeaderDoc, jsonContent } from "./docs.ts";

const replayedHeader = { "Idempotent-Replayed": { schema: { type: "string" as const, enum: ["true"] } } };

/** Holds: reserve coins for work that may fail, then capture or release them. */
export function registerHoldRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const serviceOrAdmin = guard(deps.verifyToken, { roles: ["service", "admin"], owner: false });
  const readers = guard(deps.verifyToken, { roles: ["service", "admin"], owner: true });

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/accounts/{userId}/holds",
      operationId: "createHold",
      tags: ["holds"],
      summary: "Reserve a service's price (or `amount`) for `ttlSeconds` (10–3600, default 900)",
      security: bearer,
      middleware: [serviceOrAdmin, requireIdempotencyKey, requireJsonBody] as const,
      parameters: [idempotencyHeaderDoc],
      request: { params: accountPath, body: { content: { "application/json": { schema: holdBody } }, required: true } },
      responses: {
        201: { ...jsonContent(holdResponse, "The pending hold and the account with its coins reserved"), headers: replayedHeader },
        ...errorResponses(400, 401, 402, 403, 404, 409, 413, 423, 429),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const r = await deps.ledger.reserve(c.var.userId, body, { key: c.var.idempotencyKey });
      if (r.replayed) c.header("Idempotent-Replayed", "true");
      const at = new Date(r.account.updatedAt);
      // A replay shows the hold as it stands now (as GET does): one past its expiry is expired.
      return c.json({ hold: presentHold(r.hold, r.replayed ? deps.ledger.now() : at), account: presentAccount(r.account, at) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/accounts/{userId}/holds",
      operationId: "listHolds",
      tags: ["holds"],
      summary:
        "The account's holds, newest first, `limit` (1–100, default 50) at a time from `cursor`; `status` keeps one status " +
        "as of now (a pending hold past its expiry is expired). A filtered page may come back short with a nextCursor",
      security: bearer,
      middleware: [readers] as const,
      request: { params: accountPath, query: holdsQuery },
      responses: { 200: jsonContent(holdsResponse, "One page of holds"), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const at = deps.ledger.now();
      const page = await deps.ledger.listHolds(c.var.userId, q, at);
      return c.json({ holds: page.holds.map((h) => presentHold(h, at)), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/accounts/{userId}/holds/{holdId}",
      operationId: "getHold",
      tags: ["holds"],
      summary: "A hold as it stands now (a pending hold past its expiry shows as expired)",
      security: bearer,
      middleware: [readers] as const,
      request: { params: holdPath },
      responses: { 200: jsonContent(holdOnlyResponse, "The hold"), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { holdId } = c.req.valid("param");
      return c.json({ hold: presentHold(await deps.ledger.getHold(c.var.userId, holdId), deps.ledger.now()) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/accounts/{userId}/holds/{holdId}/capture",
      operationId: "captureHold",
      tags: ["holds"],
      summary:
        "Capture (part of) a pending hold as a hold_capture entry (`amount`, `quantity` units at the hold's unit price, or all); " +
        "the rest is freed. Above the hold only with `overCapture: from_available`: the extra comes from the available balance " +
        "in the same transaction, else 402 and the hold stays pending",
      security: bearer,
      middleware: [serviceOrAdmin, requireIdempotencyKey] as const,
      parameters: [idempotencyHeaderDoc],
      request: { params: holdPath, body: { content: { "application/json": { schema: captureBody } }, required: false } },
      responses: {
        201: { ...jsonContent(captureResponse, "The hold_capture entry, the captured hold and the account"), headers: replayedHeader },
        ...errorResponses(400, 401, 402, 403, 404, 409, 413, 423, 429),
      },
    }),
    async (c) => {
      const { holdId } = c.req.valid("param");
      const body = c.req.valid("json") ?? {};
      const r = await deps.ledger.capture(c.var.userId, holdId, body, { key: c.var.idempotencyKey });
      if (r.replayed) c.header("Idempotent-Replayed", "true");
      const at = new Date(r.account.updatedAt);
      return c.json(
        { transaction: presentTransaction(r.entry), hold: presentHold(r.hold, at), account: presentAccount(r.account, at) },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/accounts/{userId}/holds/{holdId}/release",
      operationId: "releaseHold",
      tags: ["holds"],
      summary: "Release a pending hold; no ledger entry is written. Idempotency-Key is optional here",
      description:
        "With an Idempotency-Key, a retry replays (Idempotent-Replayed: true) and the key is taken like any coin-moving call's: " +
        "sent with another request (another hold, a spend, a capture) it is 409 idempotency_conflict. " +
        "Without one, releasing a released hold is 409 hold_not_pending.",
      security: bearer,
      middleware: [serviceOrAdmin, optionalIdempotencyKey] as const,
      request: { params: holdPath },
      responses: {
        200: { ...jsonContent(holdResponse, "The released hold and the account"), headers: replayedHeader },
        ...errorResponses(400, 401, 403, 404, 409, 429),
      },
    }),
    async (c) => {
      const { holdId } = c.req.valid("param");
      const key = c.get("idempotencyKey");
      const r = await deps.ledger.release(c.var.userId, holdId, key ? { key } : null);
      if (r.replayed) c.header("Idempotent-Replayed", "true");
      const at = new Date(r.account.updatedAt);
      return c.json({ hold: presentHold(r.hold, at), account: presentAccount(r.account, at) }, 200);
    },
  );
}
