import type { NyangClient } from "@nyang/client";
import { parseMonthlyCap, useAsync } from "@nyang/widget";
import { useState } from "react";
import type { Action } from "./AccountPage.tsx";
import { Figures } from "./Figures.tsx";
import { coinsText, krwText } from "./format.ts";

/**
 * An account's auto-charge as operators see it: on or off, the monthly cap in force (the
 * account's own or the service's default) against what was auto-charged this Korea-time month,
 * a form to set the account's cap, and the charges whose refund the gateway refused, each with
 * a retry (confirmed first, like every admin action).
 */
export function AutoChargeCard({ client, userId, version, onAsk }: { client: NyangClient; userId: string; version: number; onAsk: (a: Action) => void }) {
  const settings = useAsync(() => client.autoCharge.get(userId), [client, userId, version]);
  const unsettled = useAsync(() => client.admin.unsettledAutoCharges(userId), [client, userId, version]);
  const [cap, setCap] = useState("");
  const [invalid, setInvalid] = useState(false);
  const s = settings.data;
  return (
    <section aria-labelledby="autocharge-title" className="console-card">
      <h2 id="autocharge-title">자동 충전</h2>
      {settings.error && !s ? <p role="alert">자동 충전 설정을 불러오지 못했어요: {(settings.error as Error).message}</p> : null}
      {s && (
        <>
          <Figures
            rows={[
              { label: "상태", value: s.active ? "켜짐" : s.enabled ? "켜짐 (동작 안 함)" : "꺼짐" },
              { label: "충전 기준 / 금액", value: `${coinsText(s.threshold)} 이하 → ${coinsText(s.amount)} (${krwText(s.amountKrw)})` },
              {
                label: "월 자동충전 한도",
                value: s.effectiveMonthlyCapKrw === null ? "한도 없음" : `${krwText(s.effectiveMonthlyCapKrw)} (${s.monthlyCapKrw === null ? "기본값" : "계정 설정"})`,
              },
              { label: `이번 달 자동충전 (${s.capMonth})`, value: krwText(s.chargedThisMonthKrw) },
            ]}
          />
          <form
            aria-label="월 자동충전 한도"
            onSubmit={(e) => {
              e.preventDefault();
              const monthlyCapKrw = parseMonthlyCap(cap);
              setInvalid(monthlyCapKrw === undefined);
              if (monthlyCapKrw !== undefined) onAsk({ kind: "cap", enabled: s.enabled, monthlyCapKrw });
            }}
          >
            <label htmlFor="cap-krw">월 자동충전 한도 (원, 비우면 기본값)</label>
            <input id="cap-krw" value={cap} inputMode="numeric" aria-invalid={invalid} onChange={(e) => setCap(e.target.value)} />
            {invalid && <p role="alert">1원 이상의 정수로 입력해 주세요</p>}
            <button type="submit">한도 저장</button>
          </form>
        </>
      )}
      {unsettled.error && !unsettled.data ? <p role="alert">환불 대기 자동충전을 불러오지 못했어요: {(unsettled.error as Error).message}</p> : null}
      {unsettled.data && unsettled.data.length > 0 && (
        <table aria-label="환불 대기 자동충전">
          <caption>Toss가 환불(결제 취소)을 거절해 운영자를 기다리는 자동충전</caption>
          <thead>
            <tr>
              <th scope="col">충전 기록</th>
              <th scope="col">금액</th>
              <th scope="col">거절 사유</th>
              <th scope="col">재시도</th>
              <th scope="col">동작</th>
            </tr>
          </thead>
          <tbody>
            {unsettled.data.map((c) => (
              <tr key={c.id}>
                <td>{c.id}</td>
                <td>{`${coinsText(c.amount)} (${krwText(c.amountKrw)})`}</td>
                <td>{c.failureMessage ?? "-"}</td>
                <td>{c.refundRetries}회</td>
                <td>
                  <button type="button" aria-label={`${c.id} 환불 재시도`} onClick={() => onAsk({ kind: "retry_refund", chargeId: c.id, amountKrw: c.amountKrw })}>
                    환불 재시도
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
