import { describe, expect, it } from "vitest";
import { holdListKeys, orderListKeys } from "./codec.ts";
import { alertFeedKeys } from "./keys.ts";
import { migrations } from "./migrations.ts";

/** The migrations' requests, built without a database (the integration test sends them: test/local/migrate.integration.test.ts). */
const named = (name: string) => migrations.find((m) => m.name === name)!;
const key = { pk: "ACCT#u1", sk: "REC#abc" };

describe("migrations", () => {
  it("have distinct names", () => {
    expect(new Set(migrations.map((m) => m.name)).size).toBe(migrations.length);
  });

  it("hold-ttl removes ttl only from a hold that still has one", () => {
    const u = named("hold-ttl").plan("t", { ...key, kind: "hold" })!;
    expect(u).toMatchObject({ TableName: "t", Key: key, UpdateExpression: "REMOVE #ttl" });
    expect(u.ConditionExpression).toBe("(#kind = :hold AND attribute_exists(#ttl))");
    expect(u.ExpressionAttributeNames).toEqual({ "#kind": "kind", "#ttl": "ttl" });
  });

  it("list-index sets the key the codec writes for a hold or an order, pinned to the id and time it derives from", () => {
    const at = "2031-01-02T03:04:05.678Z";
    for (const [kind, keysOf, id] of [["hold", holdListKeys, "hold_1"], ["order", orderListKeys, "order_1"]] as const) {
      const u = named("list-index").plan("t", { ...key, kind, id, createdAt: at })!;
      expect(u.Key).toEqual(key);
      expect(u.ExpressionAttributeValues?.[":lsi1sk"]).toBe(keysOf({ createdAt: at, id }).lsi1sk);
      expect(u.ConditionExpression).toBe("(#kind IN (:hold, :order) AND attribute_not_exists(#lsi1sk)) AND #pin0 = :pin0 AND #pin1 = :pin1");
      expect([u.ExpressionAttributeNames?.["#pin0"], u.ExpressionAttributeValues?.[":pin0"], u.ExpressionAttributeNames?.["#pin1"], u.ExpressionAttributeValues?.[":pin1"]]).toEqual(["id", id, "createdAt", at]);
    }
  });

  it("alert-feed-index sets the feed keys the alert write sets", () => {
    const alert = { userId: "u1", id: "alert_1", createdAt: "2031-01-02T03:04:05.678Z" };
    const u = named("alert-feed-index").plan("t", { pk: "ACCT#u1", sk: "ALERT#alert_1", kind: "alert", ...alert })!;
    const feed = alertFeedKeys(alert);
    expect([u.ExpressionAttributeValues?.[":gsi3pk"], u.ExpressionAttributeValues?.[":gsi3sk"]]).toEqual([feed.gsi3pk, feed.gsi3sk]);
    expect(u.ConditionExpression).toMatch(/^\(#kind = :alert AND attribute_not_exists\(#gsi3pk\)\)( AND #pin\d = :pin\d){3}$/);
  });

  it("plan nothing when an attribute the new value derives from is missing", () => {
    expect(named("list-index").plan("t", { ...key, kind: "hold", id: "hold_1" })).toBeNull();
    expect(named("list-index").plan("t", { ...key, kind: "entry", id: "tx_1", createdAt: "2031-01-01T00:00:00.000Z" })).toBeNull();
    expect(named("alert-feed-index").plan("t", { ...key, kind: "alert", id: "alert_1", createdAt: "2031-01-01T00:00:00.000Z" })).toBeNull();
  });
});
