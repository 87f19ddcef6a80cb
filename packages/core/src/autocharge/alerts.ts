import { alertIdFor, type Alert } from "../alerts/alert.ts";
import { formatAmount } from "../money.ts";
import { CHARGE_APPROVED_AFTER_CLOSE, CHARGE_CAP_REACHED, CHARGE_OVER_LIMIT, type ChargeRecord } from "./model.ts";
import { seoulMonth, seoulMonthStart } from "./monthly-cap.ts";

/**
 * The `auto_charge` alerts a charge record's state implies. Each is keyed on the record (and
 * the attempt) and placed in time by the record's own fixed times, so raising them again —
 * after a crash between a state change and its alert, or on a later look at the record — finds
 * them already stored.
 */
export function alertsForCharge(r: ChargeRecord, failureLimit: number): Alert[] {
  const amount = formatAmount(r.amount);
  const base = { chargeId: r.id, amount, amountKrw: r.amountKrw, attempt: r.attempts };
  if (r.status === "paid") {
    return [
      make(r, `charged\n${r.id}`, 0, {
        severity: "info",
        title: "자동 충전 완료 (Auto-charge)",
        message: `${amount}냥이 자동 충전되었습니다 (${r.amountKrw.toLocaleString("en-US")}원). (${amount} coins were charged automatically for ${r.amountKrw} KRW.)`,
        data: { event: "charged", ...base, transactionId: r.transactionId, paymentKey: r.paymentKey },
      }),
    ];
  }
  if (r.status === "canceled" && r.failureCode === CHARGE_OVER_LIMIT) {
    return [
      make(r, `skipped\n${r.id}`, 0, {
        severity: "warning",
        title: "자동 충전 건너뜀 (Auto-charge skipped)",
        message: `${amount}냥을 충전하면 최대 보유 한도를 넘기 때문에 자동 충전하지 않았습니다. 결제되지 않았습니다. (Auto-charge did not charge ${amount} coins: they would lift the balance above its maximum. Nothing was charged.)`,
        data: { event: "skipped_over_limit", ...base, failureCode: r.failureCode },
      }),
    ];
  }
  if (r.status === "canceled" && r.failureCode === CHARGE_CAP_REACHED) {
    // One per account and month, however many crossings the cap skips: keyed on the month of the
    // skip (a skip again in a later month moves the record's updatedAt into it) and placed at the
    // month's first instant, so every later skip of the month finds it stored.
    const month = seoulMonth(new Date(r.updatedAt));
    return [
      {
        id: alertIdFor(r.userId, `auto_charge\ncap_reached\n${month}`, seoulMonthStart(month)),
        userId: r.userId,
        type: "auto_charge",
        severity: "warning",
        title: "자동 충전 월 한도 도달 (Auto-charge monthly cap reached)",
        message: `이번 달 자동 충전 한도에 도달하여 ${amount}냥(${r.amountKrw.toLocaleString("en-US")}원)을 충전하지 않았습니다. 결제되지 않았습니다. 다음 달에 다시 자동 충전됩니다. (The monthly auto-charge cap is reached: ${amount} coins were not charged, nothing was paid; auto-charge resumes next month.)`,
        data: { event: "cap_reached", ...base, month, failureCode: r.failureCode, failureMessage: r.failureMessage },
        read: false,
        readAt: null,
        createdAt: r.updatedAt,
      },
    ];
  }
  if (r.status === "refunded" && r.failureCode === CHARGE_APPROVED_AFTER_CLOSE) {
    return [
      make(r, `refunded\n${r.id}`, 0, {
        severity: "warning",
        title: "자동 충전 환불 (Auto-charge refunded)",
        message: `취소된 자동 충전의 결제가 늦게 승인되어 결제를 취소했습니다 (${r.amountKrw.toLocaleString("en-US")}원 환불). (A canceled auto-charge's payment of ${r.amountKrw} KRW was approved late and has been cancelled.)`,
        data: { event: "refunded_after_cancel", ...base, failureCode: r.failureCode, paymentKey: r.paymentKey },
      }),
    ];
  }
  if (r.status === "refunded") {
    return [
      make(r, `refunded\n${r.id}`, 0, {
        severity: "warning",
        title: "자동 충전 환불 (Auto-charge refunded)",
        message: `다른 충전이 먼저 반영되어 ${amount}냥이 최대 보유 한도를 넘기 때문에 자동 충전 결제를 취소했습니다 (${r.amountKrw.toLocaleString("en-US")}원 환불). (Another credit landed first and ${amount} coins would lift the balance above its maximum: the payment of ${r.amountKrw} KRW was cancelled.)`,
        data: { event: "refunded_over_limit", ...base, failureCode: r.failureCode, paymentKey: r.paymentKey },
      }),
    ];
  }
  if (r.status !== "retry_wait" && r.status !== "gave_up") return [];
  const failed = make(r, `failed\n${r.id}\n${r.attempts}`, 0, {
    severity: "warning",
    title: "자동 충전 실패 (Auto-charge payment failed)",
    message:
      r.status === "retry_wait"
        ? `자동 충전 결제가 실패했습니다: ${sentence(r.failureMessage ?? r.failureCode)} ${r.nextAttemptAt}에 다시 시도합니다. (The payment failed; it is retried at ${r.nextAttemptAt}.)`
        : `자동 충전 결제가 실패했습니다: ${sentence(r.failureMessage ?? r.failureCode)} (The payment failed.)`,
    data: { event: "payment_failed", ...base, failureCode: r.failureCode, failureMessage: r.failureMessage, nextAttemptAt: r.nextAttemptAt },
  });
  if (r.status === "retry_wait") return [failed];
  return [
    failed,
    // Placed a millisecond after the failure that caused it, so that it lists after it.
    make(r, `disabled\n${r.id}`, 1, {
      severity: "critical",
      title: "자동 충전 꺼짐 (Auto-charge turned off)",
      message: `결제가 ${failureLimit}번 연속 실패하여 자동 충전이 꺼졌습니다. 결제 수단을 확인한 뒤 다시 켜 주세요. (Auto-charge turned itself off after ${failureLimit} failed payments in a row; check the card and turn it on again.)`,
      data: { event: "disabled", ...base, failureCode: r.failureCode, failureLimit },
    }),
  ];
}

/** The gateway's reason as one sentence: its own full stop kept, one added only where it has none. */
function sentence(text: string | null): string {
  const t = (text ?? "").trim();
  if (t === "") return "알 수 없는 이유.";
  return /[.!?。]$/.test(t) ? t : `${t}.`;
}

function make(r: ChargeRecord, trigger: string, afterMs: number, fields: Pick<Alert, "severity" | "title" | "message" | "data">): Alert {
  // The record's updatedAt is fixed while it stays in the state the alert is about.
  const idAt = new Date(Date.parse(r.updatedAt) + afterMs).toISOString();
  return {
    id: alertIdFor(r.userId, `auto_charge\n${trigger}`, idAt),
    userId: r.userId,
    type: "auto_charge",
    ...fields,
    read: false,
    readAt: null,
    createdAt: r.updatedAt,
  };
}
