import type { Alert, AuditReport, IntegrityFinding, LedgerEntry } from "@nyang/core";
import { presentAlert, presentTransaction } from "./presenters.ts";

/**
 * The catalogue of the events Nyang publishes to its EventBridge bus (docs/events.md): one
 * type and one builder per event, so an event's shape is written once and a new one is a
 * new member of {@link DomainEvent}. The runtime's publisher takes only these.
 *
 * Every event's `detail.id` is stable (the entry's, the alert's, the audit run's id) and
 * delivery is at least once: subscribers dedupe on it.
 */

/** A new ledger entry, as the API's Transaction. Published by the analytics stream consumer. */
export type LedgerEntryCreated = {
  source: "nyang.ledger";
  detailType: "LedgerEntryCreated";
  time: string;
  detail: { version: 1; id: string; userId: string; transaction: ReturnType<typeof presentTransaction> };
};

/**
 * A new alert, as the API presents it. Published through `alertRaiser` only (raise-alert.ts),
 * whoever raises the alert: the alerts stream consumer or the auto-charge service.
 */
export type AlertRaised = {
  source: "nyang.alerts";
  detailType: "AlertRaised";
  time: string;
  detail: { version: 1; id: string; userId: string; alert: ReturnType<typeof presentAlert> };
};

/** What the integrity event's detail holds (`detail.id` is the audit run's id). */
export type IntegrityViolationDetail = {
  version: 1;
  id: string;
  passId: string;
  startedAt: string;
  finishedAt: string;
  complete: boolean;
  accountsChecked: number;
  violations: number;
  counts: AuditReport["counts"];
  findings: Pick<IntegrityFinding, "userId" | "kind" | "severity" | "message">[];
};

/** An audit run that found violations. About the platform, not one account: no `userId`. */
export type IntegrityViolation = {
  source: "nyang.integrity";
  detailType: "IntegrityViolation";
  time: string;
  detail: IntegrityViolationDetail;
};

export type DomainEvent = LedgerEntryCreated | AlertRaised | IntegrityViolation;

/** Publishes catalogue events (the bus port, typed to the catalogue). */
export interface DomainEventPublisher {
  publish(events: readonly DomainEvent[]): Promise<void>;
}

export const ledgerEntryCreated = (entry: LedgerEntry): LedgerEntryCreated => ({
  source: "nyang.ledger",
  detailType: "LedgerEntryCreated",
  time: entry.createdAt,
  detail: { version: 1, id: entry.id, userId: entry.userId, transaction: presentTransaction(entry) },
});

/** `time` is the alert's `createdAt`: the time of what triggered it. */
export const alertRaised = (alert: Alert): AlertRaised => ({
  source: "nyang.alerts",
  detailType: "AlertRaised",
  time: alert.createdAt,
  detail: { version: 1, id: alert.id, userId: alert.userId, alert: presentAlert(alert) },
});

/** Sample of findings an event carries; the whole report is at `GET /v1/admin/health`. */
const EVENT_FINDINGS = 20;

/** The event for an audit run, or null when it found nothing that is not mere information. */
export function integrityViolation(run: AuditReport): IntegrityViolation | null {
  if (run.violations === 0) return null;
  return {
    source: "nyang.integrity",
    detailType: "IntegrityViolation",
    time: run.finishedAt,
    detail: {
      version: 1,
      id: run.id,
      passId: run.passId,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      complete: run.complete,
      accountsChecked: run.accountsChecked,
      violations: run.violations,
      counts: run.counts,
      findings: run.findings
        .filter((f) => f.severity !== "info")
        .slice(0, EVENT_FINDINGS)
        .map(({ userId, kind, severity, message }) => ({ userId, kind, severity, message })),
    },
  };
}
