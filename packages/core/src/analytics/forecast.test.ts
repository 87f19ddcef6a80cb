import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CoinPackage, ServicePrice } from "../config.ts";
import {
  predictNextMonth,
  recommendations,
  runway,
  type DailyUsage,
  type Prediction,
  type RecommendationInput,
  type Runway,
} from "./forecast.ts";

// 2024-03-15 12:00 in Korea (business days are KST by default): next month is April, 30 days.
const TODAY = new Date("2024-03-15T03:00:00.000Z");
const TODAY_KEY = "2024-03-15";

/** The business day `k` days before `base` (k = 0 is `base` itself). */
const dayBefore = (k: number, base = TODAY_KEY) =>
  new Date(Date.parse(`${base}T00:00:00.000Z`) - k * 86_400_000).toISOString().slice(0, 10);

const usage = (k: number, coins: number, base = TODAY_KEY): DailyUsage => ({
  day: dayBefore(k, base),
  coins,
  count: coins > 0 ? 1 : 0,
  byService: coins > 0 ? { ai_writing: { count: 1, coins } } : {},
});

/** `coinsOf(k)` on each of the days 1..n before today. */
const daysBack = (n: number, coinsOf: (k: number) => number, base = TODAY_KEY) =>
  Array.from({ length: n }, (_, i) => usage(i + 1, coinsOf(i + 1), base));

/** Σ 2^(-k/2) for k = 0..7: the default weights of the eight weeks, newest first. */
const W = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => Math.pow(2, -k / 2));
const SUM_W = W.reduce((a, b) => a + b, 0);

const prices: ServicePrice[] = [
  { serviceType: "ai_writing", cost: 300 },
  { serviceType: "image_generation_dev", cost: 100 },
  { serviceType: "image_generation_pro", cost: 130 },
  { serviceType: "image_generation_max", cost: 210 },
  { serviceType: "keyword_analysis", cost: 200 },
  { serviceType: "smart_place_ranking", cost: 150 },
];

const pkg = (id: string, name: string, coins: number, bonus: number, priceKrw: number, sortOrder: number, popular = false): CoinPackage => ({
  id,
  name,
  coins: coins * 100,
  bonusCoins: bonus * 100,
  priceKrw,
  popular,
  sortOrder,
  active: true,
  bonusExpiryDays: null,
});

const packages: CoinPackage[] = [
  pkg("basic", "기본팩", 1000, 0, 10000, 1),
  pkg("saver", "알뜰팩", 3000, 300, 27000, 2),
  pkg("popular", "인기팩", 5000, 1000, 40000, 3, true),
  pkg("premium", "프리미엄팩", 10000, 3000, 70000, 4),
  pkg("vip", "VIP팩", 20000, 8000, 120000, 5),
];

