import { activePackages, type NyangConfig } from "../config.ts";
import type { Alert } from "../alerts/alert.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { available } from "../ledger/rules.ts";
import type { Account } from "../ledger/types.ts";
import type { Minor } from "../money.ts";
import type { AggregatesStore } from "../store/aggregates-store.ts";
import type { AlertsStore } from "../store/alerts-store.ts";
import { addCounters, servicesOf, type Counters, type DayFigures } from "./aggregates.ts";
import { addDays, dayOf, lastDays, monthOf } from "./days.ts";
import { predictNextMonth, recommendations, runway, type DailyUsage, type Prediction, type Recommendation, type Runway } from "./forecast.ts";

/** The periods admin analytics speak in. */
export const periods = { "7days": 7, "30days": 30, "90days": 90 } as const;
export type Period = keyof typeof periods;

export interface DailyServiceUsage {
  day: string;
  count: number;
  total: Minor;
  services: { serviceType: string; count: number; total: Minor }[];
}

export interface AccountAnalytics {
  account: Account;
  monthlyUsage: { month: string; count: number; total: Minor }[];
  prediction: Prediction;
  runway: Runway;
  recentAlerts: Alert[];
  recommendations: Recommendation[];
}

export interface RevenueReport {
  period: Period;
  from: string;
  to: string;
  totals: {
    revenueKrw: number;
    purchaseKrw: number;
    canceledKrw: number;
    purchaseCount: number;
    purchaseCoins: Minor;
    usageCoins: Minor;
    usageCount: number;
    refundCoins: Minor;
    /** Distinct accounts that used coins in the period (exact). */
    activeAccounts: number;
    /** Revenue per active account in the period, KRW (rounded). */
    arpuKrw: number;
  };
  daily: { day: string; revenueKrw: number; purchaseCoins: Minor; usageCoins: Minor; refundCoins: Minor; activeAccounts: number }[];
  /** Usage per service over the period (usage and captured holds), by service type. */
  services: { serviceType: string; count: number; coins: Minor }[];
}

export interface TopUsers {
  period: Period;
  from: string;
  to: string;
  users: { rank: number; userId: string; usageCoins: Minor; usageCount: number }[];
}

const n = (c: Counters, k: string) => c[k] ?? 0;

/**
 * The read side of the analytics: every figure comes from the stream-fed daily aggregates
 * (and the byDay index), never from a scan of the table or of a ledger.
 */
export class Insights {
  constructor(
    private readonly ledger: Ledger,
    private readonly aggregates: AggregatesStore,
    private readonly alerts: AlertsStore,
    private readonly config: NyangConfig,
    private readonly clock: () => Date = () => new Date(),
    /** Whether the account has auto-charge on (its own settings); unknown → off. */
    private readonly autoChargeOn: (userId: string) => Promise<boolean> = async () => false,
  ) {}

  private today(): string {
    return dayOf(this.clock(), this.config.dayUtcOffsetHours);
  }

  /** The last `days` business days (today included), every day present, per service. */
  async dailyUsage(userId: string, days: number): Promise<DailyServiceUsage[]> {
    await this.ledger.getAccount(userId);
    const range = lastDays(this.today(), days);
    const figures = new Map((await this.aggregates.accountDays(userId, range[0]!, range.at(-1)!)).map((d) => [d.day, d.counters]));
    return range.map((day) => {
      const c = figures.get(day) ?? {};
      return {
        day,
        count: n(c, "usageCount"),
        total: n(c, "usageCoins"),
        services: servicesOf(c).map((s) => ({ serviceType: s.serviceType, count: s.count, total: s.coins })),
      };
    });
  }

