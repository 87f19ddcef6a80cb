import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { formatAmount, MAX_MONTHLY_CAP_KRW, type AutoCharge, type AutoChargeSettings, type ChargeRecord, type MonthlyCapStatus, type NyangConfig } from "@nyang/core";
import type { AppDeps, AppEnv } from "../context.ts";
import { guard, requireJsonBody } from "../middleware.ts";
import { accountPath, amountInput, errorSchema, userIdParam } from "../schemas.ts";
import { bearer, errorResponses, jsonContent } from "./docs.ts";

/**
 * An account's auto-charge settings. Turning it on registers the customer's card with the
 * gateway: the browser opens Toss's card-registration window (`requestBillingAuth`) with the
 * account's `customerKey` (from GET here; Nyang derives it from the account, it is never the
 * caller's choice), whose success URL carries an `authKey`; the PUT hands the `authKey` over and
 * Nyang exchanges it for a billing key under the account's customer key. The billing key is a
 * credential and is never returned.
 */
export const autoChargeBody = z.strictObject({
  enabled: z.boolean(),
  threshold: amountInput().optional().openapi({ description: "Charge when the balance falls to or below this (default AUTO_CHARGE_THRESHOLD); threshold + amount ≤ MAX_COIN_AMOUNT" }),
  amount: amountInput().optional().openapi({ description: "Coins each charge buys (default AUTO_CHARGE_AMOUNT); threshold + amount ≤ MAX_COIN_AMOUNT" }),
  paymentMethod: z.enum(["card"]).optional().openapi({ description: "Toss automatic payments take cards only" }),
  monthlyCapKrw: z
    .number()
    .int()
    .min(1)
    .max(MAX_MONTHLY_CAP_KRW)
    .nullable()
    .optional()
    .openapi({
      description:
        "The most KRW auto-charge may take from this account per calendar month, Korea time (whole won, 1–1,000,000,000). " +
        "null: the service's default (AUTO_CHARGE_MONTHLY_CAP_KRW; none when unset). Left out: kept. A charge that would pass it is " +
        "skipped (no payment, one auto_charge alert cap_reached a month) and auto-charge resumes next month",
    }),
  authKey: z
    .string()
    .min(1)
    .max(300)
    .optional()
    .openapi({ description: "From the card-registration window's success URL; the window must have been opened with this account's customerKey" }),
  customerKey: z
    .string()
    .regex(/^[A-Za-z0-9_=.@-]{2,300}$/)
    .optional()
    .openapi({
      description:
        "Optional: the customerKey the success URL carries, passed through. It is only checked: anything but this account's " +
        "customerKey is refused 422 customer_key_mismatch",
    }),
});

const amountOutput = z.string().regex(/^-?\d+\.\d{2}$/).openapi({ example: "10.00" });

