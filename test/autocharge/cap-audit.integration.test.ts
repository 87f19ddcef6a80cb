/**
 * The integrity audit holds every auto-charge month counter against its charge records
 * (`cap_count_mismatch`), on DynamoDB Local with charges made through the fake Toss gateway
 * (over real HTTP) under a manual clock: after real charges — paid, skipped at the cap, declined
 * until given up, charged again the next Korea-time month — the full audit (scan and consistent
 * re-read) finds nothing; a counter moved behind its records' back, a counter with no record
 * counting in it, and records counting in a month whose counter is gone are each reported;
 * a mismatch that a second consistent read no longer finds is not.
 */
import { DeleteCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  AlertsStore,
  AuditStore,
  AutoCharge,
  AutoChargeStore,
  autoChargeMonthKey,
  createDynamoClients,
  hmacCustomerKeys,
  IntegrityMonitor,
  kinds,
  loadConfig,
  TossPaymentsGateway,
  type Alert,
  type AuditPort,
  type IntegrityFinding,
} from "@nyang/core";
import { startFakeTossGateway, type FakeTossGateway } from "@nyang/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerOn, manualClock, privateTable, uniqueUserId } from "../support/index.ts";
import { enableAutoCharge, entriesOf } from "./support.ts";

const HOUR = 3600_000;
const clock = manualClock(new Date("2026-11-10T00:00:00.000Z"));
const config = loadConfig({ AUTO_CHARGE_ENABLED: "true" });
const clients = createDynamoClients(process.env);
let table: string;
let fake: FakeTossGateway;
let ledger: ReturnType<typeof ledgerOn>["ledger"];
let store: ReturnType<typeof ledgerOn>["store"];
let auto: AutoCharge;
let monitor: IntegrityMonitor;
let auditStore: AuditStore;
/** Accounts whose records the tests below tamper with, and those they leave alone. */
const paidUser = uniqueUserId("capaudit-paid");
const gaveUpUser = uniqueUserId("capaudit-gave-up");

beforeAll(async () => {
  table = await privateTable("autocharge-cap-audit");
  fake = await startFakeTossGateway();
  ({ ledger, store } = ledgerOn(table, clock));
  const alerts = new AlertsStore(clients, table);
  const gateway = new TossPaymentsGateway({ baseUrl: fake.url, secretKey: fake.secretKey, timeoutMs: 5_000 });
  const sink = { raise: async (a: Alert) => void (await alerts.raise(a)) };
  auto = new AutoCharge(ledger, store, new AutoChargeStore(clients, table), gateway, config, sink, hmacCustomerKeys(() => fake.secretKey), clock);
  auditStore = new AuditStore(clients, table);
  monitor = IntegrityMonitor.fromConfig(auditStore, config);
});
afterAll(async () => {
  await fake?.close();
});

/** Lifts the balance back above the threshold (10 coins) and spends it down to 5 coins: a crossing. */
async function cross(u: string, n: number): Promise<void> {
  if (n > 0) await ledger.adjust(u, { amount: 10000, reason: "top-up", adminUserId: "t" }, { key: `up-${n}` });
  const balance = (await ledger.getAccount(u)).balance;
  await ledger.spend(u, { serviceType: "ai_writing", amount: balance - 500 }, { key: `down-${n}` });
}

/** The cap findings of a full audit (parallel scan, then consistent re-reads of what it suspects). */
async function capFindings(on: IntegrityMonitor = monitor): Promise<IntegrityFinding[]> {
  const report = await on.runAudit({ now: clock(), segments: 2 });
  expect(report.complete).toBe(true);
  return report.findings.filter((f) => f.kind === "cap_count_mismatch");
}

const counter = (u: string, month: string) => autoChargeMonthKey(u, month);

