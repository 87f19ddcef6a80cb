import { createHash } from "node:crypto";
import { formatAmount, type Minor } from "../money.ts";
import type { LedgerEntry } from "../ledger/types.ts";

/**
 * Alerts and the rules that raise them. Every rule is keyed on the immutable thing that
 * triggered it (an entry, or an account's business day), so its alert id is fixed and a
 * redelivered stream record finds the alert already there.
 */
export const alertTypes = ["low_balance", "high_usage", "unusual_activity", "auto_charge"] as const;
export type AlertType = (typeof alertTypes)[number];

export interface Alert {
  id: string;
  userId: string;
  type: AlertType;
  severity: "info" | "warning" | "critical";
  title: string;
  message: string;
  data: Record<string, unknown>;
  read: boolean;
  readAt: string | null;
  createdAt: string;
}

/**
 * `alert_` + the trigger's time (13-digit epoch ms, so ids sort by time) + 16 chars of a
 * hash of what triggered it.
 */
export function alertIdFor(userId: string, trigger: string, at: string): string {
  const hash = createHash("sha256").update(`${userId}\n${trigger}`).digest("hex").slice(0, 16);
  return `alert_${String(Date.parse(at)).padStart(13, "0")}${hash}`;
}

export const alertIdPattern = /^alert_\d{13}[0-9a-f]{16}$/;

/**
 * `idAt` places the id in time and must be as fixed as the trigger (the entry's time, or
 * the start of the day for once-a-day rules); `at` is when it was raised.
 */
function alert(
  userId: string,
  type: AlertType,
  trigger: string,
  idAt: string,
  at: string,
  fields: Pick<Alert, "severity" | "title" | "message" | "data">,
): Alert {
  return { id: alertIdFor(userId, `${type}\n${trigger}`, idAt), userId, type, ...fields, read: false, readAt: null, createdAt: at };
}

/**
 * low_balance: the balance crossed the threshold downwards in this entry. One alert per
 * crossing; it re-arms by itself, since the next crossing needs a balance above the
 * threshold first. (The original raised one on every spend below it.)
 */
export function lowBalanceAlert(e: LedgerEntry, threshold: Minor): Alert | null {
  if (!(e.balanceBefore > threshold && e.balanceAfter <= threshold)) return null;
  return alert(e.userId, "low_balance", e.id, e.createdAt, e.createdAt, {
    severity: e.balanceAfter === 0 ? "critical" : "warning",
    title: "잔액 부족 (Low balance)",
    message: `잔액이 ${formatAmount(e.balanceAfter)}냥으로 기준(${formatAmount(threshold)}냥) 아래로 내려갔습니다. (Balance ${formatAmount(e.balanceAfter)} fell below ${formatAmount(threshold)}.)`,
    data: { balance: formatAmount(e.balanceAfter), threshold: formatAmount(threshold), transactionId: e.id },
  });
}

/** high_usage: the day's usage crossed the threshold. Once per account and day. */
export function highUsageAlert(userId: string, day: DayRef, before: Minor, after: Minor, threshold: Minor, at: string): Alert | null {
  if (!(before < threshold && after >= threshold)) return null;
  return alert(userId, "high_usage", day.day, day.startsAt, at, {
    severity: "warning",
    title: "사용량 증가 (High usage)",
    message: `오늘 사용량이 ${formatAmount(after)}냥으로 기준(${formatAmount(threshold)}냥)을 넘었습니다. (Today's usage ${formatAmount(after)} passed ${formatAmount(threshold)}.)`,
    data: { day: day.day, usage: formatAmount(after), threshold: formatAmount(threshold) },
  });
}

/** A business day and the instant it starts (what once-a-day alert ids are placed at). */
export interface DayRef {
  day: string;
  startsAt: string;
}

/** Parameters of the unusual-activity rule (configurable; README documents the defaults). */
export interface UnusualActivityRule {
  /** Days before today whose average daily usage is the account's own baseline. */
  baselineDays: number;
  /** Today is unusual once its usage reaches this many times the baseline… */
  multiplier: number;
  /** …and at least this much, so that a quiet account's first busy day is not flagged. */
  minimumCoins: Minor;
}

/**
 * unusual_activity, a velocity rule against the account's own recent baseline: today's
 * usage reached `multiplier` × the average daily usage of the previous `baselineDays`
 * days, and at least `minimumCoins`. An account with no baseline yet is judged against
 * `minimumCoins` × `multiplier`. Once per account and day.
 *
 * The rule is checked only when today's usage doubles past `minimumCoins` (50, 100, 200,
 * …): a handful of baseline reads per account per day, however busy it is.
 */
export function unusualActivityAlert(
  userId: string,
  day: DayRef,
  usageToday: Minor,
  baselineDaily: Minor | null,
  rule: UnusualActivityRule,
  at: string,
): Alert | null {
  const bar = Math.max(rule.minimumCoins, (baselineDaily ?? rule.minimumCoins) * rule.multiplier);
  if (usageToday < bar) return null;
  return alert(userId, "unusual_activity", day.day, day.startsAt, at, {
    severity: "critical",
    title: "비정상적인 사용 (Unusual activity)",
    message: unusualActivityMessage(usageToday, baselineDaily, bar, rule),
    data: {
      day: day.day,
      usage: formatAmount(usageToday),
      baselineDaily: baselineDaily === null ? null : formatAmount(baselineDaily),
      multiplier: rule.multiplier,
    },
  });
}

/**
 * What is true when the rule fires. With a usual (a baseline above zero), today reached at
 * least `multiplier` × it (the bar is never below that). Without one (no history, or no
 * usage in the baseline days) there is no "usual" to multiply: say which bar was passed.
 */
export function unusualActivityMessage(usageToday: Minor, baselineDaily: Minor | null, bar: Minor, rule: Pick<UnusualActivityRule, "multiplier" | "baselineDays">): string {
  const usage = formatAmount(usageToday);
  if (baselineDaily === null || baselineDaily === 0) {
    return `오늘 사용량(${usage}냥)이 기준(${formatAmount(bar)}냥)을 넘었습니다. 지난 ${rule.baselineDays}일 동안 사용 기록이 없습니다. (Today's usage ${usage} passed ${formatAmount(bar)}, with no usage in the previous ${rule.baselineDays} days.)`;
  }
  const usual = formatAmount(baselineDaily);
  return `오늘 사용량(${usage}냥)이 평소(하루 ${usual}냥)의 ${rule.multiplier}배 이상입니다. (Today's usage ${usage} is at least ${rule.multiplier}× the usual ${usual} a day.)`;
}

/** Whether today's usage moving from `before` to `after` passes a checkpoint of the unusual-activity rule. */
export function passesCheckpoint(before: Minor, after: Minor, minimumCoins: Minor): boolean {
  if (after < minimumCoins) return false;
  for (let mark = minimumCoins; mark <= after; mark *= 2) if (before < mark) return true;
  return false;
}
