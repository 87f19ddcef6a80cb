import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { CoinHistory } from "../CoinHistory.tsx";
import { API, apiError, renderWidget, server } from "./support.tsx";

function tx(seq: number, over: Record<string, unknown> = {}) {
  return {
    id: `tx_${seq}`,
    userId: "u1",
    seq,
    type: "usage",
    amount: "-3.00",
    paidAmount: "0.00",
    bonusAmount: "-3.00",
    balanceBefore: "100.00",
    balanceAfter: "97.00",
    serviceType: "ai_writing",
    details: null,
    paymentMethod: null,
    paymentReference: null,
    adminUserId: null,
    reason: null,
    relatedTransactionId: null,
    quantity: 1,
    unitPrice: "3.00",
    status: "completed",
    createdAt: `2026-11-24T0${seq % 10}:00:00.000Z`,
    ...over,
  };
}

const prices = http.get(`${API}/v1/prices`, () =>
  HttpResponse.json({ prices: [{ serviceType: "ai_writing", cost: "3.00" }, { serviceType: "keyword_analysis", cost: "2.00" }] }),
);

/** The history route, paged by cursor like the API (newest first), recording each query. */
function historyRoute(all: ReturnType<typeof tx>[], queries: URLSearchParams[]) {
  return http.get(`${API}/v1/accounts/me/transactions`, ({ request }) => {
    const q = new URL(request.url).searchParams;
    queries.push(q);
    const limit = Number(q.get("limit"));
    const matching = all.filter((t) => (!q.get("type") || t.type === q.get("type")) && (!q.get("serviceType") || t.serviceType === q.get("serviceType")));
    const start = q.get("cursor") ? Number(q.get("cursor")) : 0;
    const page = matching.slice(start, start + limit);
    return HttpResponse.json({ transactions: page, nextCursor: start + limit < matching.length ? String(start + limit) : null });
  });
}

const rows = () => within(screen.getByRole("table", { name: "이용 내역" })).getAllByRole("row").slice(1);

describe("<CoinHistory>", () => {
  const ledger = [
    tx(5, { type: "refund", amount: "3.00", balanceAfter: "97.00", reason: "생성 실패", relatedTransactionId: "tx_abcdef123456" }),
    tx(4, { type: "hold_capture", amount: "-2.10", serviceType: "keyword_analysis", balanceAfter: "94.00" }),
    tx(3),
    tx(2),
    tx(1, { type: "signup_bonus", amount: "100.00", serviceType: null, balanceAfter: "100.00" }),
  ];

  it("shows the ledger newest first, refunds and captures readable, and pages on with the cursor", async () => {
    const queries: URLSearchParams[] = [];
    server.use(prices, historyRoute(ledger, queries));
    renderWidget(<CoinHistory pageSize={3} />);
    await screen.findByRole("cell", { name: /환불\s*·\s*생성 실패\s*·\s*환불 대상 #123456/ });
    expect(rows().map((r) => within(r).getAllByRole("cell").map((c) => c.textContent))).toEqual([
      [expect.any(String), "환불 · 생성 실패 · 환불 대상 #123456", "AI 글쓰기", "+3.00 냥", "97.00 냥"],
      [expect.any(String), "예약 사용 확정", "키워드 분석", "-2.10 냥", "94.00 냥"],
      [expect.any(String), "사용", "AI 글쓰기", "-3.00 냥", "97.00 냥"],
    ]);
    await userEvent.click(screen.getByRole("button", { name: "더 보기" }));
    await screen.findByRole("cell", { name: "가입 보너스" });
    expect(rows()).toHaveLength(5);
    expect(screen.queryByRole("button", { name: "더 보기" })).not.toBeInTheDocument();
    expect(queries.map((q) => q.get("cursor"))).toEqual([null, "3"]);
  });

  it("an entry of several units shows how many and the unit price it was charged at", async () => {
    server.use(prices, historyRoute([tx(2, { serviceType: "keyword_analysis", amount: "-60.00", quantity: 30, unitPrice: "2.00" }), tx(1)], []));
    renderWidget(<CoinHistory pageSize={10} />);
    await screen.findByRole("cell", { name: /키워드 분석\s*× 30 · 2.00 냥/ });
    expect(rows().map((r) => within(r).getAllByRole("cell")[2]!.textContent)).toEqual(["키워드 분석 × 30 · 2.00 냥", "AI 글쓰기"]);
  });

  it("shows a bonus expiry as 보너스 소멸 and filters by it", async () => {
    const queries: URLSearchParams[] = [];
    const expiry = tx(3, { type: "bonus_expiry", amount: "-900.00", paidAmount: "0.00", bonusAmount: "-900.00", balanceAfter: "97.00", serviceType: null, quantity: null, unitPrice: null, relatedTransactionId: "tx_granted000111" });
    server.use(prices, historyRoute([expiry, tx(2), tx(1, { type: "signup_bonus", amount: "100.00", serviceType: null })], queries));
    renderWidget(<CoinHistory pageSize={10} />);
    await screen.findByRole("cell", { name: "보너스 소멸" });
    expect(within(rows()[0]!).getAllByRole("cell").map((c) => c.textContent)).toEqual([expect.any(String), "보너스 소멸", "—", "-900.00 냥", "97.00 냥"]);
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "종류" }), "보너스 소멸");
    await screen.findByRole("cell", { name: "보너스 소멸" });
    expect(queries.at(-1)!.get("type")).toBe("bonus_expiry");
  });

  it("filters by type and by service, starting again from the newest", async () => {
    const queries: URLSearchParams[] = [];
    server.use(prices, historyRoute(ledger, queries));
    renderWidget(<CoinHistory pageSize={10} />);
    await screen.findByRole("cell", { name: "가입 보너스" });
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "종류" }), "사용");
    await screen.findAllByRole("cell", { name: "사용" });
    expect(screen.queryByRole("cell", { name: "가입 보너스" })).not.toBeInTheDocument();
    await userEvent.selectOptions(await screen.findByRole("combobox", { name: "서비스" }), "키워드 분석");
    expect(await screen.findByText("내역이 없어요")).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "종류" }), "전체");
    await screen.findByRole("cell", { name: "예약 사용 확정" });
    expect(rows()).toHaveLength(1);
    const last = queries.at(-1)!;
    expect([last.get("type"), last.get("serviceType"), last.get("cursor")]).toEqual([null, "keyword_analysis", null]);
    expect(queries.some((q) => q.get("type") === "usage" && q.get("serviceType") === "keyword_analysis")).toBe(true);
  });

  it("shows a failure with a retry", async () => {
    let calls = 0;
    server.use(
      prices,
      http.get(`${API}/v1/accounts/me/transactions`, () => (++calls === 1 ? apiError(503, "internal", "down") : HttpResponse.json({ transactions: [tx(1)], nextCursor: null }))),
    );
    renderWidget(<CoinHistory />);
    await userEvent.click(within(await screen.findByRole("alert")).getByRole("button", { name: "다시 시도" }));
    expect(await screen.findAllByRole("cell", { name: "사용" })).toHaveLength(1);
  });
});
