import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { AutoChargeSettings } from "../AutoChargeSettings.tsx";
import type { Checkout } from "../checkout.ts";
import { API, apiError, renderWidget, server } from "./support.tsx";

const settings = (over: Record<string, unknown> = {}) => ({
  userId: "u1",
  enabled: false,
  threshold: "10.00",
  amount: "100.00",
  amountKrw: 1000,
  paymentMethod: "card",
  card: null,
  available: true,
  active: false,
  customerKey: "ck_derived_by_the_api",
  monthlyCapKrw: null as number | null,
  effectiveMonthlyCapKrw: null as number | null,
  chargedThisMonthKrw: 0,
  capMonth: "2026-11",
  consecutiveFailures: 0,
  disabledReason: null,
  disabledAt: null,
  updatedAt: "2026-11-24T09:00:00.000Z",
  ...over,
});

const setUrl = (path: string) => window.history.replaceState(null, "", path);
afterEach(() => {
  setUrl("/");
  sessionStorage.clear();
});

describe("<AutoChargeSettings>", () => {
  it("turning it on without a card opens the card-registration window; coming back saves with its keys", async () => {
    const registered: Parameters<Checkout["registerCard"]>[0][] = [];
    const checkout: Checkout = { pay: async () => undefined, registerCard: async (r) => void registered.push(r) };
    server.use(http.get(`${API}/v1/accounts/me/auto-charge`, () => HttpResponse.json({ autoCharge: settings() })));
    const first = renderWidget(<AutoChargeSettings />, { checkout });
    const on = await screen.findByRole("switch", { name: "자동 충전 켜기" });
    expect(on).not.toBeChecked();
    expect(screen.getByLabelText("이 잔액 이하가 되면")).toBeDisabled();
    await userEvent.click(on);
    await userEvent.clear(screen.getByLabelText("이 잔액 이하가 되면"));
    await userEvent.type(screen.getByLabelText("이 잔액 이하가 되면"), "15");
    await userEvent.click(screen.getByRole("button", { name: "카드를 등록하고 켜기" }));
    expect(registered).toEqual([{ customerKey: "ck_derived_by_the_api", successUrl: "http://localhost:3000/", failUrl: "http://localhost:3000/" }]);
    first.unmount();

    let put: unknown;
    server.use(
      http.put(`${API}/v1/accounts/me/auto-charge`, async ({ request }) => {
        put = await request.json();
        return HttpResponse.json({ autoCharge: settings({ enabled: true, threshold: "15.00", card: { company: "신한", number: "4330****", registeredAt: "x" } }) });
      }),
    );
    setUrl("/?customerKey=ck_derived_by_the_api&authKey=bln-1");
    renderWidget(<AutoChargeSettings />, { checkout });
    expect(await screen.findByRole("status")).toHaveTextContent("저장했어요");
    expect(put).toEqual({ enabled: true, paymentMethod: "card", threshold: "15", amount: "100.00", monthlyCapKrw: null, authKey: "bln-1", customerKey: "ck_derived_by_the_api" });
    expect(window.location.search).toBe("");
  });

  it("with a card on file, saves the threshold and amount; turning it off deletes", async () => {
    const calls: string[] = [];
    server.use(
      http.get(`${API}/v1/accounts/me/auto-charge`, () => HttpResponse.json({ autoCharge: settings({ enabled: true, card: { company: "신한", number: "4330****", registeredAt: "x" } }) })),
      http.put(`${API}/v1/accounts/me/auto-charge`, async ({ request }) => {
        calls.push(`PUT ${JSON.stringify(await request.json())}`);
        return HttpResponse.json({ autoCharge: settings({ enabled: true }) });
      }),
      http.delete(`${API}/v1/accounts/me/auto-charge`, () => {
        calls.push("DELETE");
        return HttpResponse.json({ autoCharge: settings() });
      }),
    );
    renderWidget(<AutoChargeSettings />);
    expect(await screen.findByText("등록된 카드: 신한 4330****")).toBeInTheDocument();
    await userEvent.clear(screen.getByLabelText("충전할 냥"));
    await userEvent.type(screen.getByLabelText("충전할 냥"), "200");
    await userEvent.click(screen.getByRole("button", { name: "저장" }));
    expect(await screen.findByRole("status")).toHaveTextContent("저장했어요");
    await userEvent.click(screen.getByRole("switch", { name: "자동 충전 켜기" }));
    await userEvent.click(screen.getByRole("button", { name: "저장" }));
    await screen.findByRole("switch", { name: "자동 충전 켜기" });
    expect(calls).toEqual([`PUT {"enabled":true,"threshold":"10.00","amount":"200","monthlyCapKrw":null}`, "DELETE"]);
  });

  it("shows this month's auto-charged KRW against the cap, and edits the cap (월 자동충전 한도); empty puts it back to the default", async () => {
    const puts: unknown[] = [];
    let current = settings({ enabled: true, card: { company: "신한", number: "4330****", registeredAt: "x" }, effectiveMonthlyCapKrw: 50000, chargedThisMonthKrw: 12000 });
    server.use(
      http.get(`${API}/v1/accounts/me/auto-charge`, () => HttpResponse.json({ autoCharge: current })),
      http.put(`${API}/v1/accounts/me/auto-charge`, async ({ request }) => {
        const body = (await request.json()) as { monthlyCapKrw: number | null };
        puts.push(body);
        current = { ...current, monthlyCapKrw: body.monthlyCapKrw, effectiveMonthlyCapKrw: body.monthlyCapKrw ?? 50000 };
        return HttpResponse.json({ autoCharge: current });
      }),
    );
    renderWidget(<AutoChargeSettings />);
    expect(await screen.findByText("이번 달 자동충전 12,000원 / 한도 50,000원")).toBeInTheDocument();
    const capField = screen.getByLabelText("월 자동충전 한도 (원)");
    expect(capField).toHaveValue("");
    expect(capField).toHaveAttribute("placeholder", "비워 두면 기본 한도 50,000원");
    await userEvent.type(capField, "30,000");
    await userEvent.click(screen.getByRole("button", { name: "저장" }));
    expect(await screen.findByText("이번 달 자동충전 12,000원 / 한도 30,000원")).toBeInTheDocument();
    expect(screen.getByLabelText("월 자동충전 한도 (원)")).toHaveValue("30000");
    await userEvent.clear(screen.getByLabelText("월 자동충전 한도 (원)"));
    await userEvent.click(screen.getByRole("button", { name: "저장" }));
    expect(await screen.findByText("이번 달 자동충전 12,000원 / 한도 50,000원")).toBeInTheDocument();
    expect(puts).toEqual([
      { enabled: true, threshold: "10.00", amount: "100.00", monthlyCapKrw: 30000 },
      { enabled: true, threshold: "10.00", amount: "100.00", monthlyCapKrw: null },
    ]);
  });

  it("refuses a cap that is not whole won ≥ 1 before calling the API; says when this month's cap is reached, and shows no cap as such", async () => {
    let puts = 0;
    server.use(
      http.get(`${API}/v1/accounts/me/auto-charge`, () =>
        HttpResponse.json({ autoCharge: settings({ enabled: true, card: { company: "신한", number: "1", registeredAt: "x" }, monthlyCapKrw: 1000, effectiveMonthlyCapKrw: 1000, chargedThisMonthKrw: 1000 }) }),
      ),
      http.put(`${API}/v1/accounts/me/auto-charge`, () => void puts++),
    );
    renderWidget(<AutoChargeSettings />);
    expect(await screen.findByRole("note")).toHaveTextContent("이번 달 자동충전 한도에 도달했어요");
    for (const bad of ["0", "1.5", "-3", "만원"]) {
      await userEvent.clear(screen.getByLabelText("월 자동충전 한도 (원)"));
      await userEvent.type(screen.getByLabelText("월 자동충전 한도 (원)"), bad);
      await userEvent.click(screen.getByRole("button", { name: "저장" }));
      expect(await screen.findByRole("alert")).toHaveTextContent("월 자동충전 한도는 1원 이상의 정수로 입력해 주세요");
    }
    expect(puts).toBe(0);
  });

  it("without any cap: 한도 없음", async () => {
    server.use(http.get(`${API}/v1/accounts/me/auto-charge`, () => HttpResponse.json({ autoCharge: settings({ chargedThisMonthKrw: 3000 }) })));
    renderWidget(<AutoChargeSettings />);
    expect(await screen.findByText("이번 달 자동충전 3,000원 (한도 없음)")).toBeInTheDocument();
    expect(screen.getByLabelText("월 자동충전 한도 (원)")).toHaveAttribute("placeholder", "비워 두면 한도 없음");
    expect(screen.queryByRole("note")).toBeNull();
  });

  it("says up front when the service offers no auto-charge, and does not offer to turn it on", async () => {
    server.use(http.get(`${API}/v1/accounts/me/auto-charge`, () => HttpResponse.json({ autoCharge: settings({ available: false }) })));
    renderWidget(<AutoChargeSettings />);
    expect(await screen.findByRole("note")).toHaveTextContent("지금은 자동 충전을 사용할 수 없어요");
    await userEvent.click(screen.getByRole("switch", { name: "자동 충전 켜기" }));
    expect(screen.getByRole("button", { name: "카드를 등록하고 켜기" })).toBeDisabled();
  });

  it("says when the API refuses auto-charge", async () => {
    server.use(
      http.get(`${API}/v1/accounts/me/auto-charge`, () => HttpResponse.json({ autoCharge: settings({ enabled: true, card: { company: "신한", number: "1", registeredAt: "x" } }) })),
      http.put(`${API}/v1/accounts/me/auto-charge`, () => apiError(409, "auto_charge_unavailable")),
    );
    renderWidget(<AutoChargeSettings />);
    await userEvent.click(await screen.findByRole("button", { name: "저장" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("지금은 자동 충전을 사용할 수 없어요");
  });
});
