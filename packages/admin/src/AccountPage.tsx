import { keyFor, newIdempotencyKey, type Account, type NyangClient } from "@nyang/client";
import { CoinHistory, NyangProvider, useAsync } from "@nyang/widget";
import { useState, type FormEvent } from "react";
import { ConfirmDialog } from "./ConfirmDialog.tsx";
import { Figures } from "./Figures.tsx";
import { AutoChargeCard } from "./AutoChargeCard.tsx";
import { AccountRecords } from "./Records.tsx";
import { coinsText, dateText, krwText, timeText } from "./format.ts";

export type Action =
  | { kind: "adjust"; amount: string; reason: string }
  | { kind: "refund"; transactionId: string; amount: string; reason: string }
  | { kind: "freeze" }
  | { kind: "unfreeze" }
  | { kind: "cap"; enabled: boolean; monthlyCapKrw: number | null }
  | { kind: "retry_refund"; chargeId: string; amountKrw: number };

/** One account: balance and buckets, history, alerts, and the admin actions (each confirmed first). */
export function AccountPage({ client, userId }: { client: NyangClient; userId: string }) {
  const [lookup, setLookup] = useState(userId);
  const open = (e: FormEvent) => {
    e.preventDefault();
    if (lookup.trim()) window.location.hash = `#/accounts/${encodeURIComponent(lookup.trim())}`;
  };
  return (
    <>
      <form role="search" onSubmit={open} className="console-search">
        <label htmlFor="lookup">사용자 ID</label>
        <input id="lookup" value={lookup} onChange={(e) => setLookup(e.target.value)} />
        <button type="submit">열기</button>
      </form>
      {userId && <AccountDetail client={client} userId={userId} />}
    </>
  );
}

function AccountDetail({ client, userId }: { client: NyangClient; userId: string }) {
  const [version, setVersion] = useState(0);
  const account = useAsync(() => client.accounts.get(userId), [client, userId, version]);
  const alerts = useAsync(() => client.alerts.list(userId), [client, userId, version]);
  const [pending, setPending] = useState<Action | null>(null);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  // One key per confirmed action, made before sending and kept for its retries.
  const [actionKey, setActionKey] = useState(newIdempotencyKey);

  async function run(action: Action) {
    setPending(null);
    setResult(null);
    try {
      const key = { idempotencyKey: keyFor("console", action.kind, actionKey) };
      if (action.kind === "adjust") await client.admin.adjust(userId, { amount: action.amount, reason: action.reason }, key);
      else if (action.kind === "refund")
        await client.admin.refund(userId, { transactionId: action.transactionId, reason: action.reason, ...(action.amount ? { amount: action.amount } : {}) }, key);
      else if (action.kind === "cap") await client.autoCharge.put(userId, { enabled: action.enabled, monthlyCapKrw: action.monthlyCapKrw });
      else if (action.kind === "retry_refund") await client.admin.retryAutoChargeRefund(userId, action.chargeId);
      else if (action.kind === "freeze") await client.admin.freeze(userId);
      else await client.admin.unfreeze(userId);
      setResult({ ok: true, text: "처리했어요" });
      setActionKey(newIdempotencyKey());
      setVersion((v) => v + 1);
    } catch (error) {
      setResult({ ok: false, text: `실패: ${(error as { code?: string }).code ?? ""} ${(error as Error).message}` });
    }
  }

  if (account.error && !account.data) return <p role="alert">계정을 불러오지 못했어요: {(account.error as Error).message}</p>;
  if (!account.data) return <p aria-busy="true">불러오는 중…</p>;
  const a = account.data;
  return (
    <>
      <section aria-labelledby="account-title" className="console-card">
        <h2 id="account-title">
          {a.userId} {a.status === "frozen" && <span className="console-badge console-badge--danger">정지됨</span>}
        </h2>
        <AccountFigures account={a} />
      </section>
      {result && (
        <p role={result.ok ? "status" : "alert"} className={result.ok ? "console-ok" : "console-error"}>
          {result.text}
        </p>
      )}
      <div className="console-grid">
        <Actions account={a} onAsk={setPending} />
        <section aria-labelledby="account-alerts" className="console-card">
          <h2 id="account-alerts">알림</h2>
          {alerts.data?.length === 0 && <p>알림이 없어요</p>}
          <ul className="console-alerts">
            {(alerts.data ?? []).map((al) => (
              <li key={al.id} data-severity={al.severity}>
                <strong>{al.title}</strong> · {timeText(al.createdAt)}
                <br />
                {al.message}
              </li>
            ))}
          </ul>
        </section>
      </div>
      <AutoChargeCard client={client} userId={userId} version={version} onAsk={setPending} />
      <AccountRecords client={client} userId={userId} version={version} />
      <NyangProvider client={client} userId={userId} live={false} key={version}>
        <CoinHistory pageSize={20} />
      </NyangProvider>
      {pending && (
        <ConfirmDialog title={confirmTitle(pending)} confirmLabel="확인" onCancel={() => setPending(null)} onConfirm={() => void run(pending)}>
          <p>{confirmText(userId, pending)}</p>
        </ConfirmDialog>
      )}
    </>
  );
}

