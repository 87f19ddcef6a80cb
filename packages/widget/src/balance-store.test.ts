import type { Account, BalanceState, NyangClient, SubscribeOptions } from "@nyang/client";
import { describe, expect, it } from "vitest";
import { BalanceStore } from "./balance-store.ts";

const account = (version: number, balance: string, over: Partial<Account> = {}): Account => ({
  userId: "u1", balance, held: "0.00", available: balance, paidBalance: "0.00", bonusBalance: balance, nextBonusExpiry: null, used: "0.00", purchased: "0.00",
  status: "active", version, createdAt: "2026-11-24T09:00:00.000Z", updatedAt: `2026-11-24T09:00:0${version}.000Z`, ...over,
});

/** A client whose account fetch and realtime pushes the test releases by hand. */
function controlledClient() {
  let resolveFetch: (a: Account) => void = () => undefined;
  let handlers: SubscribeOptions = {};
  const client = {
    accounts: { get: () => new Promise<Account>((r) => (resolveFetch = r)) },
    realtime: {
      subscribe: (h: SubscribeOptions) => {
        handlers = h;
        return { balance: null, status: "open", refresh: async () => undefined, close: () => undefined };
      },
    },
  } as unknown as NyangClient;
  return { client, fetched: (a: Account) => resolveFetch(a), push: (b: BalanceState) => handlers.onBalance?.(b) };
}

describe("BalanceStore", () => {
  it("a push that overtakes the first fetch keeps its newer figures; the fetch still brings the account's status", async () => {
    const c = controlledClient();
    const store = new BalanceStore(c.client, "me", true);
    const stop = store.subscribe(() => undefined);
    c.push({ userId: "u1", balance: "94.00", available: "94.00", seq: 3, at: "2026-11-24T09:00:03.000Z", transactionId: "t3", source: "push" });
    c.fetched(account(2, "97.00", { status: "frozen" }));
    await new Promise((r) => setTimeout(r, 0));
    const s = store.getSnapshot();
    expect([s.balance, s.seq, s.account?.status]).toEqual(["94.00", 3, "frozen"]);
    stop();
  });

  it("a newer fetch replaces older figures, and held is balance − available", async () => {
    const c = controlledClient();
    const store = new BalanceStore(c.client, "me", true);
    const stop = store.subscribe(() => undefined);
    c.push({ userId: "u1", balance: "94.00", available: "94.00", seq: 3, at: "2026-11-24T09:00:03.000Z", transactionId: "t3", source: "push" });
    c.fetched(account(4, "100.00", { available: "97.90", held: "2.10" }));
    await new Promise((r) => setTimeout(r, 0));
    expect([store.getSnapshot().balance, store.getSnapshot().held]).toEqual(["100.00", "2.10"]);
    stop();
  });
});
