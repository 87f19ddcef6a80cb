import type { Alert, NyangClient } from "@nyang/client";
import { useAsync } from "@nyang/widget";
import { useEffect, useState } from "react";
import { timeText } from "./format.ts";

/** Alerts shown per page; "더 보기" reads the next page from the feed's cursor. */
export const ALERTS_PAGE = 15;

/** The newest alerts of every account (`GET /v1/admin/alerts`), a page at a time. */
export function RecentAlerts({ client }: { client: NyangClient }) {
  const first = useAsync(() => client.admin.alerts({ limit: ALERTS_PAGE }), [client]);
  const [later, setLater] = useState<{ alerts: Alert[]; nextCursor: string | null } | null>(null);
  const [more, setMore] = useState<{ loading: boolean; error: unknown }>({ loading: false, error: null });
  // A fresh first page starts the list over.
  useEffect(() => setLater(null), [first.data]);

  const alerts = [...(first.data?.alerts ?? []), ...(later?.alerts ?? [])];
  const cursor = later ? later.nextCursor : (first.data?.nextCursor ?? null);
  const loadMore = async () => {
    if (!cursor) return;
    setMore({ loading: true, error: null });
    try {
      const page = await client.admin.alerts({ limit: ALERTS_PAGE, cursor });
      setLater((l) => ({ alerts: [...(l?.alerts ?? []), ...page.alerts], nextCursor: page.nextCursor }));
      setMore({ loading: false, error: null });
    } catch (error) {
      setMore({ loading: false, error });
    }
  };
  const error = first.error ?? more.error;

  return (
    <section aria-labelledby="alerts-title" className="console-card">
      <h2 id="alerts-title">최근 알림 (전체 계정)</h2>
      {error ? <p role="alert">불러오지 못했어요: {String((error as Error).message)}</p> : null}
      {first.loading && !first.data && <p aria-busy="true">불러오는 중…</p>}
      {first.data && alerts.length === 0 && <p>알림이 없어요</p>}
      {alerts.length > 0 && (
        <ul className="console-alerts" aria-label="최근 알림 목록">
          {alerts.map((a) => (
            <li key={`${a.userId}/${a.id}`} data-severity={a.severity}>
              <strong>{a.title}</strong> · <a href={`#/accounts/${encodeURIComponent(a.userId)}`}>{a.userId}</a> · {timeText(a.createdAt)}
              <br />
              <span>{a.message}</span>
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" onClick={() => void loadMore()} disabled={more.loading}>
          {more.loading ? "불러오는 중…" : "더 보기"}
        </button>
      )}
    </section>
  );
}
