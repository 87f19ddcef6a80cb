import { describe, expect, it } from "vitest";
import type { LedgerEntry } from "../ledger/types.ts";
import { contributionOf } from "./aggregates.ts";
import type { AccountDayState, AggregateIntent, AggregatesPort } from "./aggregates-port.ts";
import { applyEntry, countEntry } from "./counting.ts";
import { testEntry } from "./entry.fixture.ts";

const entry = (seq: number, type: LedgerEntry["type"] = "usage", amount = -300) => testEntry(type, amount, { id: `tx_${seq}`, seq, serviceType: type === "usage" ? "ai_writing" : null });

const day = (counted: AccountDayState["counted"], usageCount = 0, legacySeqs = false): AccountDayState => ({ counted, usageCount, legacySeqs });
const count = (e: LedgerEntry, state: AccountDayState | null) => countEntry(e, contributionOf(e, 9), state);

describe("counting an entry into the daily aggregates", () => {
  it("the day's first usage: the account's day from absence, the platform's day with the account made active", () => {
    const [account, platform] = count(entry(2), null)!;
    expect(account).toEqual({
      kind: "account_day",
      userId: "u1",
      day: "2026-11-25",
      before: null,
      counted: [[2, 2]],
      add: { usageCoins: 300, usageCount: 1, svc_ai_writing_coins: 300, svc_ai_writing_count: 1 },
      entryAt: "2026-11-25T01:00:00.000Z",
      listedByDay: true,
    });
    expect(platform).toEqual({ kind: "platform_day", userId: "u1", day: "2026-11-25", add: { ...account!.add, activeAccounts: 1 } });
  });

  it("a later usage is guarded on the count it was decided from and does not make the account active again", () => {
    const intents = count(entry(5), day([[1, 4]], 2))!;
    expect(intents[0]).toMatchObject({ before: { countedEntries: 4, legacySeqs: false }, counted: [[1, 5]] });
    expect(intents[1]!.kind === "platform_day" && intents[1]!.add.activeAccounts).toBeUndefined();
  });

  it("an entry already counted (a redelivery) writes nothing, wherever it sits in the runs", () => {
    expect(count(entry(4), day([[1, 4]], 2))).toBeNull();
    expect(count(entry(7), day([[1, 4], [7, 9]], 5))).toBeNull();
  });

  it("out of order: the entry opens or closes a gap in the runs", () => {
    expect(count(entry(9), day([[1, 4]], 1))![0]).toMatchObject({ counted: [[1, 4], [9, 9]], before: { countedEntries: 4 } });
    expect(count(entry(5), day([[1, 4], [6, 9]], 1))![0]).toMatchObject({ counted: [[1, 9]], before: { countedEntries: 8 } });
  });

  it("a day that kept every seq is converted by the write, guarded as such", () => {
    expect(count(entry(3), day([[1, 2]], 1, true))![0]).toMatchObject({ before: { countedEntries: 2, legacySeqs: true }, counted: [[1, 3]] });
  });

  it("an entry that adds no counter (a zero adjustment) still counts on the account's day, and leaves the platform's alone", () => {
    const released = count(entry(3, "admin_adjustment", 0), day([[1, 2]]))!;
    expect(released.map((i) => i.kind)).toEqual(["account_day"]);
    expect(released[0]).toMatchObject({ add: {}, listedByDay: false, counted: [[1, 3]] });
  });

  it("a purchase is not usage: counted, not listed by day, no active account", () => {
    const e = { ...entry(2, "purchase", 1000), details: { amountKrw: 1000 } };
    const [account, platform] = count(e, null)!;
    expect(account).toMatchObject({ listedByDay: false, add: { purchaseCoins: 1000, purchaseKrw: 1000, purchaseCount: 1 } });
    expect(platform).toMatchObject({ add: { purchaseCoins: 1000, purchaseKrw: 1000, purchaseCount: 1 } });
  });
});

describe("applying an entry: read, decide, commit; a lost race decides again", () => {
  /** A port over one account's day in memory, whose first commits lose to a writer that counted `raced`. */
  function racingPort(raced: number[]) {
    let state: AccountDayState | null = null;
    const commits: AggregateIntent[][] = [];
    const port: AggregatesPort = {
      accountDay: async () => state,
      async commit(intents) {
        commits.push(intents);
        const next = raced.shift();
        if (next !== undefined) {
          state = { counted: [[next, next]], usageCount: 1, legacySeqs: false };
          return false;
        }
        const account = intents[0]!;
        if (account.kind === "account_day") state = { counted: account.counted, usageCount: (state?.usageCount ?? 0) + 1, legacySeqs: false };
        return true;
      },
    };
    return { port, commits };
  }

  it("decides again on the day as the winner left it", async () => {
    const { port, commits } = racingPort([1]);
    expect(await applyEntry(port, entry(2), 9)).toBe("applied");
    expect(commits.map((c) => c[0])).toMatchObject([{ before: null, counted: [[2, 2]] }, { before: { countedEntries: 1 }, counted: [[1, 2]] }]);
    // The second decision saw the winner's usage: the account was active already.
    expect(commits[1]![1]).toMatchObject({ kind: "platform_day" });
    expect((commits[1]![1] as Extract<AggregateIntent, { kind: "platform_day" }>).add.activeAccounts).toBeUndefined();
  });

  it("a redelivery commits nothing", async () => {
    const { port, commits } = racingPort([]);
    expect(await applyEntry(port, entry(2), 9)).toBe("applied");
    expect(await applyEntry(port, entry(2), 9)).toBe("duplicate");
    expect(commits).toHaveLength(1);
  });
});
