import type { LedgerEntry } from "../ledger/types.ts";
import type { Minor } from "../money.ts";
import { dayOf } from "./days.ts";
import { isServiceUsage, isUsageRefund } from "./usage.ts";

/**
 * What one ledger entry adds to the daily aggregates, as named counters to ADD. The same
 * counters land on the account's day and on the platform's day, so both are sums of the
 * same contributions and can be checked against the ledger directly.
 *
 * Counters: usageCoins/usageCount (usage and hold captures: gross usage, usage.ts) and per
 * service `svc_<type>_coins` / `svc_<type>_count`; refundCoins/refundCount (usage refunds)
 * and per service `svc_<type>_refunded`;
 * purchaseCoins/purchaseKrw/purchaseCount (purchases and auto-charges);
 * purchaseCancelCoins/purchaseCancelKrw (cancelled purchases, net of reversals);
 * adjustmentCoins (signed); signupCoins; expiredCoins.
 */
export type Counters = Record<string, number>;

export interface Contribution {
  day: string;
  counters: Counters;
  /** A usage entry: the first one of an account's day makes the account active that day. */
  isUsage: boolean;
  /** Usage or a usage refund: the account's day is listed on the byDay index (top users' net). */
  listedByDay: boolean;
}

const krwOf = (e: LedgerEntry): number => {
  const v = e.details?.amountKrw;
  return typeof v === "number" && Number.isInteger(v) ? v : 0;
};

export const serviceCounter = (serviceType: string, what: "coins" | "count" | "refunded") => `svc_${serviceType}_${what}`;

/** The counters an entry adds, on the business day of its creation. */
export function contributionOf(e: LedgerEntry, dayOffsetHours: number): Contribution {
  const counters: Counters = {};
  const add = (name: string, n: number) => {
    if (n !== 0) counters[name] = (counters[name] ?? 0) + n;
  };
  const isUsage = isServiceUsage(e);
  const usageRefund = isUsageRefund(e);
  switch (e.type) {
    case "usage":
    case "hold_capture":
      add("usageCoins", -e.amount);
      add("usageCount", 1);
      if (e.serviceType) {
        add(serviceCounter(e.serviceType, "coins"), -e.amount);
        add(serviceCounter(e.serviceType, "count"), 1);
      }
      break;
    case "refund":
      if (!usageRefund) {
        // A purchase cancel (negative) or the reversal of one the gateway refused (positive).
        const sign = e.amount < 0 ? 1 : -1;
        add("purchaseCancelCoins", sign * Math.abs(e.amount));
        add("purchaseCancelKrw", sign * krwOf(e));
      } else {
        add("refundCoins", e.amount);
        add("refundCount", 1);
        if (e.serviceType) add(serviceCounter(e.serviceType, "refunded"), e.amount);
      }
      break;
    case "purchase":
    case "auto_charge":
      add("purchaseCoins", e.amount);
      add("purchaseKrw", krwOf(e));
      add("purchaseCount", 1);
      break;
    case "admin_adjustment":
      add("adjustmentCoins", e.amount);
      break;
    case "signup_bonus":
      add("signupCoins", e.amount);
      break;
    case "expiration":
    case "bonus_expiry":
      add("expiredCoins", -e.amount);
      break;
  }
  return { day: dayOf(e.createdAt, dayOffsetHours), counters, isUsage, listedByDay: isUsage || usageRefund };
}

/** One account's (or the platform's) figures for one day. */
export interface DayFigures {
  day: string;
  counters: Counters;
}

/** Usage per service from a day's counters: coins (gross), count, and refunded coins. */
export function servicesOf(counters: Counters): { serviceType: string; count: number; coins: Minor; refunded: Minor }[] {
  const out = new Map<string, { count: number; coins: Minor; refunded: Minor }>();
  for (const [name, value] of Object.entries(counters)) {
    const m = /^svc_(.+)_(coins|count|refunded)$/.exec(name);
    if (!m) continue;
    const s = out.get(m[1]!) ?? { count: 0, coins: 0, refunded: 0 };
    if (m[2] === "coins") s.coins += value;
    else if (m[2] === "count") s.count += value;
    else s.refunded += value;
    out.set(m[1]!, s);
  }
  return [...out].map(([serviceType, s]) => ({ serviceType, ...s })).sort((a, b) => a.serviceType.localeCompare(b.serviceType));
}

/** Adds counters into a running total. */
export function addCounters(into: Counters, from: Counters): Counters {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
}
