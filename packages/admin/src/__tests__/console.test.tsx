import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { AccountPage } from "../AccountPage.tsx";
import { Overview } from "../Overview.tsx";
import { API, client, server } from "./support.ts";

const account = (over: Record<string, unknown> = {}) => ({
  userId: "u1", balance: "6017.00", held: "0.00", available: "6017.00", paidBalance: "5000.00", bonusBalance: "1017.00",
  nextBonusExpiry: { at: "2026-12-30T15:00:00.000Z", amount: "1000.00" },
  used: "83.00", purchased: "5000.00", status: "active", version: 5, createdAt: "2026-11-24T09:00:00.000Z", updatedAt: "2026-11-24T09:00:00.000Z", ...over,
});

describe("console overview", () => {
  it("shows revenue for the chosen period, per service, top users, every account's recent alerts and the integrity status", async () => {
    const periods: string[] = [];
    server.use(
      http.get(`${API}/v1/admin/analytics/revenue`, ({ request }) => {
        const period = new URL(request.url).searchParams.get("period")!;
        periods.push(period);
        return HttpResponse.json({
          period, from: "2026-11-18", to: "2026-11-24",
          totals: { revenueKrw: period === "30days" ? 80000 : 40000, purchaseKrw: 40000, canceledKrw: 0, purchaseCount: 1, purchaseCoins: "6000.00", usageCoins: "83.00", usageCount: 2, refundCoins: "0.00", activeAccounts: 1, arpuKrw: 40000 },
          daily: [{ day: "2026-11-24", revenueKrw: 40000, purchaseCoins: "6000.00", usageCoins: "83.00", refundCoins: "0.00", activeAccounts: 1 }],
          services: [{ serviceType: "ai_writing", count: 1, coins: "3.00" }, { serviceType: "keyword_analysis", count: 1, coins: "80.00" }],
        });
      }),
      http.get(`${API}/v1/admin/analytics/top-users`, () => HttpResponse.json({ period: "7days", from: "x", to: "y", users: [{ rank: 1, userId: "u1", usageCoins: "83.00", usageCount: 2 }] })),
      http.get(`${API}/v1/admin/alerts`, () =>
        HttpResponse.json({ alerts: [{ id: "a1", userId: "u7", type: "low_balance", severity: "warning", title: "잔액 부족", message: "17.00", data: {}, read: false, readAt: null, createdAt: "2026-11-24T09:00:00.000Z" }], nextCursor: null }),
      ),
      http.get(`${API}/v1/admin/health`, () => HttpResponse.json({ status: "unhealthy", report: { violations: 1, accountsChecked: 3, findings: [{ userId: "u9", kind: "balance_mismatch", message: "balance ≠ Σ amounts" }] } })),
    );
    render(<Overview client={client()} />);
    expect(await screen.findByTestId("revenue-total")).toHaveTextContent("40,000원");
    expect(within(await screen.findByRole("table", { name: "많이 쓴 사용자" })).getByRole("link", { name: "u1" })).toHaveAttribute("href", "#/accounts/u1");
    expect(within(screen.getByRole("table", { name: "서비스별 사용량 표" })).getByRole("row", { name: /keyword_analysis/ })).toHaveTextContent("80.00 냥");
    // Alerts come from the cross-account feed, not from the top users: u7 is not among them.
    expect(within(await screen.findByRole("list", { name: "최근 알림 목록" })).getByRole("link", { name: "u7" })).toBeInTheDocument();
    const integrity = screen.getByRole("region", { name: "무결성 점검" });
    expect(await within(integrity).findByRole("status")).toHaveTextContent("위반 있음");
    expect(within(integrity).getByRole("listitem")).toHaveTextContent("balance_mismatch · u9");

    await userEvent.click(screen.getByRole("tab", { name: "30일" }));
    expect(screen.getByRole("tab", { name: "30일" })).toHaveAttribute("aria-selected", "true");
    await within(screen.getByRole("region", { name: "매출과 사용량" })).findByText("80,000원");
    expect(periods).toEqual(["7days", "30days"]);
  });
});

