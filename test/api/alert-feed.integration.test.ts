/**
 * The admins' cross-account alert feed, `GET /v1/admin/alerts`, over the Lambda event path
 * against DynamoDB Local, on a table of this file's own so the feed holds exactly the alerts
 * the tests raise: who may read it, newest first across accounts and shards, paging without
 * duplicates or gaps (also while new alerts arrive), the type and since filters, bad queries,
 * alerts stored before the index attribute existed, and what a write and a page cost.
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { ALERT_FEED_SHARDS, alertIdFor, AlertsStore, createDynamoClients, shardOf, type Alert, type AlertType } from "@nyang/core";
import { beforeAll, describe, expect, it } from "vitest";
import { apiWith, privateTable, serviceToken, tokenFor, uniqueUserId } from "../support/index.ts";
import { expectError } from "../support/refusals.ts";

type Api = ReturnType<typeof apiWith>;
let api: Api;
let table: string;
let store: AlertsStore;
const units: { operation: string; read: number; write: number }[] = [];
const admin = () => tokenFor("feed-admin", "admin");

beforeAll(async () => {
  table = await privateTable("alert-feed");
  store = new AlertsStore(createDynamoClients(process.env), table, (operation, u) => units.push({ operation, ...u }));
  api = apiWith({ alerts: store });
});

/** An alert as the rules make one, at a given time. */
function alertAt(userId: string, type: AlertType, at: Date, trigger: string): Alert {
  const createdAt = at.toISOString();
  return {
    id: alertIdFor(userId, `${type}\n${trigger}`, createdAt),
    userId,
    type,
    severity: "warning",
    title: `${type} ${trigger}`,
    message: `잔액 알림 ${trigger}`,
    data: { trigger },
    read: false,
    readAt: null,
    createdAt,
  };
}

/** The feed's order: createdAt, then account, then id, newest first. */
const newestFirst = (alerts: Alert[]) =>
  [...alerts].sort((a, b) => (`${a.createdAt}#${a.userId}#${a.id}` < `${b.createdAt}#${b.userId}#${b.id}` ? 1 : -1)).map((a) => a.id);

const get = async (query: string, token?: string) => api("GET", `/v1/admin/alerts${query}`, { token: token ?? (await admin()) });