function AccountFigures({ account: a }: { account: Account }) {
  return (
    <Figures
      rows={[
        { label: "잔액", value: coinsText(a.balance) },
        { label: "사용 가능", value: coinsText(a.available) },
        { label: "사용 대기 (홀드)", value: coinsText(a.held) },
        { label: "유료 냥", value: coinsText(a.paidBalance) },
        { label: "보너스 냥", value: coinsText(a.bonusBalance) },
        {
          label: "다음 보너스 만료",
          value: a.nextBonusExpiry ? `${coinsText(a.nextBonusExpiry.amount)} · ${dateText(a.nextBonusExpiry.at)} 만료` : "없음",
        },
        { label: "누적 사용", value: coinsText(a.used) },
        { label: "누적 구매", value: coinsText(a.purchased) },
        { label: "버전", value: String(a.version) },
      ]}
    />
  );
}

function Actions({ account, onAsk }: { account: Account; onAsk: (a: Action) => void }) {
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const [txId, setTxId] = useState("");
  const [refundAmount, setRefundAmount] = useState("");
  const [refundReason, setRefundReason] = useState("");
  return (
    <section aria-labelledby="actions-title" className="console-card">
      <h2 id="actions-title">관리 작업</h2>
      <form
        aria-label="잔액 조정"
        onSubmit={(e) => {
          e.preventDefault();
          onAsk({ kind: "adjust", amount, reason });
        }}
      >
        <h3>잔액 조정</h3>
        <label htmlFor="adj-amount">조정 금액 (냥, 음수는 차감)</label>
        <input id="adj-amount" value={amount} inputMode="decimal" required onChange={(e) => setAmount(e.target.value)} />
        <label htmlFor="adj-reason">사유</label>
        <input id="adj-reason" value={reason} required onChange={(e) => setReason(e.target.value)} />
        <button type="submit">조정</button>
      </form>
      <form
        aria-label="환불"
        onSubmit={(e) => {
          e.preventDefault();
          onAsk({ kind: "refund", transactionId: txId, amount: refundAmount, reason: refundReason });
        }}
      >
        <h3>환불</h3>
        <label htmlFor="refund-tx">거래 ID</label>
        <input id="refund-tx" value={txId} required onChange={(e) => setTxId(e.target.value)} />
        <label htmlFor="refund-amount">금액 (비우면 남은 전부)</label>
        <input id="refund-amount" value={refundAmount} inputMode="decimal" onChange={(e) => setRefundAmount(e.target.value)} />
        <label htmlFor="refund-reason">사유</label>
        <input id="refund-reason" value={refundReason} required onChange={(e) => setRefundReason(e.target.value)} />
        <button type="submit">환불</button>
      </form>
      <h3>계정 상태</h3>
      {account.status === "frozen" ? (
        <button type="button" onClick={() => onAsk({ kind: "unfreeze" })}>
          정지 해제
        </button>
      ) : (
        <button type="button" className="console-danger" onClick={() => onAsk({ kind: "freeze" })}>
          계정 정지
        </button>
      )}
    </section>
  );
}

function confirmTitle(a: Action): string {
  return { adjust: "잔액을 조정할까요?", refund: "환불할까요?", freeze: "계정을 정지할까요?", unfreeze: "정지를 해제할까요?", cap: "월 자동충전 한도를 바꿀까요?", retry_refund: "자동충전 환불을 다시 시도할까요?" }[a.kind];
}

function confirmText(userId: string, a: Action): string {
  switch (a.kind) {
    case "adjust":
      return `${userId}의 잔액을 ${a.amount} 냥 조정합니다. 사유: ${a.reason}`;
    case "refund":
      return `${userId}의 거래 ${a.transactionId}를 ${a.amount ? `${a.amount} 냥` : "남은 금액 전부"} 환불합니다. 사유: ${a.reason}`;
    case "freeze":
      return `${userId}는 정지되는 동안 사용, 홀드, 충전, 구매를 할 수 없습니다.`;
    case "unfreeze":
      return `${userId}의 정지를 해제합니다.`;
    case "cap":
      return a.monthlyCapKrw === null
        ? `${userId}의 월 자동충전 한도를 서비스 기본값으로 되돌립니다.`
        : `${userId}의 월 자동충전 한도를 ${krwText(a.monthlyCapKrw)}으로 정합니다.`;
    case "retry_refund":
      return `${userId}의 자동충전 ${a.chargeId} 결제 ${krwText(a.amountKrw)}의 취소를 Toss에 다시 요청합니다. 코인은 움직이지 않습니다.`;
  }
}
