import { createClient, type Account } from "@nyang/client";
import { render } from "@testing-library/react";
import { http, HttpResponse, ws } from "msw";
import { setupServer } from "msw/node";
import type { ReactNode } from "react";
import { afterAll, afterEach, beforeAll } from "vitest";
import { NyangProvider, type NyangProviderProps } from "../provider.tsx";

/**
 * The component tests' network: msw answers the API (http://api.test) and plays the realtime
 * WebSocket (ws://realtime.test) with the shapes of docs/api.md; each test adds its own handlers.
 */
export const API = "http://api.test";
export const REALTIME = "ws://realtime.test";
export const realtime = ws.link(`${REALTIME}/*`);
/** `GET /v1/settings` as the API answers it with its defaults; the provider reads the low-balance threshold there. */
export const settingsRoute = (lowBalanceThreshold = "20.00") =>
  http.get(`${API}/v1/settings`, () =>
    HttpResponse.json({ autoCharge: { available: false, defaultThreshold: "10.00", defaultAmount: "100.00", krwPerCoin: 10 }, lowBalanceThreshold }),
  );
export const server = setupServer(settingsRoute());

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

export function account(over: Partial<Account> = {}): Account {
  return {
    userId: "u1",
    balance: "97.00",
    held: "0.00",
    available: "97.00",
    paidBalance: "0.00",
    bonusBalance: "97.00",
    nextBonusExpiry: null,
    used: "3.00",
    purchased: "0.00",
    status: "active",
    version: 2,
    createdAt: "2026-11-24T09:00:00.000Z",
    updatedAt: "2026-11-24T09:00:00.000Z",
    ...over,
  };
}

/** `GET /v1/accounts/me` answering `a` (a function: per request). */
export const accountRoute = (a: Account | (() => Account)) =>
  http.get(`${API}/v1/accounts/me`, () => HttpResponse.json({ account: typeof a === "function" ? a() : a }));

export const apiError = (status: number, code: string, message = code) => HttpResponse.json({ error: { code, message } }, { status });

/** A client as a product page makes one; retries off so a failure shows at once. */
export function testClient(realtimeUrl?: string) {
  return createClient({ baseUrl: API, token: "t", retry: false, ...(realtimeUrl ? { realtimeUrl } : {}) });
}

export function renderWidget(ui: ReactNode, props: Partial<NyangProviderProps> = {}) {
  const client = props.client ?? testClient();
  return render(
    <NyangProvider live={false} {...props} client={client}>
      {ui}
    </NyangProvider>,
  );
}
