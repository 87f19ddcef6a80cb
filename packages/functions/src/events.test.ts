import { type Alert, type AuditReport, type LedgerEntry } from "@nyang/core";
import { describe, expect, it } from "vitest";
import { alertRaised, integrityViolation, ledgerEntryCreated, type DomainEvent } from "./events.ts";

const at = "2026-11-25T09:00:00.000Z";

describe("the event catalogue (docs/events.md)", () => {
  it("LedgerEntryCreated: the entry as the API's Transaction, its id and account, at the entry's time", () => {
    const entry = {
      id: "tx_1", userId: "u1", seq: 2, type: "usage", amount: -300, paidAmount: 0, bonusAmount: -300,
      balanceBefore: 10000, balanceAfter: 9700, serviceType: "ai_writing", details: null, paymentMethod: null,
      paymentReference: null, adminUserId: null, reason: null, relatedTransactionId: null, quantity: 1, unitPrice: 300,
      status: "completed", createdAt: at,
    } as unknown as LedgerEntry;
    const e: DomainEvent = ledgerEntryCreated(entry);
    expect(e).toMatchObject({ source: "nyang.ledger", detailType: "LedgerEntryCreated", time: at, detail: { version: 1, id: "tx_1", userId: "u1" } });
    expect(e.detail).toMatchObject({ transaction: { id: "tx_1", amount: "-3.00", balanceAfter: "97.00", paidAmount: "0.00", bonusAmount: "-3.00", quantity: 1, unitPrice: "3.00" } });
  });

  it("AlertRaised: the alert as the API presents it, at the alert's createdAt", () => {
    const alert: Alert = { id: "alert_1", userId: "u1", type: "low_balance", severity: "warning", title: "t", message: "m", data: { balance: "15.00" }, read: false, readAt: null, createdAt: at };
    expect(alertRaised(alert)).toEqual({
      source: "nyang.alerts",
      detailType: "AlertRaised",
      time: at,
      detail: { version: 1, id: "alert_1", userId: "u1", alert: { ...alert } },
    });
  });

  it("IntegrityViolation: only for a run with violations, no userId, at most 20 findings and none informational", () => {
    const finding = (i: number, severity: "info" | "violation") => ({ userId: `u${i}`, kind: "balance_mismatch", severity, message: `m${i}` });
    const run = {
      id: "audit_1", passId: "pass_1", startedAt: at, finishedAt: "2026-11-25T09:01:00.000Z", complete: true,
      accountsChecked: 30, violations: 25, counts: { balance_mismatch: 26 },
      findings: [finding(0, "info"), ...Array.from({ length: 25 }, (_, i) => finding(i + 1, "violation"))],
    } as unknown as AuditReport;
    const e = integrityViolation(run)!;
    expect(e).toMatchObject({ source: "nyang.integrity", detailType: "IntegrityViolation", time: "2026-11-25T09:01:00.000Z", detail: { version: 1, id: "audit_1", violations: 25 } });
    expect(e.detail).not.toHaveProperty("userId");
    expect(e.detail.findings).toHaveLength(20);
    expect(e.detail.findings.every((f) => f.severity !== "info")).toBe(true);
    expect(integrityViolation({ ...run, violations: 0 })).toBeNull();
  });
});
