/**
 * Auto-charge on DynamoDB Local and the fake Toss gateway (over real HTTP), driven by hand:
 * no stream pump here, so a crossing is seen only by the calls a test makes, and a manual clock
 * moves leases and backoffs. What it proves: the sweeps catch what the stream missed; a crash
 * between the gateway charge and the ledger credit (or before the charge, or an answer that
 * never came) ends in exactly one charge and one credit; refused payments are alerted, retried
 * only after their backoff, and turn auto-charge off at the failure limit.
 */
import {
  AlertsStore,
  AuditStore,
  AutoCharge,
  checkAccount,
  integrityRules,
  armedCrossingId,
  AutoChargeStore,
  chargeIdFor,
  createDynamoClients,
  hmacCustomerKeys,
  isNyangError,
  loadConfig,
  TossPaymentsGateway,
  type Alert,
  type ChargeOutcome,
  type PaymentGateway,
} from "@nyang/core";
import { startFakeTossGateway, type FakeTossGateway } from "@nyang/local";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { auditOn, ledgerOn, manualClock, privateTable, uniqueUserId } from "../support/index.ts";
import { billingChargesFor, chargeThen, enableAutoCharge, entriesOf } from "./support.ts";

const HOUR = 3600_000;
const clock = manualClock(new Date("2026-11-24T00:30:00.000Z"));
let table: string;
let fake: FakeTossGateway;
let ledger: ReturnType<typeof ledgerOn>["ledger"];
let store: ReturnType<typeof ledgerOn>["store"];
let alerts: AlertsStore;
let auto: AutoCharge;
const config = loadConfig({ AUTO_CHARGE_ENABLED: "true" });

/** An AutoCharge on this file's table with the given configuration and the manual clock. */
function autoChargeWith(cfg = config, timeoutMs = 5_000, wrap: (g: PaymentGateway) => PaymentGateway = (g) => g) {
  const gateway = wrap(new TossPaymentsGateway({ baseUrl: fake.url, secretKey: fake.secretKey, timeoutMs }));
  const sink = { raise: async (a: Alert) => void (await alerts.raise(a)) };
  return new AutoCharge(ledger, store, new AutoChargeStore(createDynamoClients(process.env), table), gateway, cfg, sink, hmacCustomerKeys(() => fake.secretKey), clock);
}

beforeAll(async () => {
  table = await privateTable("autocharge");
  fake = await startFakeTossGateway();
  ({ ledger, store } = ledgerOn(table, clock));
  alerts = new AlertsStore(createDynamoClients(process.env), table);
  auto = autoChargeWith();
});
afterAll(async () => {
  await fake?.close();
});
afterEach(() => {
  fake.setMode("approve");
});

/** An account with 100 coins, auto-charge on (threshold 10, amount 100 = 1 000 KRW), then spent down to 5: a crossing. */
async function crossedAccount(prefix: string, settings: { threshold?: number; amount?: number } = {}) {
  const u = uniqueUserId(prefix);
  await ledger.openAccount(u);
  await enableAutoCharge(auto, fake, u, settings);
  const crossing = await ledger.spend(u, { serviceType: "ai_writing", amount: 9500 }, { key: "spend-down" });
  return { u, crossing: crossing.entry, chargeId: chargeIdFor(u, crossing.entry.id) };
}

const autoChargeAlerts = async (u: string) =>
  (await alerts.list(u, { unreadOnly: false, limit: 100 })).filter((a) => a.type === "auto_charge").reverse();

async function expectOneCredit(u: string, chargeId: string) {
  const credits = await entriesOf(store, u, "auto_charge");
  expect(credits).toHaveLength(1);
  expect(credits[0]).toMatchObject({ amount: 10000, paidAmount: 10000, paymentMethod: "card", details: { chargeId, orderId: chargeId, amountKrw: 1000 } });
  expect(fake.paymentByOrderId(chargeId)).toMatchObject({ status: "DONE", totalAmount: 1000, type: "BILLING" });
  expect(credits[0]!.paymentReference).toBe(fake.paymentByOrderId(chargeId)!.paymentKey);
  const { findings, account } = await auditOn(store, u);
  expect(findings).toEqual([]);
  return { credit: credits[0]!, account };
}

