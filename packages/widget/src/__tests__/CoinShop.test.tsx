import type { Order } from "@nyang/client";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import type { Checkout } from "../checkout.ts";
import { CoinBalance } from "../CoinBalance.tsx";
import { CoinShop } from "../CoinShop.tsx";
import { API, account, accountRoute, apiError, renderWidget, server } from "./support.tsx";

const packages = [
  { id: "basic", name: "기본팩", coins: "1000.00", bonusCoins: "0.00", priceKrw: 10000, popular: false, sortOrder: 1, bonusExpiryDays: null },
  { id: "popular", name: "인기팩", coins: "5000.00", bonusCoins: "1000.00", priceKrw: 40000, popular: true, sortOrder: 3, bonusExpiryDays: null },
];
const packagesRoute = http.get(`${API}/v1/packages`, () => HttpResponse.json({ packages }));

function order(over: Partial<Order> = {}): Order {
  return {
    id: "order_abc123",
    userId: "u1",
    packageId: "popular",
    packageName: "인기팩",
    coins: "5000.00",
    bonusCoins: "1000.00",
    amountKrw: 40000,
    status: "pending",
    paymentKey: null,
    paymentMethod: null,
    transactionId: null,
    failureCode: null,
    failureMessage: null,
    confirmAttemptAt: null,
    paidAt: null,
    canceledAt: null,
    cancelTransactionId: null,
    createdAt: "2026-11-24T09:00:00.000Z",
    updatedAt: "2026-11-24T09:00:00.000Z",
    ...over,
  };
}

/** A checkout that records what the shop asked of it instead of leaving the page. */
function recordingCheckout() {
  const paid: Parameters<Checkout["pay"]>[0][] = [];
  const checkout: Checkout = { pay: async (r) => void paid.push(r), registerCard: async () => undefined };
  return { checkout, paid };
}

const setUrl = (path: string) => window.history.replaceState(null, "", path);
afterEach(() => setUrl("/"));

