/**
 * The auto-charge monthly cap on DynamoDB Local and the fake Toss gateway (over real HTTP),
 * driven by hand with a manual clock (no stream pump): two triggers racing for the last room
 * make one payment; a charge that closes unpaid gives its room back; a skip is alerted once a
 * month however often it happens; the next Korea-time month charges again. Also the edge races
 * of the charge record that need the gateway: a payment approved after its record was canceled
 * is found by the sweep's recheck and refunded.
 */
import {
  AlertsStore,
  AutoCharge,
  AutoChargeStore,
  chargeIdFor,
  createDynamoClients,
  hmacCustomerKeys,
  loadConfig,
  TossPaymentsGateway,
  type Alert,
  type AutoChargePort,
  type NyangConfig,
} from "@nyang/core";
import { startFakeTossGateway, type FakeTossGateway } from "@nyang/local";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { auditOn, ledgerOn, manualClock, privateTable, uniqueUserId } from "../support/index.ts";
import { billingChargesFor, enableAutoCharge, entriesOf } from "./support.ts";

const HOUR = 3600_000;
/** 23:00 on 30 November in Korea: an hour before December begins there. */
const NOV_30_2300_KST = new Date("2026-11-30T14:00:00.000Z");
const DEC_1_0000_KST = new Date("2026-11-30T15:00:00.000Z");
const clock = manualClock(NOV_30_2300_KST);
const config = loadConfig({ AUTO_CHARGE_ENABLED: "true" });
let table: string;
let fake: FakeTossGateway;
let ledger: ReturnType<typeof ledgerOn>["ledger"];
let store: ReturnType<typeof ledgerOn>["store"];
let alerts: AlertsStore;
let acStore: AutoChargeStore;
let auto: AutoCharge;

function autoChargeWith(cfg: NyangConfig = config, port: AutoChargePort = acStore) {
  const gateway = new TossPaymentsGateway({ baseUrl: fake.url, secretKey: fake.secretKey, timeoutMs: 5_000 });
  const sink = { raise: async (a: Alert) => void (await alerts.raise(a)) };
  return new AutoCharge(ledger, store, port, gateway, cfg, sink, hmacCustomerKeys(() => fake.secretKey), clock);
}

beforeAll(async () => {
  table = await privateTable("autocharge-cap");
  fake = await startFakeTossGateway();
  ({ ledger, store } = ledgerOn(table, clock));
  alerts = new AlertsStore(createDynamoClients(process.env), table);
  acStore = new AutoChargeStore(createDynamoClients(process.env), table);
  auto = autoChargeWith();
});
afterAll(async () => {
  await fake?.close();
});
afterEach(() => {
  fake.setMode("approve");
  clock.set(NOV_30_2300_KST);
});

/**
 * An account with 100 coins and auto-charge on (threshold 10 coins, 100 coins = 1 000 KRW a
 * charge) under the given monthly cap, spent down to 5 coins: a crossing.
 */
async function crossedAccount(prefix: string, monthlyCapKrw: number | null) {
  const u = uniqueUserId(prefix);
  await ledger.openAccount(u);
  await enableAutoCharge(auto, fake, u, { monthlyCapKrw });
  const crossing = await ledger.spend(u, { serviceType: "ai_writing", amount: 9500 }, { key: "spend-down" });
  return { u, chargeId: chargeIdFor(u, crossing.entry.id) };
}

/** Lifts the balance back above the threshold and spends it down again: a new crossing, its charge id. */
async function crossAgain(u: string, n: number): Promise<string> {
  await ledger.adjust(u, { amount: 10000, reason: "top-up", adminUserId: "t" }, { key: `up-${n}` });
  const balance = (await ledger.getAccount(u)).balance;
  const crossing = await ledger.spend(u, { serviceType: "ai_writing", amount: balance - 500 }, { key: `down-${n}` });
  return chargeIdFor(u, crossing.entry.id);
}

