import { describe, expect, it } from "vitest";
import { applyPosting, newAccount, signupRule, spendRule } from "../ledger/rules.ts";
import { noFacts } from "../ledger/types.ts";
import { POSTING_ITEM, postingTransaction } from "./requests.ts";

const t0 = new Date("2026-11-24T09:00:00.000Z");

describe("posting transaction", () => {
  const before = applyPosting(newAccount("u1", t0), signupRule(10000), "tx_a", t0).account;
  const { account: after, entry } = applyPosting(before, spendRule(before, 300, "bonus_first", noFacts), "tx_b", t0);
  const input = postingTransaction("nyang", { before, after, entry, fingerprint: "f", idempotencyKey: "k", requiresActive: true });
  const items = input.TransactItems!;

  it("is two items: the account update conditioned on its version and status, the entry put conditioned on absence", () => {
    expect(items).toHaveLength(2);
    const update = items[POSTING_ITEM.account]!.Update!;
    expect(update.ConditionExpression).toBe("version = :expected AND #status = :active");
    expect(update.ExpressionAttributeValues).toMatchObject({ ":expected": 1, ":version": 2, ":balance": 9700 });
    const put = items[POSTING_ITEM.entry]!.Put!;
    expect(put.ConditionExpression).toBe("attribute_not_exists(pk)");
    expect(put.ReturnValuesOnConditionCheckFailure).toBe("ALL_OLD");
    expect(put.Item).toMatchObject({ pk: "ACCT#u1", sk: "TX#tx_b", seq: 2, amount: -300, balanceBefore: 10000, balanceAfter: 9700 });
    expect(put.Item!.lsi1sk).toBe("2026-11-24T09:00:00.000Z#0000000002");
  });

  it("keeps null facts out of the item", () => {
    const put = items[POSTING_ITEM.entry]!.Put!;
    expect(put.Item!.paymentMethod).toBeUndefined();
    expect(put.Item!.detailsJson).toBeUndefined();
  });
});