describe("the sweeps", () => {
  it("the daily sweep charges a crossing no trigger delivered; the hourly one only takes due records", async () => {
    const { u, crossing, chargeId } = await crossedAccount("missed");
    const hourly = await auto.sweep("due");
    expect(billingChargesFor(fake, chargeId)).toHaveLength(0);
    expect(hourly.outcomes.charged).toBe(0);
    const daily = await auto.sweep("all");
    expect(daily.outcomes.charged).toBeGreaterThanOrEqual(1);
    const { credit, account } = await expectOneCredit(u, chargeId);
    expect(credit.relatedTransactionId).toBe(crossing.id);
    expect(account.balance).toBe(500 + 10000);
    // Again: the crossing is charged; nothing more goes to the gateway.
    await auto.sweep("all");
    await auto.sweep("due");
    expect(await auto.check(u)).toBe("none"); // back above the threshold
    expect(billingChargesFor(fake, chargeId)).toHaveLength(1);
    await expectOneCredit(u, chargeId);
  });
});

describe("a crash between the gateway and the ledger", () => {
  it("gateway approved, process died before the credit: the next sweep after the lease credits exactly once", async () => {
    const { u, chargeId } = await crossedAccount("crash");
    // Steps one and two of check(), then nothing: the process "dies" with the money taken.
    const claimed = await auto.claim(u);
    if (claimed.kind !== "go") throw new Error(`not claimed: ${claimed.outcome}`);
    const paid = await auto.pay(claimed.value);
    expect(paid).toMatchObject({ kind: "go", value: { status: "approved", orderId: chargeId } });
    expect(await entriesOf(store, u, "auto_charge")).toEqual([]);
    expect(billingChargesFor(fake, chargeId)).toHaveLength(1);

    // Within the lease the attempt is still someone's: neither a sweep nor an event touches it.
    clock.advance(60_000);
    await auto.sweep("due");
    expect(await auto.check(u)).toBe("pending");
    expect(await entriesOf(store, u, "auto_charge")).toEqual([]);

    clock.advance(config.autoCharge.leaseSeconds * 1000);
    const report = await auto.sweep("due");
    expect(report.outcomes.charged).toBeGreaterThanOrEqual(1);
    await expectOneCredit(u, chargeId);
    // The sweep asked the gateway for the order; it never charged again.
    expect(billingChargesFor(fake, chargeId)).toHaveLength(1);
    expect(fake.requests.some((r) => r.operation === "lookup" && r.path.endsWith(`/orders/${chargeId}`))).toBe(true);

    // And again, by every trigger: nothing more.
    await Promise.all([auto.sweep("due"), auto.sweep("all"), auto.check(u), auto.claim(u)]);
    expect(billingChargesFor(fake, chargeId)).toHaveLength(1);
    await expectOneCredit(u, chargeId);
    expect((await autoChargeAlerts(u)).map((a) => a.data.event)).toEqual(["charged"]);
  });

  it("claimed, process died before the gateway call: the sweep finds no payment and sends the same attempt", async () => {
    const { u, chargeId } = await crossedAccount("crash-early");
    expect((await auto.claim(u)).kind).toBe("go");
    clock.advance(config.autoCharge.leaseSeconds * 1000 + 1);
    expect((await auto.sweep("due")).outcomes.charged).toBeGreaterThanOrEqual(1);
    const charges = billingChargesFor(fake, chargeId);
    expect(charges.map((r) => r.idempotencyKey)).toEqual([`autocharge-${chargeId}-1`]);
    await expectOneCredit(u, chargeId);
  });

  it("an answer lost on the way back: the look-up finds the payment and it is credited at once", async () => {
    const { u, chargeId } = await crossedAccount("lost");
    fake.setMode("lose_response", { times: 1, operations: ["billing_charge"] });
    expect(await auto.check(u)).toBe("charged");
    expect(billingChargesFor(fake, chargeId).map((r) => r.outcome)).toEqual(["lost"]);
    await expectOneCredit(u, chargeId);
  });

  it("no answer at all: the attempt stays open until its lease runs out, then the same attempt is sent again, once", async () => {
    const quick = autoChargeWith(config, 300);
    const { u, chargeId } = await crossedAccount("silent");
    fake.setMode("timeout", { times: 1, holdMs: 1_000, operations: ["billing_charge"] });
    expect(await quick.check(u)).toBe("pending");
    expect(await entriesOf(store, u, "auto_charge")).toEqual([]);
    // The gateway drops the held request without applying it (and frees its key).
    await waitFor(() => ["timeout", "client_gone"].includes(String(billingChargesFor(fake, chargeId)[0]?.outcome)));
    clock.advance(config.autoCharge.leaseSeconds * 1000 + 1);
    expect((await quick.sweep("due")).outcomes.charged).toBeGreaterThanOrEqual(1);
    // The gateway applied nothing the first time; one payment in all, under the attempt's one key.
    const sent = billingChargesFor(fake, chargeId);
    expect(new Set(sent.map((r) => r.idempotencyKey))).toEqual(new Set([`autocharge-${chargeId}-1`]));
    expect([...fake.payments.values()].filter((p) => p.orderId === chargeId)).toHaveLength(1);
    await expectOneCredit(u, chargeId);
  });
});

