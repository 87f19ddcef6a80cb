import type { CoinPackage, ServicePrice } from "../config.ts";
import { formatAmount, type Minor } from "../money.ts";

/**
 * Usage forecasting for one account: next month's coins, runway, and recommendations.
 *
 * Days are business days (YYYY-MM-DD) starting at midnight `dayUtcOffsetHours` from UTC,
 * like the daily aggregates (default +9, Korea); pass the same offset the history was
 * built with. The current day is partial: it is left out of every pace and prediction,
 * because counting half a day as a whole one would understate the pace every morning.
 * Days after today are ignored too (clock skew must not count as usage).
 */

/** One account's usage on one business day; days without usage may be absent (= zero). */
export interface DailyUsage {
  day: string;
  coins: Minor;
  count: number;
  byService: Record<string, { count: number; coins: Minor }>;
}

/** Knobs of the prediction; the defaults are what the method sentence describes. */
export interface ForecastOptions {
  /** Complete weeks looked back over (default 8). */
  weeks?: number;
  /** A week this many weeks older counts half as much (default 2). */
  halfLifeWeeks?: number;
  /** Business days start at midnight this many hours from UTC (default 9, Korea). */
  dayUtcOffsetHours?: number;
}

/** Next month's predicted usage with an 80% interval; all amounts in minor units. */
export interface Prediction {
  coins: Minor;
  low: Minor;
  high: Minor;
  method: string;
  confidence: "high" | "medium" | "low";
  /** The weeks used, oldest first; the oldest may be partial when the account is new. */
  basis: { weeks: number; weeklyCoins: Minor[] };
}

/** How long the available coins last at the current pace. */
export interface Runway {
  /** Whole days the available coins cover; null when there is no recent usage (never runs out). */
  days: number | null;
  /** Weighted recent coins per day, rounded to a whole minor unit for display. */
  dailyPace: Minor;
  method: string;
}

export const DEFAULT_FORECAST_WEEKS = 8;
export const DEFAULT_HALF_LIFE_WEEKS = 2;
/** Matches config's `dayUtcOffsetHours` default: Nyang's business days are Korean days. */
const DEFAULT_DAY_OFFSET_HOURS = 9;
/** z for a two-sided 80% normal interval. */
const Z80 = 1.2816;
/** With a single week there is no spread to measure; assume a wide one rather than none. */
const ASSUMED_CV_ONE_WEEK = 0.5;
/** A week above this multiple of the median week is treated as a spike for the point estimate. */
const SPIKE_MULTIPLE = 3;
/** Capping needs enough weeks for the median to mean "usual". */
const SPIKE_MIN_WEEKS = 4;
/** Float sums of integers may land a hair off a whole number; don't let that move a floor/ceil. */
const EPS = 1e-6;

const DAY_MS = 86_400_000;

function dayNumberOfKey(key: string): number {
  // Anchored so "2024-1-5" or "2024-01-05T..." are refused rather than misread.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(key)) throw new RangeError(`not a YYYY-MM-DD day: ${key}`);
  const t = Date.parse(`${key}T00:00:00.000Z`);
  if (!Number.isFinite(t)) throw new RangeError(`not a calendar day: ${key}`);
  return Math.round(t / DAY_MS);
}

function dayNumberOfInstant(at: Date, offsetHours: number): number {
  const t = at.getTime();
  if (!Number.isFinite(t)) throw new RangeError("today is an invalid Date");
  return Math.floor((t + offsetHours * 3_600_000) / DAY_MS);
}

/** Complete days only: coins per day number before today, and the first day with any use. */
interface CompleteDays {
  coinsByDay: Map<number, Minor>;
  firstActive: number | null;
}

function completeDays(history: readonly DailyUsage[], today: number): CompleteDays {
  const coinsByDay = new Map<number, Minor>();
  let firstActive: number | null = null;
  for (const d of history) {
    const n = dayNumberOfKey(d.day);
    if (n >= today) continue;
    // Duplicate rows for a day are summed: the caller may merge sources without deduplicating.
    coinsByDay.set(n, (coinsByDay.get(n) ?? 0) + (Number.isFinite(d.coins) ? d.coins : 0));
    if ((d.coins > 0 || d.count > 0) && (firstActive === null || n < firstActive)) firstActive = n;
  }
  // Usage cannot be negative; a day netted below zero by corrections counts as no usage.
  for (const [n, c] of coinsByDay) if (c < 0) coinsByDay.set(n, 0);
  return { coinsByDay, firstActive };
}

