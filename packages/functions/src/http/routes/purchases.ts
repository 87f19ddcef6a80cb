import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { PurchaseResult } from "@nyang/core";
import type { Context } from "hono";
import type { AppDeps, AppEnv } from "../context.ts";
import { guard, requireIdempotencyKey, requireJsonBody } from "../middleware.ts";
import { presentAccount, presentOrder, presentTransaction } from "../../presenters.ts";
import { accountPath, cancelPurchaseBody, confirmBody, errorSchema, orderPath, orderResponse, ordersQuery, ordersResponse, purchaseBody, settledOrderResponse } from "../schemas.ts";
import { bearer, errorResponses, idempotencyHeaderDoc, jsonContent } from "./docs.ts";

const replayedHeader = { "Idempotent-Replayed": { schema: { type: "string" as const, enum: ["true"] } } };

/** Buying coin packages through the payment gateway, and cancelling unused purchases. */
export function registerPurchaseRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const ownerOrAdmin = guard(deps.verifyToken, { roles: ["admin"], owner: true });

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/accounts/{userId}/purchases",
      operationId: "createPurchase",
      tags: ["purchases"],
      summary: "Create a payment order for an active package",
      security: bearer,
      middleware: [ownerOrAdmin, requireIdempotencyKey, requireJsonBody] as const,
      parameters: [idempotencyHeaderDoc],
      request: { params: accountPath, body: { content: { "application/json": { schema: purchaseBody } }, required: true } },
      responses: {
        201: { ...jsonContent(orderResponse, "The pending order; its id is the gateway's orderId"), headers: replayedHeader },
        ...errorResponses(400, 401, 403, 404, 409, 413, 422, 423, 429),
      },
    }),
    async (c) => {
      const { packageId } = c.req.valid("json");
      const r = await deps.purchases.create(c.var.userId, packageId, { key: c.var.idempotencyKey });
      if (r.replayed) c.header("Idempotent-Replayed", "true");
      return c.json({ order: presentOrder(r.order) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/accounts/{userId}/purchases",
      operationId: "listPurchases",
      tags: ["purchases"],
      summary:
        "The account's payment orders, newest first, `limit` (1–100, default 50) at a time from `cursor`; `status` keeps one " +
        "status. A filtered page may come back short with a nextCursor",
      security: bearer,
      middleware: [ownerOrAdmin] as const,
      request: { params: accountPath, query: ordersQuery },
      responses: { 200: jsonContent(ordersResponse, "One page of orders"), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const page = await deps.purchases.listOrders(c.var.userId, c.req.valid("query"));
      return c.json({ orders: page.orders.map(presentOrder), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/accounts/{userId}/purchases/{orderId}",
      operationId: "getPurchase",
      tags: ["purchases"],
      summary: "An order as it stands",
      security: bearer,
      middleware: [ownerOrAdmin] as const,
      request: { params: orderPath },
      responses: { 200: jsonContent(orderResponse, "The order"), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { orderId } = c.req.valid("param");
      return c.json({ order: presentOrder(await deps.purchases.getOrder(c.var.userId, orderId)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/accounts/{userId}/purchases/{orderId}/confirm",
      operationId: "confirmPurchase",
      tags: ["purchases"],
      summary:
        "Confirm the payment with the gateway and credit coins + bonus once. 402 payment_declined: the order failed; " +
        "504 payment_pending: no answer from the gateway, confirm again (or the reconciliation settles it)",
      description:
        "409 payment_mismatch (details.gatewayCode): the payment key is not a payment of this order — one the gateway never " +
        "issued (NOT_FOUND_PAYMENT), a checkout for another order or an expired one (NOT_FOUND_PAYMENT_SESSION), or another " +
        "order's approved payment (ALREADY_PROCESSED_PAYMENT, checked by looking the key up). Nothing was charged for this " +
        "order; it stays pending, confirmable with the key of its own checkout.\n\n" +
        "422 balance_limit_exceeded: the order's coins + bonus would lift the balance above MAX_COIN_AMOUNT as the account " +
        "stands now (credits may have landed since the order opened). details.payment says what became of the money: " +
        "`not_charged` — refused before the gateway was asked; the order stays pending and confirms once the balance has room; " +
        "`refunded` — the gateway approved it while another credit used up the room, so the payment was cancelled and the order " +
        "failed (failureCode BALANCE_LIMIT_EXCEEDED); `refund_pending` — that cancel is on its way (order status refund_pending), " +
        "finished by the payment reconciliation. Coins are never credited past the limit and money is never kept without coins.\n\n" +
        "A payment the gateway approved for another amount than the order's is refunded the same crash-safe way (order " +
        "refund_pending, then failed with failureCode AMOUNT_MISMATCH); the confirm answers 504 payment_pending meanwhile.\n\n" +
        "The Idempotency-Key is taken before the gateway is asked and kept whatever the answer: the same key with another " +
        "order, paymentKey or route is 409 idempotency_conflict; a retry with the same body answers as the first call did.",
      security: bearer,
      middleware: [ownerOrAdmin, requireIdempotencyKey, requireJsonBody] as const,
      parameters: [idempotencyHeaderDoc],
      request: { params: orderPath, body: { content: { "application/json": { schema: confirmBody } }, required: true } },
      responses: {
        200: { ...jsonContent(settledOrderResponse, "Paid: the order, its purchase entry and the account"), headers: replayedHeader },
        ...errorResponses(400, 401, 402, 403, 404, 413, 429),
        409: jsonContent(errorSchema, "order_not_pending, idempotency_conflict, or payment_mismatch: the key is not this order's payment"),
        422: jsonContent(errorSchema, "balance_limit_exceeded: the coins would pass MAX_COIN_AMOUNT; details.payment is not_charged, refunded or refund_pending"),
        504: jsonContent(errorSchema, "payment_pending: no answer from the gateway; the payment may have gone through"),
      },
    }),
    async (c) => {
      const { orderId } = c.req.valid("param");
      const body = c.req.valid("json");
      return settled(c, await deps.purchases.confirm(c.var.userId, orderId, body, { key: c.var.idempotencyKey }));
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/accounts/{userId}/purchases/{orderId}/cancel",
      operationId: "cancelPurchase",
      tags: ["purchases"],
      summary:
        "Cancel an unused purchase within the withdrawal window (PURCHASE_REFUND_DAYS, default 7) and refund it. " +
        "409 refund_window_closed / purchase_coins_spent / order_not_pending",
      description:
        "The coins are taken back first (order cancel_pending), then the gateway cancels the payment. 402 payment_declined: " +
        "the gateway refused the cancel, so the coins are given back and the order is paid again — even if that lifts the " +
        "balance above MAX_COIN_AMOUNT (other credits landed meanwhile): the money was kept, so the coins are owed; the " +
        "integrity audit reports the balance (over_limit). 504 payment_pending: no answer; the reconciliation finishes it. " +
        "The Idempotency-Key is taken before the gateway is asked: with another order, reason or route it is 409 idempotency_conflict.",
      security: bearer,
      middleware: [ownerOrAdmin, requireIdempotencyKey, requireJsonBody] as const,
      parameters: [idempotencyHeaderDoc],
      request: { params: orderPath, body: { content: { "application/json": { schema: cancelPurchaseBody } }, required: true } },
      responses: {
        200: { ...jsonContent(settledOrderResponse, "Cancelled: the order, the refund entry taking the coins back, the account"), headers: replayedHeader },
        ...errorResponses(400, 401, 402, 403, 404, 409, 413, 429),
      },
    }),
    async (c) => {
      const { orderId } = c.req.valid("param");
      const { reason } = c.req.valid("json");
      const p = c.var.principal;
      const adminUserId = p.roles.has("admin") ? p.sub : null;
      return settled(c, await deps.purchases.cancel(c.var.userId, orderId, { reason, adminUserId }, { key: c.var.idempotencyKey }));
    },
  );
}

function settled(c: Context<AppEnv>, r: PurchaseResult) {
  if (r.replayed) c.header("Idempotent-Replayed", "true");
  return c.json({ order: presentOrder(r.order), transaction: presentTransaction(r.entry), account: presentAccount(r.account) }, 200);
}
