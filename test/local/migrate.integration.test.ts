import { DeleteCommand, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  activePackages,
  alertIdFor,
  alertKey,
  AlertsStore,
  createDynamoClients,
  loadConfig,
  migrations,
  MigrationStopped,
  OrderBook,
  recordItemKey,
  runMigration,
  type Alert,
  type Ledger,
  type LedgerStore,
} from "@nyang/core";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateCommand } from "../../packages/local/src/migrate.ts";
import { ledgerOn, localDynamoClient, privateTable, testDynamoEndpoint, uniqueUserId } from "../support/index.ts";

/**
 * `npm run migrate` (packages/local/src/migrate.ts, core's store/migrations.ts) against
 * DynamoDB Local, on a table of this file's own so its scans see exactly the items written
 * here. Items are written by the real domain code, then aged to the shape they had before
 * each change (a hold with a `ttl` and no list key, an order with no list key, an alert with
 * no feed keys); the migration must bring each back to exactly what a new write wrote.
 */

type Item = Record<string, unknown>;
const config = loadConfig({});
const clients = createDynamoClients(process.env);
let table: string;
let ledger: Ledger;
let store: LedgerStore;
let orders: OrderBook;
let alerts: AlertsStore;

const u = uniqueUserId("mig");
const other = uniqueUserId("mig2");
/** Every seeded item's key → the item as a new write wrote it. */
const written = new Map<string, { key: { pk: string; sk: string }; item: Item; kind: "hold" | "order" | "alert" }>();
const holdIds: string[] = [];
const orderIds: string[] = [];
const alertIds: string[] = [];
const OLD_TTL = 1_900_000_000;

