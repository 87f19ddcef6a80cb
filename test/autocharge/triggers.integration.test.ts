/**
 * The auto-charge trigger on the ledger stream, raced by the sweeps: the real alerts consumer
 * fed from DynamoDB Local's real stream by the local pump, the real scheduled handlers (daily
 * and hourly), and the fake Toss gateway over HTTP. The handlers' runtime works on a table of
 * this file's own, with AUTO_CHARGE_ENABLED=true and the Toss adapter pointed at the fake.
 */
import { chargeIdFor, type LedgerEntry } from "@nyang/core";
import { makeHandler as makeAlerts } from "@nyang/functions/stream/alerts";
import { streamSubscriptions } from "@nyang/functions/stream/subscriptions";
import { makeDaily, makeHourly } from "@nyang/functions/schedule/auto-charge";
import type { Runtime } from "@nyang/functions/runtime";
import { startEventBridgeSink, startFakeTossGateway, startStreamPump, fakeTossEnv, type EventBridgeSink, type FakeTossGateway, type StreamPump } from "@nyang/local";
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditOn, privateTable, testDynamoEndpoint, testRuntime, uniqueUserId } from "../support/index.ts";
import { billingChargesFor, enableAutoCharge, entriesOf, entryInsertRecord } from "./support.ts";

type Handler = (e: DynamoDBStreamEvent, c: Context) => Promise<{ batchItemFailures: unknown[] }>;

let table: string;
let fake: FakeTossGateway;
let sink: EventBridgeSink;
let pump: StreamPump;
let rt: Runtime;
let alertsHandler: Handler;
let daily: () => Promise<unknown>;
let hourly: () => Promise<unknown>;
const failedToDestination: DynamoDBRecord[] = [];

beforeAll(async () => {
  table = await privateTable("autocharge-stream");
  fake = await startFakeTossGateway();
  sink = await startEventBridgeSink({});
  rt = testRuntime({
    NYANG_TABLE: table,
    NYANG_EVENTBRIDGE_ENDPOINT: sink.endpoint,
    NYANG_EVENT_BUS: "nyang-test",
    AUTO_CHARGE_ENABLED: "true",
    ...fakeTossEnv(fake),
  });
  const schedule = { daily: makeDaily(rt), hourly: makeHourly(rt) };
  alertsHandler = makeAlerts(rt) as unknown as Handler;
  daily = () => schedule.daily({ time: new Date().toISOString() });
  hourly = () => schedule.hourly({ time: new Date().toISOString() });
  pump = await startStreamPump({
    endpoint: testDynamoEndpoint(),
    tableName: table,
    pollIntervalMs: 50,
    retryDelayMs: 10,
    log: () => undefined,
    consumers: [
      {
        name: "alerts",
        handler: alertsHandler,
        filters: streamSubscriptions.alerts.filters,
        batchSize: streamSubscriptions.alerts.batchSize,
        maximumRetryAttempts: 2,
        onFailure: (records: DynamoDBRecord[]) => void failedToDestination.push(...records),
      },
    ],
  });
});

afterAll(async () => {
  await pump?.stop();
  await sink?.close();
  await fake?.close();
});

/** An account with auto-charge on (threshold 10, amount 100 coins = 1 000 KRW) and 100 coins. */
async function armedAccount(prefix: string): Promise<string> {
  const u = uniqueUserId(prefix);
  await rt.ledger.openAccount(u);
  await enableAutoCharge(rt.autoCharge, fake, u);
  return u;
}

/** Spends 100 → 5 coins: the entry that crosses the threshold. */
const crossDown = async (u: string): Promise<LedgerEntry> =>
  (await rt.ledger.spend(u, { serviceType: "ai_writing", amount: 9500 }, { key: `cross-${u}` })).entry;

const autoChargeAlerts = async (u: string) => (await rt.alerts.list(u, { unreadOnly: false, limit: 50 })).filter((a) => a.type === "auto_charge");

async function expectChargedOnce(u: string, crossing: LedgerEntry) {
  const chargeId = chargeIdFor(u, crossing.id);
  const credits = await entriesOf(rt.store, u, "auto_charge");
  expect(credits, u).toHaveLength(1);
  expect(credits[0]).toMatchObject({
    type: "auto_charge",
    amount: 10000,
    balanceBefore: 500,
    balanceAfter: 10500,
    relatedTransactionId: crossing.id,
    details: { chargeId, amountKrw: 1000 },
  });
  // The gateway was asked once, under the crossing's first attempt, and took one payment.
  expect(billingChargesFor(fake, chargeId).map((r) => [r.idempotencyKey, r.outcome, r.replayed]), u).toEqual([[`autocharge-${chargeId}-1`, 200, false]]);
  expect([...fake.payments.values()].filter((p) => p.orderId === chargeId).map((p) => p.status)).toEqual(["DONE"]);
  const alerts = await autoChargeAlerts(u);
  expect(alerts.map((a) => a.data.event)).toEqual(["charged"]);
  expect((await auditOn(rt.store, u)).findings).toEqual([]);
  return { chargeId, credit: credits[0]!, alert: alerts[0]! };
}