describe("predictNextMonth", () => {
  it("flat usage: daily × days in next month, zero-width interval, high confidence", () => {
    // 500 minor (5 냥) a day for 120 days, plus a partial today that must not count.
    const history = [...daysBack(120, () => 500), usage(0, 90)];
    const p = predictNextMonth(history, TODAY);
    expect(p.coins).toBe(500 * 30);
    expect(p.low).toBe(15000);
    expect(p.high).toBe(15000);
    expect(p.confidence).toBe("high");
    expect(p.basis).toEqual({ weeks: 8, weeklyCoins: Array(8).fill(3500) });
    expect(p.method).toMatch(/^Exponentially weighted average of daily usage over the last 8 complete 7-day weeks/);
    expect(p.method).toContain("half-life 2 weeks");
    expect(p.method).toContain("30 days of 2024-04");
    expect(p.method).toContain("80% interval");
  });

  it("scales to the next calendar month's length (leap February, year end)", () => {
    const jan31 = new Date("2024-01-31T03:00:00.000Z"); // KST Jan 31 → February 2024: 29 days
    expect(predictNextMonth(daysBack(60, () => 100, "2024-01-31"), jan31).coins).toBe(2900);
    const dec10 = new Date("2023-12-10T03:00:00.000Z"); // → January 2024: 31 days
    expect(predictNextMonth(daysBack(60, () => 100, "2023-12-10"), dec10).coins).toBe(3100);
  });

  it("today is the business day of the offset: 16:00 UTC on Jan 31 is already Feb 1 in Korea", () => {
    const at = new Date("2024-01-31T16:00:00.000Z");
    // KST: today = Feb 1 (partial, left out), next month March (31 days).
    const history = [...daysBack(60, () => 100, "2024-02-01"), usage(0, 99_999, "2024-02-01")];
    expect(predictNextMonth(history, at).coins).toBe(3100);
    // In UTC the same instant is Jan 31, so the Feb 1 row is in the future and ignored; February has 29 days.
    expect(predictNextMonth(history, at, { dayUtcOffsetHours: 0 }).coins).toBe(2900);
  });

  it("linear growth: above the three-month average and closer to recent weeks", () => {
    // Day k before today used 100 × (121 − k): yesterday 12,000, growing by 100 a day.
    const coinsOf = (k: number) => 100 * (121 - k);
    const history = daysBack(120, coinsOf);
    const p = predictNextMonth(history, TODAY);

    // Week k (newest 0) covers days 7k+1..7k+7, so its mean day is 100 × (117 − 7k).
    const weightedDaily = (100 * W.reduce((s, w, k) => s + w * (117 - 7 * k), 0)) / SUM_W;
    expect(p.coins).toBe(Math.round(weightedDaily * 30));
    expect(p.coins).toBe(311_502);

    // The original: the average of the last three calendar months (Dec, Jan, Feb = days 15..105 before).
    // Σ_{k=15}^{105} 100 × (121 − k) = 100 × Σ_{j=16}^{106} j = 100 × 5551.
    const threeMonthAverage = (100 * 5551) / 3;
    expect(p.coins).toBeGreaterThan(threeMonthAverage);

    // Last week's level (mean day 11,700) over April, and April's true total if the line continues:
    // April 1..30 are days −17..−46, i.e. 100 × Σ_{j=138}^{167} j = 457,500.
    const lastWeeks = 11_700 * 30;
    const actualApril = 457_500;
    expect(Math.abs(p.coins - lastWeeks)).toBeLessThan(Math.abs(threeMonthAverage - lastWeeks));
    expect(Math.abs(p.coins - actualApril)).toBeLessThan(Math.abs(threeMonthAverage - actualApril));
    expect(p.low).toBeLessThan(p.coins);
    expect(p.high).toBeGreaterThan(p.coins);
  });

  it("no history: 0 with low confidence", () => {
    for (const history of [[], [usage(0, 5000)], [usage(3, 0)]]) {
      const p = predictNextMonth(history, TODAY);
      expect(p).toMatchObject({ coins: 0, low: 0, high: 0, confidence: "low", basis: { weeks: 0, weeklyCoins: [] } });
      expect(p.method).toContain("No usage before today");
    }
  });

  it("one week: the level of that week, an assumed ±50% spread, low confidence", () => {
    const p = predictNextMonth(daysBack(7, () => 1000), TODAY);
    expect(p.coins).toBe(30_000);
    // 30,000 ± 1.2816 × 0.5 × 30,000 = 30,000 ± 19,224
    expect(p.low).toBe(10_776);
    expect(p.high).toBe(49_224);
    expect(p.confidence).toBe("low");
    expect(p.basis).toEqual({ weeks: 1, weeklyCoins: [7000] });
    expect(p.method).toContain("assumed to be 50% of the level");
  });

  it("a recent start: weeks before the first use are not zeros", () => {
    // Started 10 days ago at 500 a day: weeks of 3 and 7 days.
    const p = predictNextMonth(daysBack(10, () => 500), TODAY);
    expect(p.coins).toBe(15_000); // zero-filling the missing 4 days + 6 weeks would give far less
    expect(p.low).toBe(15_000);
    expect(p.high).toBe(15_000);
    expect(p.basis).toEqual({ weeks: 2, weeklyCoins: [1500, 3500] });
    expect(p.confidence).toBe("low");
  });

  it("medium confidence: four steady weeks", () => {
    const p = predictNextMonth(daysBack(28, () => 500), TODAY);
    expect(p.coins).toBe(15_000);
    expect(p.confidence).toBe("medium");
  });

  it("a spike week is capped at 3× the median for the point estimate but widens the interval", () => {
    // 500 a day for 8 weeks, plus 50,000 two days ago: week 0's day rate 53,500/7 > 3 × 500.
    const history = [...daysBack(56, () => 500), usage(2, 50_000)];
    const p = predictNextMonth(history, TODAY);
    // Capped: week 0 counts as 1,500 a day, the others 500.
    const expected = Math.round(30 * (500 + (1000 * W[0]!) / SUM_W));
    expect(p.coins).toBe(expected);
    expect(p.coins).toBe(24_373);
    const uncapped = 30 * (500 + ((53_500 / 7 - 500) * W[0]!) / SUM_W);
    expect(p.coins).toBeLessThan(uncapped);
    expect(p.high).toBeGreaterThan(uncapped);
    expect(p.confidence).toBe("low");
    expect(p.method).toContain("1 spike week above 3× the median week was capped");
    expect(p.basis.weeklyCoins.at(-1)).toBe(53_500);

    // The same spike five weeks back weighs less.
    const old = predictNextMonth([...daysBack(56, () => 500), usage(37, 50_000)], TODAY);
    expect(old.coins).toBe(Math.round(30 * (500 + (1000 * W[5]!) / SUM_W)));
    expect(old.coins).toBeLessThan(p.coins);
  });

  it("property: non-negative integers with low ≤ coins ≤ high", () => {
    const row = fc.record({ k: fc.integer({ min: -3, max: 150 }), coins: fc.integer({ min: 0, max: 1_000_000_000 }), count: fc.integer({ min: 0, max: 1000 }) });
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 120 }),
        fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true }),
        fc.integer({ min: -12, max: 14 }),
        (rows, today, offset) => {
          const base = new Date(today.getTime() + offset * 3_600_000).toISOString().slice(0, 10);
          const history = rows.map((r) => ({ day: dayBefore(r.k, base), coins: r.coins, count: r.count, byService: {} }));
          const p = predictNextMonth(history, today, { dayUtcOffsetHours: offset });
          for (const v of [p.coins, p.low, p.high]) expect(Number.isSafeInteger(v)).toBe(true);
          expect(p.low).toBeGreaterThanOrEqual(0);
          expect(p.low).toBeLessThanOrEqual(p.coins);
          expect(p.coins).toBeLessThanOrEqual(p.high);
          expect(p.basis.weeks).toBeLessThanOrEqual(8);
          expect(p.basis.weeklyCoins).toHaveLength(p.basis.weeks);

          const r = runway(history, 1_000_000, today, { dayUtcOffsetHours: offset });
          expect(r.days === null || (Number.isSafeInteger(r.days) && r.days >= 0)).toBe(true);
          expect(Number.isSafeInteger(r.dailyPace) && r.dailyPace >= 0).toBe(true);
        },
      ),
    );
  });

  it("refuses a malformed day key", () => {
    expect(() => predictNextMonth([{ day: "2024-3-1", coins: 1, count: 1, byService: {} }], TODAY)).toThrow(RangeError);
  });
});

