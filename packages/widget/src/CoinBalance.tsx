import { coins } from "@nyang/client";
import { useId } from "react";
import { useBalance } from "./hooks.ts";
import { LoadError } from "./LoadError.tsx";
import { useNyang } from "./provider.tsx";

export interface CoinBalanceProps {
  /** Called by the buy button (e.g. open the coin shop); without it the button is not shown. */
  onBuy?: () => void;
  className?: string;
}

/**
 * The balance badge: the balance, the coins on hold when there are any, live from the
 * client's realtime subscription; the next bonus expiry when bonus coins expire; a low state under the provider's threshold; the frozen
 * state; a buy button.
 */
export function CoinBalance({ onBuy, className }: CoinBalanceProps) {
  const { t, format } = useNyang("<CoinBalance>");
  const b = useBalance();
  const labelId = useId();
  const state = b.frozen ? "frozen" : b.low ? "low" : "ok";
  return (
    <section className={`nyang nyang-balance nyang-balance--${state} ${className ?? ""}`} aria-labelledby={labelId} data-state={state}>
      <h2 id={labelId} className="nyang-balance__label">
        {t.balance}
        {b.status === "open" && (
          <span className="nyang-live" title={t.live}>
            <span aria-hidden="true">●</span>
            <span className="nyang-sr-only">{t.live}</span>
          </span>
        )}
      </h2>
      {b.balance === null ? (
        b.error ? (
          <LoadError error={b.error} retry={() => void b.refresh()} />
        ) : (
          <p aria-busy="true">{t.loading}</p>
        )
      ) : (
        <>
          {/* aria-live: a push that changes the balance is announced, without a reload */}
          <p className="nyang-balance__amount" aria-live="polite" data-testid="nyang-balance-amount">
            {format(b.balance)}
          </p>
          {b.held !== null && coins.gt(b.held, "0") && (
            <p className="nyang-balance__held">
              {t.held} {format(b.held)} · {t.available} {format(b.available ?? "0")}
            </p>
          )}
          {b.account?.nextBonusExpiry && (
            <p className="nyang-balance__expiry">{t.bonusExpiry(format(b.account.nextBonusExpiry.amount), b.account.nextBonusExpiry.at)}</p>
          )}
          {b.frozen ? (
            <p role="status" className="nyang-balance__notice">
              {t.frozen}
            </p>
          ) : b.low ? (
            <p role="status" className="nyang-balance__notice">
              {t.lowBalance}
            </p>
          ) : null}
        </>
      )}
      {onBuy && (
        <button type="button" className="nyang-button nyang-button--primary" onClick={onBuy} disabled={b.frozen}>
          {t.buy}
        </button>
      )}
    </section>
  );
}
