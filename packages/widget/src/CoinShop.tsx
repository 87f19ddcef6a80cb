import { coins, keyFor, type CoinPackage, type SettledOrder } from "@nyang/client";
import { useEffect, useId, useRef, useState } from "react";
import { cleanUrl, readCheckoutReturn, type CheckoutReturn } from "./checkout.ts";
import { usePackages } from "./hooks.ts";
import { describeError } from "./i18n.ts";
import { LoadError } from "./LoadError.tsx";
import { useNyang } from "./provider.tsx";

export interface CoinShopProps {
  /** After a confirmed purchase, with the order, its ledger entry and the account. */
  onPurchased?: (result: SettledOrder) => void;
  /** Where the gateway sends the person back (default: this page). */
  returnUrl?: string;
  className?: string;
}

type Phase =
  | { kind: "idle" }
  | { kind: "redirecting"; packageId: string }
  | { kind: "confirming" }
  | { kind: "done"; credited: string; balance: string }
  | { kind: "failed"; message: string }
  | { kind: "canceled" };

/**
 * The coin shop: the packages (bonus and "popular" shown) and the purchase — an order at the
 * API, the gateway's payment window (Toss on AWS, the fake under `npm run dev`), and on the
 * way back the confirm, ending with the credited balance or a clear failure.
 */
export function CoinShop({ onPurchased, returnUrl, className }: CoinShopProps) {
  const { client, userId, t, format, checkout, balance } = useNyang("<CoinShop>");
  const packages = usePackages();
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const titleId = useId();
  const handled = useRef(false);

  // Back from the gateway: confirm (or report the failure) once, then take its parameters off the URL.
  useEffect(() => {
    if (handled.current) return;
    handled.current = true;
    const back: CheckoutReturn | null = readCheckoutReturn();
    if (!back || back.kind === "card") return;
    window.history.replaceState(window.history.state, "", cleanUrl());
    if (back.kind === "failed") {
      setPhase(back.code === "PAY_PROCESS_CANCELED" ? { kind: "canceled" } : { kind: "failed", message: back.message });
      return;
    }
    setPhase({ kind: "confirming" });
    client.purchases
      // Keyed on the payment: a reload of this page replays the confirm instead of repeating it.
      .confirm(userId, back.orderId, { paymentKey: back.paymentKey }, { idempotencyKey: keyFor("confirm", back.orderId, back.paymentKey) })
      .then(
        (result) => {
          balance.applyAccount(result.account);
          setPhase({ kind: "done", credited: result.transaction.amount, balance: result.account.balance });
          onPurchased?.(result);
        },
        (error: unknown) => setPhase({ kind: "failed", message: describeError(t, error) }),
      );
  }, [client, userId, t, balance, onPurchased]);

  async function buy(pkg: CoinPackage) {
    if (!checkout) {
      setPhase({ kind: "failed", message: "no checkout configured (<NyangProvider checkout={…}>)" });
      return;
    }
    setPhase({ kind: "redirecting", packageId: pkg.id });
    try {
      const order = await client.purchases.create(userId, { packageId: pkg.id });
      const back = cleanUrl(returnUrl ?? window.location.href);
      await checkout.pay({ order, successUrl: back, failUrl: back });
    } catch (error) {
      setPhase({ kind: "failed", message: describeError(t, error) });
    }
  }

  const busy = phase.kind === "redirecting" || phase.kind === "confirming";
  return (
    <section className={`nyang nyang-shop ${className ?? ""}`} aria-labelledby={titleId}>
      <h2 id={titleId}>{t.shopTitle}</h2>
      {phase.kind === "confirming" && <p role="status">{t.confirming}</p>}
      {phase.kind === "redirecting" && <p role="status">{t.redirecting}</p>}
      {phase.kind === "done" && (
        <p role="status" className="nyang-success">
          {t.purchased(format(phase.credited), format(phase.balance))}
        </p>
      )}
      {phase.kind === "failed" && (
        <p role="alert" className="nyang-error">
          {t.purchaseFailed(phase.message)}
        </p>
      )}
      {phase.kind === "canceled" && <p role="status">{t.purchaseCanceled}</p>}
      {packages.error ? (
        <LoadError error={packages.error} retry={packages.reload} />
      ) : packages.data === null ? (
        <p aria-busy="true">{t.loading}</p>
      ) : (
        <ul className="nyang-shop__list">
          {packages.data.map((pkg) => (
            <li key={pkg.id} className={`nyang-package${pkg.popular ? " nyang-package--popular" : ""}`}>
              <h3 className="nyang-package__name">
                {pkg.name}
                {pkg.popular && <span className="nyang-badge">{t.popular}</span>}
              </h3>
              <p className="nyang-package__coins">{format(pkg.coins)}</p>
              {!coins.isZero(pkg.bonusCoins) && (
                <p className="nyang-package__bonus">
                  {t.bonus(format(pkg.bonusCoins))}
                  {pkg.bonusExpiryDays !== null && pkg.bonusExpiryDays !== undefined && ` · ${t.bonusExpiryDays(pkg.bonusExpiryDays)}`}
                </p>
              )}
              <p className="nyang-package__price">{t.krw(pkg.priceKrw)}</p>
              <button type="button" className="nyang-button nyang-button--primary" disabled={busy} onClick={() => void buy(pkg)} aria-label={t.buyPackage(pkg.name)}>
                {t.krw(pkg.priceKrw)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