describe("the stream trigger", () => {
  it("an account with holds and an order beside its entries on the byTime index: the crossing is still found and charged once", async () => {
    const u = await armedAccount("beside");
    // Holds and orders sort after entries on the index; the walk back from the newest entry must not meet them.
    await rt.ledger.reserve(u, { amount: 100, ttlSeconds: 600 }, { key: `hold-${u}` });
    await rt.purchases.create(u, "basic", { key: `order-${u}` });
    const crossing = (await rt.ledger.spend(u, { serviceType: "ai_writing", amount: 9400 }, { key: `cross-${u}` })).entry;
    await pump.drain();
    const credits = await entriesOf(rt.store, u, "auto_charge");
    expect(credits.map((e) => [e.relatedTransactionId, e.amount])).toEqual([[crossing.id, 10000]]);
  });

  it("a spend that crosses the threshold is charged right away: one auto_charge entry and a success alert", async () => {
    const u = await armedAccount("event");
    const crossing = await crossDown(u);
    await pump.drain();
    const { chargeId, alert } = await expectChargedOnce(u, crossing);
    expect(alert).toMatchObject({ severity: "info", data: { event: "charged", amount: "100.00", amountKrw: 1000, chargeId } });
    // Announced on the bus like every alert.
    const raised = sink.events.filter((e) => e.detailType === "AlertRaised" && (e.detail as { id: string }).id === alert.id);
    expect(raised).toHaveLength(1);
    // The low-balance alert of the same crossing is raised as before.
    expect((await rt.alerts.list(u, { unreadOnly: false, limit: 50 })).some((a) => a.type === "low_balance")).toBe(true);
    const account = await rt.ledger.getAccount(u);
    expect({ balance: account.balance, paidBalance: account.paidBalance, purchased: account.purchased }).toEqual({ balance: 10500, paidBalance: 10000, purchased: 10000 });
  });

  it("a spend that stays above the threshold, or an account without auto-charge, charges nothing", async () => {
    const before = fake.requests.filter((r) => r.operation === "billing_charge").length;
    const u = await armedAccount("nocross");
    await rt.ledger.spend(u, { serviceType: "ai_writing", amount: 5000 }, { key: "half" }); // 50: above 10
    const plain = uniqueUserId("plain");
    await rt.ledger.openAccount(plain);
    await crossDown(plain);
    await pump.drain();
    expect(await entriesOf(rt.store, u, "auto_charge")).toEqual([]);
    expect(await entriesOf(rt.store, plain, "auto_charge")).toEqual([]);
    expect(fake.requests.filter((r) => r.operation === "billing_charge")).toHaveLength(before);
  });
});

describe("exactly one charge per crossing, whichever triggers fire", () => {
  it("the stream record delivered twice, the daily and hourly sweeps and a direct check, all racing the event: one charge", async () => {
    const users = await Promise.all([1, 2, 3, 4].map((i) => armedAccount(`race${i}`)));
    const crossings = await Promise.all(users.map(crossDown));
    const records = await Promise.all(users.map((u, i) => entryInsertRecord(table, u, crossings[i]!.id)));
    // While the pump delivers the same records, everything else fires at once, twice over.
    const replies = await Promise.all([
      ...records.flatMap((r) => [alertsHandler({ Records: [r] }, {} as Context), alertsHandler({ Records: [r] }, {} as Context)]),
      daily(),
      hourly(),
      daily(),
      hourly(),
      ...users.map((u) => rt.autoCharge.check(u)),
    ]);
    for (const reply of replies.slice(0, records.length * 2)) expect((reply as { batchItemFailures: unknown[] }).batchItemFailures).toEqual([]);
    await pump.drain();
    for (const [i, u] of users.entries()) await expectChargedOnce(u, crossings[i]!);

    // Repeated: the same record, the sweeps and the check again, later — nothing changes.
    await Promise.all([alertsHandler({ Records: records }, {} as Context), daily(), hourly(), ...users.map((u) => rt.autoCharge.check(u))]);
    await pump.drain();
    for (const [i, u] of users.entries()) await expectChargedOnce(u, crossings[i]!);
    expect(failedToDestination).toEqual([]);
  });

  it("a batch holding the crossing twice and out of order with its own credit still charges once", async () => {
    const u = await armedAccount("batch");
    const crossing = await crossDown(u);
    await pump.drain();
    const { credit } = await expectChargedOnce(u, crossing);
    const again = await entryInsertRecord(table, u, crossing.id);
    const creditRecord = await entryInsertRecord(table, u, credit.id);
    const reply = await alertsHandler({ Records: [creditRecord, again, again] }, {} as Context);
    expect(reply.batchItemFailures).toEqual([]);
    await expectChargedOnce(u, crossing);
  });
});
