import { describe, expect, it } from "vitest";
import type { AutoChargeSettings, ChargeRecord } from "../autocharge/model.ts";
import { loadConfig } from "../config.ts";
import type { WriteIntent } from "../intents.ts";
import { reserveRule } from "../ledger/holds.ts";
import { applyPosting, newAccount, signupRule, spendRule } from "../ledger/rules.ts";
import { noFacts } from "../ledger/types.ts";
import { recordKeyFor } from "../ledger/idempotency.ts";
import { nextOrder, orderRule } from "../purchases/order.ts";
import { chargeToItem, itemToAnyRecord, settingsToItem } from "./codec.ts";
import { entities } from "./entities.ts";
import { ALERT_FEED_SHARDS, alertFeedPk, BY_TIME_RECORDS_START, DAY_INDEX_SHARDS, dayIndexPk, kinds, PLATFORM_DAY_SHARDS, platformPk, shardOf } from "./keys.ts";
import { lowBalanceAlert } from "../alerts/alert.ts";
import {
  accountDayAdd,
  accountWrite,
  alertPublished,
  alertPut,
  alertRead,
  chargeWrite,
  entryPut,
  failuresReset,
  holdPut,
  holdSettle,
  lotDueDelete,
  lotDuePut,
  monthCount,
  orderPut,
  orderWrite,
  planIntent,
  platformDayAdd,
  refundTallyPut,
  settingsWrite,
  transaction,
} from "./requests.ts";

const t0 = new Date("2026-11-24T09:00:00.000Z");