describe("<CoinShop>", () => {
  it("lists the packages with their bonus, price and the popular badge", async () => {
    server.use(packagesRoute);
    renderWidget(<CoinShop />);
    const list = await screen.findByRole("list");
    const items = within(list).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    expect(within(items[0]!).getByRole("heading")).toHaveTextContent("기본팩");
    expect(within(items[0]!).queryByText(/보너스/)).not.toBeInTheDocument();
    expect(within(items[1]!).getByRole("heading")).toHaveTextContent("인기팩인기");
    expect(within(items[1]!).getByText("보너스 +1,000.00 냥")).toBeInTheDocument();
    expect(within(items[1]!).getByRole("button", { name: "인기팩 구매" })).toHaveTextContent("40,000원");
  });

  it("says how long a package's bonus lasts when it expires", async () => {
    server.use(http.get(`${API}/v1/packages`, () => HttpResponse.json({ packages: [{ ...packages[1]!, bonusExpiryDays: 90 }] })));
    renderWidget(<CoinShop />);
    expect(await screen.findByText("보너스 +1,000.00 냥 · 구매 후 90일 뒤 만료")).toBeInTheDocument();
  });

  it("creates an order and sends the person to the gateway with this page as the way back", async () => {
    setUrl("/shop?tab=coins");
    let body: unknown;
    server.use(
      packagesRoute,
      http.post(`${API}/v1/accounts/me/purchases`, async ({ request }) => {
        body = await request.json();
        expect(request.headers.get("idempotency-key")).toBeTruthy();
        return HttpResponse.json({ order: order() }, { status: 201 });
      }),
    );
    const { checkout, paid } = recordingCheckout();
    renderWidget(<CoinShop />, { checkout });
    await userEvent.click(await screen.findByRole("button", { name: "인기팩 구매" }));
    expect(await screen.findByRole("status")).toHaveTextContent("결제창으로 이동 중…");
    expect(body).toEqual({ packageId: "popular" });
    expect(paid).toEqual([{ order: order(), successUrl: "http://localhost:3000/shop?tab=coins", failUrl: "http://localhost:3000/shop?tab=coins" }]);
  });

  it("back from the gateway: confirms once with a key tied to the payment, shows the credited balance, cleans the URL", async () => {
    setUrl("/shop?paymentKey=pk_1&orderId=order_abc123&amount=40000");
    const confirms: { body: unknown; key: string | null }[] = [];
    server.use(
      packagesRoute,
      accountRoute(account({ balance: "17.00", available: "17.00", version: 3 })),
      http.post(`${API}/v1/accounts/me/purchases/order_abc123/confirm`, async ({ request }) => {
        confirms.push({ body: await request.json(), key: request.headers.get("idempotency-key") });
        return HttpResponse.json({
          order: order({ status: "paid" }),
          transaction: { id: "t4", amount: "6000.00" },
          account: account({ balance: "6017.00", available: "6017.00", version: 4, updatedAt: "2026-11-24T09:05:00.000Z" }),
        });
      }),
    );
    renderWidget(
      <>
        <CoinBalance />
        <CoinShop />
      </>,
    );
    expect(await screen.findByText("6,000.00 냥 충전 완료! 잔액 6,017.00 냥")).toHaveAttribute("role", "status");
    // The balance shown elsewhere took the confirm's account.
    expect(screen.getByTestId("nyang-balance-amount")).toHaveTextContent("6,017.00 냥");
    expect(confirms).toHaveLength(1);
    expect(confirms[0]!.body).toEqual({ paymentKey: "pk_1" });
    expect(confirms[0]!.key).toContain("order_abc123");
    expect(window.location.search).toBe("");
  });

  it("a declined payment ends with a clear failure", async () => {
    setUrl("/?paymentKey=pk_2&orderId=order_abc123&amount=40000");
    server.use(packagesRoute, http.post(`${API}/v1/accounts/me/purchases/order_abc123/confirm`, () => apiError(402, "payment_declined", "declined")));
    renderWidget(<CoinShop />);
    expect(await screen.findByRole("alert")).toHaveTextContent("결제에 실패했어요: 카드사에서 결제를 거절했어요");
  });

  it("a payment window cancelled by the person says so; a gateway failure says why", async () => {
    setUrl("/?code=PAY_PROCESS_CANCELED&message=x&orderId=order_abc123");
    server.use(packagesRoute);
    const first = renderWidget(<CoinShop />);
    expect(await screen.findByRole("status")).toHaveTextContent("결제를 취소했어요");
    first.unmount();
    setUrl("/?code=REJECT_CARD_COMPANY&message=%ED%95%9C%EB%8F%84%20%EC%B4%88%EA%B3%BC&orderId=order_abc123");
    renderWidget(<CoinShop />);
    expect(await screen.findByRole("alert")).toHaveTextContent("결제에 실패했어요: 한도 초과");
  });

  it("an order refused by the API (frozen account) is a failure, not a redirect", async () => {
    server.use(packagesRoute, http.post(`${API}/v1/accounts/me/purchases`, () => apiError(423, "account_frozen")));
    const { checkout, paid } = recordingCheckout();
    renderWidget(<CoinShop />, { checkout, locale: "en" });
    await userEvent.click(await screen.findByRole("button", { name: "Buy 기본팩" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The payment failed: This account is frozen, so it cannot pay");
    expect(paid).toEqual([]);
  });

  it("shows a failed package list with a retry", async () => {
    let calls = 0;
    server.use(http.get(`${API}/v1/packages`, () => (++calls === 1 ? apiError(500, "internal", "boom") : HttpResponse.json({ packages }))));
    renderWidget(<CoinShop />);
    await userEvent.click(within(await screen.findByRole("alert")).getByRole("button", { name: "다시 시도" }));
    expect(await screen.findAllByRole("listitem")).toHaveLength(2);
  });
});
