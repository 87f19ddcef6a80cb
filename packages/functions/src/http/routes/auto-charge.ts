import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { formatAmount, type AutoChargeSettings, type NyangConfig } from "@nyang/core";
import type { AppDeps, AppEnv } from "../context.ts";
import { guard, requireJsonBody } from "../middleware.ts";
import { accountPath, amountInput } from "../schemas.ts";
import { bearer, errorResponses, jsonContent } from "./docs.ts";

/**
 * An account's auto-charge settings. Turning it on registers the customer's card with the
 * gateway: the browser runs Toss's card-registration window (`requestBillingAuth`), whose
 * success URL carries `authKey` and `customerKey`; the PUT hands both over and Nyang exchanges
 * them for a billing key. The billing key is a credential and is never returned.
 */
export const autoChargeBody = z.strictObject({
  enabled: z.boolean(),
  threshold: amountInput().optional().openapi({ description: "Charge when the balance falls to or below this (default AUTO_CHARGE_THRESHOLD)" }),
  amount: amountInput().optional().openapi({ description: "Coins each charge buys (default AUTO_CHARGE_AMOUNT)" }),
  paymentMethod: z.enum(["card"]).optional().openapi({ description: "Toss automatic payments take cards only" }),
  authKey: z.string().min(1).max(300).optional().openapi({ description: "From the card-registration window's success URL" }),
  customerKey: z
    .string()
    .regex(/^[A-Za-z0-9_=.@-]{2,300}$/)
    .optional()
    .openapi({ description: "The customer key the card-registration window was opened with" }),
});

const amountOutput = z.string().regex(/^-?\d+\.\d{2}$/).openapi({ example: "10.00" });

export const autoChargeSchema = z
  .object({
    userId: z.string(),
    enabled: z.boolean(),
    threshold: amountOutput,
    amount: amountOutput,
    amountKrw: z.number().int(),
    paymentMethod: z.literal("card"),
    card: z.object({ company: z.string().nullable(), number: z.string().nullable(), registeredAt: z.string() }).nullable(),
    consecutiveFailures: z.number().int(),
    disabledReason: z.enum(["payment_failures", "user"]).nullable(),
    disabledAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi("AutoChargeSettings");

const autoChargeResponse = z.object({ autoCharge: autoChargeSchema });

/** The settings as the API shows them: the card by issuer and masked number, never its billing key. */
export function presentAutoCharge(s: AutoChargeSettings, config: NyangConfig) {
  return {
    userId: s.userId,
    enabled: s.enabled,
    threshold: formatAmount(s.threshold),
    amount: formatAmount(s.amount),
    amountKrw: Math.round((s.amount * config.autoCharge.krwPerCoin) / 100),
    paymentMethod: s.paymentMethod,
    card: s.billing ? { company: s.billing.cardCompany, number: s.billing.cardNumber, registeredAt: s.billing.registeredAt } : null,
    consecutiveFailures: s.consecutiveFailures,
    disabledReason: s.disabledReason,
    disabledAt: s.disabledAt,
    updatedAt: s.updatedAt,
  };
}

export function registerAutoChargeRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const ownerOrAdmin = guard(deps.verifyToken, { roles: ["admin"], owner: true });
  const path = "/v1/accounts/{userId}/auto-charge";

  app.openapi(
    createRoute({
      method: "get",
      path,
      operationId: "getAutoCharge",
      tags: ["auto-charge"],
      summary: "The account's auto-charge settings (the defaults, off, when it never set any)",
      security: bearer,
      middleware: [ownerOrAdmin] as const,
      request: { params: accountPath },
      responses: { 200: jsonContent(autoChargeResponse, "The settings"), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => c.json({ autoCharge: presentAutoCharge(await deps.autoCharge.getSettings(c.var.userId), deps.config) }, 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path,
      operationId: "setAutoCharge",
      tags: ["auto-charge"],
      summary:
        "Set auto-charge. Turning it on needs a registered card (authKey + customerKey from Toss's card-registration window, " +
        "once) and AUTO_CHARGE_ENABLED (else 409 auto_charge_unavailable); fields left out keep their value. If the balance " +
        "is already at or below the threshold, the account is charged right away. 402 payment_declined: the card could not be registered",
      security: bearer,
      middleware: [ownerOrAdmin, requireJsonBody] as const,
      request: { params: accountPath, body: { content: { "application/json": { schema: autoChargeBody } }, required: true } },
      responses: { 200: jsonContent(autoChargeResponse, "The settings as saved"), ...errorResponses(400, 401, 402, 403, 404, 409, 413, 422, 429) },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const saved = await deps.autoCharge.updateSettings(c.var.userId, body);
      return c.json({ autoCharge: presentAutoCharge(saved, deps.config) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path,
      operationId: "disableAutoCharge",
      tags: ["auto-charge"],
      summary: "Turn auto-charge off and forget the registered card (a charge already in flight still settles)",
      security: bearer,
      middleware: [ownerOrAdmin] as const,
      request: { params: accountPath },
      responses: { 200: jsonContent(autoChargeResponse, "The settings, off"), ...errorResponses(400, 401, 403, 404, 429) },
    }),
    async (c) => c.json({ autoCharge: presentAutoCharge(await deps.autoCharge.disable(c.var.userId), deps.config) }, 200),
  );
}