describe("the requests that change an account", () => {
  const before = applyPosting(newAccount("u1", t0), signupRule(10000), "tx_a", t0).account;
  const { account: after, entry } = applyPosting(before, spendRule(before, 300, "bonus_first", noFacts, t0), "tx_0123456789abcdefghjkmnpqrs", t0);

  it("a posting is two items: the account conditioned on its revision, the entry on its absence", () => {
    const input = transaction([accountWrite("nyang", before, after), entryPut("nyang", entry, "f", "k", after)]);
    const [update, put] = input.TransactItems!;
    expect(update!.Update!.ConditionExpression).toBe("revision = :expected");
    expect(update!.Update!.ExpressionAttributeValues![":expected"]).toBe(1);
    const set = Object.fromEntries(
      Object.entries(update!.Update!.ExpressionAttributeNames!).map(([alias, name]) => [name, update!.Update!.ExpressionAttributeValues![alias.replace("#", ":")]]),
    );
    expect(set).toMatchObject({ balance: 9700, version: 2, revision: 2, bonusBalance: 9700 });
    expect(put!.Put!.ConditionExpression).toBe("attribute_not_exists(pk)");
    expect(put!.Put!.ReturnValuesOnConditionCheckFailure).toBe("ALL_OLD");
    expect(put!.Put!.Item).toMatchObject({ pk: "ACCT#u1", sk: "REC#0123456789abcdefghjkmnpqrs", kind: "entry", seq: 2, amount: -300, balanceBefore: 10000, balanceAfter: 9700 });
    expect(put!.Put!.Item!.lsi1sk).toBe("2026-11-24T09:00:00.000Z#0000000002");
    // Null facts stay out of the item: smaller items cost fewer write units.
    expect(put!.Put!.Item!.paymentMethod).toBeUndefined();
    expect(put!.Put!.Item!.detailsJson).toBeUndefined();
  });

  it("a new account is put only if absent", () => {
    const item = accountWrite("nyang", null, before).item;
    expect(item.Put!.ConditionExpression).toBe("attribute_not_exists(pk)");
  });

  it("a hold is on the byTime index after every entry key (HOLD#<createdAt>#<id>), so entry reads below 'A' never meet it", () => {
    const { hold, account } = reserveRule(before, { holdId: "hold_0123456789abcdefghjkmnpqrs", amount: 200, ttlSeconds: 60, serviceType: null, details: null }, t0);
    const sk = String(holdPut("nyang", hold, "f", "k", account).item.Put!.Item!.lsi1sk);
    expect(sk).toBe("HOLD#2026-11-24T09:00:00.000Z#hold_0123456789abcdefghjkmnpqrs");
    expect(sk > BY_TIME_RECORDS_START && "9999-12-31T23:59:59.999Z#9999999999" < BY_TIME_RECORDS_START).toBe(true);
  });

  it("settling a hold races on its status and expiry", () => {
    const { hold } = reserveRule(before, { holdId: "hold_0123456789abcdefghjkmnpqrs", amount: 200, ttlSeconds: 60, serviceType: null, details: null }, t0);
    const settlement = { capturedAmount: null, captureTransactionId: null, settledAt: t0.toISOString(), settleKey: null, settleFingerprint: null, accountAfter: before };
    const release = holdSettle("nyang", hold, { ...settlement, status: "released" }, t0).item.Update!;
    expect(release.ConditionExpression).toBe("#status = :pending AND expiresAt > :now");
    // Off the due queue, and without the TTL holds were once written with: a hold's key never expires.
    expect(release.UpdateExpression).toContain("REMOVE gsi1pk, gsi1sk, #ttl");
    expect(release.ExpressionAttributeNames).toMatchObject({ "#ttl": "ttl" });
    const expire = holdSettle("nyang", hold, { ...settlement, status: "expired" }, t0).item.Update!;
    expect(expire.ConditionExpression).toBe("#status = :pending AND expiresAt <= :now");
  });

  it("a keyed release's key record sits where the key's entry or hold would, put only if the key made nothing", () => {
    const { hold } = reserveRule(before, { holdId: "hold_0123456789abcdefghjkmnpqrs", amount: 200, ttlSeconds: 60, serviceType: null, details: { a: 1 } }, t0);
    const released = { ...hold, status: "released" as const, settledAt: t0.toISOString() };
    const planned = planIntent("nyang", { kind: "release_key", hold: released, fingerprint: "f", idempotencyKey: "r", accountAfter: before });
    expect(planned.role).toBe("record");
    const put = planned.item.Put!;
    expect(put.ConditionExpression).toBe("attribute_not_exists(pk)");
    expect(put.ReturnValuesOnConditionCheckFailure).toBe("ALL_OLD");
    expect(put.Item).toMatchObject({ pk: "ACCT#u1", sk: `REC#${recordKeyFor("u1", "r")}`, kind: "release", fingerprint: "f", idempotencyKey: "r" });
    // Off every index and without a TTL: a key never expires.
    expect(put.Item!.lsi1sk ?? put.Item!.gsi1pk ?? put.Item!.ttl).toBeUndefined();
  });

  it("a purchase confirm's or cancel's key record sits where any record of the key would, put only if the key made nothing, and decodes as what it is", () => {
    const planned = planIntent("nyang", {
      kind: "purchase_key", userId: "u1", orderId: "ord_0123456789abcdefghjkmnpqrs", operation: "confirm", fingerprint: "f", idempotencyKey: "c", createdAt: t0.toISOString(),
    });
    expect(planned.role).toBe("record");
    const put = planned.item.Put!;
    expect(put.ConditionExpression).toBe("attribute_not_exists(pk)");
    expect(put.ReturnValuesOnConditionCheckFailure).toBe("ALL_OLD");
    expect(put.Item).toMatchObject({ pk: "ACCT#u1", sk: `REC#${recordKeyFor("u1", "c")}`, kind: "purchase_key", fingerprint: "f", idempotencyKey: "c", operation: "confirm" });
    expect(put.Item!.lsi1sk ?? put.Item!.gsi1pk ?? put.Item!.ttl).toBeUndefined();
    expect(itemToAnyRecord(put.Item!)).toEqual({ kind: "purchase_key", orderId: "ord_0123456789abcdefghjkmnpqrs", fingerprint: "f" });
  });
});

