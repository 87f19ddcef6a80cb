/**
 * Listing an account's holds and orders (issue 8, item 13) over the Lambda event path against
 * DynamoDB Local: `GET /v1/accounts/{userId}/holds?status=` and `GET
 * /v1/accounts/{userId}/purchases?status=` — newest first, cursor-paged like transactions, a
 * pending hold past its expiry listed (and filtered) as expired before any sweep, who may call,
 * empty lists, bad queries and foreign cursors refused 400, and transactions still listing only
 * ledger entries although holds and orders now share the account's `byTime` index.
 */
import { describe, expect, it } from "vitest";
import {
  adminToken,
  callApi,
  ledgerOn,
  manualClock,
  openAccount,
  serviceToken,
  testTableName,
  tokenFor,
  uniqueUserId,
} from "../support/index.ts";
import { expectError } from "../support/refusals.ts";

const svc = () => serviceToken();
const hold = async (u: string, key: string, body: Record<string, unknown> = { amount: "1.00" }) => {
  const r = await callApi("POST", `/v1/accounts/${u}/holds`, { token: await svc(), body, idempotencyKey: key });
  expect(r.status).toBe(201);
  return r.body.hold as { id: string; status: string; createdAt: string };
};
const settle = async (u: string, holdId: string, how: "capture" | "release") => {
  const r = await callApi("POST", `/v1/accounts/${u}/holds/${holdId}/${how}`, { token: await svc(), idempotencyKey: `${how}-${holdId}` });
  expect(r.status).toBeLessThan(300);
};
const order = async (u: string, key: string, packageId = "basic") => {
  const r = await callApi("POST", `/v1/accounts/${u}/purchases`, { token: await tokenFor(u), body: { packageId }, idempotencyKey: key });
  expect(r.status).toBe(201);
  return r.body.order as { id: string; status: string; createdAt: string };
};
/** Newest first as the index orders them: createdAt, then id (two records may share a millisecond). */
const newestFirst = (records: { id: string; createdAt: string }[]) =>
  [...records].sort((a, b) => (a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt))).map((r) => r.id);
const list = async (path: string, token?: string) => callApi("GET", path, { token: token ?? (await adminToken()) });

/** Every page of a list, following nextCursor; each page checked to hold at most `limit` items. */
async function allPages(path: string, field: "holds" | "orders", limit: number, token?: string) {
  const items: { id: string; status: string; createdAt: string }[] = [];
  const sep = path.includes("?") ? "&" : "?";
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r = await list(`${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`, token);
    expect(r.status).toBe(200);
    expect(r.body[field].length).toBeLessThanOrEqual(limit);
    items.push(...r.body[field]);
    cursor = r.body.nextCursor;
    pages++;
  } while (cursor && pages < 50);
  return { items, pages };
}