  /** Balance, monthly usage, next month's prediction, runway, recent alerts and recommendations. */
  async accountAnalytics(userId: string): Promise<AccountAnalytics> {
    const account = await this.ledger.getAccount(userId);
    const now = this.clock();
    const today = this.today();
    // Six calendar months for the monthly view; the forecast reads the last eight weeks of them.
    const from = `${monthOf(addDays(today, -31 * 5)).slice(0, 7)}-01`;
    const [days, recentAlerts] = await Promise.all([
      this.aggregates.accountDays(userId, from, today),
      this.alerts.list(userId, { unreadOnly: false, limit: 5 }),
    ]);
    const history = days.map(toDailyUsage);
    const byMonth = new Map<string, { count: number; total: Minor }>();
    for (const d of days) {
      const m = byMonth.get(monthOf(d.day)) ?? { count: 0, total: 0 };
      m.count += n(d.counters, "usageCount");
      m.total += n(d.counters, "usageCoins");
      byMonth.set(monthOf(d.day), m);
    }
    const options = { dayUtcOffsetHours: this.config.dayUtcOffsetHours };
    const prediction = predictNextMonth(history, now, options);
    const run = runway(history, available(account, now), now, options);
    return {
      account,
      monthlyUsage: [...byMonth].sort(([a], [b]) => a.localeCompare(b)).map(([month, m]) => ({ month, ...m })),
      prediction,
      runway: run,
      recentAlerts,
      recommendations: recommendations({
        prediction,
        runway: run,
        balance: account.balance,
        history,
        prices: this.config.prices,
        packages: activePackages(this.config),
        // Recommending auto-charge makes sense only where it can be turned on (the global
        // switch) and is not on already.
        autoChargeEnabled: !this.config.autoCharge.enabled || (await this.autoChargeOn(userId)),
        today: now,
        lowBalanceThreshold: this.config.lowBalanceThreshold,
        ...options,
      }),
    };
  }

  /** Platform revenue for a period: totals, ARPU and the daily trend. */
  async revenue(period: Period): Promise<RevenueReport> {
    const range = lastDays(this.today(), periods[period]);
    const [from, to] = [range[0]!, range.at(-1)!];
    const [platform, active] = await Promise.all([this.aggregates.platformDays(from, to), this.activeByUser(range)]);
    const byDay = new Map(platform.map((d) => [d.day, d.counters]));
    const daily = range.map((day) => {
      const c = byDay.get(day) ?? {};
      return {
        day,
        revenueKrw: n(c, "purchaseKrw") - n(c, "purchaseCancelKrw"),
        purchaseCoins: n(c, "purchaseCoins"),
        usageCoins: n(c, "usageCoins"),
        refundCoins: n(c, "refundCoins"),
        activeAccounts: n(c, "activeAccounts"),
      };
    });
    const sum = (k: string) => platform.reduce((s, d) => s + n(d.counters, k), 0);
    const revenueKrw = sum("purchaseKrw") - sum("purchaseCancelKrw");
    return {
      period,
      from,
      to,
      totals: {
        revenueKrw,
        purchaseKrw: sum("purchaseKrw"),
        canceledKrw: sum("purchaseCancelKrw"),
        purchaseCount: sum("purchaseCount"),
        purchaseCoins: sum("purchaseCoins"),
        usageCoins: sum("usageCoins"),
        usageCount: sum("usageCount"),
        refundCoins: sum("refundCoins"),
        activeAccounts: active.size,
        arpuKrw: active.size === 0 ? 0 : Math.round(revenueKrw / active.size),
      },
      daily,
      services: servicesOf(platform.reduce<Counters>((all, d) => addCounters(all, d.counters), {})),
    };
  }

  /** The 50 accounts that used the most coins in the period. */
  async topUsers(period: Period, limit = 50): Promise<TopUsers> {
    const range = lastDays(this.today(), periods[period]);
    const totals = await this.activeByUser(range);
    const users = [...totals]
      .sort(([ua, a], [ub, b]) => b.usageCoins - a.usageCoins || ua.localeCompare(ub))
      .slice(0, limit)
      .map(([userId, t], i) => ({ rank: i + 1, userId, ...t }));
    return { period, from: range[0]!, to: range.at(-1)!, users };
  }

  /** Usage per account over the days, from the byDay index: one query per day and shard. */
  private async activeByUser(range: string[]): Promise<Map<string, { usageCoins: Minor; usageCount: number }>> {
    const perDay = await Promise.all(range.map((day) => this.aggregates.activeAccounts(day)));
    const totals = new Map<string, { usageCoins: Minor; usageCount: number }>();
    for (const rows of perDay) {
      for (const r of rows) {
        const t = totals.get(r.userId) ?? { usageCoins: 0, usageCount: 0 };
        t.usageCoins += r.usageCoins;
        t.usageCount += r.usageCount;
        totals.set(r.userId, t);
      }
    }
    return totals;
  }
}

function toDailyUsage(d: DayFigures): DailyUsage {
  return {
    day: d.day,
    coins: n(d.counters, "usageCoins"),
    count: n(d.counters, "usageCount"),
    byService: Object.fromEntries(servicesOf(d.counters).map((s) => [s.serviceType, { count: s.count, coins: s.coins }])),
  };
}
