import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { cleanUrl, readCheckoutReturn } from "./checkout.ts";
import { useAutoCharge } from "./hooks.ts";
import { describeError } from "./i18n.ts";
import { LoadError } from "./LoadError.tsx";
import { useNyang } from "./provider.tsx";

export interface AutoChargeSettingsProps {
  /** Where the card-registration window sends the person back (default: this page). */
  returnUrl?: string;
  className?: string;
}

/**
 * A monthly-cap field as typed: empty is null (the service's default), whole won from 1 to
 * 1,000,000,000 (thousands separators allowed) a number, anything else undefined (refused).
 */
export function parseMonthlyCap(text: string): number | null | undefined {
  const v = text.trim().replace(/,/g, "");
  if (v === "") return null;
  if (!/^\d{1,10}$/.test(v) || Number(v) < 1 || Number(v) > 1_000_000_000) return undefined;
  return Number(v);
}

/** What the form asked for while the person was away registering a card. */
const PENDING_KEY = "nyang.autoCharge.pending";

/**
 * Auto-charge on and off, its threshold, amount and monthly cap (with what was charged this month). Turning it on the first time registers a
 * card in the gateway's window (Toss's, or the fake's under `npm run dev`); coming back, the
 * settings are saved with the window's `authKey`.
 */
export function AutoChargeSettings({ returnUrl, className }: AutoChargeSettingsProps) {
  const { client, userId, t, checkout } = useNyang("<AutoChargeSettings>");
  const settings = useAutoCharge();
  const [enabled, setEnabled] = useState(false);
  const [threshold, setThreshold] = useState("");
  const [amount, setAmount] = useState("");
  const [cap, setCap] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const titleId = useId();
  const thresholdId = useId();
  const amountId = useId();
  const capId = useId();
  const handled = useRef(false);

  // The form takes each loaded (or reloaded) settings during render, not in an effect after it,
  // so it is never shown, or used, with the previous values.
  const [shown, setShown] = useState<typeof settings.data>(null);
  if (settings.data && settings.data !== shown) {
    setShown(settings.data);
    setEnabled(settings.data.enabled);
    setThreshold(settings.data.threshold);
    setAmount(settings.data.amount);
    setCap(settings.data.monthlyCapKrw === null ? "" : String(settings.data.monthlyCapKrw));
  }

  // Back from the card-registration window: save what the form asked for, with the window's keys.
  useEffect(() => {
    if (handled.current) return;
    handled.current = true;
    const back = readCheckoutReturn();
    if (!back || back.kind !== "card") return;
    window.history.replaceState(window.history.state, "", cleanUrl());
    const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? "{}") as { threshold?: string; amount?: string; monthlyCapKrw?: number | null };
    sessionStorage.removeItem(PENDING_KEY);
    void save(() => client.autoCharge.put(userId, { enabled: true, paymentMethod: "card", ...pending, authKey: back.authKey, customerKey: back.customerKey }));
    // Once, on the way back from the window (save reads the latest client and user).
  }, []);

  async function save(call: () => Promise<unknown>) {
    setSaving(true);
    setMessage(null);
    try {
      await call();
      setMessage({ ok: true, text: t.saved });
      settings.reload();
    } catch (error) {
      const code = (error as { code?: string }).code;
      setMessage({ ok: false, text: code === "auto_charge_unavailable" ? t.autoChargeUnavailable : describeError(t, error) });
    } finally {
      setSaving(false);
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!enabled) return save(() => client.autoCharge.delete(userId));
    const monthlyCapKrw = parseMonthlyCap(cap);
    if (monthlyCapKrw === undefined) return setMessage({ ok: false, text: t.monthlyCapInvalid });
    if (!settings.data?.card) {
      // The window opens with the account's own customerKey, which the API derives and hands out.
      const customerKey = settings.data?.customerKey;
      if (!checkout || !customerKey) return setMessage({ ok: false, text: t.autoChargeUnavailable });
      sessionStorage.setItem(PENDING_KEY, JSON.stringify({ threshold, amount, monthlyCapKrw }));
      const back = cleanUrl(returnUrl ?? window.location.href);
      await checkout.registerCard({ customerKey, successUrl: back, failUrl: back });
      return;
    }
    return save(() => client.autoCharge.put(userId, { enabled: true, threshold, amount, monthlyCapKrw }));
  }

  const card = settings.data?.card;
  const month = settings.data;
  const capReached = month !== null && month.effectiveMonthlyCapKrw !== null && month.chargedThisMonthKrw + month.amountKrw > month.effectiveMonthlyCapKrw;
  const unavailable = settings.data ? !settings.data.available : false;
  return (
    <section className={`nyang nyang-autocharge ${className ?? ""}`} aria-labelledby={titleId}>
      <h2 id={titleId}>{t.autoChargeTitle}</h2>
      {settings.error && !settings.data ? (
        <LoadError error={settings.error} retry={settings.reload} />
      ) : settings.data === null ? (
        <p aria-busy="true">{t.loading}</p>
      ) : (
        <form onSubmit={(e) => void submit(e)} aria-describedby={unavailable ? `${titleId}-off` : undefined}>
          {unavailable && (
            <p id={`${titleId}-off`} role="note">
              {t.autoChargeUnavailable}
            </p>
          )}
          <label className="nyang-switch">
            <input type="checkbox" role="switch" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
            {t.autoChargeEnabled}
          </label>
          <label htmlFor={thresholdId}>{t.threshold}</label>
          <input id={thresholdId} inputMode="decimal" value={threshold} disabled={!enabled} onChange={(e) => setThreshold(e.target.value)} />
          <label htmlFor={amountId}>{t.chargeAmount}</label>
          <input id={amountId} inputMode="decimal" value={amount} disabled={!enabled} onChange={(e) => setAmount(e.target.value)} />
          <label htmlFor={capId}>{t.monthlyCap}</label>
          <input
            id={capId}
            inputMode="numeric"
            value={cap}
            disabled={!enabled}
            placeholder={settings.data.monthlyCapKrw === null ? t.monthlyCapHint(settings.data.effectiveMonthlyCapKrw === null ? null : t.krw(settings.data.effectiveMonthlyCapKrw)) : undefined}
            onChange={(e) => setCap(e.target.value)}
          />
          <p>{t.chargedThisMonth(t.krw(settings.data.chargedThisMonthKrw), settings.data.effectiveMonthlyCapKrw === null ? null : t.krw(settings.data.effectiveMonthlyCapKrw))}</p>
          {enabled && capReached && <p role="note">{t.monthlyCapReached}</p>}
          {card && <p>{t.card(card.company ?? "", card.number ?? "")}</p>}
          {settings.data.disabledReason === "payment_failures" && <p role="status">{t.autoChargeDisabledFailures}</p>}
          <button type="submit" className="nyang-button nyang-button--primary" disabled={saving || (unavailable && enabled)}>
            {enabled && !card ? t.registerCard : t.save}
          </button>
          {message && (
            <p role={message.ok ? "status" : "alert"} className={message.ok ? "nyang-success" : "nyang-error"}>
              {message.text}
            </p>
          )}
        </form>
      )}
    </section>
  );
}
