import { contributionOf, dayOf, isNyangError, type Counters, type LedgerEntry } from "@nyang/core";
import { accountAnalyticsSchema } from "@nyang/functions/http/insight-schemas";
import { makeHandler as makeAlerts } from "@nyang/functions/stream/alerts";
import { makeHandler as makeAnalytics } from "@nyang/functions/stream/analytics";
import { streamSubscriptions } from "@nyang/functions/stream/subscriptions";
import type { Runtime } from "@nyang/functions/runtime";
import { startEventBridgeSink, startStreamPump, type EventBridgeSink, type StreamPump } from "@nyang/local";
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminToken, auditOn, callApi, ledgerOn, manualClock, privateTable, testDynamoEndpoint, testRuntime, tokenFor, uniqueUserId as newUserId, useApiEnv } from "../support/index.ts";

/**
 * The stream consumers (alerts, analytics) fed by DynamoDB Local's real stream through
 * the local stream pump, with the same filters, batch sizes and partial-failure
 * semantics Lambda uses, publishing to the local EventBridge stand-in. The file works on
 * a table of its own: the handlers are made over a runtime of that table.
 */
let table: string;
let sink: EventBridgeSink;
let pump: StreamPump;
type Handler = (e: DynamoDBStreamEvent, c: Context) => Promise<unknown>;
let handlers: { alerts: Handler; analytics: Handler };
const delivered: DynamoDBRecord[] = [];
const failedToDestination: DynamoDBRecord[] = [];
const clock = manualClock(new Date("2026-11-02T03:00:00.000Z"));
let ledger: ReturnType<typeof ledgerOn>["ledger"];
let store: ReturnType<typeof ledgerOn>["store"];
let aggregates: import("@nyang/core").AggregatesStore;
let runtime: Runtime;

beforeAll(async () => {
  table = await privateTable("streams");
  sink = await startEventBridgeSink({});
  const vars = { NYANG_TABLE: table, NYANG_EVENTBRIDGE_ENDPOINT: sink.endpoint, NYANG_EVENT_BUS: "nyang-test" };
  runtime = testRuntime(vars);
  useApiEnv(vars);
  handlers = { alerts: makeAlerts(runtime) as Handler, analytics: makeAnalytics(runtime) as Handler };
  aggregates = runtime.aggregates;
  ({ ledger, store } = ledgerOn(table, clock));
  const recording = (h: Handler): Handler => async (e, c) => {
    delivered.push(...e.Records);
    return h(e, c);
  };
  pump = await startStreamPump({
    endpoint: testDynamoEndpoint(),
    tableName: table,
    pollIntervalMs: 50,
    retryDelayMs: 10,
    log: () => undefined,
    consumers: (["analytics", "alerts"] as const).map((name) => ({
      name,
      handler: recording(handlers[name]),
      filters: streamSubscriptions[name].filters,
      batchSize: streamSubscriptions[name].batchSize,
      maximumRetryAttempts: 2,
      onFailure: (records: DynamoDBRecord[]) => void failedToDestination.push(...records),
    })),
  });
});

afterAll(async () => {
  await pump?.stop();
  await sink?.close();
});

const at = (iso: string) => clock.set(new Date(iso));
/** Every account this file opens: the admin figures below are checked against all of them. */
const everyone: string[] = [];
const uniqueUserId = (prefix: string) => {
  const u = newUserId(prefix);
  everyone.push(u);
  return u;
};
const alertsOf = (userId: string) => runtime.alerts.list(userId, { unreadOnly: false, limit: 100 });
const spend = (u: string, coins: number, key: string, serviceType = "ai_writing") =>
  ledger.spend(u, { serviceType, amount: Math.round(coins * 100) }, { key });