const u = "u1";
const base = applyPosting(newAccount(u, t0), signupRule(10000), "tx_a", t0).account;
const pkg = loadConfig({}).packages.find((p) => p.id === "popular")!;
const order = orderRule(base, pkg, "ord_0123456789abcdefghjkmnpqrs", { minPurchaseKrw: 1000, maxBalance: 100_000_000 }, t0);
const settings: AutoChargeSettings = {
  userId: u, enabled: true, threshold: 1000, amount: 5000, paymentMethod: "card",
  billing: { billingKey: "bk", customerKey: "ck", cardCompany: null, cardNumber: null, registeredAt: t0.toISOString() },
  monthlyCapKrw: 50_000, consecutiveFailures: 2, disabledReason: null, disabledAt: null, armedRevision: 1, armedAtSeq: 1, armedAt: t0.toISOString(),
  createdAt: t0.toISOString(), updatedAt: t0.toISOString(), revision: 3,
};
const charge: ChargeRecord = {
  id: "ac_1", userId: u, crossingId: "tx_a", amount: 5000, amountKrw: 5000, threshold: 1000, paymentMethod: "card", status: "charging",
  attempts: 1, billingKey: "bk", customerKey: "ck", leaseUntil: "2026-11-24T09:05:00.000Z", nextAttemptAt: null, paymentKey: null,
  transactionId: null, failureCode: null, failureMessage: null, refundRetries: 0, capMonth: "2026-11", createdAt: t0.toISOString(), updatedAt: t0.toISOString(), revision: 2,
};