describe("runway", () => {
  const flat = daysBack(30, () => 500);

  it("flat pace: exact whole days", () => {
    expect(runway(flat, 10_000, TODAY)).toMatchObject({ days: 20, dailyPace: 500 });
    expect(runway(flat, 10_499, TODAY).days).toBe(20);
    expect(runway(flat, 9_999, TODAY).days).toBe(19);
    expect(runway(flat, 499, TODAY).days).toBe(0);
    expect(runway(flat, 10_000, TODAY).method).toContain("last 14 complete days");
  });

  it("the last 7 days count twice", () => {
    // Days 1..7 at 1,000, days 8..14 at 400: (2 × 7,000 + 2,800) / 21 = 800 a day.
    const history = daysBack(14, (k) => (k <= 7 ? 1000 : 400));
    expect(runway(history, 8_000, TODAY)).toMatchObject({ days: 10, dailyPace: 800 });
  });

  it("null when there is no recent usage", () => {
    expect(runway([], 10_000, TODAY)).toMatchObject({ days: null, dailyPace: 0 });
    // Usage only 15+ days ago, and today's partial day does not count.
    const old = [usage(15, 5000), usage(40, 5000), usage(0, 5000)];
    expect(runway(old, 10_000, TODAY)).toMatchObject({ days: null, dailyPace: 0 });
  });

  it("0 when nothing is available", () => {
    expect(runway(flat, 0, TODAY).days).toBe(0);
    expect(runway(flat, -300, TODAY).days).toBe(0);
    expect(runway([], 0, TODAY).days).toBe(0);
  });

  it("a recent start is not diluted by the days before it", () => {
    // Three days at 600 (the recent window counts them twice, the older window is empty).
    expect(runway(daysBack(3, () => 600), 6_000, TODAY)).toMatchObject({ days: 10, dailyPace: 600 });
  });
});