describe("refused payments", () => {
  it("failure alert, retry only after the backoff, and after FAILURE_LIMIT refusals auto-charge turns itself off with an alert", async () => {
    const { u, chargeId } = await crossedAccount("declined");
    fake.setMode("decline", { operations: ["billing_charge"] });
    const t0 = clock().getTime();

    expect(await auto.check(u)).toBe("failed");
    let record = (await auto.getCharge(u, chargeId))!;
    expect(record).toMatchObject({ status: "retry_wait", attempts: 1, failureCode: "REJECT_CARD_PAYMENT" });
    expect(Date.parse(record.nextAttemptAt!)).toBe(t0 + 1 * HOUR);
    expect((await auto.getSettings(u)).consecutiveFailures).toBe(1);
    let alertsNow = await autoChargeAlerts(u);
    expect(alertsNow.map((a) => [a.data.event, a.data.attempt, a.severity])).toEqual([["payment_failed", 1, "warning"]]);
    expect(alertsNow[0]!.data).toMatchObject({ chargeId, failureCode: "REJECT_CARD_PAYMENT", nextAttemptAt: record.nextAttemptAt });

    // Not before the backoff: no trigger sends a second attempt.
    clock.set(new Date(t0 + 0.5 * HOUR));
    await auto.sweep("due");
    expect(await auto.check(u)).toBe("waiting");
    await auto.sweep("all");
    clock.set(new Date(t0 + HOUR - 1000));
    await auto.sweep("due");
    expect(billingChargesFor(fake, chargeId)).toHaveLength(1);

    // The backoff is over: attempt 2, refused; the next wait doubles.
    clock.set(new Date(t0 + HOUR + 1000));
    expect((await auto.sweep("due")).outcomes.failed).toBeGreaterThanOrEqual(1);
    record = (await auto.getCharge(u, chargeId))!;
    expect(record).toMatchObject({ status: "retry_wait", attempts: 2 });
    expect(Date.parse(record.nextAttemptAt!)).toBe(t0 + HOUR + 1000 + 2 * HOUR);
    clock.set(new Date(t0 + 2 * HOUR));
    await auto.sweep("due");
    expect(await auto.check(u)).toBe("waiting");
    expect(billingChargesFor(fake, chargeId)).toHaveLength(2);

    // Attempt 3, refused: the limit (AUTO_CHARGE_FAILURE_LIMIT, default 3). Auto-charge is off.
    clock.set(new Date(t0 + 3 * HOUR + 2000));
    expect((await auto.sweep("due")).outcomes.disabled).toBeGreaterThanOrEqual(1);
    record = (await auto.getCharge(u, chargeId))!;
    expect(record).toMatchObject({ status: "gave_up", attempts: 3, nextAttemptAt: null });
    const settings = await auto.getSettings(u);
    expect(settings).toMatchObject({ enabled: false, disabledReason: "payment_failures", consecutiveFailures: 3 });
    alertsNow = await autoChargeAlerts(u);
    expect(alertsNow.map((a) => [a.data.event, a.data.attempt])).toEqual([
      ["payment_failed", 1],
      ["payment_failed", 2],
      ["payment_failed", 3],
      ["disabled", 3],
    ]);
    expect(alertsNow.at(-1)).toMatchObject({ severity: "critical", data: { failureLimit: 3 } });
    expect(billingChargesFor(fake, chargeId).map((r) => r.idempotencyKey)).toEqual([1, 2, 3].map((n) => `autocharge-${chargeId}-${n}`));

    // Off means off: days later, every trigger leaves the card alone.
    clock.set(new Date(t0 + 48 * HOUR));
    await auto.sweep("due");
    await auto.sweep("all");
    expect(await auto.check(u)).toBe("none");
    expect(billingChargesFor(fake, chargeId)).toHaveLength(3);
    expect(await entriesOf(store, u, "auto_charge")).toEqual([]);
    expect((await auditOn(store, u)).findings).toEqual([]);
  });

  it("a refusal then an approval on the retry: credited once, the failure count back to 0", async () => {
    const { u, chargeId } = await crossedAccount("retry-ok");
    fake.setMode("decline", { times: 1, operations: ["billing_charge"] });
    expect(await auto.check(u)).toBe("failed");
    expect((await auto.getSettings(u)).consecutiveFailures).toBe(1);
    clock.advance(HOUR + 1000);
    expect((await auto.sweep("due")).outcomes.charged).toBeGreaterThanOrEqual(1);
    await expectOneCredit(u, chargeId);
    expect((await auto.getSettings(u)).consecutiveFailures).toBe(0);
    expect((await autoChargeAlerts(u)).map((a) => a.data.event)).toEqual(["payment_failed", "charged"]);
  });

  it("a retry is dropped when the balance went back above the threshold meanwhile", async () => {
    const { u, chargeId } = await crossedAccount("healed");
    fake.setMode("decline", { times: 1, operations: ["billing_charge"] });
    expect(await auto.check(u)).toBe("failed");
    await ledger.adjust(u, { amount: 5000, reason: "top-up", adminUserId: "t" }, { key: "top-up" });
    clock.advance(HOUR + 1000);
    expect((await auto.sweep("due")).outcomes.canceled).toBeGreaterThanOrEqual(1);
    expect((await auto.getCharge(u, chargeId))!.status).toBe("canceled");
    expect(billingChargesFor(fake, chargeId)).toHaveLength(1);
    expect(await entriesOf(store, u, "auto_charge")).toEqual([]);
  });
});