const getItem = async (key: { pk: string; sk: string }) => (await clients.doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;

function alertAt(userId: string, at: string, trigger: string): Alert {
  return {
    id: alertIdFor(userId, `low_balance\n${trigger}`, at), userId, type: "low_balance", severity: "warning",
    title: "잔액 부족", message: `잔액 알림 ${trigger}`, data: { trigger }, read: false, readAt: null, createdAt: at,
  };
}

/** Makes a stored item look as it was written before the change each migration is for. */
async function age(key: { pk: string; sk: string }, kind: "hold" | "order" | "alert") {
  const update =
    kind === "hold" ? { UpdateExpression: "SET #ttl = :ttl REMOVE lsi1sk", ExpressionAttributeNames: { "#ttl": "ttl" }, ExpressionAttributeValues: { ":ttl": OLD_TTL } }
    : kind === "order" ? { UpdateExpression: "REMOVE lsi1sk" }
    : { UpdateExpression: "REMOVE gsi3pk, gsi3sk" };
  await clients.doc.send(new UpdateCommand({ TableName: table, Key: key, ConditionExpression: "attribute_exists(pk)", ...update }));
}

async function seed(kind: "hold" | "order" | "alert", key: { pk: string; sk: string }) {
  const item = await getItem(key);
  if (!item) throw new Error(`no item at ${key.pk} ${key.sk}`);
  written.set(`${key.pk} ${key.sk}`, { key, item, kind });
  await age(key, kind);
}

const lines: string[] = [];
const cli = (...args: string[]) => {
  lines.length = 0;
  return migrateCommand(["--endpoint", testDynamoEndpoint(), "--table", table, ...args], { stderr: (l) => lines.push(l), env: {} });
};
/** A migration's line in the command's summary. */
const summaryOf = (name: string) => lines.find((l) => l.startsWith(`  ${name} `)) ?? "";

const listed = async () => ({
  holds: (await store.listHolds(u, { limit: 50 }, new Date())).holds.map((h) => h.id).sort(),
  orders: (await orders.listOrders(u, { limit: 50 })).orders.map((o) => o.id).sort(),
  feed: (await alerts.feed({ limit: 100 })).alerts.map((a) => a.id).sort(),
});

beforeAll(async () => {
  table = await privateTable("migrate");
  ({ ledger, store } = ledgerOn(table));
  orders = new OrderBook(ledger, store, config, () => new Date());
  alerts = new AlertsStore(clients, table);

  await ledger.openAccount(u);
  const pending = await ledger.reserve(u, { amount: 300, ttlSeconds: 600 }, { key: "h-pending" });
  const captured = await ledger.reserve(u, { amount: 500, ttlSeconds: 600 }, { key: "h-cap" });
  await ledger.capture(u, captured.hold.id, { amount: 200 }, { key: "cap" });
  const released = await ledger.reserve(u, { amount: 100, ttlSeconds: 600 }, { key: "h-rel" });
  await ledger.release(u, released.hold.id, { key: "rel" });
  holdIds.push(pending.hold.id, captured.hold.id, released.hold.id);

  const pkg = activePackages(config)[0]!;
  const limits = { minPurchaseKrw: config.minPurchaseAmountKrw, maxBalance: config.maxCoinAmount };
  const open = await orders.createOrder(u, pkg, limits, { key: "o-open" });
  const paid = await orders.createOrder(u, pkg, limits, { key: "o-paid" });
  await orders.creditPurchase(u, paid.order.id, { paymentKey: "pay-mig", method: "card" });
  orderIds.push(open.order.id, paid.order.id);

  for (const [i, a] of [alertAt(u, "2031-05-01T00:00:00.000Z", "a"), alertAt(other, "2031-05-02T00:00:00.000Z", "b")].entries()) {
    expect(await alerts.raise(a), `alert ${i}`).toBe(true);
    alertIds.push(a.id);
  }

  for (const id of holdIds) await seed("hold", recordItemKey(u, id, "hold")!);
  for (const id of orderIds) await seed("order", recordItemKey(u, id, "order")!);
  for (const [i, id] of alertIds.entries()) await seed("alert", alertKey(i === 0 ? u : other, id));
});

afterAll(() => {
  clients.client.destroy();
});

describe("npm run migrate", () => {
  it("the aged items are the gaps the docs describe: not listed, not in the feed, holds with a ttl", async () => {
    expect(await listed()).toEqual({ holds: [], orders: [], feed: [] });
    for (const { key, kind } of written.values()) {
      const item = await getItem(key);
      if (kind === "hold") expect(item?.ttl).toBe(OLD_TTL);
    }
  });

  it("a dry run counts what it would update and writes nothing", async () => {
    const before = await Promise.all([...written.values()].map(({ key }) => getItem(key)));
    expect(await cli("--dry-run")).toBe(0);
    expect(lines[0]).toContain("dry run: nothing is written");
    expect(summaryOf("hold-ttl")).toMatch(/old 3, would update 3, changed meanwhile 0/);
    expect(summaryOf("list-index")).toMatch(/old 5, would update 5,/);
    expect(summaryOf("alert-feed-index")).toMatch(/old 2, would update 2,/);
    // Every migration's scan is metered; nothing was written.
    expect(lines.find((l) => l.startsWith("  total"))).toMatch(/^ {2}total +[1-9][\d.]* RRU, 0 WRU$/);
    expect(await Promise.all([...written.values()].map(({ key }) => getItem(key)))).toEqual(before);
    expect(await listed()).toEqual({ holds: [], orders: [], feed: [] });
  });

  it("gives every old item exactly the attributes a new write gives it: listed, in the feed, no ttl", async () => {
    expect(await cli("--segments", "3")).toBe(0);
    expect(summaryOf("hold-ttl")).toMatch(/old 3, updated 3, changed meanwhile 0, underivable 0, [\d.]+ RRU, [1-9][\d.]* WRU/);
    expect(summaryOf("list-index")).toMatch(/old 5, updated 5, changed meanwhile 0, underivable 0/);
    expect(summaryOf("alert-feed-index")).toMatch(/old 2, updated 2, changed meanwhile 0, underivable 0/);
    // Progress lines carry the totals so far and a cursor.
    expect(lines.some((l) => /^migrate: list-index: scanned \d+, .*; cursor [\w-]+$/.test(l))).toBe(true);

    for (const { key, item } of written.values()) expect(await getItem(key)).toEqual(item);
    expect(await listed()).toEqual({ holds: [...holdIds].sort(), orders: [...orderIds].sort(), feed: [...alertIds].sort() });
  });

  it("a second run finds nothing old and updates nothing", async () => {
    expect(await cli()).toBe(0);
    for (const name of ["hold-ttl", "list-index", "alert-feed-index"]) {
      expect(summaryOf(name)).toMatch(/ old 0, updated 0, changed meanwhile 0, underivable 0, [\d.]+ RRU, 0 WRU$/);
    }
    for (const { key, item } of written.values()) expect(await getItem(key)).toEqual(item);
  });

  it("an update never overwrites a concurrent write, nor recreates an item deleted meanwhile", async () => {
    const h = await ledger.reserve(u, { amount: 100, ttlSeconds: 600 }, { key: "h-race" });
    const holdKey = recordItemKey(u, h.hold.id, "hold")!;
    await age(holdKey, "hold");
    const a = alertAt(u, "2031-05-03T00:00:00.000Z", "race");
    await alerts.raise(a);
    await age(alertKey(u, a.id), "alert");
    const stale = { hold: (await getItem(holdKey))!, alert: (await getItem(alertKey(u, a.id)))! };
    const [holdTtl, listIndex, alertFeed] = ["hold-ttl", "list-index", "alert-feed-index"].map((n) => migrations.find((m) => m.name === n)!);

    // Between the scan and the update, a normal write gave the items their new shape with other values.
    await clients.doc.send(new UpdateCommand({ TableName: table, Key: holdKey, UpdateExpression: "SET lsi1sk = :k REMOVE #ttl", ExpressionAttributeNames: { "#ttl": "ttl" }, ExpressionAttributeValues: { ":k": "HOLD#concurrent" } }));
    await clients.doc.send(new UpdateCommand({ TableName: table, Key: alertKey(u, a.id), UpdateExpression: "SET gsi3pk = :p, gsi3sk = :s", ExpressionAttributeValues: { ":p": "ALERTFEED#9", ":s": "concurrent" } }));
    for (const [m, item] of [[holdTtl!, stale.hold], [listIndex!, stale.hold], [alertFeed!, stale.alert]] as const) {
      await expect(clients.doc.send(new UpdateCommand(m.plan(table, item)!)), m.name).rejects.toMatchObject({ name: "ConditionalCheckFailedException" });
    }
    expect(await getItem(holdKey)).toMatchObject({ lsi1sk: "HOLD#concurrent" });
    expect(await getItem(alertKey(u, a.id))).toMatchObject({ gsi3pk: "ALERTFEED#9", gsi3sk: "concurrent" });

    // Deleted between the scan and the update: the update does not bring it back.
    await clients.doc.send(new DeleteCommand({ TableName: table, Key: alertKey(u, a.id) }));
    await expect(clients.doc.send(new UpdateCommand(alertFeed!.plan(table, stale.alert)!))).rejects.toMatchObject({ name: "ConditionalCheckFailedException" });
    expect(await getItem(alertKey(u, a.id))).toBeUndefined();
  });

  it("a run stopped by a DynamoDB error reports where it stopped, and resumes from there", async () => {
    const keys: { pk: string; sk: string }[] = [];
    for (let i = 0; i < 4; i++) {
      const a = alertAt(other, `2031-06-0${i + 1}T00:00:00.000Z`, `resume-${i}`);
      await alerts.raise(a);
      keys.push(alertKey(other, a.id));
      await age(keys[i]!, "alert");
    }
    const m = migrations.find((x) => x.name === "alert-feed-index")!;
    // DynamoDB Local never fails a write by itself: the second UpdateItem meets a 500, as after the SDK's retries.
    const failing = localDynamoClient();
    let updates = 0;
    failing.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        if (input.UpdateExpression !== undefined && ++updates === 2) throw Object.assign(new Error("injected"), { name: "InternalServerError", $fault: "server" });
        return next(args);
      },
      { step: "initialize", name: "injectUpdateFailure" },
    );
    let stopped: unknown;
    try {
      await runMigration(failing, table, m, { pageSize: 1 });
    } catch (e) {
      stopped = e;
    } finally {
      failing.destroy();
    }
    expect(stopped).toBeInstanceOf(MigrationStopped);
    const { report, cause } = stopped as MigrationStopped;
    expect([report.old, report.updated, (cause as Error).name]).toEqual([2, 1, "InternalServerError"]);
    expect(report.cursor.segments[0]).not.toBeNull();
    const rest = await runMigration(clients.client, table, m, { resume: report.cursor });
    // The failed item's page is read again; the done one is no longer old.
    expect([rest.old, rest.updated, rest.cursor.segments]).toEqual([3, 3, [null]]);
    for (const key of keys) expect(await getItem(key)).toHaveProperty("gsi3pk");
  });

  it("bad arguments: a clear error and exit status 2, nothing run", async () => {
    for (const args of [["--bogus"], ["--only", "nope"], ["--segments", "0"], ["--resume", "not-a-cursor"], ["--endpoint", "localhost"], ["extra"]]) {
      expect(await cli(...args), args.join(" ")).toBe(2);
      expect(lines[0], args.join(" ")).toMatch(/^migrate: (Unknown option|--only|--segments|--resume|--endpoint|Unexpected argument)/);
      expect(lines.join("\n")).toContain("Usage: npm run migrate");
    }
    // The npm script's entry sets the process's exit status.
    const run = promisify(execFile)("npm", ["run", "-s", "migrate", "--", "--dry-rn"], { cwd: new URL("../../", import.meta.url).pathname });
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("migrate: Unknown option '--dry-rn'") });
  });

  it("a missing table is exit status 1, named", async () => {
    lines.length = 0;
    const rc = await migrateCommand(["--endpoint", testDynamoEndpoint(), "--table", `${table}-missing`], { stderr: (l) => lines.push(l), env: {} });
    expect([rc, lines.at(-1)]).toEqual([1, `migrate: failed: table ${table}-missing not found`]);
  });
});
