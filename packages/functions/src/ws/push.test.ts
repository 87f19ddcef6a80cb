import { newAccount, type Account } from "@nyang/core";
import { describe, expect, it } from "vitest";
import { isPing } from "./default.ts";
import { alertMessage, balanceChanged, balanceUpdateMessage } from "./push.ts";

const at = "2026-11-25T09:00:00.000Z";
const account = (over: Partial<Account> = {}): Account => ({
  ...newAccount("u1", new Date(at)),
  balance: 9700,
  bonusBalance: 9700,
  version: 2,
  revision: 2,
  updatedAt: at,
  ...over,
});

describe("balanceChanged", () => {
  it("is true for a new account and for a move of balance, version or holds", () => {
    const a = account();
    expect(balanceChanged(null, a)).toBe(true);
    expect(balanceChanged(a, { ...a, balance: 9400, version: 3 })).toBe(true);
    expect(balanceChanged(a, { ...a, holds: { hold_1: { amount: 100, expiresAt: "2026-11-25T09:15:00.000Z" } } })).toBe(true);
    const held = { ...a, holds: { hold_1: { amount: 100, expiresAt: "2026-11-25T09:15:00.000Z" } } };
    expect(balanceChanged(held, { ...held, holds: { hold_1: { amount: 50, expiresAt: "2026-11-25T09:15:00.000Z" } } })).toBe(true);
    expect(balanceChanged(held, { ...held, holds: {} })).toBe(true);
  });

  it("is false for a write that moved none of them (a freeze, a touch)", () => {
    const a = account();
    expect(balanceChanged(a, { ...a, status: "frozen", revision: 3, updatedAt: "2026-11-25T09:01:00.000Z" })).toBe(false);
  });
});

describe("messages", () => {
  it("balance_update has docs/api.md's fields, amounts as two-digit strings, available as of the write", () => {
    const a = account({
      holds: {
        live: { amount: 250, expiresAt: "2026-11-25T09:10:00.000Z" },
        // Expired before the write: no longer held.
        old: { amount: 1000, expiresAt: "2026-11-25T08:59:59.999Z" },
      },
    });
    const m = balanceUpdateMessage(a, "tx_1");
    expect(m).toEqual({ type: "balance_update", userId: "u1", balance: "97.00", available: "94.50", transactionId: "tx_1", seq: 2, at });
    expect(Object.keys(m)).toEqual(["type", "userId", "balance", "available", "transactionId", "seq", "at"]);
    expect(balanceUpdateMessage(a, null).transactionId).toBeNull();
  });

  it("alert carries the alert as the API presents it", () => {
    const m = alertMessage({
      id: "alert_1",
      userId: "u1",
      type: "low_balance",
      severity: "warning",
      title: "t",
      message: "m",
      data: { balance: "15.00" },
      read: false,
      readAt: null,
      createdAt: at,
    });
    expect(m).toEqual({
      type: "alert",
      alert: { id: "alert_1", userId: "u1", type: "low_balance", severity: "warning", title: "t", message: "m", data: { balance: "15.00" }, read: false, readAt: null, createdAt: at },
    });
  });
});

describe("$default", () => {
  it("knows a ping in its three spellings and nothing else", () => {
    for (const body of ["ping", " ping\n", '{"type":"ping"}', '{"action":"ping"}']) expect(isPing(body), body).toBe(true);
    for (const body of [undefined, "", "pong", '{"type":"pong"}', "{not json", "[]", '"ping"']) expect(isPing(body), String(body)).toBe(false);
  });
});