/** Every page, following nextCursor; each page checked to hold at most `limit` alerts. */
async function allPages(query: string, limit: number) {
  const ids: string[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const r = await get(`?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(r.status).toBe(200);
    expect(r.body.alerts.length).toBeLessThanOrEqual(limit);
    ids.push(...r.body.alerts.map((a: Alert) => a.id));
    sizes.push(r.body.alerts.length);
    cursor = r.body.nextCursor;
  } while (cursor && sizes.length < 50);
  return { ids, sizes };
}

/**
 * Accounts whose alerts land on different shards, with alerts spread over a window in the
 * future (so no other test's alert is newer): three accounts, interleaved in time, two of
 * them sharing a millisecond.
 */
const base = new Date("2031-03-01T00:00:00.000Z");
const at = (minutes: number) => new Date(base.getTime() + minutes * 60_000);
const users: string[] = [];
const raised: Alert[] = [];

beforeAll(async () => {
  const shards = new Set<number>();
  while (users.length < 3) {
    const u = uniqueUserId("feed");
    const shard = shardOf(u, ALERT_FEED_SHARDS);
    if (!shards.has(shard)) {
      shards.add(shard);
      users.push(u);
    }
  }
  const types: AlertType[] = ["low_balance", "high_usage", "unusual_activity", "auto_charge"];
  for (let i = 0; i < 14; i++) {
    const u = users[i % 3]!;
    raised.push(alertAt(u, types[i % 4]!, at(i * 7 % 13), `t${i}`));
  }
  raised.push(alertAt(users[0]!, "low_balance", at(5), "same-ms-a"), alertAt(users[1]!, "low_balance", at(5), "same-ms-b"));
  for (const a of raised) expect(await store.raise(a)).toBe(true);
});

describe("GET /v1/admin/alerts: who may read it", () => {
  it("refuses a missing token (401), an account's owner and a service (403 forbidden), answers an admin", async () => {
    expectError(await api("GET", "/v1/admin/alerts", {}), 401, "unauthorized");
    expectError(await get("", await tokenFor(users[0]!)), 403, "forbidden");
    expectError(await get("", await serviceToken()), 403, "forbidden");
    expect((await get("")).status).toBe(200);
  });
});

describe("GET /v1/admin/alerts: the feed", () => {
  it("lists the alerts of every account newest first, across shards, each in the Alert shape", async () => {
    const r = await get("?limit=100");
    expect(r.status).toBe(200);
    expect(r.body.nextCursor).toBeNull();
    expect(r.body.alerts.map((a: Alert) => a.id)).toEqual(newestFirst(raised));
    expect(new Set(r.body.alerts.map((a: Alert) => a.userId))).toEqual(new Set(users));
    const first = raised.find((a) => a.id === r.body.alerts[0].id)!;
    expect(r.body.alerts[0]).toEqual(first);
  });

  it("pages with cursors: every alert exactly once, in order, whatever the page size", async () => {
    for (const limit of [1, 3, 8, 16]) {
      const { ids, sizes } = await allPages("", limit);
      expect(ids, `limit ${limit}`).toEqual(newestFirst(raised));
      // Full pages but the last; a page that ends the feed says so (no empty page after it).
      expect(sizes.slice(0, -1).every((n) => n === limit), `limit ${limit}`).toBe(true);
      expect(sizes.length, `limit ${limit}`).toBe(Math.ceil(raised.length / limit));
    }
  });

  it("does not insert alerts raised after the first page into later pages", async () => {
    const first = await get("?limit=4");
    const late = alertAt(users[2]!, "high_usage", at(60), "late");
    expect(await store.raise(late)).toBe(true);
    raised.push(late);
    const rest: string[] = [];
    let cursor: string | null = first.body.nextCursor;
    while (cursor) {
      const r = await get(`?limit=4&cursor=${cursor}`);
      rest.push(...r.body.alerts.map((a: Alert) => a.id));
      cursor = r.body.nextCursor;
    }
    expect([...first.body.alerts.map((a: Alert) => a.id), ...rest]).toEqual(newestFirst(raised.filter((a) => a !== late)));
    expect((await get("?limit=1")).body.alerts[0].id).toBe(late.id);
  });

  it("keeps one type with `type`, paged, in order", async () => {
    const lows = raised.filter((a) => a.type === "low_balance");
    expect(lows.length).toBeGreaterThan(3);
    const { ids } = await allPages("&type=low_balance", 2);
    expect(ids).toEqual(newestFirst(lows));
  });

  it("keeps alerts at or after `since` (an ISO time, or a date meaning its start), paged", async () => {
    const since = at(6);
    const { ids } = await allPages(`&since=${since.toISOString()}`, 3);
    expect(ids).toEqual(newestFirst(raised.filter((a) => a.createdAt >= since.toISOString())));
    // A cursor already older than `since` (from a page without it): an empty last page, not an error.
    const top = await get("?limit=3");
    expect(top.body.alerts[0].createdAt > top.body.alerts[2].createdAt).toBe(true);
    const past = await get(`?since=${top.body.alerts[0].createdAt}&cursor=${top.body.nextCursor}`);
    expect({ status: past.status, alerts: past.body.alerts, nextCursor: past.body.nextCursor }).toEqual({ status: 200, alerts: [], nextCursor: null });
    const day = await get("?since=2031-03-02&limit=100");
    expect(day.body.alerts).toEqual([]);
    expect(day.body.nextCursor).toBeNull();
  });

  it("does not list an alert stored before the index attribute existed", async () => {
    const old = alertAt(users[0]!, "low_balance", at(30), "before-the-index");
    const { doc } = createDynamoClients(process.env);
    // Stored as AlertsStore.raise stored alerts before the feed: no gsi3pk / gsi3sk.
    await doc.send(new PutCommand({ TableName: table, Item: { pk: `ACCT#${old.userId}`, sk: `ALERT#${old.id}`, kind: "alert", ...old, readAt: undefined } }));
    const r = await get("?limit=100");
    expect(r.body.alerts.map((a: Alert) => a.id)).not.toContain(old.id);
    expect(await store.get(old.userId, old.id)).not.toBeNull();
  });
});