describe("orders, refund tallies and auto-charge items", () => {
  it("a new order is put only if its key made nothing yet, on byTime after every entry, off the due queue", () => {
    const put = orderPut("nyang", order, "f", "k").item.Put!;
    expect(put.ConditionExpression).toBe("attribute_not_exists(pk)");
    expect(put.ReturnValuesOnConditionCheckFailure).toBe("ALL_OLD");
    expect(put.Item).toMatchObject({ pk: "ACCT#u1", sk: "REC#0123456789abcdefghjkmnpqrs", kind: "order", fingerprint: "f", idempotencyKey: "k", status: "pending" });
    expect(String(put.Item!.lsi1sk)).toBe(`ORDER#${t0.toISOString()}#${order.id}`);
    expect(put.Item!.gsi1pk).toBeUndefined();
  });

  it("an order's next state is conditioned on the revision it was decided from; a due time puts it on the ORDERS queue", () => {
    const paid = nextOrder(order, { status: "paid" }, t0);
    const stored = { fingerprint: "f", idempotencyKey: "k" };
    const due = orderWrite("nyang", order, paid, stored, "2026-11-24T09:05:00.000Z");
    expect(due.role).toBe("guard");
    expect(due.item.Put!.ConditionExpression).toBe("revision = :expected");
    expect(due.item.Put!.ExpressionAttributeValues).toEqual({ ":expected": order.revision });
    expect(due.item.Put!.Item).toMatchObject({ status: "paid", revision: order.revision + 1, fingerprint: "f", idempotencyKey: "k" });
    expect(String(due.item.Put!.Item!.gsi1pk)).toMatch(/^ORDERS#[0-7]$/);
    expect(String(due.item.Put!.Item!.gsi1sk)).toBe(`2026-11-24T09:05:00.000Z#u1#${order.id}`);
    expect(orderWrite("nyang", order, paid, stored, null).item.Put!.Item!.gsi1pk).toBeUndefined();
  });

  it("a refund tally moves only from the tally that was read (or from none)", () => {
    const first = refundTallyPut("nyang", u, "tx_b", null, { refundedPaid: 0, refundedBonus: 100 }).item.Put!;
    expect(first.ConditionExpression).toBe("attribute_not_exists(pk)");
    expect(first.Item).toEqual({ pk: "ACCT#u1", sk: "REFUNDED#tx_b", kind: "refund_tally", refundedPaid: 0, refundedBonus: 100 });
    const next = refundTallyPut("nyang", u, "tx_b", { refundedPaid: 0, refundedBonus: 100 }, { refundedPaid: 50, refundedBonus: 100 }).item.Put!;
    expect(next.ConditionExpression).toBe("refundedPaid = :rp AND refundedBonus = :rb");
    expect(next.ExpressionAttributeValues).toEqual({ ":rp": 0, ":rb": 100 });
  });

  it("auto-charge settings and charges are written whole, on their revision (or absence); a charging record sits on the AUTOCHARGE queue until its lease", () => {
    const created = settingsWrite("nyang", null, settings).item.Put!;
    expect(created.ConditionExpression).toBe("attribute_not_exists(pk)");
    expect(created.Item).toMatchObject({ pk: "ACCT#u1", sk: "AUTOCHARGE", kind: "auto_charge_settings" });
    expect(String(created.Item!.gsi1pk)).toMatch(/^AUTOCHARGE_ON#[0-7]$/);
    const moved = settingsWrite("nyang", settings, { ...settings, revision: 4 }).item.Put!;
    expect(moved.ConditionExpression).toBe("revision = :expected");
    expect(moved.ExpressionAttributeValues).toEqual({ ":expected": 3 });
    const put = chargeWrite("nyang", charge, { ...charge, revision: 3 }).item.Put!;
    expect(put.ExpressionAttributeValues).toEqual({ ":expected": 2 });
    expect(put.Item).toMatchObject({ pk: "ACCT#u1", sk: "AUTOCHARGE#ac_1", kind: "auto_charge" });
    expect(String(put.Item!.gsi1sk)).toBe("2026-11-24T09:05:00.000Z#u1#ac_1");
    expect(chargeWrite("nyang", null, charge).item.Put!.ConditionExpression).toBe("attribute_not_exists(pk)");
  });

  it("the monthly cap's counter: ADD on the account-month item, conditioned on the room left only when a cap is given", () => {
    const capped = monthCount("nyang", u, "2026-12", 1000, 5000).item.Update!;
    expect(capped.Key).toEqual({ pk: "ACCT#u1", sk: "AUTOCHARGE_MONTH#2026-12" });
    expect(capped.UpdateExpression).toBe("ADD chargedKrw :add SET kind = :kind, userId = :userId, #month = :month");
    expect(capped.ConditionExpression).toBe("attribute_not_exists(chargedKrw) OR chargedKrw <= :room");
    expect(capped.ExpressionAttributeValues).toMatchObject({ ":add": 1000, ":room": 4000, ":kind": "auto_charge_month" });
    const back = monthCount("nyang", u, "2026-12", -1000, null).item.Update!;
    expect(back.ConditionExpression).toBeUndefined();
    expect(back.ExpressionAttributeValues).not.toHaveProperty(":room");
  });

  it("a successful charge clears the failure count only if the settings exist, moving their revision", () => {
    const reset = failuresReset("nyang", u, t0).item.Update!;
    expect(reset.Key).toEqual({ pk: "ACCT#u1", sk: "AUTOCHARGE" });
    expect(reset.ConditionExpression).toBe("attribute_exists(pk)");
    expect(reset.UpdateExpression).toBe("SET consecutiveFailures = :zero, revision = revision + :one, updatedAt = :now");
  });
});

const dayIntent = (over: Partial<Extract<WriteIntent, { kind: "account_day" }>> = {}): Extract<WriteIntent, { kind: "account_day" }> => ({
  kind: "account_day",
  userId: "u1",
  day: "2026-11-24",
  before: { countedEntries: 4, legacySeqs: false },
  counted: [[1, 5]],
  add: { usageCoins: 300, usageCount: 1 },
  entryAt: "2026-11-24T09:00:00.000Z",
  listedByDay: true,
  ...over,
});
const crossing = { id: "tx_a", userId: "u1", balanceBefore: 2000, balanceAfter: 1000, createdAt: "2026-11-24T09:00:00.000Z" } as Parameters<typeof lowBalanceAlert>[0];
const alert = lowBalanceAlert(crossing, 1500)!;

describe("daily aggregates and alerts", () => {
  const update = (p: ReturnType<typeof planIntent>) => p.item.Update!;
  /** An update's names and values, alias by alias: `#c0` → [name, `:c0`'s value]. */
  const adds = (u: ReturnType<typeof update>) =>
    Object.fromEntries(Object.entries(u.ExpressionAttributeNames!).filter(([a]) => a.startsWith("#c")).map(([a, name]) => [name, u.ExpressionAttributeValues![a.replace("#", ":")]]));

  it("an entry counted on its account's day: counters added, runs replaced, on the count it was decided from", () => {
    const up = update(accountDayAdd("t", dayIntent()));
    expect(up.Key).toEqual({ pk: "ACCT#u1", sk: "DAY#2026-11-24" });
    expect(up.ConditionExpression).toBe("countedEntries = :n");
    expect(up.ExpressionAttributeValues).toMatchObject({ ":n": 4, ":runs": [1, 5], ":n_after": 5, ":entry_at": "2026-11-24T09:00:00.000Z", ":day_kind": kinds.accountDay });
    expect(up.UpdateExpression).toBe(
      "SET kind = :day_kind, userId = :user, #day = :day, entryAt = :entry_at, gsi2pk = :g2pk, gsi2sk = :user, counted = :runs, countedEntries = :n_after ADD #c0 :c0, #c1 :c1",
    );
    expect(adds(up)).toEqual({ usageCoins: 300, usageCount: 1 });
    // Listed on the byDay index, on the account's shard.
    expect(up.ExpressionAttributeValues![":g2pk"]).toBe(dayIndexPk("2026-11-24", shardOf("u1", DAY_INDEX_SHARDS)));
  });

  it("the day's first entry is put on absence; an item that kept every seq is converted, on that set's size; a day not listed stays off byDay", () => {
    const first = update(accountDayAdd("t", dayIntent({ before: null, counted: [[1, 1]], listedByDay: false, add: {} })));
    expect(first.ConditionExpression).toBe("attribute_not_exists(pk)");
    expect(first.ExpressionAttributeValues![":n"]).toBeUndefined();
    expect(first.UpdateExpression).not.toMatch(/gsi2pk|ADD|REMOVE/);
    const legacy = update(accountDayAdd("t", dayIntent({ before: { countedEntries: 3, legacySeqs: true } })));
    expect(legacy.ConditionExpression).toBe("size(seqs) = :n AND attribute_not_exists(countedEntries)");
    expect(legacy.ExpressionAttributeValues![":n"]).toBe(3);
    expect(legacy.UpdateExpression).toMatch(/ REMOVE seqs$/);
  });

  it("the platform's day adds the same counters, unconditioned, on the month's shard of the account", () => {
    const up = update(platformDayAdd("t", "u1", "2026-11-24", { usageCoins: 300, activeAccounts: 1 }));
    expect(up.Key).toEqual({ pk: platformPk("2026-11", shardOf("u1", PLATFORM_DAY_SHARDS)), sk: "DAY#2026-11-24" });
    expect(up.ConditionExpression).toBeUndefined();
    expect(up.UpdateExpression).toBe("SET kind = :platform_kind, #day = :day ADD #c0 :c0, #c1 :c1");
    expect(adds(up)).toEqual({ usageCoins: 300, activeAccounts: 1 });
    expect(up.ExpressionAttributeValues![":platform_kind"]).toBe(kinds.platformDay);
  });

  it("an alert is put once by its id, with the feed index's attributes", () => {
    const put = alertPut("t", alert).item.Put!;
    expect(put.ConditionExpression).toBe("attribute_not_exists(pk)");
    expect(put.Item).toMatchObject({ pk: "ACCT#u1", sk: `ALERT#${alert.id}`, kind: kinds.alert, id: alert.id, read: false });
    expect(put.Item!.gsi3pk).toBe(alertFeedPk(shardOf("u1", ALERT_FEED_SHARDS)));
    expect(put.Item!.gsi3sk).toBe(`${alert.createdAt}#u1#${alert.id}`);
  });

  it("published and read marks touch only a stored alert; the first publishedAt and readAt are kept", () => {
    const published = update(alertPublished("t", "u1", alert.id, "2026-11-24T09:00:01.000Z"));
    expect(published.Key).toEqual({ pk: "ACCT#u1", sk: `ALERT#${alert.id}` });
    expect(published.ConditionExpression).toBe("attribute_exists(pk) AND attribute_not_exists(publishedAt)");
    expect(published.UpdateExpression).toBe("SET publishedAt = :now");
    const read = update(alertRead("t", "u1", alert.id, "2026-11-24T09:00:02.000Z"));
    expect(read.ConditionExpression).toBe("attribute_exists(pk)");
    expect(read.UpdateExpression).toBe("SET #read = :true, readAt = if_not_exists(readAt, :now)");
    expect(read.ExpressionAttributeValues).toEqual({ ":true": true, ":now": "2026-11-24T09:00:02.000Z" });
  });
});

describe("write intents become the same requests on the adapter's table", () => {
  const { account: after, entry } = applyPosting(base, spendRule(base, 300, "bonus_first", noFacts, t0), "tx_0123456789abcdefghjkmnpqrs", t0);
  const { hold } = reserveRule(base, { holdId: "hold_0123456789abcdefghjkmnpqrs", amount: 200, ttlSeconds: 60, serviceType: null, details: null }, t0);
  const settlement = { status: "released" as const, capturedAmount: null, captureTransactionId: null, settledAt: t0.toISOString(), settleKey: "k", settleFingerprint: "f", accountAfter: base };
  const paid = nextOrder(order, { status: "paid" }, t0);
  const cases: [WriteIntent, ReturnType<typeof planIntent>][] = [
    [{ kind: "account", before: base, after }, accountWrite("t", base, after)],
    [{ kind: "account", before: null, after: base }, accountWrite("t", null, base)],
    [{ kind: "entry", entry, fingerprint: "f", idempotencyKey: "k", accountAfter: after }, entryPut("t", entry, "f", "k", after)],
    [{ kind: "hold", hold, fingerprint: "f", idempotencyKey: "k", accountAfter: after }, holdPut("t", hold, "f", "k", after)],
    [{ kind: "hold_settlement", hold, settlement, now: t0 }, holdSettle("t", hold, settlement, t0)],
    [{ kind: "order", order, fingerprint: "f", idempotencyKey: "k" }, orderPut("t", order, "f", "k")],
    [{ kind: "order_update", before: order, after: paid, stored: { fingerprint: "f", idempotencyKey: "k" }, dueAt: null }, orderWrite("t", order, paid, { fingerprint: "f", idempotencyKey: "k" }, null)],
    [{ kind: "refund_tally", userId: u, entryId: "tx_b", before: null, after: { refundedPaid: 1, refundedBonus: 0 } }, refundTallyPut("t", u, "tx_b", null, { refundedPaid: 1, refundedBonus: 0 })],
    [{ kind: "auto_charge_settings", before: settings, after: settings }, settingsWrite("t", settings, settings)],
    [{ kind: "auto_charge", before: null, after: charge }, chargeWrite("t", null, charge)],
    [{ kind: "auto_charge_failures_reset", userId: u, now: t0 }, failuresReset("t", u, t0)],
    [dayIntent(), accountDayAdd("t", dayIntent())],
    [{ kind: "platform_day", userId: u, day: "2026-11-24", add: { usageCoins: 1 } }, platformDayAdd("t", u, "2026-11-24", { usageCoins: 1 })],
    [{ kind: "alert", alert }, alertPut("t", alert)],
    [{ kind: "alert_published", userId: u, alertId: alert.id, publishedAt: t0.toISOString() }, alertPublished("t", u, alert.id, t0.toISOString())],
    [{ kind: "alert_read", userId: u, alertId: alert.id, readAt: t0.toISOString() }, alertRead("t", u, alert.id, t0.toISOString())],
    [{ kind: "lot_due", userId: u, lotId: "tx_lot", expiresAt: t0.toISOString() }, lotDuePut("t", u, "tx_lot", t0.toISOString())],
    [{ kind: "lot_due_done", userId: u, lotId: "tx_lot" }, lotDueDelete("t", u, "tx_lot")],
    [{ kind: "auto_charge_month", userId: u, month: "2026-11", addKrw: 1000, capKrw: 5000 }, monthCount("t", u, "2026-11", 1000, 5000)],
  ];

  it.each(cases.map(([intent, expected]) => [intent.kind, intent, expected] as const))("%s", (_kind, intent, expected) => {
    expect(planIntent("t", intent)).toEqual(expected);
    const request = Object.values(planIntent("t", intent).item)[0] as { TableName: string };
    expect(request.TableName).toBe("t");
  });

  it("an expiring bonus lot sits on the LOTS due queue at its expiry, in its account's partition", () => {
    const put = planIntent("t", { kind: "lot_due", userId: u, lotId: "tx_lot", expiresAt: t0.toISOString() }).item.Put!;
    expect(put.ConditionExpression).toBeUndefined();
    expect(put.Item).toMatchObject({ pk: `ACCT#${u}`, sk: "LOT#tx_lot", kind: "lot_due", lotId: "tx_lot", gsi1sk: `${t0.toISOString()}#${u}#tx_lot` });
    expect(String(put.Item!.gsi1pk)).toMatch(/^LOTS#[0-7]$/);
    expect(planIntent("t", { kind: "lot_due_done", userId: u, lotId: "tx_lot" }).item.Delete!.Key).toEqual({ pk: `ACCT#${u}`, sk: "LOT#tx_lot" });
  });

  it("a queued request is taken off its account's queue only while it is there", () => {
    const planned = planIntent("t", { kind: "pending_done", userId: u, queueKey: "q1" });
    expect(planned.role).toBe("guard");
    expect(planned.item.Delete).toMatchObject({ TableName: "t", ConditionExpression: "attribute_exists(pk)" });
    expect(planned.item.Delete!.Key!.pk).toBe(`ACCT#${u}`);
  });

  it("every intent kind is covered here or by its own test above", () => {
    // A Record over the union: a new intent kind fails to compile until it is listed here.
    const everyKind: Record<WriteIntent["kind"], true> = {
      account: true, entry: true, hold: true, hold_settlement: true, order: true, order_update: true, refund_tally: true,
      auto_charge_settings: true, auto_charge: true, auto_charge_failures_reset: true, auto_charge_month: true, account_day: true, platform_day: true,
      alert: true, alert_published: true, alert_read: true, pending_done: true, release_key: true, purchase_key: true,
      lot_due: true, lot_due_done: true,
    };
    const testedApart: WriteIntent["kind"][] = ["pending_done", "release_key", "purchase_key"];
    const covered = new Set([...cases.map(([intent]) => intent.kind), ...testedApart]);
    expect([...covered].sort()).toEqual(Object.keys(everyKind).sort());
  });

  it("roles: the account, a keyed record, or a guard", () => {
    const roles = Object.fromEntries(cases.map(([intent]) => [intent.kind, planIntent("t", intent).role]));
    expect(roles).toEqual({
      account: "account", entry: "record", hold: "record", order: "record",
      hold_settlement: "guard", order_update: "guard", refund_tally: "guard", auto_charge_settings: "guard", auto_charge: "guard", auto_charge_failures_reset: "guard", auto_charge_month: "guard",
      alert: "record", account_day: "guard", platform_day: "guard", alert_published: "guard", alert_read: "guard",
      lot_due: "guard", lot_due_done: "guard",
    });
  });
});

describe("the entity catalogue", () => {
  it("defines every item kind once, and each codec writes the kind its entity names", () => {
    expect(Object.values(entities).map((e) => e.kind).sort()).toEqual(Object.values(kinds).sort());
    expect(new Set(Object.values(entities).map((e) => e.kind)).size).toBe(Object.keys(entities).length);
    const written = [
      accountWrite("t", null, base).item.Put!.Item!,
      orderPut("t", order, "f", "k").item.Put!.Item!,
      settingsToItem(settings),
      chargeToItem(charge),
    ];
    expect(written.map((item) => Object.values(entities).filter((e) => e.is(item)).map((e) => e.kind))).toEqual([["account"], ["order"], ["auto_charge_settings"], ["auto_charge"]]);
  });

  it("decodes what it encodes", () => {
    expect(entities.account.decode!(accountWrite("t", null, base).item.Put!.Item!)).toEqual(base);
    expect(entities.order.decode!(orderPut("t", order, "f", "k").item.Put!.Item!)).toEqual({ value: order, fingerprint: "f", idempotencyKey: "k" });
    expect(entities.autoCharge.decode!(chargeToItem(charge))).toEqual(charge);
    expect(entities.autoChargeSettings.decode!(settingsToItem(settings))).toEqual(settings);
  });

  it("gives a stream filter on the new image's kind (DynamoDB typed JSON) and any exact attributes", () => {
    expect(entities.alert.streamFilter(["INSERT"], { type: "auto_charge" })).toEqual({
      eventName: ["INSERT"],
      dynamodb: { NewImage: { kind: { S: ["alert"] }, type: { S: ["auto_charge"] } } },
    });
  });
});