describe("console account page", () => {
  const autoCharge = (over: Record<string, unknown> = {}) => ({
    userId: "u1", enabled: true, available: true, active: true, customerKey: "ck", threshold: "10.00", amount: "100.00", amountKrw: 1000, paymentMethod: "card",
    card: { company: "신한", number: "4330****", registeredAt: "x" }, monthlyCapKrw: null, effectiveMonthlyCapKrw: 50000, chargedThisMonthKrw: 12000, capMonth: "2026-11",
    consecutiveFailures: 0, disabledReason: null, disabledAt: null, updatedAt: "2026-11-24T09:00:00.000Z", ...over,
  });

  const refusedCharge = {
    id: "ac_0123456789abcdefghjkmnpqrs", userId: "u1", status: "refund_pending", amount: "100.00", amountKrw: 1000, attempts: 1, paymentKey: "pk",
    failureCode: "BALANCE_LIMIT_EXCEEDED", failureMessage: "The gateway refused the refund: NOT_CANCELABLE_PAYMENT 취소 할 수 없는 결제 입니다.", refundRetries: 0,
    createdAt: "2026-11-24T09:00:00.000Z", updatedAt: "2026-11-24T09:00:01.000Z",
  };

  function routes(calls: string[], state = { status: "active" }, cap = { own: null as number | null }, refunds = { waiting: [] as (typeof refusedCharge)[], declines: 0 }) {
    return [
      http.get(`${API}/v1/admin/accounts/u1/auto-charge/unsettled`, () => HttpResponse.json({ charges: refunds.waiting })),
      http.post(`${API}/v1/admin/accounts/u1/auto-charge/charges/:chargeId/retry-refund`, ({ params }) => {
        calls.push(`retry-refund ${String(params.chargeId)}`);
        if (refunds.declines > 0) {
          refunds.declines--;
          return HttpResponse.json({ error: { code: "payment_declined", message: "The gateway refused the refund: 취소 할 수 없는 결제 입니다.", details: { gatewayCode: "NOT_CANCELABLE_PAYMENT" } } }, { status: 402 });
        }
        refunds.waiting = [];
        return HttpResponse.json({ charge: { ...refusedCharge, status: "refunded", refundRetries: 1 } });
      }),
      http.get(`${API}/v1/accounts/u1/auto-charge`, () => HttpResponse.json({ autoCharge: autoCharge({ monthlyCapKrw: cap.own, effectiveMonthlyCapKrw: cap.own ?? 50000 }) })),
      http.put(`${API}/v1/accounts/u1/auto-charge`, async ({ request }) => {
        const body = (await request.json()) as { monthlyCapKrw: number | null };
        calls.push(`auto-charge ${JSON.stringify(body)}`);
        cap.own = body.monthlyCapKrw;
        return HttpResponse.json({ autoCharge: autoCharge({ monthlyCapKrw: cap.own, effectiveMonthlyCapKrw: cap.own ?? 50000 }) });
      }),
      http.get(`${API}/v1/accounts/u1`, () => HttpResponse.json({ account: account({ status: state.status }) })),
      http.get(`${API}/v1/accounts/u1/alerts`, () => HttpResponse.json({ alerts: [] })),
      http.get(`${API}/v1/accounts/u1/transactions`, () => HttpResponse.json({ transactions: [], nextCursor: null })),
      http.get(`${API}/v1/prices`, () => HttpResponse.json({ prices: [] })),
      http.get(`${API}/v1/settings`, () => HttpResponse.json({ lowBalanceThreshold: "20.00" })),
      http.get(`${API}/v1/accounts/u1/holds`, () =>
        HttpResponse.json({
          holds: [{ id: "h1", userId: "u1", amount: "6.30", quantity: 3, unitPrice: "2.10", serviceType: "image_generation_max", details: null, status: "pending", expiresAt: "2026-11-24T09:15:00.000Z", capturedAmount: null, captureTransactionId: null, settledAt: null, createdAt: "2026-11-24T09:00:00.000Z" }],
          nextCursor: null,
        }),
      ),
      http.get(`${API}/v1/accounts/u1/purchases`, () => HttpResponse.json({ error: { code: "not_found", message: "No such route" } }, { status: 404 })),
      http.post(`${API}/v1/accounts/u1/adjustments`, async ({ request }) => {
        calls.push(`adjust ${JSON.stringify(await request.json())} key=${request.headers.get("idempotency-key") ? "yes" : "no"}`);
        return HttpResponse.json({ transaction: {}, account: account() }, { status: 201 });
      }),
      http.post(`${API}/v1/accounts/u1/freeze`, () => {
        calls.push("freeze");
        state.status = "frozen";
        return HttpResponse.json({ account: account({ status: "frozen" }) });
      }),
    ];
  }

  it("shows the balance and buckets; adjusts only after the confirmation, with the reason", async () => {
    const calls: string[] = [];
    server.use(...routes(calls));
    render(<AccountPage client={client()} userId="u1" />);
    expect(await screen.findByRole("heading", { name: "u1" })).toBeInTheDocument();
    expect(screen.getByText("보너스 냥").nextSibling).toHaveTextContent("1,017.00 냥");
    // 15:00Z on Dec 30 is Dec 31 in Seoul, the console's calendar.
    expect(screen.getByText("다음 보너스 만료").nextSibling).toHaveTextContent("1,000.00 냥 · 2026. 12. 31. 만료");
    expect(within(await screen.findByRole("table", { name: "홀드 목록" })).getByRole("row", { name: /pending/ })).toHaveTextContent("image_generation_max × 3 (2.10 냥)6.30 냥");
    expect(within(screen.getByRole("region", { name: "주문" })).getByText("이 API에는 목록 경로가 없어요")).toBeInTheDocument();

    const form = screen.getByRole("form", { name: "잔액 조정" });
    await userEvent.type(within(form).getByLabelText("조정 금액 (냥, 음수는 차감)"), "-17.00");
    await userEvent.type(within(form).getByLabelText("사유"), "goodwill reversal");
    await userEvent.click(within(form).getByRole("button", { name: "조정" }));
    const dialog = await screen.findByRole("dialog", { name: "잔액을 조정할까요?" });
    expect(dialog).toHaveTextContent("u1의 잔액을 -17.00 냥 조정합니다. 사유: goodwill reversal");
    await userEvent.click(within(dialog).getByRole("button", { name: "취소" }));
    expect(calls).toEqual([]);

    await userEvent.click(within(form).getByRole("button", { name: "조정" }));
    await userEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "확인" }));
    expect(await screen.findByRole("status")).toHaveTextContent("처리했어요");
    expect(calls).toEqual(['adjust {"amount":"-17.00","reason":"goodwill reversal"} key=yes']);
  });

  it("freezes after the confirmation and shows the frozen state", async () => {
    const calls: string[] = [];
    server.use(...routes(calls));
    render(<AccountPage client={client()} userId="u1" />);
    await userEvent.click(await screen.findByRole("button", { name: "계정 정지" }));
    await userEvent.click(within(await screen.findByRole("dialog", { name: "계정을 정지할까요?" })).getByRole("button", { name: "확인" }));
    expect(await screen.findByText("정지됨")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "정지 해제" })).toBeInTheDocument();
    expect(calls).toEqual(["freeze"]);
  });

  it("shows the monthly auto-charge cap against this month's charges and sets the account's cap after the confirmation", async () => {
    const calls: string[] = [];
    server.use(...routes(calls));
    render(<AccountPage client={client()} userId="u1" />);
    const card = await screen.findByRole("region", { name: "자동 충전" });
    expect(await within(card).findByText("월 자동충전 한도")).toBeInTheDocument();
    expect(within(card).getByText("월 자동충전 한도").nextSibling).toHaveTextContent("50,000원 (기본값)");
    expect(within(card).getByText("이번 달 자동충전 (2026-11)").nextSibling).toHaveTextContent("12,000원");

    const form = within(card).getByRole("form", { name: "월 자동충전 한도" });
    await userEvent.type(within(form).getByLabelText("월 자동충전 한도 (원, 비우면 기본값)"), "0");
    await userEvent.click(within(form).getByRole("button", { name: "한도 저장" }));
    expect(within(form).getByRole("alert")).toHaveTextContent("1원 이상의 정수로 입력해 주세요");
    expect(screen.queryByRole("dialog")).toBeNull();

    await userEvent.clear(within(form).getByLabelText("월 자동충전 한도 (원, 비우면 기본값)"));
    await userEvent.type(within(form).getByLabelText("월 자동충전 한도 (원, 비우면 기본값)"), "30000");
    await userEvent.click(within(form).getByRole("button", { name: "한도 저장" }));
    const dialog = await screen.findByRole("dialog", { name: "월 자동충전 한도를 바꿀까요?" });
    expect(dialog).toHaveTextContent("u1의 월 자동충전 한도를 30,000원으로 정합니다.");
    await userEvent.click(within(dialog).getByRole("button", { name: "확인" }));
    expect(await screen.findByRole("status")).toHaveTextContent("처리했어요");
    expect(await within(screen.getByRole("region", { name: "자동 충전" })).findByText("30,000원 (계정 설정)")).toBeInTheDocument();
    expect(calls).toEqual(['auto-charge {"enabled":true,"monthlyCapKrw":30000}']);
  });

  it("lists the auto-charges whose refund Toss refused and retries one after the confirmation: a refusal shown, then refunded and gone", async () => {
    const calls: string[] = [];
    server.use(...routes(calls, undefined, undefined, { waiting: [refusedCharge], declines: 1 }));
    render(<AccountPage client={client()} userId="u1" />);
    const card = await screen.findByRole("region", { name: "자동 충전" });
    const table = await within(card).findByRole("table", { name: "환불 대기 자동충전" });
    expect(within(table).getByRole("row", { name: /ac_0123456789abcdefghjkmnpqrs/ })).toHaveTextContent("100.00 냥 (1,000원)");
    expect(table).toHaveTextContent("NOT_CANCELABLE_PAYMENT");

    const retry = within(table).getByRole("button", { name: "ac_0123456789abcdefghjkmnpqrs 환불 재시도" });
    await userEvent.click(retry);
    const dialog = await screen.findByRole("dialog", { name: "자동충전 환불을 다시 시도할까요?" });
    expect(dialog).toHaveTextContent("u1의 자동충전 ac_0123456789abcdefghjkmnpqrs 결제 1,000원의 취소를 Toss에 다시 요청합니다.");
    await userEvent.click(within(dialog).getByRole("button", { name: "취소" }));
    expect(calls).toEqual([]);

    // Refused again: the refusal is shown and the charge still waits.
    await userEvent.click(retry);
    await userEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "확인" }));
    expect(await screen.findByText(/실패: payment_declined/)).toBeInTheDocument();
    expect(within(card).getByRole("table", { name: "환불 대기 자동충전" })).toBeInTheDocument();

    await userEvent.click(within(card).getByRole("button", { name: "ac_0123456789abcdefghjkmnpqrs 환불 재시도" }));
    await userEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "확인" }));
    expect(await screen.findByText("처리했어요")).toBeInTheDocument();
    await waitFor(() => expect(within(card).queryByRole("table", { name: "환불 대기 자동충전" })).toBeNull());
    expect(calls).toEqual(["retry-refund ac_0123456789abcdefghjkmnpqrs", "retry-refund ac_0123456789abcdefghjkmnpqrs"]);
  });
});
