import { describe, expect, it } from "vitest";
import { reserveRule } from "../ledger/holds.ts";
import { applyPosting, newAccount, signupRule, spendRule } from "../ledger/rules.ts";
import { noFacts } from "../ledger/types.ts";
import { recordKeyFor } from "../ledger/idempotency.ts";
import { BY_TIME_RECORDS_START } from "./keys.ts";
import { accountWrite, entryPut, holdPut, holdSettle, planIntent, transaction } from "./requests.ts";

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
    expect(release.UpdateExpression).toContain("REMOVE gsi1pk, gsi1sk");
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
});
