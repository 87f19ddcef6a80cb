import type { AlertsStore, AutoCharge, AuditReport, Insights, Ledger, Log, NyangConfig, Purchases } from "@nyang/core";
import type { Principal, TokenVerifier } from "./auth.ts";

/** What the HTTP app needs from the outside world, built once per cold start. */
export interface AppDeps {
  ledger: Ledger;
  purchases: Purchases;
  autoCharge: AutoCharge;
  insights: Insights;
  alerts: AlertsStore;
  /** The integrity monitor's reports: the stored latest, or a run now within a time budget. */
  integrity: { latest(): Promise<AuditReport | null>; runFresh(budgetMs: number): Promise<AuditReport> };
  config: NyangConfig;
  verifyToken: TokenVerifier;
  /** Where unexpected errors are logged (the runtime's logger: its lines carry the request id). */
  log: Log;
  /** Browser origins allowed to call the API (NYANG_CORS_ORIGINS); none: no CORS headers, no preflight. */
  corsOrigins?: readonly string[];
}

/** Per-request values the guards put on Hono's context for the route handlers. */
export interface AppEnv {
  Variables: {
    principal: Principal;
    /** The account the route acts on, with `me` resolved. */
    userId: string;
    idempotencyKey: string;
  };
}
