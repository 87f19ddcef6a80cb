import { AlertsStore, createDynamoClients, lowBalanceAlert, type Alert, type LedgerEntry } from "@nyang/core";
import type { DomainEvent, DomainEventPublisher } from "@nyang/functions/events";
import { alertRaiser } from "@nyang/functions/raise-alert";
import { describe, expect, it } from "vitest";
import { testTableName, uniqueUserId } from "../support/index.ts";

/**
 * The one redelivery rule for `AlertRaised` (raise-alert.ts), against DynamoDB Local: an
 * alert is published until its stored item is marked published. The bus is the port itself,
 * recording what it is given and refusing when told to (the local EventBridge sink stands in
 * for AWS elsewhere; here only the port's answer matters).
 */
function recordingBus() {
  const published: DomainEvent[] = [];
  let refuse = 0;
  const bus: DomainEventPublisher & { published: DomainEvent[]; refuseNext(n: number): void } = {
    published,
    refuseNext: (n) => void (refuse = n),
    async publish(events) {
      if (refuse > 0) {
        refuse--;
        throw new Error("EventBridge refused 1 of 1 events: InternalFailure");
      }
      published.push(...events);
    },
  };
  return bus;
}

const store = new AlertsStore(createDynamoClients(process.env), testTableName());

/** A low_balance alert for a crossing at `at` (its id is fixed by the entry, as in the consumer). */
function crossing(userId: string, at: string): Alert {
  const entry = { id: `tx_${userId}`, userId, balanceBefore: 2000, balanceAfter: 1000, createdAt: at } as LedgerEntry;
  return lowBalanceAlert(entry, 1500)!;
}

const idsOf = (bus: { published: DomainEvent[] }) => bus.published.map((e) => e.detail.id);

describe("raising an alert: published until marked", () => {
  it("the first raise stores and publishes it; a redelivery after that publishes nothing", async () => {
    const bus = recordingBus();
    const raiser = alertRaiser(store, bus);
    const alert = crossing(uniqueUserId("raise"), "2026-11-25T09:00:00.000Z");
    expect(await raiser.raise(alert)).toEqual(alert);
    expect(await raiser.raise(alert)).toBeNull();
    expect(idsOf(bus)).toEqual([alert.id]);
    expect(bus.published[0]).toMatchObject({ detailType: "AlertRaised", time: alert.createdAt, detail: { userId: alert.userId } });
    expect(await store.unpublished(alert.userId, alert.id)).toBeNull();
  });

  it("a bus that refuses fails the raise; the alert stays stored and unmarked, and the next raise publishes it once", async () => {
    const bus = recordingBus();
    const raiser = alertRaiser(store, bus);
    const alert = crossing(uniqueUserId("refused"), "2026-11-25T09:00:00.000Z");
    bus.refuseNext(1);
    await expect(raiser.raise(alert)).rejects.toThrow(/refused/);
    expect(await store.unpublished(alert.userId, alert.id)).toEqual(alert);
    expect(idsOf(bus)).toEqual([]);
    expect(await raiser.raise(alert)).toEqual(alert);
    expect(await raiser.raise(alert)).toBeNull();
    expect(idsOf(bus)).toEqual([alert.id]);
  });

  it("with a failure handler (the auto-charge sink) a refusal is handed over, not thrown; the next raise of the alert publishes it", async () => {
    const bus = recordingBus();
    const raiser = alertRaiser(store, bus);
    const alert = crossing(uniqueUserId("sink"), "2026-11-25T09:00:00.000Z");
    const failures: unknown[] = [];
    bus.refuseNext(1);
    expect(await raiser.raise(alert, (e) => failures.push(e))).toBeNull();
    expect(failures).toHaveLength(1);
    expect(await raiser.raise(alert, (e) => failures.push(e))).toEqual(alert);
    expect(idsOf(bus)).toEqual([alert.id]);
  });

  it("a later trigger of the same alert id publishes the stored alert if it was never published, else nothing", async () => {
    const bus = recordingBus();
    const raiser = alertRaiser(store, bus);
    const userId = uniqueUserId("later");
    const first = crossing(userId, "2026-11-25T09:00:00.000Z");
    const later: Alert = { ...first, createdAt: "2026-11-25T10:00:00.000Z", message: "a later checkpoint" };
    bus.refuseNext(1);
    await expect(raiser.raise(first)).rejects.toThrow();
    // What goes out is what is stored (the first trigger's), never the later trigger's version.
    expect(await raiser.raise(later)).toEqual(first);
    expect(bus.published.map((e) => e.time)).toEqual([first.createdAt]);
    expect(await raiser.raise(later)).toBeNull();
    expect(idsOf(bus)).toEqual([first.id]);
  });

  it("two raisers racing on the same new alert publish it at least once, and it ends marked", async () => {
    const bus = recordingBus();
    const a = alertRaiser(store, bus);
    const b = alertRaiser(store, bus);
    const alert = crossing(uniqueUserId("race"), "2026-11-25T09:00:00.000Z");
    await Promise.all([a.raise(alert), b.raise(alert)]);
    expect(idsOf(bus).length).toBeGreaterThanOrEqual(1);
    expect(new Set(idsOf(bus))).toEqual(new Set([alert.id]));
    expect(await store.unpublished(alert.userId, alert.id)).toBeNull();
  });
});