describe("alerts from the stream", () => {
  it("low_balance: one alert per downward crossing, re-armed only after rising above the threshold", async () => {
    const u = uniqueUserId("low");
    at("2026-11-02T03:00:00.000Z");
    await ledger.openAccount(u);
    await spend(u, 75, "s1"); // 25.00: above 20
    await spend(u, 6, "s2"); // 19.00: crossed
    await spend(u, 9, "s3"); // 10.00: still below, no new alert
    await ledger.adjust(u, { amount: 5000, reason: "top up", adminUserId: "t" }, { key: "a1" }); // 60.00: re-armed
    await spend(u, 45, "s4"); // 15.00: crossed again
    await pump.drain();
    const alerts = (await alertsOf(u)).filter((a) => a.type === "low_balance");
    expect(alerts.map((a) => a.data.balance).sort()).toEqual(["15.00", "19.00"]);
    const events = sink.events.filter(
      (e) => e.detailType === "AlertRaised" && (e.detail as { userId: string; alert: { type: string } }).userId === u && (e.detail as { alert: { type: string } }).alert.type === "low_balance",
    );
    expect(new Set(events.map((e) => (e.detail as { id: string }).id)).size).toBe(2);
  });

  it("high_usage: once per account and day when the day's usage reaches the threshold", async () => {
    const u = uniqueUserId("high");
    at("2026-11-03T01:00:00.000Z");
    await ledger.openAccount(u);
    await ledger.adjust(u, { amount: 100000, reason: "funds", adminUserId: "t" }, { key: "fund" });
    const spends = [];
    for (let i = 0; i < 6; i++) {
      at(`2026-11-03T01:0${i}:17.${i}00Z`);
      spends.push(await spend(u, 20, `d1-${i}`)); // 120 in one day: crosses at the 5th
    }
    at("2026-11-04T01:00:00.000Z");
    await spend(u, 99, "d2"); // next day, below
    await pump.drain();
    const high = (await alertsOf(u)).filter((a) => a.type === "high_usage");
    expect(high).toHaveLength(1);
    expect(high[0]!.data).toMatchObject({ day: "2026-11-03", usage: "100.00" });
    // Stamped with the spend that crossed (not the stream record's time, in whole seconds, later).
    expect(high[0]!.createdAt).toBe(spends[4]!.entry.createdAt);
  });

  it("unusual_activity: a day far above the account's own baseline, once", async () => {
    const u = uniqueUserId("odd");
    at("2026-10-10T01:00:00.000Z");
    await ledger.openAccount(u);
    await ledger.adjust(u, { amount: 1000000, reason: "funds", adminUserId: "t" }, { key: "fund" });
    for (let d = 0; d < 14; d++) {
      at(`2026-10-${String(11 + d).padStart(2, "0")}T02:00:00.000Z`);
      await spend(u, 10, `base-${d}`); // baseline: 10 a day
    }
    const today = [];
    for (let i = 0; i < 5; i++) {
      at(`2026-10-25T02:0${i}:42.${i}50Z`);
      today.push(await spend(u, 10, `today-${i}`)); // 50: 5× baseline
    }
    await spend(u, 60, "today-big"); // 110: a later checkpoint, no second alert
    await pump.drain();
    const odd = (await alertsOf(u)).filter((a) => a.type === "unusual_activity");
    expect(odd).toHaveLength(1);
    expect(odd[0]!.data).toMatchObject({ day: "2026-10-25", baselineDaily: "10.00", multiplier: 5 });
    expect(odd[0]!.createdAt).toBe(today[4]!.entry.createdAt);
  });
});

