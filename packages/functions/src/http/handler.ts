import { handle, type LambdaContext, type LambdaEvent } from "hono/aws-lambda";
import { lazyHandler, type Runtime } from "../runtime.ts";
import { auditJobDeps, runAuditJob } from "../schedule/audit.ts";
import { createApp } from "./app.ts";
import { verifierFromEnv } from "./auth.ts";

/** The account a request names (`/v1/accounts/{userId}/…`), for its log lines; `me` is resolved by the guard. */
const accountInPath = /^\/v1\/accounts\/([^/]+)/;

/**
 * The HTTP API's Lambda handler over a runtime: the app is built once, each request logs
 * with API Gateway's request id (the `apigw-requestid` header the caller saw) and the account.
 */
export function makeHandler(rt: Runtime) {
  const { ledger, config, purchases, insights, alerts, autoCharge, log, env } = rt;
  const integrity = {
    latest: () => auditJobDeps(rt).store.latestReport(),
    runFresh: async (budgetMs: number) => (await runAuditJob(auditJobDeps(rt), { fresh: true, budgetMs })).report,
  };
  const app = createApp({
    ledger,
    config,
    purchases,
    insights,
    alerts,
    autoCharge,
    integrity,
    log,
    verifyToken: verifierFromEnv(env.vars),
    corsOrigins: env.vars.NYANG_CORS_ORIGINS,
  });
  const lambda = handle(app);
  return (event: LambdaEvent, context?: LambdaContext) => {
    // API Gateway v2 (HTTP API) is the only source this function is wired to.
    const { rawPath, requestContext } = event as { rawPath?: string; requestContext?: { requestId?: string } };
    const account = rawPath === undefined ? undefined : accountInPath.exec(rawPath)?.[1];
    const keys = { requestId: requestContext?.requestId, ...(account && account !== "me" ? { userId: account } : {}) };
    return log.within(keys, () => lambda(event, context));
  };
}

/**
 * The Lambda entry point: the runtime from the environment, built at the first invocation
 * (a bad configuration fails it with a message naming the variable).
 */
export const handler = lazyHandler(makeHandler);
