import { describe, expect, it, vi } from "vitest";
import { createClient } from "./client.ts";
import { isNewer, type BalanceState, type WebSocketConstructor, type WebSocketLike } from "./realtime.ts";
import type { FetchLike } from "./transport.ts";

// Unit: the subscription's ordering and reconnect decisions, with a scripted socket and fetch.

class FakeSocket implements WebSocketLike {
  static made: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: WebSocketLike["onopen"] = null;
  onmessage: WebSocketLike["onmessage"] = null;
  onclose: WebSocketLike["onclose"] = null;
  onerror: WebSocketLike["onerror"] = null;
  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.readyState = 3;
    this.onclose?.({ code: 1000 });
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  push(message: object) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({ code: 1006 });
  }
}

const account = (version: number, balance: string, updatedAt: string) => ({
  userId: "u1",
  balance,
  held: "0.00",
  available: balance,
  paidBalance: "0.00",
  bonusBalance: balance,
  used: "0.00",
  purchased: "0.00",
  status: "active",
  version,
  createdAt: "2026-11-24T00:00:00.000Z",
  updatedAt,
});
const push = (seq: number, balance: string, at: string) => ({ type: "balance_update", userId: "u1", balance, available: balance, transactionId: `tx_${seq}`, seq, at });

describe("isNewer", () => {
  it("orders by seq, then by time; a tie is newer only when asked (a fetch)", () => {
    const cur = { seq: 4, at: "2026-11-24T09:00:00.000Z" };
    expect(isNewer(null, cur)).toBe(true);
    expect(isNewer(cur, { seq: 5, at: "2026-11-24T08:00:00.000Z" })).toBe(true);
    expect(isNewer(cur, { seq: 3, at: "2026-11-24T10:00:00.000Z" })).toBe(false);
    expect(isNewer(cur, { seq: 4, at: "2026-11-24T09:00:01.000Z" })).toBe(true);
    expect(isNewer(cur, { ...cur })).toBe(false);
    expect(isNewer(cur, { ...cur }, true)).toBe(true);
  });
});