describe("recommendations", () => {
  const prediction = (coins: number): Prediction => ({
    coins,
    low: coins,
    high: coins,
    method: "test",
    confidence: "high",
    basis: { weeks: 8, weeklyCoins: [] },
  });
  const rw = (days: number | null, dailyPace = 500): Runway => ({ days, dailyPace, method: "test" });
  const base: RecommendationInput = {
    prediction: prediction(10_000),
    runway: rw(30),
    balance: 50_000,
    history: [],
    prices,
    packages,
    autoChargeEnabled: false,
    today: TODAY,
  };
  const kinds = (input: Partial<RecommendationInput>) => recommendations({ ...base, ...input }).map((r) => r.kind);
  const topUp = (predicted: number, balance: number) => {
    const r = recommendations({ ...base, prediction: prediction(predicted), balance }).find((x) => x.kind === "top_up");
    if (r?.kind !== "top_up") throw new Error("expected a top_up");
    return r;
  };

  it("nothing to say for a healthy account", () => {
    expect(recommendations(base)).toEqual([]);
  });

  it("top_up only when the prediction exceeds the balance", () => {
    expect(kinds({ prediction: prediction(50_000) })).not.toContain("top_up");
    expect(kinds({ prediction: prediction(50_001) })).toContain("top_up");
  });

  it("top_up names the smallest package covering the gap (coins + bonus), with its price", () => {
    // Gap 1 … 100,000 minor (1,000 냥): 기본팩.
    const small = topUp(50_001, 50_000);
    expect(small.details).toMatchObject({ gap: 1, quantity: 1, totalPriceKrw: 10_000, package: { id: "basic", priceKrw: 10_000 } });
    expect(small.message).toBe("다음 달 예상 사용량 500.01냥이 잔액 500.00냥보다 0.01냥 많습니다. 기본팩(1000.00냥, 10,000원) 충전을 권장합니다.");
    expect(small.messageEn).toContain("Top up with 기본팩 (1000.00 coins, ₩10,000)");
    expect(topUp(150_000, 50_000).details.package?.id).toBe("basic"); // gap exactly 100,000
    expect(topUp(150_001, 50_000).details.package?.id).toBe("saver"); // 3,000 + 300 bonus covers it
    expect(topUp(380_000, 50_000).details.package?.id).toBe("saver"); // gap exactly 330,000
    expect(topUp(380_001, 50_000).details).toMatchObject({ package: { id: "popular", name: "인기팩" }, totalPriceKrw: 40_000 });
    // Beyond the largest package (28,000 냥 = 2,800,000): the largest, as many as needed.
    const big = topUp(3_050_000, 50_000);
    expect(big.details).toMatchObject({ gap: 3_000_000, package: { id: "vip" }, quantity: 2, totalPriceKrw: 240_000 });
    expect(big.message).toContain("VIP팩(28000.00냥, 120,000원) 2개, 합계 240,000원");
  });

  it("top_up skips inactive packages and still speaks without any package", () => {
    const noBasic = packages.map((p) => (p.id === "basic" ? { ...p, active: false } : p));
    const r = recommendations({ ...base, packages: noBasic, prediction: prediction(50_001) })[0];
    expect(r?.kind === "top_up" && r.details.package?.id).toBe("saver");
    const none = recommendations({ ...base, packages: [], prediction: prediction(50_001) })[0];
    expect(none).toMatchObject({ kind: "top_up", details: { package: null, quantity: 0, totalPriceKrw: 0 } });
    expect(none?.message).toContain("충전을 권장합니다");
  });

  it("enable_auto_charge when runway < 7 days and auto-charge is off", () => {
    expect(kinds({ runway: rw(7) })).not.toContain("enable_auto_charge");
    expect(kinds({ runway: rw(6) })).toContain("enable_auto_charge");
    expect(kinds({ runway: rw(0) })).toContain("enable_auto_charge");
    expect(kinds({ runway: rw(6), autoChargeEnabled: true })).not.toContain("enable_auto_charge");
    expect(kinds({ runway: rw(null) })).not.toContain("enable_auto_charge");
    const r = recommendations({ ...base, runway: rw(6, 1234) })[0];
    expect(r).toMatchObject({ kind: "enable_auto_charge", details: { runwayDays: 6, dailyPace: 1234 } });
    expect(r?.message).toContain("6일 안에");
    expect(r?.message).toContain("자동 충전");
  });

  it("low_balance below the threshold (default 20 냥)", () => {
    expect(kinds({ balance: 2000, prediction: prediction(0) })).not.toContain("low_balance");
    expect(kinds({ balance: 1999, prediction: prediction(0) })).toContain("low_balance");
    expect(kinds({ balance: 4999, prediction: prediction(0), lowBalanceThreshold: 5000 })).toContain("low_balance");
    const r = recommendations({ ...base, balance: 1999, prediction: prediction(0) })[0];
    expect(r?.message).toBe("잔액이 19.99냥으로 기준 20.00냥보다 적습니다.");
  });

  describe("heavy_service", () => {
    const day = (k: number, byService: DailyUsage["byService"]): DailyUsage => {
      const services = Object.values(byService);
      return {
        day: dayBefore(k),
        coins: services.reduce((s, x) => s + x.coins, 0),
        count: services.reduce((s, x) => s + x.count, 0),
        byService,
      };
    };
    const heavy = (history: DailyUsage[]) => {
      const r = recommendations({ ...base, history }).find((x) => x.kind === "heavy_service");
      return r?.kind === "heavy_service" ? r : undefined;
    };

    it("exactly 50% is not heavy; above it is, with the next cheaper tier and the saving", () => {
      // image_generation_max 10 × 2.10 = 21 냥 vs smart_place_ranking 14 × 1.50 = 21 냥: 50%.
      expect(heavy([day(1, { image_generation_max: { count: 10, coins: 2100 }, smart_place_ranking: { count: 14, coins: 2100 } })])).toBeUndefined();
      // 13 × 1.50 = 19.5 냥: max is 2100 / 4050 = 51.85%.
      const r = heavy([day(1, { image_generation_max: { count: 10, coins: 2100 } }), day(20, { smart_place_ranking: { count: 13, coins: 1950 } })]);
      expect(r?.details).toEqual({
        serviceType: "image_generation_max",
        coins: 2100,
        count: 10,
        totalCoins: 4050,
        share: 2100 / 4050,
        windowDays: 30,
        cheaperServiceType: "image_generation_pro",
        estimatedSaving: 10 * (210 - 130),
      });
      expect(r?.message).toBe(
        "최근 30일 사용량의 51.8%(21.00냥)가 image_generation_max에 쓰였습니다. image_generation_pro(회당 1.30냥)로 충분한 작업이라면 약 8.00냥을 아낄 수 있습니다.",
      );
    });

    it("pro → dev; dev and ai_writing have no cheaper tier", () => {
      expect(heavy([day(1, { image_generation_pro: { count: 10, coins: 1300 } })])?.details).toMatchObject({
        share: 1,
        cheaperServiceType: "image_generation_dev",
        estimatedSaving: 300,
      });
      expect(heavy([day(1, { image_generation_dev: { count: 10, coins: 1000 } })])?.details).toMatchObject({ cheaperServiceType: null, estimatedSaving: 0 });
      const ai = heavy([day(1, { ai_writing: { count: 3, coins: 900 } }), day(2, { keyword_analysis: { count: 1, coins: 200 } })]);
      expect(ai?.details).toMatchObject({ serviceType: "ai_writing", cheaperServiceType: null });
      expect(ai?.message).toContain("최근 30일 사용량의 81.8%(9.00냥)가 ai_writing에 쓰였습니다.");
    });

    it("only the last 30 complete days count", () => {
      // Day 31 back and today (partial) are outside the window; inside, keyword_analysis is 100%.
      const history = [
        day(31, { image_generation_max: { count: 100, coins: 21_000 } }),
        day(0, { image_generation_max: { count: 100, coins: 21_000 } }),
        day(30, { keyword_analysis: { count: 1, coins: 200 } }),
      ];
      expect(heavy(history)?.details).toMatchObject({ serviceType: "keyword_analysis", share: 1, totalCoins: 200 });
      expect(heavy([])).toBeUndefined();
    });
  });

  it("deterministic order: low_balance, top_up, enable_auto_charge, heavy_service", () => {
    const input: RecommendationInput = {
      ...base,
      balance: 1000,
      prediction: prediction(20_000),
      runway: rw(2),
      history: [{ day: dayBefore(1), coins: 2100, count: 10, byService: { image_generation_max: { count: 10, coins: 2100 } } }],
    };
    const a = recommendations(input);
    expect(a.map((r) => r.kind)).toEqual(["low_balance", "top_up", "enable_auto_charge", "heavy_service"]);
    expect(recommendations(input)).toEqual(a);
    for (const r of a) {
      expect(r.message).toMatch(/[가-힣]/);
      expect(r.messageEn).toMatch(/^[\x20-\x7E₩×가-힣]+$/);
    }
  });

  it("works end to end from a history", () => {
    // 8 weeks at 500 a day: April predicted 15,000; 2,000 available lasts 4 days.
    const history = daysBack(56, () => 500);
    const p = predictNextMonth(history, TODAY);
    const r = runway(history, 2000, TODAY);
    expect(r.days).toBe(4);
    const recs = recommendations({ ...base, prediction: p, runway: r, balance: 2000, history });
    // ai_writing is 100% of the window (daysBack books everything there).
    expect(recs.map((x) => x.kind)).toEqual(["top_up", "enable_auto_charge", "heavy_service"]);
    expect(recs[0]?.details).toMatchObject({ gap: 13_000, package: { id: "basic" } });
  });
});