describe("analytics from the stream", () => {
  it("every ledger entry is published once as LedgerEntryCreated with the API's transaction shape", async () => {
    const u = uniqueUserId("evt");
    at("2026-11-05T01:00:00.000Z");
    await ledger.openAccount(u);
    const s = await spend(u, 3, "e1");
    await pump.drain();
    const mine = sink.events.filter((e) => e.detailType === "LedgerEntryCreated" && (e.detail as { userId: string }).userId === u);
    expect(mine.map((e) => (e.detail as { transaction: { seq: number } }).transaction.seq).sort()).toEqual([1, 2]);
    const spent = mine.find((e) => (e.detail as { id: string }).id === s.entry.id)!;
    expect(spent.source).toBe("nyang.ledger");
    expect(spent.eventBusName).toBe("nyang-test");
    expect((spent.detail as { transaction: object }).transaction).toMatchObject({ type: "usage", amount: "-3.00", balanceAfter: "97.00", serviceType: "ai_writing" });
  });

  it("the same batches delivered again, and out of order across accounts, change nothing", async () => {
    const users = [uniqueUserId("redo"), uniqueUserId("redo")];
    at("2026-11-06T01:00:00.000Z");
    for (const u of users) {
      await ledger.openAccount(u);
      for (let i = 0; i < 5; i++) await spend(u, 1 + i, `r${i}`, i % 2 ? "keyword_analysis" : "image_generation_pro");
      await ledger.adjust(u, { amount: -8000, reason: "drain", adminUserId: "t" }, { key: "drain" }); // 85.00 → 5.00: a low balance crossing
    }
    await pump.drain();
    const snapshot = async () => ({
      days: await Promise.all(users.map((u) => aggregates.accountDays(u, "2026-11-06", "2026-11-06"))),
      platform: await aggregates.platformDays("2026-11-06", "2026-11-06"),
      alerts: await Promise.all(users.map(alertsOf)),
    });
    const before = await snapshot();
    const mine = delivered.filter((r) => users.some((u) => JSON.stringify(r.dynamodb?.Keys).includes(u)));
    expect(mine.length).toBeGreaterThan(10);
    // Again, in the order delivered; then reversed, which interleaves the two accounts backwards.
    for (const records of [mine, [...mine].reverse()]) {
      for (const name of ["analytics", "alerts"] as const) {
        const reply = (await handlers[name]({ Records: records }, {} as Context)) as { batchItemFailures: unknown[] };
        expect(reply.batchItemFailures).toEqual([]);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it("an account's day remembers what it counted in a few runs of seqs: late, out-of-order and redelivered records count once, and the gaps close", async () => {
    const u = uniqueUserId("runs");
    at("2026-11-06T05:00:00.000Z");
    await ledger.openAccount(u);
    for (let i = 0; i < 9; i++) await spend(u, 1, `run${i}`);
    await pump.drain();
    const { DeleteCommand, GetCommand, PutCommand } = await import("@aws-sdk/lib-dynamodb");
    const { createDynamoClients } = await import("@nyang/core");
    const doc = createDynamoClients(process.env).doc;
    const dayKey = { pk: `ACCT#${u}`, sk: "DAY#2026-11-06" };
    const settled = (await doc.send(new GetCommand({ TableName: table, Key: dayKey, ConsistentRead: true }))).Item!;
    // Every entry counted in order: one run from the signup grant (seq 1) to the last spend (seq 10).
    expect(settled.counted).toEqual([1, 10]);
    expect(settled.countedEntries).toBe(10);
    expect(settled.seqs).toBeUndefined();
    const bySeq = new Map(
      delivered
        .filter((r) => r.eventName === "INSERT" && r.dynamodb?.NewImage?.kind?.S === "entry" && r.dynamodb.NewImage.userId?.S === u)
        .map((r) => [Number(r.dynamodb!.NewImage!.seq!.N), r]),
    );
    expect([...bySeq.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const deliver = async (...seqs: number[]) => {
      const reply = (await handlers.analytics({ Records: seqs.map((s) => bySeq.get(s)!) }, {} as Context)) as { batchItemFailures: unknown[] };
      expect(reply.batchItemFailures).toEqual([]);
      return (await doc.send(new GetCommand({ TableName: table, Key: dayKey, ConsistentRead: true }))).Item!;
    };
    // The platform's day moves with the account's: put it back afterwards, the admin figures below check it.
    const platformKeys = Array.from({ length: 8 }, (_, shard) => ({ pk: `PLATFORM#2026-11#${shard}`, sk: "DAY#2026-11-06" }));
    const platform = await Promise.all(platformKeys.map(async (Key) => (await doc.send(new GetCommand({ TableName: table, Key, ConsistentRead: true }))).Item));
    // The same real records again, starting from nothing: late ones first, with gaps.
    await doc.send(new DeleteCommand({ TableName: table, Key: dayKey }));
    let day = await deliver(7, 3, 9);
    expect(day.counted).toEqual([3, 3, 7, 7, 9, 9]);
    expect(day.usageCount).toBe(3);
    day = await deliver(3, 9, 8, 7, 8); // redelivered, and one gap closed
    expect(day.counted).toEqual([3, 3, 7, 9]);
    expect(day.usageCount).toBe(4);
    day = await deliver(10, 6, 5, 4, 2, 1, 1, 10);
    expect(day.counted).toEqual([1, 10]);
    expect(day.countedEntries).toBe(10);
    day = await deliver(...[...bySeq.keys()].reverse());
    const counters = (i: Record<string, unknown>) => Object.fromEntries(Object.entries(i).filter(([k]) => k.endsWith("Coins") || k.endsWith("Count") || k.startsWith("svc_")));
    expect(counters(day)).toEqual(counters(settled));
    expect(day.counted).toEqual([1, 10]);

    // A day item an older version wrote (a set of every counted seq) converts on its next write, counting nothing twice.
    const { counted: _c, countedEntries: _n, ...rest } = settled;
    const legacySet = new Set([1, 2, 3, 4, 5, 6, 7, 8]);
    const partial = { ...rest, seqs: legacySet, usageCount: 7, usageCoins: 700, svc_ai_writing_count: 7, svc_ai_writing_coins: 700 };
    await doc.send(new PutCommand({ TableName: table, Item: partial }));
    day = await deliver(5, 9, 10, 1);
    expect(day.seqs).toBeUndefined();
    expect(day.counted).toEqual([1, 10]);
    expect(counters(day)).toEqual(counters(settled));
    for (const item of platform) if (item) await doc.send(new PutCommand({ TableName: table, Item: item }));
  });

  it("a poison record is set aside and does not block the others", async () => {
    // Not in `everyone`: its ledger holds an item no audit could read.
    const u = newUserId("poison");
    at("2026-11-07T01:00:00.000Z");
    await ledger.openAccount(u);
    // An entry item no code would write: its amount is not a number.
    const { PutCommand } = await import("@aws-sdk/lib-dynamodb");
    const { createDynamoClients } = await import("@nyang/core");
    await createDynamoClients(process.env).doc.send(
      new PutCommand({ TableName: table, Item: { pk: `ACCT#${u}`, sk: "REC#poisonpoisonpoisonpoison00", kind: "entry", id: "tx_poison", userId: u, seq: 99, type: "usage", amount: "NaN", createdAt: "not a time" } }),
    );
    await spend(u, 2, "after-poison");
    await pump.drain();
    expect(failedToDestination.some((r) => JSON.stringify(r.dynamodb?.NewImage).includes("tx_poison"))).toBe(true);
    const day = await aggregates.accountDays(u, "2026-11-07", "2026-11-07");
    expect(day[0]?.counters.usageCoins).toBe(200);
    // Clean up the item no code would write, so the admin figures below can audit this account too.
    const { DeleteCommand } = await import("@aws-sdk/lib-dynamodb");
    await createDynamoClients(process.env).doc.send(new DeleteCommand({ TableName: table, Key: { pk: `ACCT#${u}`, sk: "REC#poisonpoisonpoisonpoison00" } }));
    everyone.push(u);
  });

  it("a generated month of mixed activity: every figure equals a direct computation over the ledger", async () => {
    const rnd = mulberry32(42);
    const services = ["ai_writing", "image_generation_dev", "image_generation_pro", "image_generation_max", "keyword_analysis", "smart_place_ranking"];
    const users = Array.from({ length: 120 }, (_, i) => uniqueUserId(`month${i}`));
    at("2026-09-01T00:30:00.000Z");
    await runAll(users, 8, async (u) => {
      await ledger.openAccount(u);
      await ledger.charge(u, { amount: 500000, type: "purchase", paymentMethod: "card" }, { key: "seed" });
    });
    // 30 days, a few operations a day for a random subset of accounts.
    for (let d = 1; d <= 30; d++) {
      const day = `2026-09-${String(d).padStart(2, "0")}`;
      const todays = users.filter(() => rnd() < 0.25);
      await runAll(todays, 8, async (u) => {
        const ops = 1 + Math.floor(rnd() * 3);
        for (let k = 0; k < ops; k++) {
          at(`${day}T0${1 + k}:${String(Math.floor(rnd() * 59)).padStart(2, "0")}:00.000Z`);
          const roll = rnd();
          if (roll < 0.75) {
            await ledger.spend(u, { serviceType: services[Math.floor(rnd() * services.length)]! }, { key: `${day}-${k}` });
          } else if (roll < 0.9) {
            const s = await ledger.spend(u, { serviceType: "ai_writing" }, { key: `${day}-${k}-r` });
            await ledger.refund(u, { transactionId: s.entry.id, amount: 100, reason: "partial" }, { key: `${day}-${k}-refund` });
          } else {
            await ledger.charge(u, { amount: 100000, type: "purchase", paymentMethod: "card" }, { key: `${day}-${k}-c` });
          }
        }
      });
    }
    await pump.drain({ timeoutMs: 120_000 });

    // Direct computation: every entry of these accounts, read from the ledger itself.
    const ledgers = await Promise.all(users.map((u) => auditOn(store, u)));
    const perAccountDay = new Map<string, Counters>();
    const platform = new Map<string, Counters>();
    const active = new Map<string, Set<string>>();
    for (const { entries, findings } of ledgers) {
      expect(findings).toEqual([]);
      for (const e of entries as LedgerEntry[]) {
        const c = contributionOf(e, 9);
        add(perAccountDay, `${e.userId}|${c.day}`, c.counters);
        add(platform, c.day, c.counters);
        if (c.isUsage) active.set(c.day, (active.get(c.day) ?? new Set()).add(e.userId));
      }
    }
    for (const u of users) {
      for (const figures of await aggregates.accountDays(u, "2026-08-31", "2026-10-01")) {
        expect(figures.counters, `${u} ${figures.day}`).toEqual(perAccountDay.get(`${u}|${figures.day}`));
      }
    }
    // The platform figures include other tests' accounts on this table: compare September only, where only these exist.
    const platformDays = await aggregates.platformDays("2026-09-01", "2026-09-30");
    for (const d of platformDays) {
      const { activeAccounts, ...counters } = d.counters;
      expect(counters, d.day).toEqual(platform.get(d.day));
      expect(activeAccounts ?? 0, d.day).toBe(active.get(d.day)?.size ?? 0);
      const listed = await aggregates.activeAccounts(d.day);
      expect(listed.map((r) => r.userId).sort()).toEqual([...(active.get(d.day) ?? [])].sort());
    }
    expect(platformDays.map((d) => d.day)).toEqual([...platform.keys()].filter((k) => k.startsWith("2026-09")).sort());
    expect(dayOf("2026-09-30T15:00:00.000Z", 9)).toBe("2026-10-01");
  }, 240_000);
});

describe("analytics routes (Lambda event path) on the stream-fed aggregates", () => {
  it("alerts: list, unread filter, mark read (idempotent)", async () => {
    const u = uniqueUserId("alert-api");
    at("2026-11-08T01:00:00.000Z");
    await ledger.openAccount(u);
    await spend(u, 85, "x");
    await pump.drain();
    const token = await tokenFor(u);
    const list = await callApi("GET", "/v1/accounts/me/alerts", { token });
    expect(list.status).toBe(200);
    expect(list.body.alerts).toHaveLength(1);
    expect(list.body.alerts[0]).toMatchObject({ type: "low_balance", read: false, readAt: null });
    const id = list.body.alerts[0].id;
    const read = await callApi("POST", `/v1/accounts/me/alerts/${id}/read`, { token });
    expect(read.body.alert).toMatchObject({ id, read: true });
    const again = await callApi("POST", `/v1/accounts/me/alerts/${id}/read`, { token });
    expect(again.body.alert.readAt).toBe(read.body.alert.readAt);
    expect((await callApi("GET", "/v1/accounts/me/alerts?unread=true", { token })).body.alerts).toEqual([]);
    const missing = await callApi("POST", `/v1/accounts/me/alerts/alert_0000000000000aaaaaaaaaaaaaaaa/read`, { token });
    expect([missing.status, missing.body.error.code]).toEqual([404, "alert_not_found"]);
    expect((await callApi("GET", `/v1/accounts/${u}/alerts`, { token: await tokenFor("intruder") })).status).toBe(403);
  });

  it("daily usage per service, every day listed, today included", async () => {
    const u = uniqueUserId("daily-api");
    at(new Date(Date.now() - 86_400_000).toISOString());
    await ledger.openAccount(u);
    await spend(u, 3, "y1", "ai_writing");
    at(new Date().toISOString());
    await spend(u, 1.3, "t1", "image_generation_pro");
    await spend(u, 1.3, "t2", "image_generation_pro");
    await pump.drain();
    const r = await callApi("GET", "/v1/accounts/me/usage/daily?days=3", { token: await tokenFor(u) });
    expect(r.status).toBe(200);
    expect(r.body.days).toHaveLength(3);
    const [, yesterday, today] = r.body.days;
    expect(yesterday).toMatchObject({ count: 1, total: "3.00", services: [{ serviceType: "ai_writing", count: 1, total: "3.00" }] });
    expect(today).toMatchObject({ count: 2, total: "2.60", services: [{ serviceType: "image_generation_pro", count: 2, total: "2.60" }] });
    expect(today.day).toBe(dayOf(new Date(), 9));
  });

  it("usage is gross, refunded and net everywhere, each as defined, and computed from the ledger they agree (and net sums to the Account's used)", async () => {
    const u = uniqueUserId("net-api");
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    at(yesterday);
    await ledger.openAccount(u);
    const writing = await spend(u, 3, "w1", "ai_writing");
    const keyword = await spend(u, 2, "k1", "keyword_analysis");
    await ledger.refund(u, { transactionId: writing.entry.id, amount: 50, reason: "partly failed" }, { key: "r1" });
    at(new Date().toISOString());
    // Today: a refund of yesterday's usage (counted today), and a new spend.
    await ledger.refund(u, { transactionId: keyword.entry.id, reason: "failed" }, { key: "r2" });
    await spend(u, 1.3, "p1", "image_generation_pro");
    await pump.drain();

    // From the ledger itself, per business day: gross = usage and hold captures, refunded =
    // refunds of them (none of this account's refunds is a purchase cancel).
    const fromLedger = new Map<string, { gross: number; refunded: number }>();
    for (const e of await store.readLedger(u)) {
      const day = dayOf(e.createdAt, 9);
      const f = fromLedger.get(day) ?? { gross: 0, refunded: 0 };
      if (e.type === "usage" || e.type === "hold_capture") f.gross += -e.amount;
      if (e.type === "refund") f.refunded += e.amount;
      fromLedger.set(day, f);
    }
    const money = (minor: number) => (minor / 100).toFixed(2);
    const expected = (day: string) => {
      const f = fromLedger.get(day) ?? { gross: 0, refunded: 0 };
      return { gross: money(f.gross), refunded: money(f.refunded), net: money(f.gross - f.refunded), total: money(f.gross) };
    };
    const token = await tokenFor(u);
    const daily = (await callApi("GET", "/v1/accounts/me/usage/daily?days=2", { token })).body.days as Record<string, any>[];
    for (const d of daily) expect(d, d.day).toMatchObject(expected(d.day));
    expect(daily.map((d) => d.net)).toEqual(["4.50", "-0.70"]);
    expect(daily[0]!.services).toEqual([
      { serviceType: "ai_writing", count: 1, total: "3.00", gross: "3.00", refunded: "0.50", net: "2.50" },
      { serviceType: "keyword_analysis", count: 1, total: "2.00", gross: "2.00", refunded: "0.00", net: "2.00" },
    ]);
    expect(daily[1]!.services).toEqual([
      { serviceType: "image_generation_pro", count: 1, total: "1.30", gross: "1.30", refunded: "0.00", net: "1.30" },
      { serviceType: "keyword_analysis", count: 0, total: "0.00", gross: "0.00", refunded: "2.00", net: "-2.00" },
    ]);

    // The Account's used is the net over the account's life: the sum of the daily nets.
    const account = (await callApi("GET", "/v1/accounts/me", { token })).body.account;
    const lifeNet = [...fromLedger.values()].reduce((s, f) => s + f.gross - f.refunded, 0);
    expect(account.used).toBe(money(lifeNet));
    const analytics = (await callApi("GET", "/v1/accounts/me/analytics", { token })).body;
    const months = analytics.monthlyUsage as Record<string, string>[];
    expect(months.reduce((s, m) => s + Math.round(Number(m.net) * 100), 0)).toBe(lifeNet);
    for (const m of months) expect(Math.round(Number(m.gross) * 100) - Math.round(Number(m.refunded) * 100)).toBe(Math.round(Number(m.net) * 100));

    // Top users: this account's row shows both, and the list is ranked by net.
    const top = (await callApi("GET", "/v1/admin/analytics/top-users?period=7days", { token: await adminToken() })).body.users as Record<string, any>[];
    const mine = top.find((x) => x.userId === u)!;
    expect(mine).toMatchObject({ usageCoins: "6.30", gross: "6.30", refunded: "2.50", net: "3.80", usageCount: 3 });
    const nets = top.map((x) => Math.round(Number(x.net) * 100));
    expect(nets).toEqual([...nets].sort((a, b) => b - a));
  });

  it("account analytics: balance, monthly usage, prediction with method and confidence, runway, alerts, recommendations", async () => {
    const u = uniqueUserId("analytics-api");
    const now = Date.now();
    at(new Date(now - 29 * 86_400_000).toISOString());
    await ledger.openAccount(u);
    for (let d = 28; d >= 1; d--) {
      at(new Date(now - d * 86_400_000).toISOString());
      await spend(u, 3, `d${d}`);
    }
    await pump.drain();
    const r = await callApi("GET", "/v1/accounts/me/analytics", { token: await tokenFor(u) });
    expect(r.status).toBe(200);
    expect(r.body.balance).toBe("16.00");
    expect(r.body.monthlyUsage.reduce((s: number, m: { count: number }) => s + m.count, 0)).toBe(28);
    expect(r.body.prediction.method).toMatch(/weighted/i);
    expect(["high", "medium", "low"]).toContain(r.body.prediction.confidence);
    expect(Number(r.body.prediction.nextMonth)).toBeGreaterThanOrEqual(3 * 28);
    expect(r.body.runway).toMatchObject({ days: 5, dailyPace: "3.00" });
    expect(r.body.recentAlerts.map((a: { type: string }) => a.type)).toContain("low_balance");
    expect(r.body.recommendations.map((x: { kind: string }) => x.kind)).toEqual(expect.arrayContaining(["low_balance", "top_up"]));
    // The documented (and client-typed) shape, recommendation details included.
    const typed = accountAnalyticsSchema.parse(r.body);
    expect(typed, "every field of the reply is in the schema (and so in the client's types)").toEqual(r.body);
    expect(typed.recommendations.find((x) => x.kind === "low_balance")?.details).toEqual({ balance: "16.00", threshold: "20.00" });
  });

  it("admin revenue and top users equal a direct computation over every ledger of the table", async () => {
    await pump.drain();
    const token = await adminToken();
    const [revenue, top] = await Promise.all([
      callApi("GET", "/v1/admin/analytics/revenue?period=90days", { token }),
      callApi("GET", "/v1/admin/analytics/top-users?period=90days", { token }),
    ]);
    expect(revenue.status).toBe(200);
    const from = revenue.body.from as string;
    const to = revenue.body.to as string;
    const usage = new Map<string, { coins: number; count: number; refunded: number }>();
    let purchaseKrw = 0;
    let usageCoins = 0;
    const byService = new Map<string, { coins: number; count: number }>();
    for (const u of everyone) {
      const acct = await store.getAccount(u);
      if (!acct) continue;
      for (const e of await store.readLedger(u)) {
        const c = contributionOf(e, 9);
        if (c.day < from || c.day > to) continue;
        purchaseKrw += c.counters.purchaseKrw ?? 0;
        usageCoins += c.counters.usageCoins ?? 0;
        if (c.isUsage && e.serviceType) {
          const s = byService.get(e.serviceType) ?? { coins: 0, count: 0 };
          s.coins += c.counters.usageCoins ?? 0;
          s.count += 1;
          byService.set(e.serviceType, s);
        }
        if (e.type === "usage" || e.type === "hold_capture" || (e.type === "refund" && !e.details?.orderId)) {
          const t = usage.get(u) ?? { coins: 0, count: 0, refunded: 0 };
          if (e.type === "refund") t.refunded += e.amount;
          else {
            t.coins += -e.amount;
            t.count += 1;
          }
          usage.set(u, t);
        }
      }
    }
    expect(revenue.body.totals.usageCoins).toBe((usageCoins / 100).toFixed(2));
    expect(revenue.body.totals.purchaseKrw).toBe(purchaseKrw);
    const users = [...usage].filter(([, t]) => t.count > 0);
    expect(revenue.body.totals.activeAccounts).toBe(users.length);
    expect(revenue.body.daily).toHaveLength(90);
    expect(revenue.body.services).toEqual(
      [...byService].sort(([a], [b]) => a.localeCompare(b)).map(([serviceType, x]) => ({ serviceType, count: x.count, coins: (x.coins / 100).toFixed(2) })),
    );
    expect(byService.size).toBeGreaterThan(1);
    // Ranked by net usage (gross − refunds), then gross, then id.
    const net = (t: { coins: number; refunded: number }) => t.coins - t.refunded;
    const expected = users.sort(([ua, a], [ub, b]) => net(b) - net(a) || b.coins - a.coins || ua.localeCompare(ub)).slice(0, 50);
    expect(
      top.body.users.map((x: { userId: string; usageCoins: string; usageCount: number; refunded: string; net: string }) => [x.userId, x.usageCoins, x.usageCount, x.refunded, x.net]),
    ).toEqual(expected.map(([userId, t]) => [userId, (t.coins / 100).toFixed(2), t.count, (t.refunded / 100).toFixed(2), (net(t) / 100).toFixed(2)]));
    expect((await callApi("GET", "/v1/admin/analytics/revenue?period=1day", { token })).status).toBe(400);
    expect((await callApi("GET", "/v1/admin/analytics/top-users", { token: await tokenFor("u-not-admin") })).status).toBe(403);
  }, 120_000);
});

function add(map: Map<string, Counters>, key: string, counters: Counters) {
  const into = map.get(key) ?? {};
  for (const [k, v] of Object.entries(counters)) into[k] = (into[k] ?? 0) + v;
  map.set(key, into);
}

async function runAll<T>(items: T[], concurrency: number, f: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await f(items[next++]!);
    }),
  );
}

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

void isNyangError;