describe("subscribe", () => {
  it("ignores pushes and fetches older than what it has, dedupes alerts, and fetches again after a reconnect", async () => {
    FakeSocket.made = [];
    const answers: ((r: Response) => void)[] = [];
    const fetch: FetchLike = () => new Promise((resolve) => answers.push(resolve));
    const asked: boolean[] = [];
    const nyang = createClient({
      baseUrl: "http://api.test",
      getToken: ({ refresh }) => (asked.push(refresh), "tok en"),
      fetch,
      realtimeUrl: "ws://rt.test",
      WebSocketImpl: FakeSocket as unknown as WebSocketConstructor,
    });
    const seen: BalanceState[] = [];
    const alerts: string[] = [];
    const sub = nyang.realtime.subscribe({ onBalance: (b) => seen.push(b), onAlert: (a) => alerts.push(a.id), reconnect: { baseDelayMs: 1, maxDelayMs: 2 } });
    await vi.waitFor(() => expect(FakeSocket.made).toHaveLength(1));
    const first = FakeSocket.made[0]!;
    expect(first.url).toBe("ws://rt.test?token=tok%20en");
    first.open();
    expect(sub.status).toBe("open");
    await vi.waitFor(() => expect(answers).toHaveLength(1));

    first.push(push(5, "90.00", "2026-11-24T09:05:00.000Z"));
    // The GET was answered before the push was written: it must not take the balance back.
    answers[0]!(Response.json({ account: account(4, "93.00", "2026-11-24T09:04:00.000Z") }));
    await vi.waitFor(() => expect(answers).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 5));
    first.push(push(3, "96.00", "2026-11-24T09:03:00.000Z"));
    first.push(push(5, "90.00", "2026-11-24T09:05:00.000Z"));
    const alert = { id: "alert_1", type: "low_balance" };
    first.push({ type: "alert", alert });
    first.push({ type: "alert", alert });
    first.onmessage?.({ data: "not json" });
    expect(seen.map((b) => [b.seq, b.source])).toEqual([[5, "push"]]);
    expect(sub.balance?.balance).toBe("90.00");
    expect(alerts).toEqual(["alert_1"]);

    first.drop();
    expect(sub.status).toBe("reconnecting");
    await vi.waitFor(() => expect(FakeSocket.made).toHaveLength(2));
    FakeSocket.made[1]!.open();
    await vi.waitFor(() => expect(answers).toHaveLength(2));
    answers[1]!(Response.json({ account: account(7, "80.00", "2026-11-24T09:07:00.000Z") }));
    await vi.waitFor(() => expect(sub.balance?.seq).toBe(7));
    expect(sub.balance).toMatchObject({ balance: "80.00", source: "fetch", transactionId: null });
    // A reconnect asks for a fresh token (the old one may have expired with the connection).
    expect(asked.filter((r) => r)).not.toHaveLength(0);
    expect(FakeSocket.made[1]!.url).toBe("ws://rt.test?token=tok%20en");

    sub.close();
    expect(sub.status).toBe("closed");
    await new Promise((r) => setTimeout(r, 10));
    expect(FakeSocket.made).toHaveLength(2);
  });

  it("tries the fetch after a connect again until it succeeds, so a failed fetch cannot leave the balance stale", async () => {
    FakeSocket.made = [];
    const answers = [Response.json({ error: { code: "forbidden", message: "no" } }, { status: 403 }), Response.json({ account: account(3, "94.00", "2026-11-24T09:03:00.000Z") })];
    let fetched = 0;
    const fetch: FetchLike = () => Promise.resolve(answers[fetched++] ?? Response.json({}, { status: 500 }));
    const errors: unknown[] = [];
    const nyang = createClient({ baseUrl: "http://api.test", token: "t", fetch, realtimeUrl: "ws://rt.test", WebSocketImpl: FakeSocket as unknown as WebSocketConstructor });
    const sub = nyang.realtime.subscribe({ onError: (e) => errors.push(e), reconnect: { baseDelayMs: 1, maxDelayMs: 2 } });
    await vi.waitFor(() => expect(FakeSocket.made).toHaveLength(1));
    FakeSocket.made[0]!.open();
    await vi.waitFor(() => expect(sub.balance?.seq).toBe(3));
    expect(fetched).toBe(2);
    expect(errors).toHaveLength(1);
    sub.close();
  });

  it("closes for good when its signal aborts", async () => {
    FakeSocket.made = [];
    const controller = new AbortController();
    const nyang = createClient({ baseUrl: "http://api.test", token: "t", fetch: () => new Promise(() => undefined), realtimeUrl: "ws://rt.test", WebSocketImpl: FakeSocket as unknown as WebSocketConstructor });
    const statuses: string[] = [];
    const sub = nyang.realtime.subscribe({ signal: controller.signal, onStatus: (s) => statuses.push(s), reconnect: { baseDelayMs: 1, maxDelayMs: 1 } });
    await vi.waitFor(() => expect(FakeSocket.made).toHaveLength(1));
    FakeSocket.made[0]!.open();
    controller.abort();
    expect(sub.status).toBe("closed");
    expect(FakeSocket.made[0]!.readyState).toBe(3);
    await new Promise((r) => setTimeout(r, 10));
    expect(FakeSocket.made).toHaveLength(1);
    expect(statuses).toEqual(["connecting", "open", "closed"]);
  });

  it("names what is missing: a realtime URL, or a WebSocket on Node 20", () => {
    const noUrl = createClient({ baseUrl: "http://api.test", fetch: () => Promise.reject(new Error("unused")) });
    expect(() => noUrl.realtime.subscribe()).toThrow(/realtimeUrl/);
    const g = globalThis as { WebSocket?: unknown };
    const saved = g.WebSocket;
    delete g.WebSocket;
    try {
      const noWs = createClient({ baseUrl: "http://api.test", realtimeUrl: "ws://rt.test", fetch: () => Promise.reject(new Error("unused")) });
      expect(() => noWs.realtime.subscribe()).toThrow(/WebSocketImpl/);
    } finally {
      if (saved !== undefined) g.WebSocket = saved;
    }
  });
});
