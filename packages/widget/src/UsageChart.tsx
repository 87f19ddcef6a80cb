import type { DailyUsage } from "@nyang/client";
import { coins } from "@nyang/client";
import { useId } from "react";
import { useAnalytics, useDailyUsage } from "./hooks.ts";
import { LoadError } from "./LoadError.tsx";
import { useNyang } from "./provider.tsx";

export interface UsageChartProps {
  /** Days shown, today included (1–365, default 14). */
  days?: number;
  className?: string;
}

/** The series colours, by position; themable through `--nyang-series-N`. */
const series = 6;

/**
 * Daily usage per service as stacked bars in plain SVG (no chart library), with the runway
 * from the analytics route: "about 12 days left at this pace". The figures are also in a
 * table for screen readers.
 */
export function UsageChart({ days = 14, className }: UsageChartProps) {
  const { t, format } = useNyang("<UsageChart>");
  const usage = useDailyUsage(days);
  const analytics = useAnalytics();
  const titleId = useId();
  const descId = useId();

  const runway = analytics.data?.runway;
  return (
    <section className={`nyang nyang-usage ${className ?? ""}`} aria-labelledby={titleId}>
      <h2 id={titleId}>{t.usageTitle}</h2>
      {analytics.data && (
        <p className="nyang-usage__runway" role="note">
          {runway?.days === null || runway === undefined ? t.runwayNone : t.runway(runway.days)}
        </p>
      )}
      {usage.error ? (
        <LoadError error={usage.error} retry={usage.reload} />
      ) : usage.data === null ? (
        <p aria-busy="true">{t.loading}</p>
      ) : (
        <Bars data={usage.data} days={days} descId={descId} label={(total) => t.usageChartLabel(days, format(total))} services={t.services} empty={t.noUsage} />
      )}
    </section>
  );
}

function Bars({
  data,
  days,
  descId,
  label,
  services,
  empty,
}: {
  data: DailyUsage[];
  days: number;
  descId: string;
  label: (total: string) => string;
  services: Record<string, string>;
  empty: string;
}) {
  const total = coins.sum(data.map((d) => d.total));
  if (coins.isZero(total)) return <p>{empty}</p>;
  const serviceTypes = [...new Set(data.flatMap((d) => d.services.map((s) => s.serviceType)))].sort();
  // Pixels are display only: minor units (exact integers) scaled to the tallest day.
  const max = data.reduce((m, d) => (coins.toMinor(d.total) > m ? coins.toMinor(d.total) : m), 1n);
  const sorted = [...data].sort((a, b) => a.day.localeCompare(b.day)).slice(-days);
  const width = 320;
  const height = 120;
  const slot = width / Math.max(sorted.length, 1);
  const barWidth = Math.max(2, slot * 0.7);
  const y = (minor: bigint) => (Number(minor) * height) / Number(max);

  return (
    <figure className="nyang-usage__figure">
      <svg viewBox={`0 0 ${width} ${height + 16}`} role="img" aria-label={label(total)} aria-describedby={descId} className="nyang-usage__svg">
        {sorted.map((d, i) => {
          let top = height;
          return (
            <g key={d.day}>
              {serviceTypes.map((st, si) => {
                const s = d.services.find((x) => x.serviceType === st);
                if (!s) return null;
                const h = y(coins.toMinor(s.total));
                top -= h;
                return <rect key={st} x={i * slot + (slot - barWidth) / 2} y={top} width={barWidth} height={h} className={`nyang-series-${si % series}`} />;
              })}
              {(i === 0 || i === sorted.length - 1) && (
                <text x={i * slot + slot / 2} y={height + 12} textAnchor="middle" className="nyang-usage__tick">
                  {d.day.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul className="nyang-usage__legend">
          {serviceTypes.map((st, si) => (
            <li key={st}>
              <span aria-hidden="true" className={`nyang-swatch nyang-series-${si % series}`} />
              {services[st] ?? st}
            </li>
          ))}
        </ul>
      </figcaption>
      <table id={descId} className="nyang-sr-only">
        <tbody>
          {sorted.map((d) => (
            <tr key={d.day}>
              <th scope="row">{d.day}</th>
              <td>{d.services.map((s) => `${services[s.serviceType] ?? s.serviceType} ${s.total}`).join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
