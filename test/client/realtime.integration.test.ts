import { createClient, type BalanceState, type NyangClient, type RealtimeStatus, type WebSocketConstructor } from "@nyang/client";
import type { HttpGateway } from "@nyang/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startRealtime, until as untilWithin, type Realtime } from "../realtime/harness.ts";
import { clientFor, startHttpApi } from "../support/client-stack.ts";
import { startTcpCut, type TcpCut } from "../support/tcp-cut.ts";
import { auditOn, serviceToken, tokenFor, uniqueUserId } from "../support/index.ts";

/**
 * Integration (DynamoDB Local and its real stream, the stream pump and the unchanged
 * alerts consumer posting through the local WebSocket gateway, the HTTP API behind the
 * local API Gateway): `client.realtime.subscribe()` over a line that is cut and restored.
 * Pushes sent while the line is down are lost for good; the fetch after the reconnect is
 * what brings the subscriber to the right balance.
 */
let rt: Realtime;
let api: HttpGateway;
let line: TcpCut;
let service: NyangClient;

beforeAll(async () => {
  rt = await startRealtime("client-rt");
  api = await startHttpApi(rt.vars);
  line = await startTcpCut(rt.gateway.url);
  service = clientFor(api.url, await serviceToken());
});
afterAll(async () => {
  await line?.close();
  await api?.close();
  await rt?.stop();
});

// Generous: the whole suite shares two cores. A limit on waiting, not a timed assertion.
const until = (check: () => boolean | Promise<boolean>) => untilWithin(check, 30_000);

/**
 * Whether one of the user's stored connections is open at the gateway: the subscriber's socket
 * is known to the pushes. (A count of stored items would also see an item whose socket went
 * away without a $disconnect, which the next push cleans up by design.)
 */
async function storedAndOpen(userId: string): Promise<boolean> {
  const open = new Set(rt.gateway.connectionIds());
  return (await rt.connectionsOf(userId)).some((c) => open.has(c.connectionId));
}

function subscriber(token: string) {
  // Node 20 has no global WebSocket: `ws` is injected, as a Node 20 caller would.
  const nyang = createClient({ baseUrl: api.url, token, realtimeUrl: line.url, WebSocketImpl: WebSocket as unknown as WebSocketConstructor });
  const balances: BalanceState[] = [];
  const statuses: RealtimeStatus[] = [];
  const alerts: string[] = [];
  const errors: unknown[] = [];
  const sub = nyang.realtime.subscribe({
    onError: (e) => errors.push(e),
    onBalance: (b) => balances.push(b),
    onStatus: (s) => statuses.push(s),
    onAlert: (a) => alerts.push(a.type),
    reconnect: { baseDelayMs: 20, maxDelayMs: 200 },
  });
  return { sub, balances, statuses, alerts, errors };
}

describe("realtime.subscribe", () => {
  it("follows pushes, survives a cut line, and ends on the right balance", async () => {
    const u = uniqueUserId("crt");
    await service.accounts.open(u);
    // The signup entry's push goes out before anyone listens, so every push this test sees
    // is one of its own spends (a seq-1 push racing the first fetch would add a [1] to them).
    await rt.pump.drain();
    const { sub, balances, statuses } = subscriber(await tokenFor(u));
    try {
      await until(() => sub.status === "open" && sub.balance?.source === "fetch");
      expect(sub.balance).toMatchObject({ userId: u, balance: "100.00", seq: 1, source: "fetch" });
      await until(() => storedAndOpen(u));

      await service.usage.spend(u, { serviceType: "ai_writing" });
      await until(() => sub.balance?.seq === 2);
      expect(sub.balance).toMatchObject({ balance: "97.00", available: "97.00", source: "push" });

      line.cut();
      await until(() => statuses.includes("reconnecting"));
      // The gateway saw the socket die: the connection is gone, so these pushes go nowhere.
      await until(async () => !(await storedAndOpen(u)));
      await service.usage.spend(u, { serviceType: "ai_writing", amount: "50" });
      await service.usage.spend(u, { serviceType: "ai_writing", amount: "40" }); // 7.00 left: a low_balance alert
      await rt.pump.drain();
      expect(sub.balance?.seq).toBe(2);

      line.restore();
      await until(() => sub.balance?.seq === 4);
      expect(sub.balance).toMatchObject({ balance: "7.00", available: "7.00", seq: 4, source: "fetch" });
      expect(balances.filter((b) => b.source === "push").map((b) => b.seq)).toEqual([2]);
      expect(statuses.at(-1)).toBe("open");

      // Pushes flow again on the new connection.
      await service.usage.spend(u, { serviceType: "image_generation_dev" });
      await until(() => sub.balance?.seq === 5);
      expect(sub.balance).toMatchObject({ balance: "6.00", source: "push" });
      // Never backwards, whatever arrived in which order.
      const seqs = balances.map((b) => b.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect((await auditOn(rt.store, u)).findings).toEqual([]);
    } finally {
      sub.close();
    }
    expect(sub.status).toBe("closed");
  });

  it("delivers alerts once each", async () => {
    const u = uniqueUserId("crt-alert");
    await service.accounts.open(u);
    // The signup entry's push goes out before anyone listens, so every push this test sees
    // is one of its own spends (a seq-1 push racing the first fetch would add a [1] to them).
    await rt.pump.drain();
    const { sub, alerts } = subscriber(await tokenFor(u));
    try {
      await until(() => sub.status === "open" && sub.balance !== null);
      await until(() => storedAndOpen(u));
      await service.usage.spend(u, { serviceType: "ai_writing", amount: "85" });
      await until(() => alerts.includes("low_balance"));
      await rt.pump.drain();
      expect(alerts.filter((t) => t === "low_balance")).toHaveLength(1);
    } finally {
      sub.close();
    }
  });
});