describe("the audit of the auto-charge month counters", () => {
  it("is clean after real charges: paid, skipped at the cap, given up, charged again the next month", async () => {
    // Cap 1 000 KRW, 1 000 KRW a charge: one crossing paid, the next skipped at the cap.
    await ledger.openAccount(paidUser);
    await enableAutoCharge(auto, fake, paidUser, { monthlyCapKrw: 1000 });
    await cross(paidUser, 0);
    expect(await auto.check(paidUser)).toBe("charged");
    await cross(paidUser, 1);
    await auto.check(paidUser);
    // A card that declines until the charge gives up: counted, then given back.
    await ledger.openAccount(gaveUpUser);
    await enableAutoCharge(auto, fake, gaveUpUser, { monthlyCapKrw: 5000 });
    fake.setMode("decline", { operations: ["billing_charge"] });
    await cross(gaveUpUser, 0);
    expect(await auto.check(gaveUpUser)).toBe("failed");
    expect((await auto.monthlyCap(await auto.getSettings(gaveUpUser))).chargedKrw).toBe(1000);
    expect(await capFindings()).toEqual([]); // counted while it waits for a retry
    clock.advance(HOUR + 1000);
    await auto.sweep("due");
    clock.advance(2 * HOUR + 1000);
    await auto.sweep("due");
    expect((await auto.monthlyCap(await auto.getSettings(gaveUpUser))).chargedKrw).toBe(0);
    fake.setMode("approve");
    // December in Korea: the skipped crossing is charged by the first look of the month.
    clock.set(new Date("2026-12-01T00:00:00.000Z"));
    await auto.sweep("all");
    const paid = await auto.monthlyCap(await auto.getSettings(paidUser));
    expect(paid).toMatchObject({ month: "2026-12", chargedKrw: 1000 });
    expect(await entriesOf(store, paidUser, "auto_charge")).toHaveLength(2);
    expect(await entriesOf(store, gaveUpUser, "auto_charge")).toHaveLength(0);
    expect(await capFindings()).toEqual([]);
  });

  it("reports a counter moved behind its records' back, a counter with no records, and records without a counter", async () => {
    const db = clients.doc;
    await db.send(new UpdateCommand({ TableName: table, Key: counter(paidUser, "2026-11"), UpdateExpression: "ADD chargedKrw :x", ExpressionAttributeValues: { ":x": 500 } }));
    await db.send(
      new PutCommand({
        TableName: table,
        Item: { ...counter(gaveUpUser, "2026-10"), kind: kinds.autoChargeMonth, userId: gaveUpUser, month: "2026-10", chargedKrw: 2000 },
      }),
    );
    await db.send(new DeleteCommand({ TableName: table, Key: counter(paidUser, "2026-12") }));
    const findings = await capFindings();
    expect(findings.map((f) => [f.userId, f.severity, f.message]).sort()).toEqual(
      [
        [paidUser, "warning", "auto-charge month 2026-11: counter holds 1500 KRW, its charge records count 1000 KRW"],
        [paidUser, "warning", "auto-charge month 2026-12: no counter, its charge records count 1000 KRW"],
        [gaveUpUser, "warning", "auto-charge month 2026-10: counter holds 2000 KRW, its charge records count 0 KRW"],
      ].sort(),
    );
  });

  it("drops a mismatch the next consistent read no longer finds (a write caught half-read), keeps one it finds again", async () => {
    // The real store, with a write landing right after the first consistent read of paidUser:
    // its November counter is put right, as the rest of a transaction caught half-read would.
    let reads = 0;
    const port: AuditPort = {
      scanSegment: (...args) => auditStore.scanSegment(...args),
      accountRevision: (u) => auditStore.accountRevision(u),
      readAccount: async (u, since) => {
        const read = await auditStore.readAccount(u, since);
        if (u === paidUser && ++reads === 1) {
          await clients.doc.send(new UpdateCommand({ TableName: table, Key: counter(paidUser, "2026-11"), UpdateExpression: "ADD chargedKrw :x", ExpressionAttributeValues: { ":x": -500 } }));
        }
        return read;
      },
    };
    const findings = await capFindings(IntegrityMonitor.fromConfig(port, config));
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(findings.map((f) => [f.userId, f.message]).sort()).toEqual(
      [
        [paidUser, "auto-charge month 2026-12: no counter, its charge records count 1000 KRW"],
        [gaveUpUser, "auto-charge month 2026-10: counter holds 2000 KRW, its charge records count 0 KRW"],
      ].sort(),
    );
  });
});
