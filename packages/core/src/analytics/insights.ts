import { activePackages, type NyangConfig } from "../config.ts";
import type { Alert } from "../alerts/alert.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { available } from "../ledger/rules.ts";
import type { Account } from "../ledger/types.ts";
import type { Minor } from "../money.ts";
import { addCounters, servicesOf, type Counters, type DayFigures } from "./aggregates.ts";
import { addDays, dayOf, lastDays, monthOf } from "./days.ts";
import { predictNextMonth, recommendations, runway, type DailyUsage, type Prediction, type Recommendation, type Runway } from "./forecast.ts";
import type { AggregatesReader, AlertsReader } from "./insights-port.ts";
import { addUsage, usageFigures, type Usage } from "./usage.ts";

/** The periods admin analytics speak in. */
export const periods = { "7days": 7, "30days": 30, "90days": 90 } as const;
export type Period = keyof typeof periods;

/** A day's (or a service's) usage: `total` is the gross (docs/api.md's field), with the refunds and the net beside it (usage.ts). */
export interface DailyServiceUsage extends Usage {
  day: string;
  count: number;
  total: Minor;
  services: ({ serviceType: string; count: number; total: Minor } & Usage)[];
}

export interface AccountAnalytics {
  account: Account;
  monthlyUsage: ({ month: string; count: number; total: Minor } & Usage)[];
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
    /** usageCoins (gross) − refundCoins. */
    netUsageCoins: Minor;
    /** Distinct accounts that used coins in the period (exact). */
    activeAccounts: number;
    /** Revenue per active account in the period, KRW (rounded). */
    arpuKrw: number;
  };
  daily: { day: string; revenueKrw: number; purchaseCoins: Minor; usageCoins: Minor; refundCoins: Minor; netUsageCoins: Minor; activeAccounts: number }[];
  /** Usage per service over the period (usage and captured holds), by service type. */
  services: { serviceType: string; count: number; coins: Minor }[];
}

export interface TopUsers {
  period: Period;
  from: string;
  to: string;
  /** Ranked by net usage; `usageCoins` is the gross. */
  users: ({ rank: number; userId: string; usageCoins: Minor; usageCount: number } & Usage)[];
}

const n = (c: Counters, k: string) => c[k] ?? 0;
/** A day's usage from its counters (usage.ts's definitions, as the aggregates count them). */
const usageOf = (c: Counters): Usage => usageFigures(n(c, "usageCoins"), n(c, "refundCoins"));

/**
 * The read side of the analytics: every figure comes from the stream-fed daily aggregates
 * (and the byDay index), never from a scan of the table or of a ledger.
 */
export class Insights {
  constructor(
    private readonly ledger: Ledger,
    private readonly aggregates: AggregatesReader,
    private readonly alerts: AlertsReader,
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
        ...usageOf(c),
        services: servicesOf(c).map((s) => ({ serviceType: s.serviceType, count: s.count, total: s.coins, ...usageFigures(s.coins, s.refunded) })),
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
    const byMonth = new Map<string, { count: number; usage: Usage }>();
    for (const d of days) {
      const m = byMonth.get(monthOf(d.day)) ?? { count: 0, usage: usageFigures(0, 0) };
      m.count += n(d.counters, "usageCount");
      m.usage = addUsage(m.usage, usageOf(d.counters));
      byMonth.set(monthOf(d.day), m);
    }
    const options = { dayUtcOffsetHours: this.config.dayUtcOffsetHours };
    const prediction = predictNextMonth(history, now, options);
    const run = runway(history, available(account, now), now, options);
    return {
      account,
      monthlyUsage: [...byMonth].sort(([a], [b]) => a.localeCompare(b)).map(([month, m]) => ({ month, count: m.count, total: m.usage.gross, ...m.usage })),
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
        netUsageCoins: usageOf(c).net,
        activeAccounts: n(c, "activeAccounts"),
      };
    });
    const sum = (k: string) => platform.reduce((s, d) => s + n(d.counters, k), 0);
    // Listed for a refund alone is not being active: only accounts that used coins count.
    const activeCount = [...active.values()].filter((t) => t.usageCount > 0).length;
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
        netUsageCoins: usageFigures(sum("usageCoins"), sum("refundCoins")).net,
        activeAccounts: activeCount,
        arpuKrw: activeCount === 0 ? 0 : Math.round(revenueKrw / activeCount),
      },
      daily,
      services: servicesOf(platform.reduce<Counters>((all, d) => addCounters(all, d.counters), {})),
    };
  }

  /** The 50 accounts with the most net usage in the period (gross and refunds shown beside it). */
  async topUsers(period: Period, limit = 50): Promise<TopUsers> {
    const range = lastDays(this.today(), periods[period]);
    const totals = await this.activeByUser(range);
    const users = [...totals]
      .map(([userId, t]) => ({ userId, usageCoins: t.usageCoins, usageCount: t.usageCount, ...usageFigures(t.usageCoins, t.refundCoins) }))
      .filter((u) => u.usageCount > 0)
      .sort((a, b) => b.net - a.net || b.gross - a.gross || a.userId.localeCompare(b.userId))
      .slice(0, limit)
      .map((u, i) => ({ rank: i + 1, ...u }));
    return { period, from: range[0]!, to: range.at(-1)!, users };
  }

  /** Usage and refunds per account over the days, from the byDay index: one query per day and shard. */
  private async activeByUser(range: string[]): Promise<Map<string, { usageCoins: Minor; usageCount: number; refundCoins: Minor }>> {
    const perDay = await Promise.all(range.map((day) => this.aggregates.activeAccounts(day)));
    const totals = new Map<string, { usageCoins: Minor; usageCount: number; refundCoins: Minor }>();
    for (const rows of perDay) {
      for (const r of rows) {
        const t = totals.get(r.userId) ?? { usageCoins: 0, usageCount: 0, refundCoins: 0 };
        t.usageCoins += r.usageCoins;
        t.usageCount += r.usageCount;
        t.refundCoins += r.refundCoins;
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