describe("what a crossing is", () => {
  it("turned on while already at or below the threshold: the arming is the crossing, charged at once", async () => {
    const u = uniqueUserId("armed");
    await ledger.openAccount(u);
    await ledger.spend(u, { serviceType: "ai_writing", amount: 9500 }, { key: "low" });
    await enableAutoCharge(auto, fake, u);
    const credits = await entriesOf(store, u, "auto_charge");
    expect(credits).toHaveLength(1);
    expect(credits[0]).toMatchObject({ balanceBefore: 500, balanceAfter: 10500, relatedTransactionId: null });
  });

  it("a charge that leaves the balance at or below the threshold is not repeated for the same crossing", async () => {
    const u = uniqueUserId("small");
    await ledger.openAccount(u);
    // Threshold 200 coins, above the 100 the account starts with: armed low, charged 100 → 200.
    await enableAutoCharge(auto, fake, u, { threshold: 20000, amount: 10000 });
    await ledger.spend(u, { serviceType: "ai_writing", amount: 1000 }, { key: "more" });
    const outcome: ChargeOutcome = await auto.check(u);
    expect(outcome).toBe("already_charged");
    await auto.sweep("all");
    expect(await entriesOf(store, u, "auto_charge")).toHaveLength(1);
  });

  it("a new crossing after a charge is charged again, once", async () => {
    const { u, chargeId } = await crossedAccount("twice");
    expect(await auto.check(u)).toBe("charged");
    const second = await ledger.spend(u, { serviceType: "ai_writing", amount: 10000 }, { key: "again" }); // 105 → 5
    const secondId = chargeIdFor(u, second.entry.id);
    expect(secondId).not.toBe(chargeId);
    await Promise.all([auto.check(u), auto.check(u), auto.sweep("all")]);
    const credits = await entriesOf(store, u, "auto_charge");
    expect(credits.map((e) => e.details?.chargeId)).toEqual([chargeId, secondId]);
    expect(billingChargesFor(fake, secondId)).toHaveLength(1);
  });

  it("re-armed (threshold changed) while a charge is in flight: no second charge; the in-flight one settles", async () => {
    const { u, chargeId } = await crossedAccount("rearm-inflight");
    const claimed = await auto.claim(u);
    if (claimed.kind !== "go") throw new Error("not claimed");
    // The threshold moves while the card is being charged: the arming is a new crossing, but it waits.
    const rearmed = await auto.updateSettings(u, { enabled: true, threshold: 2000 });
    const armedId = chargeIdFor(u, armedCrossingId(rearmed.armedRevision));
    expect(await auto.getCharge(u, armedId)).toBeNull();
    expect(billingChargesFor(fake, armedId)).toEqual([]);
    const paid = await auto.pay(claimed.value);
    if (paid.kind !== "go") throw new Error("not paid");
    expect(await auto.settle(claimed.value.record, paid.value)).toBe("charged");
    expect(await auto.check(u)).toBe("none"); // 105 > 20
    await auto.sweep("all");
    const credits = await entriesOf(store, u, "auto_charge");
    expect(credits.map((e) => e.details?.chargeId)).toEqual([chargeId]);
    expect(billingChargesFor(fake, chargeId)).toHaveLength(1);
    expect(billingChargesFor(fake, armedId)).toEqual([]);
  });

  it("re-armed while a refused charge waits for its retry: the waiting one is superseded, the new crossing charged once", async () => {
    const { u, chargeId } = await crossedAccount("rearm-waiting");
    fake.setMode("decline", { times: 1, operations: ["billing_charge"] });
    expect(await auto.check(u)).toBe("failed");
    await auto.updateSettings(u, { enabled: true, threshold: 2000 });
    expect((await auto.getCharge(u, chargeId))!.status).toBe("canceled");
    const credits = await entriesOf(store, u, "auto_charge");
    expect(credits).toHaveLength(1);
    expect(credits[0]!.details?.chargeId).not.toBe(chargeId);
    clock.advance(2 * HOUR);
    await auto.sweep("due");
    await auto.sweep("all");
    expect(await entriesOf(store, u, "auto_charge")).toHaveLength(1);
    expect(billingChargesFor(fake, chargeId)).toHaveLength(1);
  });

  it("with the global switch off nothing is charged and turning it on is refused", async () => {
    const off = autoChargeWith(loadConfig({ AUTO_CHARGE_ENABLED: "false" }));
    const { u, crossing, chargeId } = await crossedAccount("global-off");
    expect(await off.onEntry(crossing)).toBe("none");
    expect(await off.check(u)).toBe("none");
    expect((await off.sweep("all")).accounts).toBe(0);
    expect(billingChargesFor(fake, chargeId)).toHaveLength(0);
    const refused = await off.updateSettings(u, { enabled: true }).catch((e: unknown) => e);
    expect(isNyangError(refused, "auto_charge_unavailable")).toBe(true);
  });
});