const autoChargeAlerts = async (u: string) =>
  (await alerts.list(u, { unreadOnly: false, limit: 100 })).filter((a) => a.type === "auto_charge").reverse();
const chargedKrw = async (u: string) => (await auto.monthlyCap(await auto.getSettings(u))).chargedKrw;
const paymentsOf = (...chargeIds: string[]) => chargeIds.flatMap((id) => billingChargesFor(fake, id));

/** The store, with its month-counter read held at a gate until released: lets two triggers read the same room. */
function gatedPort(real: AutoChargeStore) {
  let release!: () => void;
  let reached!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const arrived = new Promise<void>((r) => (reached = r));
  const port: AutoChargePort = {
    getSettings: (u) => real.getSettings(u),
    getCharge: (u, id) => real.getCharge(u, id),
    openCharges: (u) => real.openCharges(u),
    refundsAwaitingOperator: (u) => real.refundsAwaitingOperator(u),
    newestEntries: (u) => real.newestEntries(u),
    commit: (intents) => real.commit(intents),
    chargedKrw: async (u, m) => {
      const v = await real.chargedKrw(u, m);
      reached();
      await gate;
      return v;
    },
  };
  return { port, arrived, release };
}

describe("the monthly cap", () => {
  it("two concurrent triggers of two crossings, room for one charge: exactly one payment, the count at the cap", async () => {
    const { u, chargeId: first } = await crossedAccount("cap-race", 1000);
    // Trigger A works out the first crossing and reads the month's room (0 of 1 000 KRW), then waits.
    const a = gatedPort(acStore);
    const triggerA = autoChargeWith(config, a.port).check(u);
    await a.arrived;
    // Meanwhile the account crosses again; trigger B works out that crossing and reads the same room.
    const second = await crossAgain(u, 1);
    const b = gatedPort(acStore);
    const triggerB = autoChargeWith(config, b.port).check(u);
    await b.arrived;
    // Both write a new charge of 1 000 KRW at once: only one fits.
    a.release();
    b.release();
    const outcomes = await Promise.all([triggerA, triggerB]);
    expect(outcomes).toContain("charged");
    expect(paymentsOf(first, second)).toHaveLength(1);
    expect(await entriesOf(store, u, "auto_charge")).toHaveLength(1);
    expect(await chargedKrw(u)).toBe(1000);
    // Every later look: still one payment.
    await Promise.all([auto.sweep("all"), auto.check(u), auto.sweep("due")]);
    expect(paymentsOf(first, second)).toHaveLength(1);
    expect((await auditOn(store, u)).findings).toEqual([]);
  });

  it("without a cap every crossing is charged, and still counted (the settings show it)", async () => {
    const { u, chargeId: first } = await crossedAccount("cap-none", null);
    expect(await auto.check(u)).toBe("charged");
    const second = await crossAgain(u, 1);
    expect(await auto.check(u)).toBe("charged");
    expect(paymentsOf(first, second)).toHaveLength(2);
    expect(await chargedKrw(u)).toBe(2000);
  });

  it("a declined charge holds its room while it waits for a retry and gives it back when it gives up; the next charge fits", async () => {
    clock.set(new Date("2026-11-10T00:00:00.000Z"));
    const { u, chargeId } = await crossedAccount("cap-gave-up", 1000);
    fake.setMode("decline", { operations: ["billing_charge"] });
    expect(await auto.check(u)).toBe("failed");
    expect(await chargedKrw(u)).toBe(1000);
    clock.advance(HOUR + 1000);
    expect((await auto.sweep("due")).outcomes.failed).toBeGreaterThanOrEqual(1);
    clock.advance(2 * HOUR + 1000);
    expect((await auto.sweep("due")).outcomes.disabled).toBeGreaterThanOrEqual(1);
    expect(await auto.getCharge(u, chargeId)).toMatchObject({ status: "gave_up", capMonth: "2026-11" });
    expect(await chargedKrw(u)).toBe(0);
    // Turned on again with a card that pays: the arming is a crossing, and it fits.
    fake.setMode("approve");
    await enableAutoCharge(auto, fake, u);
    expect(await entriesOf(store, u, "auto_charge")).toHaveLength(1);
    expect(await chargedKrw(u)).toBe(1000);
  });

  it("skips past the cap without calling the gateway, one alert a month however many skips; the next Korea-time month charges again", async () => {
    const { u, chargeId: first } = await crossedAccount("cap-month", 1000);
    expect(await auto.check(u)).toBe("charged");
    expect(await chargedKrw(u)).toBe(1000);

    // November's room is used: every further crossing is skipped, no payment, not a card failure.
    const skipped: string[] = [];
    for (const n of [1, 2, 3]) {
      const id = await crossAgain(u, n);
      skipped.push(id);
      expect(await auto.check(u)).toBe("none");
      expect(await auto.getCharge(u, id)).toMatchObject({ status: "canceled", attempts: 0, failureCode: "MONTHLY_CAP_REACHED", capMonth: null });
    }
    await auto.sweep("all");
    await auto.sweep("due");
    expect(paymentsOf(...skipped)).toEqual([]);
    expect((await auto.getSettings(u)).consecutiveFailures).toBe(0);
    expect(await chargedKrw(u)).toBe(1000);
    const november = (await autoChargeAlerts(u)).filter((a) => a.data.event === "cap_reached");
    expect(november).toHaveLength(1);
    expect(november[0]).toMatchObject({ severity: "warning", data: { month: "2026-11" } });
    expect(november[0]!.message).toContain("결제되지 않았습니다");

    // 00:00 in Korea on 1 December: the daily sweep charges the crossing the cap skipped.
    clock.set(new Date(DEC_1_0000_KST.getTime() - 1));
    await auto.sweep("all");
    expect(paymentsOf(...skipped)).toEqual([]);
    clock.set(DEC_1_0000_KST);
    expect((await auto.sweep("all")).outcomes.charged).toBe(1);
    const last = skipped.at(-1)!;
    expect(await auto.getCharge(u, last)).toMatchObject({ status: "paid", capMonth: "2026-12", attempts: 1 });
    expect(paymentsOf(last)).toHaveLength(1);
    expect(await chargedKrw(u)).toBe(1000);
    expect(await acStore.chargedKrw(u, "2026-11")).toBe(1000);
    expect((await entriesOf(store, u, "auto_charge")).map((e) => e.details?.chargeId)).toEqual([first, last]);

    // December's room is used in turn: the next skip raises December's one alert.
    const december = await crossAgain(u, 4);
    expect(await auto.check(u)).toBe("none");
    await crossAgain(u, 5);
    expect(await auto.check(u)).toBe("none");
    expect(paymentsOf(december)).toEqual([]);
    const capAlerts = (await autoChargeAlerts(u)).filter((a) => a.data.event === "cap_reached");
    expect(capAlerts.map((a) => a.data.month)).toEqual(["2026-11", "2026-12"]);
    expect((await auditOn(store, u)).findings).toEqual([]);
  });

  it("a cap raised mid-month charges the crossing it skipped, at once (the save looks again)", async () => {
    const { u } = await crossedAccount("cap-raised", 1000);
    expect(await auto.check(u)).toBe("charged");
    const skipped = await crossAgain(u, 1);
    expect(await auto.check(u)).toBe("none");
    expect(paymentsOf(skipped)).toEqual([]);
    await auto.updateSettings(u, { enabled: true, monthlyCapKrw: 2000 });
    expect(await auto.getCharge(u, skipped)).toMatchObject({ status: "paid", capMonth: "2026-11" });
    expect(paymentsOf(skipped)).toHaveLength(1);
    expect(await chargedKrw(u)).toBe(2000);
    // The cap alert's id is placed at the month's first instant (one per month): it lists first.
    expect((await autoChargeAlerts(u)).map((a) => a.data.event)).toEqual(["cap_reached", "charged", "charged"]);
  });

  it("the service's default (AUTO_CHARGE_MONTHLY_CAP_KRW) applies to an account without its own; the account's own wins", async () => {
    const capped = autoChargeWith(loadConfig({ AUTO_CHARGE_ENABLED: "true", AUTO_CHARGE_MONTHLY_CAP_KRW: "500" }));
    const { u, chargeId } = await crossedAccount("cap-default", null);
    expect(await capped.check(u)).toBe("none");
    expect(await capped.getCharge(u, chargeId)).toMatchObject({ status: "canceled", failureCode: "MONTHLY_CAP_REACHED" });
    expect(await capped.monthlyCap(await capped.getSettings(u))).toEqual({ month: "2026-11", capKrw: 500, chargedKrw: 0 });
    const own = await crossedAccount("cap-own", 2000);
    expect(await capped.check(own.u)).toBe("charged");
  });
});

