import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { AuditStore, IntegrityMonitor, integrityFindingKinds, mergeReports, type AuditReport } from "@nyang/core";
import type { InfraEnv } from "../env.ts";
import { integrityViolation, type IntegrityViolation } from "../events.ts";
import { lazyHandler, type Runtime } from "../runtime.ts";
import { logRun, type ScheduleContext, type ScheduledEvent } from "./event.ts";

/**
 * EventBridge Scheduler → the integrity audit (see core's audit/monitor.ts): one run over
 * the table, or, when the last run ran out of time, over what its pass has left. The run is
 * kept as a history item and folded into the latest report (`GET /v1/admin/health` reads
 * it); its figures go to CloudWatch as EMF lines through Powertools Metrics; when it found
 * anything that is not mere information, an `IntegrityViolation` event goes to the bus.
 *
 * Safe to run twice or concurrently (ledger rule 6): the audit only reads, a run's history
 * item is keyed by its own id, the latest report advances only from the report it was read
 * as (a second run continuing the same pass loses that write and changes nothing), and the
 * event's `detail.id` is the run's id.
 */

/** The integrity event (events.ts's catalogue), under the name the audit's callers know. */
export type IntegrityViolationEvent = IntegrityViolation;

export interface AuditJobDeps {
  monitor: IntegrityMonitor;
  store: AuditStore;
  publish: (events: IntegrityViolation[]) => Promise<void>;
  metrics: Metrics;
  /** The time the audit judges holds and orders against. */
  clock?: () => Date;
}

export interface AuditJobOptions {
  /** Segments of a new pass (a continued pass keeps its own). */
  segments?: number | undefined;
  pageSize?: number | undefined;
  budgetMs?: number | undefined;
  /** Start a new pass even if the last one is unfinished (what a fresh run on request does). */
  fresh?: boolean | undefined;
}

export interface AuditJobResult {
  /** This run alone. */
  run: AuditReport;
  /** The pass so far (this run folded into the unfinished pass it continued): what was stored as latest. */
  report: AuditReport;
  /** False when another run advanced the latest report first (this run's history item is kept anyway). */
  storedLatest: boolean;
  published: boolean;
}

/** One audit run with everything around it: continue or start a pass, store, measure, tell. */
export async function runAuditJob(deps: AuditJobDeps, opts: AuditJobOptions = {}): Promise<AuditJobResult> {
  const latest = await deps.store.latestReport();
  const continuing = !opts.fresh && latest && !latest.complete && latest.resume ? latest : null;
  const run = await deps.monitor.runAudit({
    ...(opts.segments !== undefined ? { segments: opts.segments } : {}),
    ...(opts.pageSize !== undefined ? { pageSize: opts.pageSize } : {}),
    ...(opts.budgetMs !== undefined ? { budgetMs: opts.budgetMs } : {}),
    now: (deps.clock ?? (() => new Date()))(),
    resumeFrom: continuing?.resume ?? null,
  });
  if (continuing) run.passId = continuing.passId;
  const report = continuing ? mergeReports(continuing, run) : run;
  await deps.store.saveRun(run);
  const storedLatest = await deps.store.saveLatest(report, latest?.id ?? null);
  emitMetrics(deps.metrics, run);
  const event = integrityViolation(run);
  if (event) await deps.publish([event]);
  return { run, report, storedLatest, published: event !== null };
}

/**
 * EMF lines for one run: AccountsChecked, Findings, Violations (findings that are not
 * information), AuditDurationMs and ReadRequestUnits in one line; FindingsByKind once per
 * kind with a `kind` dimension, zero included, so alarms see a continuous series.
 */
export function emitMetrics(metrics: Metrics, run: AuditReport): void {
  const total = Object.values(run.counts).reduce((n, c) => n + (c ?? 0), 0);
  for (const kind of integrityFindingKinds) {
    metrics.singleMetric().addDimension("kind", kind).addMetric("FindingsByKind", MetricUnit.Count, run.counts[kind] ?? 0);
  }
  metrics.addMetric("AccountsChecked", MetricUnit.Count, run.accountsChecked);
  metrics.addMetric("Findings", MetricUnit.Count, total);
  metrics.addMetric("Violations", MetricUnit.Count, run.violations);
  metrics.addMetric("AuditDurationMs", MetricUnit.Milliseconds, run.durationMs);
  metrics.addMetric("ReadRequestUnits", MetricUnit.Count, run.requestUnits.read);
  metrics.addMetadata("auditId", run.id);
  metrics.publishStoredMetrics();
}

export function createMetrics(vars: Partial<Pick<InfraEnv, "POWERTOOLS_METRICS_NAMESPACE" | "POWERTOOLS_SERVICE_NAME">>): Metrics {
  return new Metrics({
    namespace: vars.POWERTOOLS_METRICS_NAMESPACE ?? "Nyang",
    serviceName: vars.POWERTOOLS_SERVICE_NAME ?? "nyang-audit",
  });
}

const depsOf = new WeakMap<Runtime, AuditJobDeps>();

/** The job's dependencies over a runtime, made once per runtime. */
export function auditJobDeps(rt: Runtime): AuditJobDeps {
  let deps = depsOf.get(rt);
  if (!deps) {
    const store = new AuditStore(rt.clients, rt.env.vars.NYANG_TABLE);
    deps = {
      monitor: IntegrityMonitor.fromConfig(store, rt.config),
      store,
      publish: (events) => rt.events.publish(events),
      metrics: createMetrics(rt.env.vars),
    };
    depsOf.set(rt, deps);
  }
  return deps;
}

/** Time kept back from the Lambda's remaining time for storing, metrics and the event. */
const RESERVE_MS = 20_000;
/** Without a Lambda context (the local cron loop): stop reading after this long. */
const DEFAULT_BUDGET_MS = 4 * 60_000;

export function makeHandler(rt: Runtime) {
  return (event: ScheduledEvent = {}, context?: ScheduleContext) =>
    rt.log.within({ requestId: context?.awsRequestId }, async () => {
      const started = Date.now();
      const remaining = context?.getRemainingTimeInMillis?.();
      const budgetMs = remaining === undefined ? DEFAULT_BUDGET_MS : Math.max(1_000, remaining - RESERVE_MS);
      const { run, report, storedLatest, published } = await runAuditJob(auditJobDeps(rt), {
        budgetMs,
        segments: rt.env.vars.NYANG_AUDIT_SEGMENTS,
      });
      const summary = {
        auditId: run.id,
        passId: run.passId,
        complete: run.complete,
        passComplete: report.complete,
        accountsChecked: run.accountsChecked,
        violations: run.violations,
        counts: run.counts,
        readUnits: run.requestUnits.read,
        readUnitsPerAccount: run.requestUnits.perAccount,
        storedLatest,
        published,
      };
      logRun(rt.log, "audit", event, summary, started);
      return summary;
    });
}

/** The Lambda entry point (the runtime from the environment, built at the first invocation). */
export const handler = lazyHandler(makeHandler);
