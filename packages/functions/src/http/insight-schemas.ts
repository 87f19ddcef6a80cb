import { z } from "@hono/zod-openapi";
import { alertTypes, integrityFindingKinds, periods, type IntegrityFindingKind, type Period } from "@nyang/core";
import { accountSchema, historyBound } from "./schemas.ts";

/**
 * The response shapes of the analytics routes (alerts, daily usage, account analytics, the
 * admin's revenue and top users) and of the integrity report, as the presenters in `presenters.ts` write them. They are
 * documentation and the typed client's source (packages/client generates its types from
 * the OpenAPI document); each is a plain `z.object`, so a new field is one line here and
 * one in the presenter. `test/client/routes.integration.test.ts` and the analytics test of
 * `test/streams/consumers.integration.test.ts` parse real replies with them, so a presenter
 * that drifts from its schema fails a test.
 */

const amount = z.string().regex(/^-?\d+\.\d{2}$/).openapi({ example: "97.00" });
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).openapi({ example: "2026-11-24", description: "A business day (DAY_UTC_OFFSET_HOURS)" });
const time = z.string().openapi({ format: "date-time", example: "2026-11-24T09:00:00.000Z" });
const period = z.enum(Object.keys(periods) as [Period, ...Period[]]);

export const alertSchema = z
  .object({
    id: z.string().openapi({ example: "alert_17640000000000123456789abcdef" }),
    userId: z.string(),
    type: z.enum(alertTypes),
    severity: z.enum(["info", "warning", "critical"]),
    title: z.string(),
    message: z.string(),
    data: z.record(z.string(), z.unknown()).openapi({ description: "What triggered the alert; its fields depend on `type` (docs/events.md)" }),
    read: z.boolean(),
    readAt: time.nullable(),
    createdAt: time,
  })
  .openapi("Alert");

export const alertsResponse = z.object({ alerts: z.array(alertSchema) });
export const alertResponse = z.object({ alert: alertSchema });

/** The admins' cross-account feed: a page of alerts of every account, newest first. */
export const alertFeedQuery = z.strictObject({
  type: z.enum(alertTypes).optional().openapi({ description: "Only alerts of this type" }),
  since: historyBound("from").optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(1024).optional().openapi({ description: "`nextCursor` of the previous page" }),
});
export const alertFeedResponse = z.object({ alerts: z.array(alertSchema), nextCursor: z.string().nullable() });

/** Usage as packages/core/src/analytics/usage.ts defines it: gross = usage + hold captures, refunded = their refunds, net = gross − refunded. */
const usageFields = {
  gross: amount.openapi({ description: "Coins taken by usage and hold_capture entries" }),
  refunded: amount.openapi({ description: "Coins given back by refunds of them (a purchase cancel is not usage)" }),
  net: amount.openapi({ description: "gross − refunded; negative on a day with more refunded than used" }),
};
const countAndTotal = { count: z.number().int(), total: amount.openapi({ description: "The gross (docs/api.md's total)" }) };

const serviceUsage = z.object({ serviceType: z.string(), ...countAndTotal, ...usageFields });

export const dailyUsageSchema = z
  .object({
    day,
    ...countAndTotal,
    ...usageFields,
    services: z.array(serviceUsage),
  })
  .openapi("DailyUsage");

export const dailyUsageResponse = z.object({ days: z.array(dailyUsageSchema) });

const packageChoice = z.object({ id: z.string(), name: z.string(), coins: amount, bonusCoins: amount, priceKrw: z.number().int() });
const recommendationText = { message: z.string(), messageEn: z.string() };

export const recommendationSchema = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("low_balance"), ...recommendationText, details: z.object({ balance: amount, threshold: amount }) }),
    z.object({
      kind: z.literal("top_up"),
      ...recommendationText,
      details: z.object({
        predicted: amount,
        balance: amount,
        gap: amount,
        package: packageChoice.nullable(),
        quantity: z.number().int(),
        totalPriceKrw: z.number().int(),
      }),
    }),
    z.object({
      kind: z.literal("enable_auto_charge"),
      ...recommendationText,
      details: z.object({ runwayDays: z.number().int(), dailyPace: amount }),
    }),
    z.object({
      kind: z.literal("heavy_service"),
      ...recommendationText,
      details: z.object({
        serviceType: z.string(),
        coins: amount,
        count: z.number().int(),
        totalCoins: amount,
        share: z.number().openapi({ description: "Share of the window's coins, 0..1" }),
        windowDays: z.number().int(),
        cheaperServiceType: z.string().nullable(),
        estimatedSaving: amount,
      }),
    }),
  ])
  .openapi("Recommendation");