function sumDays(coinsByDay: Map<number, Minor>, from: number, to: number): Minor {
  let s = 0;
  for (let n = from; n <= to; n++) s += coinsByDay.get(n) ?? 0;
  return s;
}

function daysInNextMonth(todayDay: number): { days: number; month: string } {
  const d = new Date(todayDay * DAY_MS);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth(); // 0-based; next month is m + 1, and day 0 of m + 2 is its last day
  const last = new Date(Date.UTC(y, m + 2, 0));
  return { days: last.getUTCDate(), month: last.toISOString().slice(0, 7) };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const fmtN = (x: number) => String(Number(x.toFixed(2)));

/**
 * Next calendar month's usage from exponentially weighted recent weeks, because recent
 * weeks say more about next month than a three-month average does.
 */
export function predictNextMonth(history: readonly DailyUsage[], today: Date, opts: ForecastOptions = {}): Prediction {
  const maxWeeks = opts.weeks ?? DEFAULT_FORECAST_WEEKS;
  const halfLife = opts.halfLifeWeeks ?? DEFAULT_HALF_LIFE_WEEKS;
  if (!Number.isInteger(maxWeeks) || maxWeeks < 1) throw new RangeError(`weeks must be a positive integer: ${maxWeeks}`);
  if (!(halfLife > 0) || !Number.isFinite(halfLife)) throw new RangeError(`halfLifeWeeks must be positive: ${halfLife}`);
  const todayDay = dayNumberOfInstant(today, opts.dayUtcOffsetHours ?? DEFAULT_DAY_OFFSET_HOURS);
  const { days: monthDays, month } = daysInNextMonth(todayDay);
  const { coinsByDay, firstActive } = completeDays(history, todayDay);

  if (firstActive === null) {
    return {
      coins: 0,
      low: 0,
      high: 0,
      method: `No usage before today, so ${month} is predicted at 0 coins with nothing to go on.`,
      confidence: "low",
      basis: { weeks: 0, weeklyCoins: [] },
    };
  }

  // Weeks are the 7-day blocks ending yesterday (not calendar weeks), so the newest full
  // day always counts. Weeks entirely before the first use are not zeros: the account did
  // not exist for us yet. The week holding the first use counts only its days from then on.
  const weeks: { coins: Minor; days: number; weight: number }[] = [];
  const yesterday = todayDay - 1;
  for (let k = 0; k < maxWeeks; k++) {
    const end = yesterday - 7 * k;
    const start = Math.max(end - 6, firstActive);
    if (start > end) break;
    const days = end - start + 1;
    // Weight by recency and by days covered, so a 1-day partial week cannot swing the level.
    weeks.push({ coins: sumDays(coinsByDay, start, end), days, weight: Math.pow(0.5, k / halfLife) * days });
  }
  const n = weeks.length;
  const rates = weeks.map((w) => w.coins / w.days);
  const v1 = weeks.reduce((s, w) => s + w.weight, 0);
  const v2 = weeks.reduce((s, w) => s + w.weight * w.weight, 0);
  const weightedMean = (xs: readonly number[]) => xs.reduce((s, x, i) => s + weeks[i]!.weight * x, 0) / v1;

  // A single spike week (e.g. a one-off batch) should not set next month's level; capping it
  // for the point estimate only keeps it in the spread, so `high` and the confidence still show it.
  const med = n >= SPIKE_MIN_WEEKS ? median(rates) : 0;
  const cap = med > 0 ? SPIKE_MULTIPLE * med : Infinity;
  const capped = rates.map((r) => Math.min(r, cap));
  const spikes = rates.filter((r) => r > cap).length;

  const rawMean = weightedMean(rates);
  const rate = weightedMean(capped);
  let sd: number;
  if (n >= 2) {
    // Reliability-weighted (unbiased) variance: plain Σw(x-μ)²/Σw understates spread with few weeks.
    const ss = rates.reduce((s, r, i) => s + weeks[i]!.weight * (r - rawMean) ** 2, 0);
    sd = Math.sqrt(ss / (v1 - v2 / v1));
  } else {
    sd = ASSUMED_CV_ONE_WEEK * rate;
  }
  if (sd * monthDays < EPS) sd = 0;
  const cv = rawMean > 0 ? sd / rawMean : 0;
  const confidence: Prediction["confidence"] = n >= 6 && cv <= 0.25 ? "high" : n >= 3 && cv <= 0.5 ? "medium" : "low";

  const center = rate * monthDays;
  const half = Z80 * sd * monthDays;
  const coins = Math.max(0, Math.round(center));
  const low = Math.min(coins, Math.max(0, Math.floor(center - half + EPS)));
  const high = Math.max(coins, Math.ceil(center + half - EPS));

  let method =
    `Exponentially weighted average of daily usage over the last ${n} complete 7-day week${n === 1 ? "" : "s"} ` +
    `ending yesterday (today is partial and left out; weeks before the first use are not counted as zeros), ` +
    `half-life ${fmtN(halfLife)} week${halfLife === 1 ? "" : "s"}, times the ${monthDays} days of ${month}; ` +
    `80% interval = prediction ± 1.28 weighted standard deviations of the weekly figures, scaled the same way.`;
  if (n < 2) method += ` With one week there is no spread to measure, so it is assumed to be 50% of the level.`;
  if (spikes > 0) {
    method += ` ${spikes} spike week${spikes === 1 ? "" : "s"} above ${SPIKE_MULTIPLE}× the median week ${spikes === 1 ? "was" : "were"} capped at ${SPIKE_MULTIPLE}× the median for the prediction (not for the interval).`;
  }

  return {
    coins,
    low,
    high,
    method,
    confidence,
    basis: { weeks: n, weeklyCoins: weeks.map((w) => w.coins).reverse() },
  };
}

/** Days until `available` runs out at the recent pace, because "how long do I have" beats a monthly figure. */
export function runway(
  history: readonly DailyUsage[],
  available: Minor,
  today: Date,
  opts: { dayUtcOffsetHours?: number } = {},
): Runway {
  const todayDay = dayNumberOfInstant(today, opts.dayUtcOffsetHours ?? DEFAULT_DAY_OFFSET_HOURS);
  const { coinsByDay, firstActive } = completeDays(history, todayDay);
  const method =
    "Daily pace = weighted average of the last 14 complete days before today (the last 7 count twice; " +
    "days before the first use are left out); runway = whole days the available coins cover at that pace.";
  let pace = 0;
  if (firstActive !== null) {
    const y = todayDay - 1;
    const window = (from: number, to: number) => {
      const start = Math.max(from, firstActive);
      return start > to ? { coins: 0, days: 0 } : { coins: sumDays(coinsByDay, start, to), days: to - start + 1 };
    };
    const recent = window(y - 6, y);
    const older = window(y - 13, y - 7);
    const denominator = 2 * recent.days + older.days;
    if (denominator > 0) pace = (2 * recent.coins + older.coins) / denominator;
  }
  const dailyPace = Math.round(pace);
  if (available <= 0) return { days: 0, dailyPace, method };
  if (pace <= 0) return { days: null, dailyPace, method };
  // The exact pace, not the rounded one: rounding 0.4 down to 0 must not mean "forever".
  return { days: Math.floor(available / pace + EPS), dailyPace, method };
}

/** The ladder for "try a cheaper tier": each service's next step down. */
const CHEAPER_TIERS: readonly (readonly string[])[] = [["image_generation_max", "image_generation_pro", "image_generation_dev"]];

/** Runway below this many days, with auto-charge off, means the account will stall soon. */
export const AUTO_CHARGE_HINT_DAYS = 7;
/** A service above this share of 30 days' coins is "heavy". */
const HEAVY_SHARE = 0.5;
const HEAVY_WINDOW_DAYS = 30;
/** config's `lowBalanceThreshold` default (20 냥); pass the configured value when it differs. */
const DEFAULT_LOW_BALANCE_THRESHOLD: Minor = 2000;

export interface RecommendationInput {
  prediction: Prediction;
  runway: Runway;
  balance: Minor;
  history: readonly DailyUsage[];
  prices: readonly ServicePrice[];
  packages: readonly CoinPackage[];
  autoChargeEnabled: boolean;
  /** Ends the 30-day window for heavy-service hints (today excluded); default: the latest day in history. */
  today?: Date;
  /** Balance strictly below this is "low" (default 20 냥 = 2000, config's default). */
  lowBalanceThreshold?: Minor;
  dayUtcOffsetHours?: number;
}

export interface PackageChoice {
  id: string;
  name: string;
  coins: Minor;
  bonusCoins: Minor;
  priceKrw: number;
}

export type Recommendation =
  | {
      kind: "low_balance";
      message: string;
      messageEn: string;
      details: { balance: Minor; threshold: Minor };
    }
  | {
      kind: "top_up";
      message: string;
      messageEn: string;
      details: {
        predicted: Minor;
        balance: Minor;
        gap: Minor;
        /** Smallest active package whose coins + bonus cover the gap; else the largest, bought `quantity` times. */
        package: PackageChoice | null;
        quantity: number;
        totalPriceKrw: number;
      };
    }
  | {
      kind: "enable_auto_charge";
      message: string;
      messageEn: string;
      details: { runwayDays: number; dailyPace: Minor };
    }
  | {
      kind: "heavy_service";
      message: string;
      messageEn: string;
      details: {
        serviceType: string;
        coins: Minor;
        count: number;
        totalCoins: Minor;
        /** Share of the window's coins, 0..1. */
        share: number;
        windowDays: number;
        cheaperServiceType: string | null;
        /** Coins the same uses would have saved on the cheaper tier in the window. */
        estimatedSaving: Minor;
      };
    };

const krw = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
const pct = (share: number) => String(Math.floor(share * 1000 + EPS) / 10);

function choosePackage(packages: readonly CoinPackage[], gap: Minor): { pkg: PackageChoice | null; quantity: number } {
  const total = (p: CoinPackage) => p.coins + p.bonusCoins;
  // Fixed tie-breaks (coins, price, display order, id) so the same input always names the same package.
  const active = packages
    .filter((p) => p.active !== false && total(p) > 0)
    .sort((a, b) => total(a) - total(b) || a.priceKrw - b.priceKrw || a.sortOrder - b.sortOrder || a.id.localeCompare(b.id));
  const pick = active.find((p) => total(p) >= gap) ?? active.at(-1);
  if (!pick) return { pkg: null, quantity: 0 };
  const pkg = { id: pick.id, name: pick.name, coins: pick.coins, bonusCoins: pick.bonusCoins, priceKrw: pick.priceKrw };
  return { pkg, quantity: Math.max(1, Math.ceil(gap / total(pick))) };
}

function cheaperTier(serviceType: string, prices: readonly ServicePrice[]): { serviceType: string; cost: Minor } | null {
  const cost = prices.find((p) => p.serviceType === serviceType)?.cost;
  if (cost === undefined) return null;
  for (const ladder of CHEAPER_TIERS) {
    const i = ladder.indexOf(serviceType);
    if (i < 0) continue;
    // The next step down that is priced and actually cheaper: a price override may flatten the ladder.
    for (const candidate of ladder.slice(i + 1)) {
      const c = prices.find((p) => p.serviceType === candidate)?.cost;
      if (c !== undefined && c < cost) return { serviceType: candidate, cost: c };
    }
  }
  return null;
}

/**
 * What the account should do next, most urgent first (low balance, top-up, auto-charge,
 * heavy service), because a fixed order keeps the dashboard and notifications stable.
 */
export function recommendations(input: RecommendationInput): Recommendation[] {
  const out: Recommendation[] = [];
  const { prediction, balance, autoChargeEnabled } = input;

  const threshold = input.lowBalanceThreshold ?? DEFAULT_LOW_BALANCE_THRESHOLD;
  if (balance < threshold) {
    out.push({
      kind: "low_balance",
      message: `잔액이 ${formatAmount(balance)}냥으로 기준 ${formatAmount(threshold)}냥보다 적습니다.`,
      messageEn: `The balance of ${formatAmount(balance)} coins is below the low-balance threshold of ${formatAmount(threshold)} coins.`,
      details: { balance, threshold },
    });
  }

  if (prediction.coins > balance) {
    const gap = prediction.coins - balance;
    const { pkg, quantity } = choosePackage(input.packages, gap);
    const totalPriceKrw = pkg ? pkg.priceKrw * quantity : 0;
    const head = `다음 달 예상 사용량 ${formatAmount(prediction.coins)}냥이 잔액 ${formatAmount(balance)}냥보다 ${formatAmount(gap)}냥 많습니다.`;
    const headEn = `Next month's predicted usage of ${formatAmount(prediction.coins)} coins exceeds the balance of ${formatAmount(balance)} coins by ${formatAmount(gap)}.`;
    let message = `${head} 충전을 권장합니다.`;
    let messageEn = `${headEn} A top-up is recommended.`;
    if (pkg) {
      const coins = formatAmount(pkg.coins + pkg.bonusCoins);
      message =
        quantity === 1
          ? `${head} ${pkg.name}(${coins}냥, ${krw(pkg.priceKrw)}원) 충전을 권장합니다.`
          : `${head} ${pkg.name}(${coins}냥, ${krw(pkg.priceKrw)}원) ${quantity}개, 합계 ${krw(totalPriceKrw)}원 충전을 권장합니다.`;
      messageEn =
        quantity === 1
          ? `${headEn} Top up with ${pkg.name} (${coins} coins, ₩${krw(pkg.priceKrw)}).`
          : `${headEn} Top up with ${quantity} × ${pkg.name} (${coins} coins, ₩${krw(pkg.priceKrw)} each; ₩${krw(totalPriceKrw)} in total).`;
    }
    out.push({
      kind: "top_up",
      message,
      messageEn,
      details: { predicted: prediction.coins, balance, gap, package: pkg, quantity, totalPriceKrw },
    });
  }

  const days = input.runway.days;
  if (days !== null && days < AUTO_CHARGE_HINT_DAYS && !autoChargeEnabled) {
    const pace = formatAmount(input.runway.dailyPace);
    out.push({
      kind: "enable_auto_charge",
      message: `현재 사용 속도(하루 약 ${pace}냥)라면 ${days}일 안에 사용 가능 잔액이 바닥납니다. 자동 충전을 켜 두면 서비스가 멈추지 않습니다.`,
      messageEn: `At the current pace (about ${pace} coins a day) the available coins run out within ${days} day${days === 1 ? "" : "s"}. Turn on auto-charge so the service does not stop.`,
      details: { runwayDays: days, dailyPace: input.runway.dailyPace },
    });
  }

  const heavy = heavyService(input);
  if (heavy) out.push(heavy);
  return out;
}

function heavyService(input: RecommendationInput): Recommendation | null {
  const offset = input.dayUtcOffsetHours ?? DEFAULT_DAY_OFFSET_HOURS;
  let end: number;
  if (input.today) {
    end = dayNumberOfInstant(input.today, offset) - 1;
  } else {
    if (input.history.length === 0) return null;
    end = Math.max(...input.history.map((d) => dayNumberOfKey(d.day)));
  }
  const start = end - HEAVY_WINDOW_DAYS + 1;
  let dayTotal = 0;
  let serviceTotal = 0;
  const byService = new Map<string, { count: number; coins: Minor }>();
  for (const d of input.history) {
    const n = dayNumberOfKey(d.day);
    if (n < start || n > end) continue;
    dayTotal += Math.max(0, d.coins);
    for (const [serviceType, s] of Object.entries(d.byService)) {
      const acc = byService.get(serviceType) ?? { count: 0, coins: 0 };
      acc.count += s.count;
      acc.coins += s.coins;
      byService.set(serviceType, acc);
      serviceTotal += s.coins;
    }
  }
  // Per-service rows may not add up to the day total (usage without a service type); the larger
  // total keeps every share within 0..1.
  const total = Math.max(dayTotal, serviceTotal);
  if (total <= 0) return null;
  // Sorted by name so that ties (impossible above 50%, but cheap to rule out) stay deterministic.
  const heavy = [...byService]
    .sort(([a], [b]) => a.localeCompare(b))
    .find(([, s]) => s.coins > HEAVY_SHARE * total);
  if (!heavy) return null;
  const [serviceType, s] = heavy;
  const share = s.coins / total;
  const cheaper = cheaperTier(serviceType, input.prices);
  const ownCost = input.prices.find((p) => p.serviceType === serviceType)?.cost;
  const estimatedSaving = cheaper && ownCost !== undefined ? s.count * (ownCost - cheaper.cost) : 0;
  const head = `최근 ${HEAVY_WINDOW_DAYS}일 사용량의 ${pct(share)}%(${formatAmount(s.coins)}냥)가 ${serviceType}에 쓰였습니다.`;
  const headEn = `${pct(share)}% of the last ${HEAVY_WINDOW_DAYS} days' coins (${formatAmount(s.coins)}) went to ${serviceType}.`;
  return {
    kind: "heavy_service",
    message: cheaper
      ? `${head} ${cheaper.serviceType}(회당 ${formatAmount(cheaper.cost)}냥)로 충분한 작업이라면 약 ${formatAmount(estimatedSaving)}냥을 아낄 수 있습니다.`
      : `${head} 사용 패턴을 확인해 보세요.`,
    messageEn: cheaper
      ? `${headEn} Where ${cheaper.serviceType} (${formatAmount(cheaper.cost)} coins per use) is enough, that would have saved about ${formatAmount(estimatedSaving)} coins.`
      : `${headEn} Worth checking whether all of it is needed.`,
    details: {
      serviceType,
      coins: s.coins,
      count: s.count,
      totalCoins: total,
      share,
      windowDays: HEAVY_WINDOW_DAYS,
      cheaperServiceType: cheaper?.serviceType ?? null,
      estimatedSaving,
    },
  };
}