describe("GET /v1/admin/alerts: bad queries", () => {
  it.each([
    ["limit=0", "limit"],
    ["limit=101", "limit"],
    ["limit=ten", "limit"],
    ["type=unknown", "type"],
    ["since=yesterday", "since"],
    ["since=2031-13-01", "since"],
    ["cursor=not-a-cursor", "cursor"],
    [`cursor=${Buffer.from(JSON.stringify({ before: "x" })).toString("base64url")}`, "cursor"],
    ["unread=true", "unread"],
  ])("%s → 400 validation_failed naming %s", async (query, field) => {
    const r = await get(`?${query}`);
    expectError(r, 400, "validation_failed");
    expect(Object.keys(r.body.error.details.fields)).toContain(field);
  });
});

describe("GET /v1/admin/alerts: request units", () => {
  it("an alert's write costs the feed index 1 WRU; a page of 50 is a few eventually consistent reads", async () => {
    units.length = 0;
    const more: Alert[] = [];
    for (let i = 0; i < 60; i++) more.push(alertAt(users[i % 3]!, "low_balance", at(-100 - i), `bulk${i}`));
    for (const a of more) await store.raise(a);
    const indexWrites = units.filter((u) => u.operation === "write:alert_feed_index").map((u) => u.write);
    expect(indexWrites).toEqual(more.map(() => 1));
    units.length = 0;
    const page = await get("?limit=50");
    expect(page.body.alerts).toHaveLength(50);
    const reads = units.filter((u) => u.operation === "read:alert_feed");
    // One query per shard; each reads at most 51 alerts (< 0.5 KB each): ½ RRU per 4 KB.
    expect(reads).toHaveLength(ALERT_FEED_SHARDS);
    const total = reads.reduce((s, u) => s + u.read, 0);
    console.log(`[alert-feed] a page of 50 over ${raised.length + more.length} alerts: ${total} RRU (${reads.map((u) => u.read).join(" + ")})`);
    expect(total).toBeLessThanOrEqual(ALERT_FEED_SHARDS * 4);
  });
});

describe("GET /v1/admin/alerts: a sparse type filter", () => {
  it("hands back a short page with a nextCursor after its bounded reads, and following the cursors finds every match once, in order", async () => {
    // 15 newer alerts of another type per shard in use: more than one request's rounds read at limit=1.
    for (let i = 0; i < 45; i++) {
      const a = alertAt(users[i % 3]!, "unusual_activity", at(200 + i), `burst${i}`);
      expect(await store.raise(a)).toBe(true);
      raised.push(a);
    }
    const first = await get("?type=auto_charge&limit=1");
    expect(first.status).toBe(200);
    expect(first.body.alerts).toEqual([]);
    expect(first.body.nextCursor).not.toBeNull();
    const { ids } = await allPages("&type=auto_charge", 1);
    expect(ids).toEqual(newestFirst(raised.filter((a) => a.type === "auto_charge")));
  });

  it("never lets a shard that reached further hand out a match while another shard's newer part is unread", async () => {
    // Shard of users[0]: a dozen newer alerts of another type above its match. Shard of
    // users[1]: an older match near the top. Reading both a few alerts deep, only the second has
    // found its match; answering it first would skip the first shard's newer one for good.
    const window = (m: number) => at(1000 + m);
    const a = alertAt(users[0]!, "high_usage", window(50), "deep-match");
    const b = alertAt(users[1]!, "high_usage", window(10), "shallow-match");
    const noise = Array.from({ length: 12 }, (_, i) => alertAt(users[0]!, "unusual_activity", window(100 + i), `noise${i}`));
    for (const x of [a, b, ...noise, alertAt(users[1]!, "unusual_activity", window(5), "below")]) expect(await store.raise(x)).toBe(true);
    const { ids } = await allPages(`&type=high_usage&since=${window(0).toISOString()}`, 1);
    expect(ids).toEqual([a.id, b.id]);
  });
});
