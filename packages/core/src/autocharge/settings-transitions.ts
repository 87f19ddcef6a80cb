import { NyangError } from "../errors.ts";
import { formatAmount, type Minor } from "../money.ts";
import { later } from "./charge-transitions.ts";
import type { AutoChargeSettings, ChargeRecord, RegisteredCard } from "./model.ts";

/**
 * How an account's auto-charge settings change, as pure functions: the settings as read and
 * what happened give the settings to write (the revision moved on). The settings service
 * (settings.ts) and the charge (charge.ts) write them conditioned on the revision they were
 * decided from.
 */

/** The highest monthly cap an account may set (KRW); config's default has the same bound. */
export const MAX_MONTHLY_CAP_KRW = 1_000_000_000;

/** An account's settings before it ever had any: off, with the configured threshold and amount. */
export function defaultSettings(userId: string, defaults: { threshold: Minor; amount: Minor }, now: Date): AutoChargeSettings {
  const t = now.toISOString();
  return {
    userId,
    enabled: false,
    threshold: defaults.threshold,
    amount: defaults.amount,
    paymentMethod: "card",
    billing: null,
    monthlyCapKrw: null,
    consecutiveFailures: 0,
    disabledReason: null,
    disabledAt: null,
    armedRevision: 0,
    armedAtSeq: 0,
    armedAt: null,
    createdAt: t,
    updatedAt: t,
    revision: 0,
  };
}

/** A save of the settings, every field resolved (absent ones from the current settings or the defaults). */
export interface SettingsUpdate {
  enabled: boolean;
  threshold: Minor;
  amount: Minor;
  paymentMethod: "card";
  /** The card to charge: one registered with this save, or the one registered before. */
  billing: RegisteredCard | null;
  /** The account's own monthly cap (KRW), null for the service's default. */
  monthlyCapKrw: number | null;
  /** The account's version as read: crossings up to it belong to an earlier arming. */
  accountVersion: number;
  now: Date;
  maxCoinAmount: Minor;
}

/**
 * The settings after a save. Turning auto-charge on needs a card; it (and a new threshold
 * while on) arms the account, so that a balance already at or below the threshold is a
 * crossing of its own. Turning it on again starts the failure count afresh.
 */
export function settingsAfterUpdate(base: AutoChargeSettings, u: SettingsUpdate): AutoChargeSettings {
  if (u.enabled && !u.billing) {
    throw new NyangError("validation_failed", "Register a card to turn auto-charge on", {
      fields: { authKey: "required: no card is registered for auto-charge" },
    });
  }
  if (u.enabled) assertChargeFits(u.threshold, u.amount, u.maxCoinAmount);
  if (u.monthlyCapKrw !== null && !(Number.isInteger(u.monthlyCapKrw) && u.monthlyCapKrw >= 1 && u.monthlyCapKrw <= MAX_MONTHLY_CAP_KRW)) {
    throw new NyangError("validation_failed", "The monthly cap must be whole won from 1 to 1,000,000,000, or null for the default", {
      fields: { monthlyCapKrw: `an integer from 1 to ${MAX_MONTHLY_CAP_KRW}, or null` },
    });
  }
  const t = u.now.toISOString();
  const revision = base.revision + 1;
  const rearm = u.enabled && (!base.enabled || base.threshold !== u.threshold);
  return {
    ...base,
    enabled: u.enabled,
    threshold: u.threshold,
    amount: u.amount,
    paymentMethod: u.paymentMethod,
    billing: u.billing,
    monthlyCapKrw: u.monthlyCapKrw,
    consecutiveFailures: u.enabled && !base.enabled ? 0 : base.consecutiveFailures,
    disabledReason: u.enabled ? null : base.enabled ? "user" : base.disabledReason,
    disabledAt: u.enabled ? null : base.enabled ? t : base.disabledAt,
    ...(rearm ? { armedRevision: revision, armedAtSeq: u.accountVersion, armedAt: t } : {}),
    updatedAt: t,
    revision,
  };
}

/** The settings turned off by the user, the card forgotten. */
export function settingsAfterDisable(cur: AutoChargeSettings, now: Date): AutoChargeSettings {
  const t = now.toISOString();
  return {
    ...cur,
    enabled: false,
    billing: null,
    disabledReason: cur.enabled ? "user" : cur.disabledReason,
    disabledAt: cur.enabled ? t : cur.disabledAt,
    updatedAt: t,
    revision: cur.revision + 1,
  };
}

/**
 * The settings after a refused payment, given the charge record that refusal made
 * (charge-transitions.ts, `declined`): one failure more, and auto-charge off when the record
 * gave up (the failure limit reached).
 */
export function settingsAfterDecline(settings: AutoChargeSettings, declined: ChargeRecord): AutoChargeSettings {
  const t = declined.updatedAt;
  return {
    ...settings,
    consecutiveFailures: settings.consecutiveFailures + 1,
    ...(declined.status === "gave_up" ? { enabled: false, disabledReason: "payment_failures" as const, disabledAt: t } : {}),
    updatedAt: later(t, settings.updatedAt),
    revision: settings.revision + 1,
  };
}

/**
 * Checked when auto-charge is turned on (or stays on), never when it is turned off: settings
 * saved under a higher limit must not stand in the way of switching them off.
 * A charge lands on a balance at or below the threshold, so threshold + amount within
 * MAX_COIN_AMOUNT keeps every charge within it — unless another credit lands while one is
 * under way (then the charge is skipped or refunded, see charge.ts).
 */
export function assertChargeFits(threshold: Minor, amount: Minor, maxCoinAmount: Minor): void {
  if (threshold + amount <= maxCoinAmount) return;
  const max = formatAmount(maxCoinAmount);
  throw new NyangError(
    "balance_limit_exceeded",
    `A charge at the threshold would lift the balance to ${formatAmount(threshold + amount)}, above the maximum of ${max}: threshold + amount must not exceed MAX_COIN_AMOUNT`,
    { max, balanceAfter: formatAmount(threshold + amount), threshold: formatAmount(threshold), amount: formatAmount(amount) },
  );
}