/**
 * MAX_COIN_AMOUNT (100,000 coins = 10,000,000 minor units) holds for auto-charges too: settings
 * whose charge at the threshold would pass it are refused; a charge that would pass it as the
 * account stands is skipped before the card is charged (alerted, not a card failure); a charge
 * approved while another credit used up the room is cancelled at the gateway, never credited.
 */
describe("the balance limit", () => {
  const MAX = 10_000_000;

  /** A gateway whose billing charge is followed, before Nyang credits it, by another credit to the account. */
  const creditAfterCharge = (u: () => string, amount: number) => (g: PaymentGateway): PaymentGateway =>
    chargeThen(g, (orderId) => ledger.charge(u(), { amount, type: "purchase", paymentMethod: "bank" }, { key: `race-${orderId}` }));

  /** A crossed account whose card charge is followed by a 99,955-coin credit before Nyang credits it. */
  async function racedAccount(prefix: string) {
    let user = "";
    const raced = autoChargeWith(config, 5_000, creditAfterCharge(() => user, 9_995_000));
    const crossed = await crossedAccount(prefix);
    user = crossed.u;
    return { raced, ...crossed };
  }

  it("settings whose charge at the threshold would pass MAX_COIN_AMOUNT are refused (422 balance_limit_exceeded) and nothing is saved", async () => {
    const u = uniqueUserId("limit-settings");
    await ledger.openAccount(u);
    const authKey = fake.authorizeBilling({ customerKey: auto.customerKeyOf(u) });
    const refused = await auto.updateSettings(u, { enabled: true, authKey, threshold: 5_000_000, amount: 5_000_100 }).catch((e: unknown) => e);
    expect(isNyangError(refused, "balance_limit_exceeded")).toBe(true);
    expect((refused as { message: string }).message).toContain("threshold + amount must not exceed MAX_COIN_AMOUNT");
    expect((refused as { details: Record<string, string> }).details).toMatchObject({ max: "100000.00", balanceAfter: "100001.00" });
    expect(await auto.getSettings(u)).toMatchObject({ enabled: false, billing: null, revision: 0 });
    // Turning it off is never refused, whatever the values; exactly at the limit is fine.
    expect(await auto.updateSettings(u, { enabled: false, threshold: 5_000_000, amount: 5_000_100 })).toMatchObject({ enabled: false });
    const ok = await enableAutoCharge(auto, fake, u, { threshold: 5_000_000, amount: 5_000_000 });
    expect(ok).toMatchObject({ enabled: true, threshold: 5_000_000, amount: 5_000_000 });
  });

  it("a charge that would pass the limit as the account stands is skipped before the card is charged: alerted once, not a card failure", async () => {
    // Settings saved under a higher limit than the one in force now (MAX_COIN_AMOUNT lowered to 100 coins).
    const lowered = autoChargeWith(loadConfig({ AUTO_CHARGE_ENABLED: "true", MAX_COIN_AMOUNT: "100" }));
    const { u, chargeId } = await crossedAccount("limit-skip");
    expect(await lowered.check(u)).toBe("none");
    expect(billingChargesFor(fake, chargeId)).toHaveLength(0);
    expect(await lowered.getCharge(u, chargeId)).toMatchObject({ status: "canceled", failureCode: "BALANCE_LIMIT_EXCEEDED", paymentKey: null });
    expect((await lowered.getSettings(u)).consecutiveFailures).toBe(0);
    // Every later look at the same crossing: no charge, no second alert.
    expect(await lowered.check(u)).toBe("none");
    await lowered.sweep("all");
    expect(billingChargesFor(fake, chargeId)).toHaveLength(0);
    const raised = await autoChargeAlerts(u);
    expect(raised.map((a) => [a.data.event, a.severity])).toEqual([["skipped_over_limit", "warning"]]);
    expect(raised[0]!.message).toContain("Nothing was charged");
    expect(await entriesOf(store, u, "auto_charge")).toEqual([]);
  });

  it("a credit that lands between the card charge and the credit: the payment is cancelled at the gateway, no coins, alerted", async () => {
    const { raced, u, chargeId } = await racedAccount("limit-race");
    expect(await raced.check(u)).toBe("canceled");
    expect(await raced.getCharge(u, chargeId)).toMatchObject({ status: "refunded", failureCode: "BALANCE_LIMIT_EXCEEDED", transactionId: null });
    expect(fake.paymentByOrderId(chargeId)).toMatchObject({ status: "CANCELED", balanceAmount: 0 });
    expect(await entriesOf(store, u, "auto_charge")).toEqual([]);
    expect((await raced.getSettings(u)).consecutiveFailures).toBe(0);
    const { findings, account } = await auditOn(store, u);
    expect(findings).toEqual([]);
    expect(account.balance).toBe(9_995_500);
    expect(account.balance).toBeLessThanOrEqual(MAX);
    // Looked at again (a sweep, another trigger): nothing more moves, one alert.
    expect(await raced.check(u)).toBe("none");
    await raced.sweep("all");
    expect(billingChargesFor(fake, chargeId)).toHaveLength(1);
    expect((await autoChargeAlerts(u)).map((a) => a.data.event)).toEqual(["refunded_over_limit"]);
  });

  it("the refund's answer is lost: the record waits in refund_pending and the sweep after its lease finishes the refund, once", async () => {
    const { raced, u, chargeId } = await racedAccount("limit-lost");
    fake.setMode("lose_response", { times: 1, operations: ["cancel"] });
    expect(await raced.check(u)).toBe("pending");
    expect(await raced.getCharge(u, chargeId)).toMatchObject({ status: "refund_pending", failureCode: "BALANCE_LIMIT_EXCEEDED" });
    expect(await entriesOf(store, u, "auto_charge")).toEqual([]);
    // Within the lease nothing is resent; the account has no crossing any more (the other credit lifted it).
    expect(await raced.advance((await raced.getCharge(u, chargeId))!)).toBe("pending");
    expect(await raced.check(u)).toBe("none");
    clock.advance(config.autoCharge.leaseSeconds * 1000 + 1000);
    const [a, b] = await Promise.all([raced.sweep("due"), raced.sweep("due")]);
    expect(a.outcomes.canceled + b.outcomes.canceled).toBeGreaterThanOrEqual(1);
    expect(await raced.getCharge(u, chargeId)).toMatchObject({ status: "refunded" });
    expect(fake.paymentByOrderId(chargeId)).toMatchObject({ status: "CANCELED", balanceAmount: 0 });
    expect(fake.paymentByOrderId(chargeId)!.cancels).toHaveLength(1);
    expect((await autoChargeAlerts(u)).map((a) => a.data.event)).toEqual(["refunded_over_limit"]);
    expect((await auditOn(store, u)).findings).toEqual([]);
  });

  it("a refund the gateway refuses waits in refund_pending for an operator, never as coins, and the integrity audit reports it", async () => {
    const { raced, u, chargeId } = await racedAccount("limit-refused");
    fake.setMode("decline", { times: 1, operations: ["cancel"] });
    expect(await raced.check(u)).toBe("pending");
    const record = (await raced.getCharge(u, chargeId))!;
    expect(record).toMatchObject({ status: "refund_pending", leaseUntil: null, failureCode: "BALANCE_LIMIT_EXCEEDED" });
    expect(record.failureMessage).toContain("NOT_CANCELABLE_PAYMENT");
    expect(fake.paymentByOrderId(chargeId)?.status).toBe("DONE");
    expect(await entriesOf(store, u, "auto_charge")).toEqual([]);
    // Off the sweeps' queue: not resent blindly.
    clock.advance(config.autoCharge.leaseSeconds * 1000 + 1000);
    await raced.sweep("due");
    expect(fake.requests.filter((r) => r.operation === "cancel" && r.idempotencyKey?.startsWith(`autocharge-refund-${chargeId}-`))).toHaveLength(1);
    const read = await new AuditStore(createDynamoClients(process.env), table).readAccount(u, clock().toISOString());
    const findings = checkAccount(read.items!, clock(), integrityRules(config));
    expect(findings.map((f) => [f.kind, f.severity])).toEqual([["unsettled_charge", "warning"]]);
    expect(findings[0]!.message).toContain(chargeId);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
