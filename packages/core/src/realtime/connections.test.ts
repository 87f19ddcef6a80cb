import { describe, expect, it } from "vitest";
import { CONNECT_GRACE_MS, connectionsOverCap, gcraStep, goneForGood, newConnection } from "./connections.ts";

const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 9, 0, s));

describe("connectionsOverCap", () => {
  const live = [3, 1, 4, 2, 5].map((s) => newConnection(`c${s}`, "u1", at(s)));

  it("names the oldest beyond the cap, oldest first, the connection being admitted ranked like any other", () => {
    expect(connectionsOverCap(live, 5)).toEqual([]);
    expect(connectionsOverCap(live, 3).map((c) => c.connectionId)).toEqual(["c1", "c2"]);
    expect(connectionsOverCap(live, 1).map((c) => c.connectionId)).toEqual(["c1", "c2", "c3", "c4"]);
  });

  it("breaks a tie of connect times by id, so racing connects agree on whom to close", () => {
    const tied = ["b", "a", "c"].map((id) => newConnection(id, "u1", at(0)));
    expect(connectionsOverCap(tied, 1).map((c) => c.connectionId)).toEqual(["a", "b"]);
  });
});

describe("gcraStep", () => {
  it("spaces messages evenly over the minute and lets a burst run ahead of now by burst − 1 intervals", () => {
    expect(gcraStep(1_000_000, { messagesPerMinute: 60, messageBurst: 10 })).toEqual({ intervalMs: 1000, latestTat: 1_009_000 });
    expect(gcraStep(0, { messagesPerMinute: 600, messageBurst: 1 })).toEqual({ intervalMs: 100, latestTat: 0 });
  });
});

describe("goneForGood", () => {
  it("a 410 is final only once the connection is past the connect grace", () => {
    const at = new Date("2026-12-02T00:00:00.000Z");
    const c = newConnection("abc=", "u1", at);
    expect(goneForGood(c, new Date(at.getTime() + CONNECT_GRACE_MS - 1))).toBe(false);
    expect(goneForGood(c, new Date(at.getTime() + CONNECT_GRACE_MS))).toBe(true);
  });
});
