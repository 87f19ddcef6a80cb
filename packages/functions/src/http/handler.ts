import { handle } from "hono/aws-lambda";
import { runtime } from "../runtime.ts";
import { auditJobDeps, runAuditJob } from "../schedule/audit.ts";
import { createApp } from "./app.ts";
import { verifierFromEnv } from "./auth.ts";
import { corsOriginsFromEnv } from "./cors.ts";

/**
 * The HTTP API's Lambda handler. Configuration, clients and the app are built once at
 * cold start; a bad configuration fails the cold start with a message naming the field.
 */
const { ledger, config, purchases, insights, alerts, autoCharge } = runtime();
const integrity = {
  latest: () => auditJobDeps().store.latestReport(),
  runFresh: async (budgetMs: number) => (await runAuditJob(auditJobDeps(), { fresh: true, budgetMs })).report,
};
const app = createApp({ ledger, config, purchases, insights, alerts, autoCharge, integrity, verifyToken: verifierFromEnv(), corsOrigins: corsOriginsFromEnv() });

export const handler = handle(app);