export const autoChargeSchema = z
  .object({
    userId: z.string(),
    enabled: z.boolean().openapi({ description: "The account's own choice: on or off (kept while the service switch is off)" }),
    available: z.boolean().openapi({ description: "Whether the service offers auto-charge at all (AUTO_CHARGE_ENABLED). When false nothing is charged" }),
    active: z.boolean().openapi({ description: "Whether this account will be charged when it falls to its threshold: enabled, available and a card registered" }),
    customerKey: z.string().openapi({
      description: "The account's customer key at Toss: open the card-registration window (requestBillingAuth) with it. Derived from the account, stable",
    }),
    threshold: amountOutput,
    amount: amountOutput,
    amountKrw: z.number().int(),
    paymentMethod: z.literal("card"),
    card: z.object({ company: z.string().nullable(), number: z.string().nullable(), registeredAt: z.string() }).nullable(),
    monthlyCapKrw: z.number().int().nullable().openapi({ description: "The account's own monthly cap (KRW); null: the service's default applies" }),
    effectiveMonthlyCapKrw: z.number().int().nullable().openapi({ description: "The cap in force this month: the account's own, else the service's default; null: no cap" }),
    chargedThisMonthKrw: z.number().int().openapi({ description: "KRW auto-charged (or being charged) this calendar month, Korea time; a charge closed unpaid gives its KRW back" }),
    capMonth: z.string().openapi({ description: "The Korea-time month the two figures above are of (YYYY-MM)", example: "2026-12" }),
    consecutiveFailures: z.number().int(),
    disabledReason: z.enum(["payment_failures", "user"]).nullable(),
    disabledAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi("AutoChargeSettings");

const autoChargeResponse = z.object({ autoCharge: autoChargeSchema });

/** The settings as the API shows them, with this month's cap figures: the card by issuer and masked number, never its billing key. */
export function presentAutoCharge(s: AutoChargeSettings, cap: MonthlyCapStatus, autoCharge: Pick<AutoCharge, "available" | "customerKeyOf">, config: NyangConfig) {
  const available = autoCharge.available;
  return {
    userId: s.userId,
    enabled: s.enabled,
    available,
    active: available && s.enabled && s.billing !== null,
    customerKey: autoCharge.customerKeyOf(s.userId),
    threshold: formatAmount(s.threshold),
    amount: formatAmount(s.amount),
    amountKrw: Math.round((s.amount * config.autoCharge.krwPerCoin) / 100),
    paymentMethod: s.paymentMethod,
    card: s.billing ? { company: s.billing.cardCompany, number: s.billing.cardNumber, registeredAt: s.billing.registeredAt } : null,
    monthlyCapKrw: s.monthlyCapKrw,
    effectiveMonthlyCapKrw: cap.capKrw,
    chargedThisMonthKrw: cap.chargedKrw,
    capMonth: cap.month,
    consecutiveFailures: s.consecutiveFailures,
    disabledReason: s.disabledReason,
    disabledAt: s.disabledAt,
    updatedAt: s.updatedAt,
  };
}

export const chargeRecordSchema = z
  .object({
    id: z.string().openapi({ description: "The charge record, and the gateway order id of its payment", example: "ac_0123456789abcdefghjkmnpqrs" }),
    userId: z.string(),
    status: z.enum(["charging", "retry_wait", "paid", "gave_up", "canceled", "refund_pending", "refunded"]),
    amount: amountOutput,
    amountKrw: z.number().int(),
    attempts: z.number().int(),
    paymentKey: z.string().nullable(),
    failureCode: z.string().nullable().openapi({ description: "Why its payment is given back: BALANCE_LIMIT_EXCEEDED or APPROVED_AFTER_CLOSE" }),
    failureMessage: z.string().nullable().openapi({ description: "The gateway's refusal of the refund, for a refund waiting for an operator" }),
    refundRetries: z.number().int().openapi({ description: "Operator retries of the refund so far" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("AutoChargeRecord");

/** A charge record as operators see it: never the card's billing key. */
export const presentChargeRecord = (r: ChargeRecord) => ({
  id: r.id,
  userId: r.userId,
  status: r.status,
  amount: formatAmount(r.amount),
  amountKrw: r.amountKrw,
  attempts: r.attempts,
  paymentKey: r.paymentKey,
  failureCode: r.failureCode,
  failureMessage: r.failureMessage,
  refundRetries: r.refundRetries,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

const chargePath = z.object({
  userId: userIdParam,
  chargeId: z
    .string()
    .regex(/^ac_[0-9a-z]{26}$/)
    .openapi({ param: { name: "chargeId", in: "path" }, example: "ac_0123456789abcdefghjkmnpqrs", description: "An auto-charge record's id" }),
});

export function registerAutoChargeRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const ownerOrAdmin = guard(deps.verifyToken, { roles: ["admin"], owner: true });
  const path = "/v1/accounts/{userId}/auto-charge";
  const present = async (s: AutoChargeSettings) => ({ autoCharge: presentAutoCharge(s, await deps.autoCharge.monthlyCap(s), deps.autoCharge, deps.config) });

  app.openapi(
    createRoute({
      method: "get",
      path,
      operationId: "getAutoCharge",
      tags: ["auto-charge"],
      summary:
        "The account's auto-charge settings (the defaults, off, when it never set any), whether the service offers auto-charge " +
        "(`available`) and whether it will charge this account (`active`), and the `customerKey` to open Toss's card-registration window with",
      security: bearer,
      middleware: [ownerOrAdmin] as const,
      request: { params: accountPath },
      responses: { 200: jsonContent(autoChargeResponse, "The settings"), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => c.json(await present(await deps.autoCharge.getSettings(c.var.userId)), 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path,
      operationId: "setAutoCharge",
      tags: ["auto-charge"],
      summary:
        "Set auto-charge. Turning it on needs a registered card (the authKey from Toss's card-registration window opened with " +
        "this account's customerKey, once) and AUTO_CHARGE_ENABLED (else 409 auto_charge_unavailable); fields left out keep " +
        "their value. If the balance is already at or below the threshold, the account is charged right away. 402 " +
        "payment_declined: the card could not be registered; 422 customer_key_mismatch: the registration is another customer's",
      description:
        "422 balance_limit_exceeded (details: max, balanceAfter, threshold, amount): threshold + amount is above MAX_COIN_AMOUNT — a charge lands on a balance at or " +
        "below the threshold, so it must fit under the limit there. A charge that would still pass the limit (another credit " +
        "landed first, or the limit was lowered) is skipped before the card is charged (auto_charge alert skipped_over_limit, not " +
        "counted as a card refusal), or, once the card was charged, cancelled at the gateway instead of credited (alert " +
        "refunded_over_limit). Coins are never credited past the limit and money is never kept without coins. The monthly cap " +
        "(monthlyCapKrw, Korea-time calendar months) counts every charge started in the month; one that would pass it is skipped " +
        "before the card is charged (canceled MONTHLY_CAP_REACHED, one auto_charge alert cap_reached per month), a charge that " +
        "closes unpaid gives its KRW back, and the next month charges again.",
      security: bearer,
      middleware: [ownerOrAdmin, requireJsonBody] as const,
      request: { params: accountPath, body: { content: { "application/json": { schema: autoChargeBody } }, required: true } },
      responses: { 200: jsonContent(autoChargeResponse, "The settings as saved"), ...errorResponses(400, 401, 402, 403, 404, 409, 413, 422, 429) },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const saved = await deps.autoCharge.updateSettings(c.var.userId, body);
      return c.json(await present(saved), 200);
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
    async (c) => c.json(await present(await deps.autoCharge.disable(c.var.userId)), 200),
  );

  registerOperatorRoutes(app, deps);
}

/**
 * The operator's side of a refund the gateway refused (docs/purchases.md, Auto-charges): the
 * integrity audit reports it (`unsettled_charge`); these list an account's and retry one.
 */
function registerOperatorRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const admin = guard(deps.verifyToken, { roles: ["admin"], owner: false });

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/admin/accounts/{userId}/auto-charge/unsettled",
      operationId: "listUnsettledAutoCharges",
      tags: ["admin"],
      summary: "The account's auto-charges whose refund the gateway refused: `refund_pending`, off the sweeps' queue, waiting for an operator",
      security: bearer,
      middleware: [admin] as const,
      request: { params: accountPath },
      responses: { 200: jsonContent(z.object({ charges: z.array(chargeRecordSchema) }), "Oldest first; empty when none waits"), ...errorResponses(400, 401, 403) },
    }),
    async (c) => c.json({ charges: (await deps.autoCharge.refundsAwaitingOperator(c.var.userId)).map(presentChargeRecord) }, 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/admin/accounts/{userId}/auto-charge/charges/{chargeId}/retry-refund",
      operationId: "retryAutoChargeRefund",
      tags: ["admin"],
      summary: "Retry the refund of an auto-charge payment the gateway refused to cancel; 200 with the charge `refunded`",
      description:
        "For a charge `refund_pending` off the sweeps' queue (the gateway refused its cancel; the integrity audit reports it as " +
        "unsettled_charge). The cancel is sent again under a new gateway idempotency key (the refused key would replay its " +
        "refusal), with the record back under a lease first, so a crash or a lost answer is resent by the hourly sweep under " +
        "that same key. It moves no coins (the coins were never credited), so it takes no Idempotency-Key: a repeat after " +
        "success answers 409. 402 payment_declined (details.gatewayCode): the gateway refused again; the charge stays " +
        "refund_pending with the new refusal in failureMessage. 504 payment_pending: no answer; the sweep resends it. 404 " +
        "charge_not_found. 409 charge_not_refund_pending: refunded already, never refunding, or a refund still under way.",
      security: bearer,
      middleware: [admin] as const,
      request: { params: chargePath },
      responses: { 200: jsonContent(z.object({ charge: chargeRecordSchema }), "The charge, refunded"), ...errorResponses(400, 401, 402, 403, 404, 409, 429),
        504: jsonContent(errorSchema, "payment_pending: no answer from the gateway; the hourly sweep resends the refund"),
      },
    }),
    async (c) => {
      const charge = await deps.autoCharge.retryRefund(c.var.userId, c.req.valid("param").chargeId);
      return c.json({ charge: presentChargeRecord(charge) }, 200);
    },
  );
}
