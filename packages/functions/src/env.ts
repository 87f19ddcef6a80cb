import { ConfigError, loadConfig, paymentGatewayNames, type NyangConfig } from "@nyang/core";
import { z } from "zod";
import { parseCorsOrigins } from "./http/cors.ts";
import { scheduleCadence, type ScheduleVariable } from "./schedule/cadence.ts";

/**
 * The one place a function reads its environment: every infrastructure variable, validated
 * with zod at cold start, so a bad value fails the start with a message naming it (all bad
 * ones at once) instead of failing the first request that needs it. The business settings
 * (prices, limits, `NYANG_CONFIG_FILE`, …) are core's `loadConfig`, parsed here too.
 *
 * Nothing else in packages/functions or packages/core reads `process.env`: handlers get a
 * {@link RuntimeEnv} through their runtime, and tests build one with {@link parseRuntimeEnv}.
 * Values needed only by some functions (the Toss secret, the WebSocket management endpoint)
 * are optional here and required where they are used, so a function that never pays does not
 * need the payment secret.
 */

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));
const httpUrl = (what: string) =>
  optionalText.refine((v) => v === undefined || (URL.canParse(v) && /^https?:$/.test(new URL(v).protocol)), {
    message: `${what} must be an http(s) URL`,
  });
/** A job's cadence setting (schedule/cadence.ts): unset or blank, the job's default. */
const schedule = (name: ScheduleVariable) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return scheduleCadence(name, v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message.replace(`${name}: `, "") });
        return z.NEVER;
      }
    });
const positiveInteger = optionalText.refine((v) => v === undefined || /^[1-9]\d*$/.test(v), { message: "must be a positive integer" }).transform((v) => (v === undefined ? undefined : Number(v)));

const schema = z.object({
  /** The table every store works on. */
  NYANG_TABLE: optionalText.transform((v) => v ?? "nyang"),
  /** DynamoDB Local (or any stand-in); unset: the SDK's region and credentials (Lambda's). */
  DYNAMODB_ENDPOINT: httpUrl("the DynamoDB endpoint"),
  AWS_REGION: optionalText,
  /** Set by Lambda itself: inside Lambda the local JWT secret is refused. */
  AWS_LAMBDA_FUNCTION_NAME: optionalText,
  NYANG_EVENT_BUS: optionalText.transform((v) => v ?? "default"),
  /** A local stand-in for EventBridge (`npm run dev`'s sink). */
  NYANG_EVENTBRIDGE_ENDPOINT: httpUrl("the EventBridge endpoint"),
  /** The WebSocket API's management endpoint; required by the functions that push or close. */
  NYANG_WS_MANAGEMENT_ENDPOINT: httpUrl("the WebSocket management endpoint"),
  /** The payment gateway's adapter (core's paymentGatewayNames; `toss` when unset). */
  PAYMENT_GATEWAY: optionalText.refine((v) => v === undefined || (paymentGatewayNames as readonly string[]).includes(v.toLowerCase()), {
    message: `must be one of ${paymentGatewayNames.join(", ")}`,
  }),
  /** The merchant's Toss secret; required by the functions that take payments. */
  TOSS_SECRET_KEY: optionalText,
  TOSS_API_BASE_URL: httpUrl("the Toss API base URL"),
  TOSS_TIMEOUT_MS: positiveInteger,
  NYANG_JWT_ISSUER: httpUrl("the OIDC issuer"),
  NYANG_JWT_AUDIENCE: optionalText,
  NYANG_JWT_JWKS_URL: httpUrl("the JWKS URL"),
  NYANG_JWT_SECRET: optionalText,
  /** Browser origins allowed to call the API. */
  NYANG_CORS_ORIGINS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return parseCorsOrigins(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message.replace(/^NYANG_CORS_ORIGINS: /, "") });
        return z.NEVER;
      }
    }),
  /** The auto-charge sweeps' cadence (deploy-time; `npm run dev`'s cron loop reads it from here, stacks/schedules.ts alike). */
  AUTO_CHARGE_DAILY_SCHEDULE: schedule("AUTO_CHARGE_DAILY_SCHEDULE"),
  AUTO_CHARGE_HOURLY_SCHEDULE: schedule("AUTO_CHARGE_HOURLY_SCHEDULE"),
  /** Segments of a new audit pass (the audit's default when unset). */
  NYANG_AUDIT_SEGMENTS: positiveInteger,
  POWERTOOLS_SERVICE_NAME: optionalText,
  POWERTOOLS_METRICS_NAMESPACE: optionalText.transform((v) => v ?? "Nyang"),
  POWERTOOLS_LOG_LEVEL: z
    .string()
    .trim()
    .toUpperCase()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(z.enum(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "SILENT", "CRITICAL"]).optional()),
});

/** The validated infrastructure variables, by their names. */
export type InfraEnv = z.output<typeof schema>;

/** What a function runs with: its infrastructure variables and the business configuration. */
export interface RuntimeEnv {
  vars: InfraEnv;
  config: NyangConfig;
}

/**
 * Parses an environment (Lambda's `process.env`; a test's own record). Throws a ConfigError
 * naming every bad variable.
 */
export function parseRuntimeEnv(source: Readonly<Record<string, string | undefined>>): RuntimeEnv {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join("\n")}`);
  }
  return { vars: result.data, config: loadConfig(source) };
}

/** A required variable that is missing: the message says which function needed it. */
export function required<K extends keyof InfraEnv>(vars: InfraEnv, name: K, why: string): NonNullable<InfraEnv[K]> {
  const value = vars[name];
  if (value === undefined || value === null) throw new ConfigError(`${String(name)} is not set: ${why}`);
  return value as NonNullable<InfraEnv[K]>;
}

let fromProcess: RuntimeEnv | undefined;

/** This process's environment, parsed on first use (the Lambda entry points' cold start). */
export function processEnv(): RuntimeEnv {
  // The one read of process.env behind every handler.
  return (fromProcess ??= parseRuntimeEnv(process.env));
}