export const accountAnalyticsSchema = z
  .object({
    userId: z.string(),
    balance: amount,
    available: amount,
    account: accountSchema,
    monthlyUsage: z.array(z.object({ month: z.string().openapi({ example: "2026-11" }), ...countAndTotal, ...usageFields })),
    prediction: z.object({
      nextMonth: amount,
      low: amount.openapi({ description: "Lower end of the 80% interval" }),
      high: amount.openapi({ description: "Upper end of the 80% interval" }),
      confidence: z.enum(["high", "medium", "low"]),
      method: z.string(),
      basis: z.object({ weeks: z.number().int(), weeklyTotals: z.array(amount) }),
    }),
    runway: z.object({
      days: z.number().int().nullable().openapi({ description: "Whole days the available coins last; null when there is no recent usage" }),
      dailyPace: amount,
      method: z.string(),
    }),
    recentAlerts: z.array(alertSchema),
    recommendations: z.array(recommendationSchema),
  })
  .openapi("AccountAnalytics");

export const revenueSchema = z
  .object({
    period,
    from: day,
    to: day,
    totals: z.object({
      revenueKrw: z.number().int(),
      purchaseKrw: z.number().int(),
      canceledKrw: z.number().int(),
      purchaseCount: z.number().int(),
      purchaseCoins: amount,
      usageCoins: amount,
      usageCount: z.number().int(),
      refundCoins: amount,
      netUsageCoins: amount.openapi({ description: "usageCoins (gross) − refundCoins" }),
      activeAccounts: z.number().int(),
      arpuKrw: z.number().int(),
    }),
    daily: z.array(
      z.object({
        day,
        revenueKrw: z.number().int(),
        purchaseCoins: amount,
        usageCoins: amount,
        refundCoins: amount,
        netUsageCoins: amount,
        activeAccounts: z.number().int(),
      }),
    ),
    services: z
      .array(z.object({ serviceType: z.string(), count: z.number().int(), coins: amount }))
      .openapi({ description: "Usage per service over the period (usage entries and captured holds), by service type" }),
  })
  .openapi("Revenue");

export const topUsersSchema = z
  .object({
    period,
    from: day,
    to: day,
    users: z.array(
      z.object({ rank: z.number().int(), userId: z.string(), usageCoins: amount.openapi({ description: "The gross" }), usageCount: z.number().int(), ...usageFields }),
    ),
  })
  .openapi("TopUsers");

const findingKind = z.enum(integrityFindingKinds as [IntegrityFindingKind, ...IntegrityFindingKind[]]);

/** The integrity monitor's report (packages/core/src/audit/monitor.ts `AuditReport`). */
export const auditReportSchema = z
  .object({
    id: z.string(),
    passId: z.string().openapi({ description: "The pass this run belongs to: the id of the run that started it" }),
    runs: z.number().int().openapi({ description: "Runs folded into this report" }),
    startedAt: time,
    finishedAt: time,
    asOf: time.openapi({ description: "The time holds, orders and alerts were judged against" }),
    complete: z.boolean().openapi({ description: "Every segment was read to its end" }),
    resume: z
      .object({
        totalSegments: z.number().int(),
        segments: z.array(z.union([z.object({ done: z.literal(true) }), z.object({ done: z.literal(false), startKey: z.record(z.string(), z.unknown()).nullable() })])),
      })
      .nullable()
      .openapi({ description: "Where the next run continues; null when complete" }),
    segments: z.number().int(),
    accountsChecked: z.number().int(),
    accountsConfirmed: z.number().int(),
    findings: z.array(z.object({ userId: z.string(), kind: findingKind, severity: z.enum(["critical", "warning", "info"]), message: z.string() })),
    findingsTruncated: z.number().int(),
    counts: z.partialRecord(findingKind, z.number().int()).openapi({ description: "Every finding, by kind, truncated or not" }),
    violations: z.number().int().openapi({ description: "Findings that are not information: what makes a report unhealthy" }),
    requestUnits: z.object({ read: z.number(), scan: z.number(), confirm: z.number(), perAccount: z.number(), pages: z.number().int() }),
    durationMs: z.number(),
  })
  .openapi("AuditReport");

export const healthSchema = z
  .object({ status: z.enum(["healthy", "unhealthy", "unknown"]), report: auditReportSchema.nullable() })
  .openapi("Health");
