import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { CoinBalance } from "../CoinBalance.tsx";
import { useBalance } from "../hooks.ts";
import { NyangProvider } from "../provider.tsx";
import { API, REALTIME, account, accountRoute, apiError, realtime, renderWidget, server, settingsRoute, testClient } from "./support.tsx";

const region = () => screen.getByRole("region", { name: /^잔액/ });

describe("<CoinBalance>", () => {
  it("shows loading, then the balance formatted in Korean", async () => {
    server.use(accountRoute(account({ balance: "1234.50", available: "1234.50" })));
    renderWidget(<CoinBalance />);
    expect(within(region()).getByText("불러오는 중…")).toBeInTheDocument();
    expect(await within(region()).findByText("1,234.50 냥")).toBeInTheDocument();
    expect(within(region()).queryByRole("status")).not.toBeInTheDocument();
    expect(region()).toHaveAttribute("data-state", "ok");
  });

  it("speaks English by the locale prop", async () => {
    server.use(accountRoute(account()));
    renderWidget(<CoinBalance onBuy={() => undefined} />, { locale: "en" });
    expect(await screen.findByRole("region", { name: /^Balance/ })).toHaveTextContent("97.00 냥");
    expect(screen.getByRole("button", { name: "Buy coins" })).toBeEnabled();
  });

  it("shows coins on hold only when there are some", async () => {
    server.use(accountRoute(account({ balance: "97.00", held: "2.10", available: "94.90" })));
    renderWidget(<CoinBalance />);
    expect(await within(region()).findByText("사용 대기 2.10 냥 · 사용 가능 94.90 냥")).toBeInTheDocument();
  });

  it("shows the next bonus expiry, in Korea's calendar, only when bonus coins expire", async () => {
    // 15:00Z on Dec 30 is already Dec 31 in Seoul.
    server.use(accountRoute(account({ bonusBalance: "1000.00", nextBonusExpiry: { at: "2026-12-30T15:00:00.000Z", amount: "1000.00" } })));
    const { unmount } = renderWidget(<CoinBalance />);
    expect(await within(region()).findByText("보너스 1,000.00 냥 12월 31일 만료")).toBeInTheDocument();
    unmount();
    server.use(accountRoute(account()));
    renderWidget(<CoinBalance />);
    await within(region()).findByText("97.00 냥");
    expect(within(region()).queryByText(/만료/)).not.toBeInTheDocument();
  });

  it("shows the low state below the threshold, by available coins", async () => {
    server.use(accountRoute(account({ balance: "25.00", held: "6.00", available: "19.00" })));
    renderWidget(<CoinBalance />, { lowBalanceThreshold: "20" });
    expect(await within(region()).findByRole("status")).toHaveTextContent("잔액이 얼마 남지 않았어요");
    expect(region()).toHaveAttribute("data-state", "low");
  });

  it("takes the low-balance threshold from the API's settings when the page names none", async () => {
    server.use(settingsRoute("50.00"), accountRoute(account({ balance: "45.00", available: "45.00" })));
    renderWidget(<CoinBalance />);
    expect(await within(region()).findByRole("status")).toHaveTextContent("잔액이 얼마 남지 않았어요");
  });

  it("shows a frozen account and disables buying", async () => {
    server.use(accountRoute(account({ status: "frozen" })));
    renderWidget(<CoinBalance onBuy={() => undefined} />);
    expect(await within(region()).findByRole("status")).toHaveTextContent("이용이 정지된 계정이에요");
    expect(within(region()).getByRole("button", { name: "충전하기" })).toBeDisabled();
  });

  it("says what failed and retries on request", async () => {
    let calls = 0;
    server.use(http.get(`${API}/v1/accounts/me`, () => (++calls === 1 ? apiError(401, "unauthorized") : HttpResponse.json({ account: account() }))));
    renderWidget(<CoinBalance />);
    const alert = await within(region()).findByRole("alert");
    expect(alert).toHaveTextContent("불러오지 못했어요: 다시 로그인해 주세요");
    await userEvent.click(within(alert).getByRole("button", { name: "다시 시도" }));
    expect(await within(region()).findByText("97.00 냥")).toBeInTheDocument();
  });

  it("calls onBuy from the buy button, by keyboard too", async () => {
    server.use(accountRoute(account()));
    let bought = 0;
    renderWidget(<CoinBalance onBuy={() => bought++} />);
    await within(region()).findByText("97.00 냥");
    screen.getByRole("button", { name: "충전하기" }).focus();
    await userEvent.keyboard("{Enter}");
    expect(bought).toBe(1);
  });

  it("updates live from a realtime push, newest seq winning, without refetching", async () => {
    let fetches = 0;
    server.use(
      http.get(`${API}/v1/accounts/me`, () => {
        fetches++;
        return HttpResponse.json({ account: account({ version: 2 }) });
      }),
      realtime.addEventListener("connection", ({ client }) => {
        // The server pushes after the subscriber's fetch: a spend (seq 3), then a stale repeat of seq 2.
        setTimeout(() => {
          client.send(JSON.stringify({ type: "balance_update", userId: "u1", balance: "94.00", available: "94.00", transactionId: "t3", seq: 3, at: "2026-11-24T09:01:00.000Z" }));
          client.send(JSON.stringify({ type: "balance_update", userId: "u1", balance: "97.00", available: "97.00", transactionId: "t2", seq: 2, at: "2026-11-24T09:00:00.000Z" }));
        }, 50);
      }),
    );
    renderWidget(<CoinBalance />, { client: testClient(REALTIME), live: true });
    expect(await within(region()).findByText("94.00 냥")).toBeInTheDocument();
    expect(within(region()).getByText("실시간")).toBeInTheDocument();
    await new Promise((r) => setTimeout(r, 100));
    expect(within(region()).getByTestId("nyang-balance-amount")).toHaveTextContent("94.00 냥");
    expect(fetches).toBeLessThanOrEqual(2);
  });
});

describe("hooks outside a provider", () => {
  it("fail with a message naming the missing provider", () => {
    function Probe() {
      useBalance();
      return null;
    }
    const quiet = console.error;
    console.error = () => undefined;
    try {
      expect(() => render(<Probe />)).toThrow("useBalance() must be used within <NyangProvider client={…}>");
      expect(() => render(<CoinBalance />)).toThrow(/<CoinBalance> must be used within <NyangProvider/);
    } finally {
      console.error = quiet;
    }
  });

  it("warns when the client prop changes after mount", async () => {
    server.use(accountRoute(account()));
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => warnings.push(m);
    try {
      const { rerender } = render(
        <NyangProvider client={testClient()} live={false}>
          <span />
        </NyangProvider>,
      );
      rerender(
        <NyangProvider client={testClient()} live={false}>
          <span />
        </NyangProvider>,
      );
      expect(warnings.join()).toContain("the `client` prop changed after mount");
    } finally {
      console.warn = warn;
    }
  });
});
