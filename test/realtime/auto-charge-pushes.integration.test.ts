import { fakeTossEnv, startFakeTossGateway, type FakeTossGateway } from "@nyang/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enableAutoCharge } from "../autocharge/support.ts";
import { tokenFor, uniqueUserId } from "../support/index.ts";
import { startRealtime, until, type Realtime } from "./harness.ts";

/**
 * `auto_charge` alerts reach the browser like every other alert: the real auto-charge (the
 * alerts consumer's trigger, charging the fake Toss gateway over HTTP) stores the alert, its
 * item's record on DynamoDB Local's real stream brings it to the alerts consumer, which posts
 * it to the user's connections through the local WebSocket gateway.
 */
let rt: Realtime;
let fake: FakeTossGateway;

beforeAll(async () => {
  fake = await startFakeTossGateway();
  rt = await startRealtime("ws-autocharge", { env: { AUTO_CHARGE_ENABLED: "true", AUTO_CHARGE_FAILURE_LIMIT: "1", ...fakeTossEnv(fake) } });
});

afterAll(async () => {
  await rt?.stop();
  await fake?.close();
});

const alertsOf = (m: Record<string, any>[]) => m.filter((x) => x.type === "alert" && x.alert.type === "auto_charge").map((x) => x.alert);

describe("auto_charge alerts are pushed", () => {
  it("charged: the alert that is stored is the one pushed, to that user only", async () => {
    const u = uniqueUserId("ac-ok");
    const other = uniqueUserId("ac-other");
    for (const id of [u, other]) await rt.ledger.openAccount(id);
    await enableAutoCharge(rt.runtime.autoCharge, fake, u, { threshold: 5000, amount: 10000 });
    await rt.pump.drain();
    const c = await rt.connect(await tokenFor(u));
    const o = await rt.connect(await tokenFor(other));

    await rt.ledger.spend(u, { serviceType: "ai_writing", amount: 6000 }, { key: "cross" }); // 40.00: at or below 50
    const pushed = await c.waitFor((m) => m.type === "alert" && m.alert.type === "auto_charge");
    expect(pushed.alert).toMatchObject({ userId: u, type: "auto_charge", severity: "info", data: { event: "charged", amount: "100.00" } });
    const stored = (await rt.runtime.alerts.list(u, { unreadOnly: false, limit: 20 })).filter((a) => a.type === "auto_charge");
    expect(stored.map((a) => a.id)).toEqual([pushed.alert.id]);
    await rt.pump.drain();
    expect(alertsOf(c.inbox)).toHaveLength(1);
    expect(o.inbox).toEqual([]);
  });

  it("refused and disabled: both alerts are pushed", async () => {
    const u = uniqueUserId("ac-no");
    await rt.ledger.openAccount(u);
    await enableAutoCharge(rt.runtime.autoCharge, fake, u, { threshold: 5000, amount: 10000 });
    await rt.pump.drain();
    const c = await rt.connect(await tokenFor(u));
    fake.setMode("decline", { operations: ["billing_charge"] });
    try {
      await rt.ledger.spend(u, { serviceType: "ai_writing", amount: 6000 }, { key: "cross" });
      await until(() => alertsOf(c.inbox).length >= 2);
    } finally {
      fake.setMode("approve");
    }
    expect(alertsOf(c.inbox).map((a) => [a.data.event, a.severity]).sort()).toEqual([
      ["disabled", "critical"],
      ["payment_failed", "warning"],
    ]);
  });
});
