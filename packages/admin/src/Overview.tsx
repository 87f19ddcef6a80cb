import type { NyangClient, Revenue } from "@nyang/client";
import { useAsync } from "@nyang/widget";
import { useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Figures } from "./Figures.tsx";
import { RecentAlerts } from "./RecentAlerts.tsx";
import { chartNumber, coinsText, krwText, timeText } from "./format.ts";

type Period = "7days" | "30days" | "90days";
const periods: { value: Period; label: string }[] = [
  { value: "7days", label: "7일" },
  { value: "30days", label: "30일" },
  { value: "90days", label: "90일" },
];

/** Revenue and usage over 7/30/90 days, per service, top users, recent alerts and the integrity report. */
export function Overview({ client }: { client: NyangClient }) {
  const [period, setPeriod] = useState<Period>("7days");
  const revenue = useAsync(() => client.admin.revenue({ period }), [client, period]);
  const top = useAsync(() => client.admin.topUsers({ period }), [client, period]);
  return (
    <>
      <div role="tablist" aria-label="기간" className="console-tabs">
        {periods.map((p) => (
          <button key={p.value} role="tab" aria-selected={period === p.value} type="button" onClick={() => setPeriod(p.value)}>
            {p.label}
          </button>
        ))}
      </div>
      <section aria-labelledby="revenue-title" className="console-card">
        <h2 id="revenue-title">매출과 사용량</h2>
        {revenue.error ? <p role="alert">불러오지 못했어요: {String((revenue.error as Error).message)}</p> : null}
        {revenue.loading && !revenue.data && <p aria-busy="true">불러오는 중…</p>}
        {revenue.data && <RevenueView revenue={revenue.data} />}
      </section>
      <div className="console-grid">
        <section aria-labelledby="services-title" className="console-card">
          <h2 id="services-title">서비스별 사용량</h2>
          {revenue.data && <ServiceBreakdown services={revenue.data.services} />}
        </section>
        <section aria-labelledby="top-title" className="console-card">
          <h2 id="top-title">많이 쓴 사용자</h2>
          {top.data && (
            <table aria-labelledby="top-title">
              <thead>
                <tr>
                  <th scope="col">순위</th>
                  <th scope="col">사용자</th>
                  <th scope="col">사용</th>
                  <th scope="col">횟수</th>
                </tr>
              </thead>
              <tbody>
                {top.data.users.slice(0, 10).map((u) => (
                  <tr key={u.userId}>
                    <td>{u.rank}</td>
                    <td>
                      <a href={`#/accounts/${encodeURIComponent(u.userId)}`}>{u.userId}</a>
                    </td>
                    <td className="num">{coinsText(u.usageCoins)}</td>
                    <td className="num">{u.usageCount}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
      <div className="console-grid">
        <RecentAlerts client={client} />
        <Integrity client={client} />
      </div>
    </>
  );
}

function RevenueView({ revenue }: { revenue: Revenue }) {
  const t = revenue.totals;
  const data = revenue.daily.map((d) => ({ day: d.day.slice(5), 매출: d.revenueKrw, 사용: chartNumber(d.usageCoins), 구매: chartNumber(d.purchaseCoins) }));
  return (
    <>
      <Figures
        rows={[
          { label: "매출", value: krwText(t.revenueKrw), testId: "revenue-total" },
          { label: "구매", value: `${t.purchaseCount}건 · ${coinsText(t.purchaseCoins)}` },
          { label: "사용", value: `${t.usageCount}회 · ${coinsText(t.usageCoins)}` },
          { label: "환불", value: coinsText(t.refundCoins) },
          { label: "활성 계정", value: String(t.activeAccounts) },
          { label: "ARPU", value: krwText(t.arpuKrw) },
        ]}
      />
      <div className="console-charts">
        <figure aria-label="일별 매출 (원)">
          <ResponsiveContainer width="100%" height={200}>
            <LineChart data={data}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" fontSize={11} />
              <YAxis fontSize={11} width={60} />
              <Tooltip />
              <Legend />
              <Line type="linear" dataKey="매출" stroke="#ff8a00" dot={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </figure>
        <figure aria-label="일별 냥 구매와 사용">
          <ResponsiveContainer width="100%" height={200}>
            <BarChart data={data}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" fontSize={11} />
              <YAxis fontSize={11} width={60} />
              <Tooltip />
              <Legend />
              <Bar dataKey="구매" fill="#12b76a" isAnimationActive={false} />
              <Bar dataKey="사용" fill="#2e90fa" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </figure>
      </div>
    </>
  );
}

function ServiceBreakdown({ services }: { services: { serviceType: string; count: number; coins: string }[] }) {
  if (services.length === 0) return <p>이 기간에 사용이 없어요</p>;
  return (
    <>
      <figure className="console-chart" aria-label="서비스별 사용량 (냥)">
        <ResponsiveContainer width="100%" height={180}>
          <BarChart data={services.map((s) => ({ name: s.serviceType, 냥: chartNumber(s.coins) }))} layout="vertical">
            <XAxis type="number" fontSize={11} />
            <YAxis type="category" dataKey="name" width={150} fontSize={11} />
            <Tooltip />
            <Bar dataKey="냥" fill="#9e77ed" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </figure>
      <table aria-label="서비스별 사용량 표">
        <tbody>
          {services.map((s) => (
            <tr key={s.serviceType}>
              <th scope="row">{s.serviceType}</th>
              <td className="num">{s.count}회</td>
              <td className="num">{coinsText(s.coins)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

interface Finding {
  userId?: string;
  kind?: string;
  message?: string;
  severity?: string;
}

function Integrity({ client }: { client: NyangClient }) {
  const [fresh, setFresh] = useState(0);
  const health = useAsync(() => client.admin.health(fresh ? { fresh: true } : {}), [client, fresh]);
  const report = health.data?.report as { violations?: number; accountsChecked?: number; finishedAt?: string; findings?: Finding[]; complete?: boolean } | null | undefined;
  const label = { healthy: "정상", unhealthy: "위반 있음", unknown: "아직 점검 전" } as const;
  return (
    <section aria-labelledby="integrity-title" className="console-card">
      <h2 id="integrity-title">무결성 점검</h2>
      {health.loading && <p aria-busy="true">점검 중…</p>}
      {health.data && (
        <>
          <p role="status" data-status={health.data.status}>
            상태: <strong>{label[health.data.status]}</strong>
            {report && ` · 계정 ${report.accountsChecked ?? 0}개 · 위반 ${report.violations ?? 0}건 · ${report.finishedAt ? timeText(report.finishedAt) : ""}`}
          </p>
          {(report?.findings ?? []).length > 0 && (
            <ul>
              {report!.findings!.map((f, i) => (
                <li key={i}>
                  {f.kind} · {f.userId} · {f.message}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <button type="button" onClick={() => setFresh((n) => n + 1)} disabled={health.loading}>
        지금 점검
      </button>
    </section>
  );
}