describe("a record canceled while its approval was in flight (race c)", () => {
  it("the sweep rechecks the gateway one lease later and refunds the payment that was approved late: no coins, no money kept", async () => {
    const { u, chargeId } = await crossedAccount("late-approval", null);
    // Worker A claims the attempt; its gateway call is slow.
    const claimed = await auto.claim(u);
    if (claimed.kind !== "go") throw new Error("not claimed");
    // Past A's lease the user turns auto-charge off and a sweep takes the attempt over: the
    // gateway knows no payment yet, so the record is canceled.
    clock.advance(config.autoCharge.leaseSeconds * 1000 + 1000);
    await auto.disable(u);
    await auto.sweep("due");
    expect(await auto.getCharge(u, chargeId)).toMatchObject({ status: "canceled", failureMessage: "turned off" });
    // A's request lands now and is approved; A stops before crediting (it would be refused anyway).
    expect(await auto.pay(claimed.value)).toMatchObject({ kind: "go", value: { status: "approved" } });
    expect(fake.paymentByOrderId(chargeId)?.status).toBe("DONE");
    // Within the recheck's lease nothing moves; after it, the sweep finds the payment and refunds it.
    await auto.sweep("due");
    expect(fake.paymentByOrderId(chargeId)?.status).toBe("DONE");
    clock.advance(config.autoCharge.leaseSeconds * 1000 + 1000);
    expect((await auto.sweep("due")).outcomes.canceled).toBe(1);
    expect(await auto.getCharge(u, chargeId)).toMatchObject({ status: "refunded", failureCode: "APPROVED_AFTER_CLOSE", transactionId: null });
    expect(fake.paymentByOrderId(chargeId)).toMatchObject({ status: "CANCELED", balanceAmount: 0 });
    expect(await entriesOf(store, u, "auto_charge")).toEqual([]);
    expect((await autoChargeAlerts(u)).map((a) => a.data.event)).toEqual(["refunded_after_cancel"]);
    expect(await chargedKrw(u)).toBe(0);
    // Off the queue now: nothing more.
    clock.advance(config.autoCharge.leaseSeconds * 1000 + 1000);
    expect((await auto.sweep("due")).records).toBe(0);
    expect(fake.paymentByOrderId(chargeId)!.cancels).toHaveLength(1);
  });

  it("the recheck finds no payment: the record closes for good, its room given back", async () => {
    const { u, chargeId } = await crossedAccount("late-none", 5000);
    const claimed = await auto.claim(u);
    if (claimed.kind !== "go") throw new Error("not claimed");
    clock.advance(config.autoCharge.leaseSeconds * 1000 + 1000);
    await auto.disable(u);
    await auto.sweep("due");
    expect(await chargedKrw(u)).toBe(1000);
    clock.advance(config.autoCharge.leaseSeconds * 1000 + 1000);
    await auto.sweep("due");
    expect(await auto.getCharge(u, chargeId)).toMatchObject({ status: "canceled", leaseUntil: null });
    expect(await chargedKrw(u)).toBe(0);
    expect(paymentsOf(chargeId).length).toBeLessThanOrEqual(1);
    expect(fake.paymentByOrderId(chargeId)).toBeUndefined();
  });
});
