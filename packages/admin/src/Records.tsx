import { isNotFound, type Hold, type NyangClient, type Order } from "@nyang/client";
import { useAsync } from "@nyang/widget";
import { coinsText, krwText, timeText } from "./format.ts";

/**
 * An account's holds and payment orders, newest first (`GET …/holds`, `GET …/purchases`).
 * An API older than the list routes answers 404 `not_found`, shown as such.
 */
async function orNoRoute<T>(read: () => Promise<T[]>): Promise<T[] | null> {
  try {
    return await read();
  } catch (error) {
    if (isNotFound(error) && error.code === "not_found") return null;
    throw error;
  }
}

export function AccountRecords({ client, userId, version }: { client: NyangClient; userId: string; version: number }) {
  const holds = useAsync(() => orNoRoute(async () => (await client.holds.list(userId, { limit: 20 })).holds), [client, userId, version]);
  const orders = useAsync(() => orNoRoute(async () => (await client.purchases.list(userId, { limit: 20 })).orders), [client, userId, version]);
  return (
    <div className="console-grid">
      <section aria-labelledby="holds-title" className="console-card">
        <h2 id="holds-title">홀드</h2>
        <Table
          state={holds}
          label="홀드 목록"
          head={["생성", "상태", "서비스", "금액", "만료"]}
          row={(h: Hold) => [timeText(h.createdAt), h.status, holdService(h), coinsText(h.amount), timeText(h.expiresAt)]}
        />
      </section>
      <section aria-labelledby="orders-title" className="console-card">
        <h2 id="orders-title">주문</h2>
        <Table
          state={orders}
          label="주문 목록"
          head={["생성", "상태", "패키지", "금액", "냥"]}
          row={(o: Order) => [timeText(o.createdAt), o.status, o.packageName, krwText(o.amountKrw), coinsText(o.coins)]}
        />
      </section>
    </div>
  );
}

/** The hold's service, with its units when it reserved several (docs/credits.md). */
const holdService = (h: Hold) => `${h.serviceType ?? "—"}${h.quantity > 1 ? ` × ${h.quantity} (${coinsText(h.unitPrice)})` : ""}`;

function Table<T extends { id: string }>({ state, label, head, row }: { state: { data: T[] | null; loading: boolean; error: unknown }; label: string; head: string[]; row: (item: T) => string[] }) {
  if (state.error) return <p role="alert">불러오지 못했어요: {(state.error as Error).message}</p>;
  if (state.loading && !state.data) return <p aria-busy="true">불러오는 중…</p>;
  if (state.data === null) return <p>이 API에는 목록 경로가 없어요</p>;
  if (state.data.length === 0) return <p>없어요</p>;
  return (
    <table aria-label={label}>
      <thead>
        <tr>
          {head.map((h) => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {state.data.map((item) => (
          <tr key={item.id}>
            {row(item).map((cell, i) => (
              <td key={i}>{cell}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