describe("GET /v1/accounts/{userId}/holds", () => {
  it("lists every hold newest first, page by page, each exactly once, with the Hold shape of GET one", async () => {
    const u = uniqueUserId("list-holds");
    await openAccount(u);
    const made: { id: string; createdAt: string }[] = [];
    for (let i = 0; i < 7; i++) made.push(await hold(u, `h${i}`, { amount: "1.00", details: { n: i } }));
    const { items, pages } = await allPages(`/v1/accounts/${u}/holds`, "holds", 3);
    expect(pages).toBe(3);
    expect(items.map((h) => h.id)).toEqual(newestFirst(made));
    const one = await callApi("GET", `/v1/accounts/${u}/holds/${made[0]!.id}`, { token: await svc() });
    expect(items.find((h) => h.id === made[0]!.id)).toEqual(one.body.hold);
  });

  it("filters by status as of now: pending, captured, released, and expired including a pending hold past its expiry not yet swept", async () => {
    const u = uniqueUserId("list-holds-st");
    // Opened and held an hour ago through core (the ledger's clock), 10-second hold: past its
    // expiry, still stored as pending because no sweep ran.
    const past = manualClock(new Date(Date.now() - 3600_000));
    const { ledger } = ledgerOn(testTableName(), past);
    await ledger.openAccount(u);
    const stale = (await ledger.reserve(u, { amount: 100, ttlSeconds: 10 }, { key: "stale" })).hold;
    expect(stale.status).toBe("pending");

    const captured = await hold(u, "cap");
    await settle(u, captured.id, "capture");
    const released = await hold(u, "rel");
    await settle(u, released.id, "release");
    const pending = await hold(u, "pend");

    const ids = async (status: string) => (await list(`/v1/accounts/${u}/holds?status=${status}`)).body.holds.map((h: { id: string; status: string }) => [h.id, h.status]);
    expect(await ids("pending")).toEqual([[pending.id, "pending"]]);
    expect(await ids("captured")).toEqual([[captured.id, "captured"]]);
    expect(await ids("released")).toEqual([[released.id, "released"]]);
    expect(await ids("expired")).toEqual([[stale.id, "expired"]]);
    // Unfiltered, the stale hold shows as expired too, as GET of the hold shows it.
    const all = (await list(`/v1/accounts/${u}/holds`)).body.holds;
    expect(all.map((h: { id: string }) => h.id)).toEqual(newestFirst([pending, released, captured, stale]));
    const statusOf = Object.fromEntries(all.map((h: { id: string; status: string }) => [h.id, h.status]));
    expect(statusOf).toEqual({ [pending.id]: "pending", [released.id]: "released", [captured.id]: "captured", [stale.id]: "expired" });
    const staleShown = all.find((h: { id: string }) => h.id === stale.id);
    expect((await callApi("GET", `/v1/accounts/${u}/holds/${stale.id}`, { token: await svc() })).body.hold).toEqual(staleShown);
  });

  it("an account without holds lists none; an account that does not exist is 404", async () => {
    const u = uniqueUserId("list-holds-empty");
    await openAccount(u);
    expect((await list(`/v1/accounts/${u}/holds`)).body).toEqual({ holds: [], nextCursor: null });
    expect((await list(`/v1/accounts/${u}/holds?status=expired`)).body).toEqual({ holds: [], nextCursor: null });
    expectError(await list(`/v1/accounts/${uniqueUserId("ghost")}/holds`), 404, "account_not_found");
  });

  it("the owner, services and admins may list; another user may not, nor a caller without a token", async () => {
    const u = uniqueUserId("list-holds-auth");
    await openAccount(u);
    await hold(u, "h");
    for (const token of [await tokenFor(u), await svc(), await adminToken()]) {
      expect((await list(`/v1/accounts/${u}/holds`, token)).body.holds).toHaveLength(1);
    }
    expect((await list(`/v1/accounts/me/holds`, await tokenFor(u))).body.holds).toHaveLength(1);
    expectError(await list(`/v1/accounts/${u}/holds`, await tokenFor(uniqueUserId("other"))), 403, "forbidden");
    expectError(await callApi("GET", `/v1/accounts/${u}/holds`), 401, "unauthorized");
  });
});

