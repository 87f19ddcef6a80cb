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
    expect(put).toEqual({ enabled: true, paymentMethod: "card", threshold: "15", amount: "100.00", authKey: "bln-1", customerKey: "ck_derived_by_the_api" });
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
    expect(calls).toEqual([`PUT {"enabled":true,"threshold":"10.00","amount":"200"}`, "DELETE"]);
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
