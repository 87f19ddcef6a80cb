import type { Transaction, TransactionType } from "@nyang/client";
import { coins } from "@nyang/client";
import { useId, useState } from "react";
import { usePrices, useHistory } from "./hooks.ts";
import { formatSignedCoins } from "./i18n.ts";
import { LoadError } from "./LoadError.tsx";
import { useNyang } from "./provider.tsx";

/** The entry types a person may filter by, in the order the menu shows them. */
export const transactionTypes: readonly TransactionType[] = [
  "usage",
  "purchase",
  "auto_charge",
  "refund",
  "hold_capture",
  "admin_adjustment",
  "signup_bonus",
  "bonus_expiry",
  "expiration",
];

export interface CoinHistoryProps {
  /** Entries per page (1–100, default 20). */
  pageSize?: number;
  className?: string;
}

/** The ledger, newest first, a page at a time, filtered by type and service. */
export function CoinHistory({ pageSize = 20, className }: CoinHistoryProps) {
  const { t, locale } = useNyang("<CoinHistory>");
  const [type, setType] = useState<TransactionType | "">("");
  const [serviceType, setServiceType] = useState("");
  const history = useHistory({ type: type || undefined, serviceType: serviceType || undefined }, pageSize);
  const prices = usePrices();
  const titleId = useId();
  const typeId = useId();
  const serviceId = useId();

  return (
    <section className={`nyang nyang-history ${className ?? ""}`} aria-labelledby={titleId}>
      <h2 id={titleId}>{t.historyTitle}</h2>
      <div className="nyang-history__filters">
        <label htmlFor={typeId}>{t.filterType}</label>
        <select id={typeId} value={type} onChange={(e) => setType(e.target.value as TransactionType | "")}>
          <option value="">{t.all}</option>
          {transactionTypes.map((ty) => (
            <option key={ty} value={ty}>
              {t.types[ty] ?? ty}
            </option>
          ))}
        </select>
        <label htmlFor={serviceId}>{t.filterService}</label>
        <select id={serviceId} value={serviceType} onChange={(e) => setServiceType(e.target.value)}>
          <option value="">{t.all}</option>
          {(prices.data ?? []).map((p) => (
            <option key={p.serviceType} value={p.serviceType}>
              {t.services[p.serviceType] ?? p.serviceType}
            </option>
          ))}
        </select>
      </div>
      {history.error ? (
        <LoadError error={history.error} retry={history.reload} />
      ) : null}
      {!history.loading && !history.error && history.transactions.length === 0 ? (
        <p>{t.empty}</p>
      ) : (
        <table className="nyang-history__table" aria-labelledby={titleId} aria-busy={history.loading}>
          <thead>
            <tr>
              <th scope="col">{t.colWhen}</th>
              <th scope="col">{t.colType}</th>
              <th scope="col">{t.colService}</th>
              <th scope="col">{t.colAmount}</th>
              <th scope="col">{t.colBalance}</th>
            </tr>
          </thead>
          <tbody>
            {history.transactions.map((tx) => (
              <HistoryRow key={tx.id} tx={tx} locale={locale} />
            ))}
          </tbody>
        </table>
      )}
      {history.loading && <p aria-busy="true">{t.loading}</p>}
      {history.hasMore && !history.loading && (
        <button type="button" className="nyang-button" onClick={history.loadMore}>
          {t.loadMore}
        </button>
      )}
    </section>
  );
}

function HistoryRow({ tx, locale }: { tx: Transaction; locale: "ko" | "en" }) {
  const { t, format } = useNyang("<CoinHistory>");
  const credit = !coins.isNegative(tx.amount);
  // A refund or a capture says what it belongs to: the refunded entry, the hold's service.
  // A bonus expiry names the lot's grant, which is nothing refunded: its label says it all.
  const related = tx.type !== "bonus_expiry" && tx.relatedTransactionId ? `${t.refundOf} #${tx.relatedTransactionId.slice(-6)}` : null;
  const note = [tx.reason, related].filter(Boolean).join(" · ") || null;
  return (
    <tr className={credit ? "nyang-credit" : "nyang-debit"}>
      <td>
        <time dateTime={tx.createdAt}>{t.when(tx.createdAt)}</time>
      </td>
      <td>
        {t.types[tx.type] ?? tx.type}
        {note && <span className="nyang-history__note">{` · ${note}`}</span>}
      </td>
      <td>
        {tx.serviceType ? (t.services[tx.serviceType] ?? tx.serviceType) : "—"}
        {/* Several units in one entry say how many, at the price they were charged at. */}
        {tx.quantity !== null && tx.quantity > 1 && tx.unitPrice !== null && (
          <span className="nyang-history__note">{` × ${tx.quantity} · ${format(tx.unitPrice)}`}</span>
        )}
      </td>
      <td className="nyang-num">{formatSignedCoins(tx.amount, locale)}</td>
      <td className="nyang-num">{format(tx.balanceAfter)}</td>
    </tr>
  );
}