describe("GET /v1/accounts/{userId}/purchases", () => {
  it("lists the account's orders newest first, page by page, filtered by status", async () => {
    const u = uniqueUserId("list-orders");
    await openAccount(u);
    const made: { id: string; createdAt: string }[] = [];
    for (let i = 0; i < 5; i++) made.push(await order(u, `o${i}`));
    const { items, pages } = await allPages(`/v1/accounts/${u}/purchases`, "orders", 2, await tokenFor(u));
    expect(pages).toBe(3);
    expect(items.map((o) => o.id)).toEqual(newestFirst(made));
    const one = await callApi("GET", `/v1/accounts/${u}/purchases/${made[0]!.id}`, { token: await tokenFor(u) });
    expect(items.find((o) => o.id === made[0]!.id)).toEqual(one.body.order);
    expect((await list(`/v1/accounts/${u}/purchases?status=pending`)).body.orders).toHaveLength(5);
    expect((await list(`/v1/accounts/${u}/purchases?status=paid`)).body).toEqual({ orders: [], nextCursor: null });
  });

  it("an account without orders lists none; owner and admin may list, a service or another user may not", async () => {
    const u = uniqueUserId("list-orders-auth");
    await openAccount(u);
    expect((await list(`/v1/accounts/me/purchases`, await tokenFor(u))).body).toEqual({ orders: [], nextCursor: null });
    expect((await list(`/v1/accounts/${u}/purchases`)).status).toBe(200);
    expectError(await list(`/v1/accounts/${u}/purchases`, await svc()), 403, "forbidden");
    expectError(await list(`/v1/accounts/${u}/purchases`, await tokenFor(uniqueUserId("other"))), 403, "forbidden");
    expectError(await callApi("GET", `/v1/accounts/${u}/purchases`), 401, "unauthorized");
    expectError(await list(`/v1/accounts/${uniqueUserId("ghost")}/purchases`), 404, "account_not_found");
  });
});

describe("bad queries and cursors", () => {
  it("refuses a bad status, limit or cursor with 400 validation_failed, including another list's or another account's cursor", async () => {
    const u = uniqueUserId("list-bad");
    const v = uniqueUserId("list-bad-other");
    await openAccount(u);
    await openAccount(v);
    for (let i = 0; i < 3; i++) {
      await hold(u, `h${i}`);
      await hold(v, `h${i}`);
      await order(u, `o${i}`);
      await callApi("POST", `/v1/accounts/${u}/usage`, { token: await svc(), body: { serviceType: "ai_writing" }, idempotencyKey: `s${i}` });
    }
    const cursorOf = async (path: string) => (await list(`${path}?limit=1`)).body.nextCursor as string;
    const holdCursor = await cursorOf(`/v1/accounts/${u}/holds`);
    const orderCursor = await cursorOf(`/v1/accounts/${u}/purchases`);
    const txCursor = await cursorOf(`/v1/accounts/${u}/transactions`);
    const otherHoldCursor = await cursorOf(`/v1/accounts/${v}/holds`);
    for (const c of [holdCursor, orderCursor, txCursor, otherHoldCursor]) expect(c).toEqual(expect.any(String));

    const bad = [
      `/v1/accounts/${u}/holds?status=open`,
      `/v1/accounts/${u}/holds?limit=0`,
      `/v1/accounts/${u}/holds?limit=101`,
      `/v1/accounts/${u}/holds?cursor=not-a-cursor`,
      `/v1/accounts/${u}/holds?cursor=${orderCursor}`,
      `/v1/accounts/${u}/holds?cursor=${txCursor}`,
      `/v1/accounts/${u}/holds?cursor=${otherHoldCursor}`,
      `/v1/accounts/${u}/holds?extra=1`,
      `/v1/accounts/${u}/purchases?status=done`,
      `/v1/accounts/${u}/purchases?cursor=${holdCursor}`,
      `/v1/accounts/${u}/transactions?cursor=${holdCursor}`,
    ];
    for (const path of bad) expectError(await list(path), 400, "validation_failed");
    // The cursor goes on where the first page stopped.
    expect((await list(`/v1/accounts/${u}/holds?limit=5&cursor=${holdCursor}`)).body.holds).toHaveLength(2);
  });

  it("transactions still list only ledger entries, newest first, with holds and orders beside them on the index", async () => {
    const u = uniqueUserId("list-tx");
    await openAccount(u);
    await hold(u, "h");
    await order(u, "o");
    await callApi("POST", `/v1/accounts/${u}/usage`, { token: await svc(), body: { serviceType: "ai_writing" }, idempotencyKey: "s" });
    const tx = (await list(`/v1/accounts/${u}/transactions`)).body.transactions;
    expect(tx.map((t: { type: string }) => t.type)).toEqual(["usage", "signup_bonus"]);
  });
});
