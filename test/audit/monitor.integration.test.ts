import { ScanCommand as RawScanCommand } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  accountKey,
  activePackages,
  AlertsStore,
  AuditStore,
  createDynamoClients,
  IntegrityMonitor,
  loadConfig,
  mergeReports,
  orderToItem,
  recordItemKey,
  unusualActivityAlert,
  type AuditReport,
  type IntegrityFinding,
  type IntegrityFindingKind,
  type Ledger,
  OrderBook,
  type LedgerStore,
} from "@nyang/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createMetrics, runAuditJob, type IntegrityViolationEvent } from "../../packages/functions/src/schedule/audit.ts";
import { itemSize, type Item } from "../bench/item-size.ts";
import { ledgerOn, manualClock, privateTable, uniqueUserId } from "../support/index.ts";

/**
 * The integrity monitor against DynamoDB Local, on a table of its own so that its scans
 * see only this file's data: a healthy generated data set reports clean; then every kind
 * of corruption, written straight into the table, is found and named; a run cut short by
 * its budget resumes where it stopped and, with its continuations, finds exactly what one
 * full run finds; any number of segments finds the same; the job stores its report, emits
 * EMF metrics and publishes an IntegrityViolation event.
 */

const config = loadConfig({});
const clients = createDynamoClients(process.env);
let table: string;
let auditStore: AuditStore;
let monitor: IntegrityMonitor;
// Everything is written at times this clock gives; the audit judges as of clock().
const clock = manualClock(new Date(Date.now() - 3 * 3600_000));
let ledger: Ledger;
let ledgerStore: LedgerStore;
let orders: OrderBook;
const healthy: string[] = [];

beforeAll(async () => {
  table = await privateTable("audit");
  ({ ledger, store: ledgerStore } = ledgerOn(table, clock));
  orders = new OrderBook(ledger, ledgerStore, loadConfig({}), clock);
  auditStore = new AuditStore(clients, table);
  monitor = IntegrityMonitor.fromConfig(auditStore, config);
});
afterAll(() => clients.client.destroy());

const kindsOf = (findings: IntegrityFinding[], userId: string) => [...new Set(findings.filter((f) => f.userId === userId).map((f) => f.kind))].sort();
const limits = { minPurchaseKrw: config.minPurchaseAmountKrw, maxBalance: config.maxCoinAmount };
const pkg = activePackages(config)[0]!;

/** An account with a varied, healthy history; what it has depends on `i`. */
async function generate(i: number): Promise<string> {
  const u = uniqueUserId(`ok${i}`);
  await ledger.openAccount(u);
  const spends = [];
  for (let s = 0; s < 1 + (i % 3); s++) spends.push(await ledger.spend(u, { serviceType: s % 2 ? "image_generation_pro" : "ai_writing" }, { key: `s${s}` }));
  if (i % 3 === 0) await ledger.charge(u, { amount: 5000, type: "purchase", paymentMethod: "card", paymentReference: `ref-${i}` }, { key: "c" });
  if (i % 4 === 0) await ledger.refund(u, { transactionId: spends[0]!.entry.id, amount: 100, reason: "partial" }, { key: "r" });
  if (i % 5 === 0) await ledger.reserve(u, { serviceType: "ai_writing", ttlSeconds: 3600 }, { key: "h-pending" });
  if (i % 6 === 0) {
    const { hold } = await ledger.reserve(u, { amount: 500, ttlSeconds: 600 }, { key: "h-cap" });
    await ledger.capture(u, hold.id, { amount: 200 }, { key: "cap" });
  }
  if (i % 7 === 0) {
    const { hold } = await ledger.reserve(u, { amount: 300, ttlSeconds: 600 }, { key: "h-rel" });
    await ledger.release(u, hold.id, { key: "rel" });
  }
  // Expires a minute before the audit, unswept: not yet stale.
  if (i % 8 === 0) await ledger.reserve(u, { amount: 100, ttlSeconds: 60 }, { key: "h-recent" });
  // Expires before the sweep below runs: swept, consistently.
  if (i % 9 === 0) await ledger.reserve(u, { amount: 100, ttlSeconds: 30 }, { key: "h-swept" });
  if (i % 10 === 0) {
    const { order } = await orders.createOrder(u, pkg, limits, { key: "o-paid" });
    await orders.creditPurchase(u, order.id, { paymentKey: `pay-${u}`, method: "card" });
  }
  // Never confirmed: no gateway call to wait for.
  if (i % 11 === 0) await orders.createOrder(u, pkg, limits, { key: "o-open" });
  if (i % 12 === 0) await ledger.adjust(u, { amount: -50, reason: "correction", adminUserId: "admin-1" }, { key: "adj" });
  return u;
}

async function inBatches<T>(n: number, size: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += size) out.push(...(await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, k) => make(i + k)))));
  return out;
}

/** What a full scan of the table reads, by AWS's item-size rules: the scan's cost floor. */
async function tableBytes(): Promise<{ bytes: number; accounts: number }> {
  let bytes = 0;
  const pks = new Set<string>();
  let startKey: Item | undefined;
  do {
    const out = await clients.client.send(new RawScanCommand({ TableName: table, ExclusiveStartKey: startKey }));
    for (const item of out.Items ?? []) {
      bytes += itemSize(item as Item);
      if (item.pk?.S?.startsWith("ACCT#")) pks.add(item.pk.S);
    }
    startKey = out.LastEvaluatedKey as Item | undefined;
  } while (startKey);
  return { bytes, accounts: pks.size };
}

describe("integrity monitor", () => {
  let full: AuditReport;
  const corrupted: Record<string, { userId: string; kinds: IntegrityFindingKind[]; exact: boolean }> = {};

  it("a healthy generated data set reports clean, and says what it read", async () => {
    healthy.push(...(await inBatches(60, 10, generate)));
    clock.advance(40_000);
    await ledger.sweepExpiredHolds();
    clock.advance(80_000);
    const report = await monitor.runAudit({ now: clock() });
    expect(report.findings).toEqual([]);
    expect(report.counts).toEqual({});
    expect(report.violations).toBe(0);
    expect(report).toMatchObject({ complete: true, resume: null, segments: 4, accountsChecked: 60, accountsConfirmed: 0 });
    expect(report.requestUnits.confirm).toBe(0);
    expect(report.requestUnits.read).toBeGreaterThan(0);
    // The scan's units are the table's bytes at 0.5 unit per 4 KB, plus each page's rounding up.
    const { bytes, accounts } = await tableBytes();
    const floor = (bytes / 4096) * 0.5;
    console.log(
      `[audit] ${accounts} accounts, ${bytes} B (${Math.round(bytes / accounts)} B/account): ` +
        `${report.requestUnits.read} RRU read in ${report.requestUnits.pages} pages, ${report.requestUnits.perAccount} RRU/account ` +
        `(size floor ${(floor / accounts).toFixed(3)} RRU/account)`,
    );
    expect(report.requestUnits.scan).toBeGreaterThanOrEqual(floor * 0.8);
    expect(report.requestUnits.scan).toBeLessThanOrEqual(floor + report.requestUnits.pages * 0.5);
  });

  it("each kind of corruption written into the table is found and named, and only there", async () => {
    const doc = clients.doc;
    const seeded = async (name: string, spends = 3) => {
      const u = uniqueUserId(name);
      await ledger.openAccount(u);
      for (let s = 0; s < spends; s++) await ledger.spend(u, { serviceType: "ai_writing" }, { key: `s${s}` });
      return u;
    };
    const entryKey = async (u: string, seq: number) => {
      const entries = await ledgerStore.readLedger(u);
      return recordItemKey(u, entries.find((e) => e.seq === seq)!.id, "entry")!;
    };
    const mark = (name: string, userId: string, kinds: IntegrityFindingKind[], exact = true) => (corrupted[name] = { userId, kinds, exact });

    // The balance moved without an entry.
    const balance = await seeded("bal");
    await doc.send(new UpdateCommand({ TableName: table, Key: accountKey(balance), UpdateExpression: "SET balance = balance + :d", ExpressionAttributeValues: { ":d": 100 } }));
    mark("balance changed without an entry", balance, ["balance_mismatch", "split_mismatch"]);

    // An entry's balanceAfter altered: its arithmetic fails and the next entry no longer chains.
    const chain = await seeded("chain");
    await doc.send(new UpdateCommand({ TableName: table, Key: await entryKey(chain, 2), UpdateExpression: "SET balanceAfter = balanceAfter + :d", ExpressionAttributeValues: { ":d": 1 } }));
    mark("balanceAfter altered", chain, ["chain_break", "entry_arithmetic"]);

    // An entry deleted.
    const gap = await seeded("gap");
    await doc.send(new DeleteCommand({ TableName: table, Key: await entryKey(gap, 2) }));
    mark("entry deleted", gap, ["seq_gap", "chain_break", "balance_mismatch", "split_mismatch", "version_mismatch"], false);

    // Paid and bonus shifted against each other: the balance still adds up, the split does not.
    const split = await seeded("split");
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: accountKey(split),
        UpdateExpression: "SET paidBalance = paidBalance + :d, bonusBalance = bonusBalance - :d",
        ExpressionAttributeValues: { ":d": 50 },
      }),
    );
    mark("paid/bonus split altered", split, ["split_mismatch"]);

    // The version moved without an entry.
    const version = await seeded("ver");
    await doc.send(new UpdateCommand({ TableName: table, Key: accountKey(version), UpdateExpression: "SET version = version + :one", ExpressionAttributeValues: { ":one": 1 } }));
    mark("version ≠ entries", version, ["version_mismatch"]);

    // A holds-map entry with no hold record.
    const mapOnly = await seeded("maponly", 1);
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: accountKey(mapOnly),
        UpdateExpression: "SET holds.#h = :h",
        ExpressionAttributeNames: { "#h": "hold_0000000000000000000000ghost" },
        ExpressionAttributeValues: { ":h": { amount: 100, expiresAt: new Date(clock().getTime() + 3600_000).toISOString() } },
      }),
    );
    mark("holds-map entry without a hold record", mapOnly, ["orphan_hold_entry"]);

    // A pending hold record the map no longer carries.
    const recordOnly = await seeded("reconly", 1);
    const { hold: dropped } = await ledger.reserve(recordOnly, { amount: 200, ttlSeconds: 3600 }, { key: "h" });
    await doc.send(
      new UpdateCommand({ TableName: table, Key: accountKey(recordOnly), UpdateExpression: "REMOVE holds.#h", ExpressionAttributeNames: { "#h": dropped.id } }),
    );
    mark("pending hold missing from the map", recordOnly, ["orphan_hold"]);

    // The map and the record disagree on the amount.
    const mismatch = await seeded("mism", 1);
    const { hold: changed } = await ledger.reserve(mismatch, { amount: 200, ttlSeconds: 3600 }, { key: "h" });
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: accountKey(mismatch),
        UpdateExpression: "SET holds.#h.amount = :a",
        ExpressionAttributeNames: { "#h": changed.id },
        ExpressionAttributeValues: { ":a": 150 },
      }),
    );
    mark("hold amount differs between map and record", mismatch, ["hold_mismatch"]);

    // A hold that expired an hour ago and is still pending: no sweep has run for it.
    const earlier = manualClock(new Date(clock().getTime() - 3600_000));
    const stale = uniqueUserId("stale");
    const past = ledgerOn(table, earlier).ledger;
    await past.openAccount(stale);
    await past.reserve(stale, { amount: 100, ttlSeconds: 60 }, { key: "h" });
    mark("stale pending hold", stale, ["stale_hold"]);

    // An order confirmed with a payment key an hour ago, due back long since, never settled.
    const unsettled = await seeded("unsettled", 0);
    const { order } = await orders.createOrder(unsettled, pkg, limits, { key: "o" });
    const stored = (await ledgerStore.getOrder(unsettled, order.id))!;
    const hourAgo = new Date(clock().getTime() - 3600_000).toISOString();
    const dueAt = new Date(clock().getTime() - 3300_000).toISOString();
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: orderToItem({ ...order, paymentKey: "pay-lost", confirmAttemptAt: hourAgo, updatedAt: hourAgo, revision: 1 }, stored.fingerprint, stored.idempotencyKey, dueAt),
      }),
    );
    mark("pending order past its settle time", unsettled, ["unsettled_order"]);

    // A cancel that started an hour ago and never finished.
    const cancel = await seeded("cancel", 0);
    const { order: paidOrder } = await orders.createOrder(cancel, pkg, limits, { key: "o" });
    await orders.creditPurchase(cancel, paidOrder.id, { paymentKey: "pay-cancel", method: "card" });
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: recordItemKey(cancel, paidOrder.id, "order")!,
        UpdateExpression: "SET #s = :s, updatedAt = :t",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":s": "cancel_pending", ":t": hourAgo },
      }),
    );
    mark("cancel_pending order past its settle time", cancel, ["unsettled_order"]);

    // A payment refunded because its coins no longer fitted under MAX_COIN_AMOUNT, whose refund the gateway refused an hour ago.
    const refund = await seeded("refund", 0);
    const { order: refusedOrder } = await orders.createOrder(refund, pkg, limits, { key: "o" });
    const refusedStored = (await ledgerStore.getOrder(refund, refusedOrder.id))!;
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: orderToItem(
          { ...refusedOrder, status: "refund_pending", paymentKey: "pay-refund", failureCode: "BALANCE_LIMIT_EXCEEDED", updatedAt: hourAgo, revision: 2 },
          refusedStored.fingerprint,
          refusedStored.idempotencyKey,
          null,
        ),
      }),
    );
    mark("refund_pending order past its settle time", refund, ["unsettled_order"]);

    // Records whose account item is gone.
    const orphan = await seeded("noacct", 2);
    await doc.send(new DeleteCommand({ TableName: table, Key: accountKey(orphan) }));
    mark("account item deleted", orphan, ["missing_account"]);

    // An unusual-activity alert an hour ago: information, not a fault.
    const unusual = await seeded("unusual", 1);
    const at = new Date(clock().getTime() - 3600_000).toISOString();
    const alert = unusualActivityAlert(unusual, { day: at.slice(0, 10), startsAt: `${at.slice(0, 10)}T00:00:00.000Z` }, 100_000, 1000, config.unusualActivity, at);
    expect(alert).not.toBeNull();
    await new AlertsStore(clients, table).raise(alert!);
    mark("recent unusual activity", unusual, ["unusual_activity"]);

    full = await monitor.runAudit({ now: clock() });
    expect(full.complete).toBe(true);
    for (const [name, c] of Object.entries(corrupted)) {
      const kinds = kindsOf(full.findings, c.userId);
      if (c.exact) expect(kinds, name).toEqual([...c.kinds].sort());
      else expect(kinds, name).toEqual(expect.arrayContaining(c.kinds));
      for (const f of full.findings.filter((x) => x.userId === c.userId)) expect(f.message, name).toBeTruthy();
    }
    for (const u of healthy) expect(kindsOf(full.findings, u)).toEqual([]);
    const named = new Set(Object.values(corrupted).map((c) => c.userId));
    expect(full.findings.filter((f) => !named.has(f.userId))).toEqual([]);
    expect(full.findings.find((f) => f.kind === "unusual_activity")?.severity).toBe("info");
    expect(full.findings.find((f) => f.kind === "stale_hold")?.severity).toBe("warning");
    expect(full.findings.find((f) => f.kind === "seq_gap")?.severity).toBe("critical");
    expect(full.violations).toBe(full.findings.filter((f) => f.severity !== "info").length);
    expect(full.accountsChecked).toBe(60 + Object.keys(corrupted).length);
    // Only the accounts the scan found fault with were read again.
    expect(full.accountsConfirmed).toBe(Object.keys(corrupted).length - 1);
    expect(full.requestUnits.confirm).toBeGreaterThan(0);
    const counted = Object.values(full.counts).reduce((n, c) => n + (c ?? 0), 0);
    expect(counted).toBe(full.findings.length);
  });

  it("a run out of budget returns a checkpoint; its continuations cover the rest and find exactly what one run finds", async () => {
    const runs: AuditReport[] = [];
    let run = await monitor.runAudit({ now: clock(), pageSize: 7, budgetMs: 0 });
    expect(run.complete).toBe(false);
    expect(run.resume).not.toBeNull();
    expect(run.resume!.segments).toHaveLength(4);
    runs.push(run);
    while (!run.complete) {
      expect(runs.length).toBeLessThan(400);
      run = await monitor.runAudit({ now: clock(), pageSize: 7, budgetMs: 0, resumeFrom: run.resume });
      runs.push(run);
    }
    expect(run.resume).toBeNull();
    expect(runs.length).toBeGreaterThan(3);
    const union = runs.flatMap((r) => r.findings).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const whole = [...full.findings].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(union).toEqual(whole);
    // No account was cut in two by a checkpoint: each was judged once, and none looked broken for it.
    expect(runs.reduce((n, r) => n + r.accountsChecked, 0)).toBe(full.accountsChecked);
    expect(runs.reduce((n, r) => n + r.accountsConfirmed, 0)).toBe(full.accountsConfirmed);
    const pass = runs.slice(1).reduce((p, r) => mergeReports(p, r), runs[0]!);
    expect(pass).toMatchObject({ complete: true, resume: null, runs: runs.length, accountsChecked: full.accountsChecked, counts: full.counts, violations: full.violations });
    expect(pass.findings).toEqual(full.findings);
  });

  it("one segment, four or seven find the same", async () => {
    const [one, four, seven] = await Promise.all([1, 4, 7].map((segments) => monitor.runAudit({ now: clock(), segments })));
    for (const r of [one!, four!, seven!]) {
      expect(r.complete).toBe(true);
      expect(r.findings).toEqual(full.findings);
      expect(r.accountsChecked).toBe(full.accountsChecked);
    }
    expect([one!.segments, four!.segments, seven!.segments]).toEqual([1, 4, 7]);
  });

  it("accounts written to while the scan reads them are re-read consistently, not reported", async () => {
    const busy = healthy.slice(0, 12);
    let stop = false;
    let writes = 0;
    const writers = busy.map(async (u, k) => {
      for (let n = 0; !stop; n++) {
        await ledger.spend(u, { serviceType: "ai_writing", amount: 1 }, { key: `busy-${k}-${n}` });
        writes++;
      }
    });
    let report: AuditReport;
    try {
      // Small pages: each account spans several pages, so writes land between its items' reads.
      report = await monitor.runAudit({ now: clock(), pageSize: 3, segments: 2 });
    } finally {
      stop = true;
      await Promise.all(writers);
    }
    expect(writes).toBeGreaterThan(busy.length);
    const onBusy = report.findings.filter((f) => busy.includes(f.userId));
    // At most an account that never held still for a consistent read is left to the next run.
    expect(onBusy.filter((f) => f.kind !== "unverified")).toEqual([]);
    expect(report.findings.filter((f) => !busy.includes(f.userId))).toEqual(full.findings.filter((f) => !busy.includes(f.userId)));
    console.log(`[audit] ${writes} spends during the scan; ${report.accountsConfirmed} accounts re-read, ${onBusy.length} left unverified`);
  });

  it("the scheduled job stores the report, emits EMF metrics and publishes IntegrityViolation; a cut-short pass continues", async () => {
    const published: IntegrityViolationEvent[] = [];
    const deps = { monitor, store: auditStore, publish: async (e: IntegrityViolationEvent[]) => void published.push(...e), metrics: createMetrics({}), clock };
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation(((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write);
    let job;
    try {
      job = await runAuditJob(deps, {});
    } finally {
      write.mockRestore();
    }
    expect(job.storedLatest).toBe(true);
    expect(job.run.findings).toEqual(full.findings);
    expect(await auditStore.latestReport()).toEqual(job.report);
    expect((await auditStore.reportHistory(1))[0]).toEqual(job.run);

    const emf = lines.flatMap((l) => l.split("\n")).filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Record<string, any>);
    const main = emf.find((m) => "AccountsChecked" in m)!;
    expect(main).toMatchObject({ AccountsChecked: full.accountsChecked, Findings: full.findings.length, Violations: full.violations, service: "nyang-audit" });
    expect(main.AuditDurationMs).toBeGreaterThanOrEqual(0);
    expect(main._aws.CloudWatchMetrics[0].Namespace).toBe("Nyang");
    const byKind = emf.filter((m) => "FindingsByKind" in m);
    expect(byKind.find((m) => m.kind === "seq_gap")).toMatchObject({ FindingsByKind: full.counts.seq_gap });
    expect(byKind.find((m) => m.kind === "stale_hold")).toMatchObject({ FindingsByKind: 1 });
    expect(byKind.find((m) => m.kind === "unverified")).toMatchObject({ FindingsByKind: 0 });
    expect(byKind[0]!._aws.CloudWatchMetrics[0].Dimensions[0]).toEqual(expect.arrayContaining(["kind"]));

    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ source: "nyang.integrity", detailType: "IntegrityViolation", detail: { version: 1, id: job.run.id, violations: full.violations } });
    expect(published[0]!.detail.findings.every((f) => f.severity !== "info")).toBe(true);

    // A pass cut short is continued by the next runs and folded into one report.
    const quiet = { ...deps, metrics: createMetrics({}), publish: async () => undefined };
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation((() => true) as typeof process.stdout.write);
    try {
      let step = await runAuditJob(quiet, { fresh: true, pageSize: 7, budgetMs: 0 });
      expect(step.report.complete).toBe(false);
      const passId = step.report.passId;
      let n = 1;
      while (!step.report.complete) {
        step = await runAuditJob(quiet, { pageSize: 7, budgetMs: 0 });
        expect(step.storedLatest).toBe(true);
        expect(step.report.passId).toBe(passId);
        expect(++n).toBeLessThan(400);
      }
      const latest = (await auditStore.latestReport())!;
      expect(latest).toMatchObject({ passId, runs: n, complete: true, accountsChecked: full.accountsChecked, counts: full.counts });
      expect(latest.findings).toEqual(full.findings);
      // The next run starts a new pass.
      const next = await runAuditJob(quiet, {});
      expect(next.report.passId).not.toBe(passId);
      // A run that read a latest report which has since moved on does not overwrite it.
      expect(await auditStore.saveLatest(step.run, latest.id)).toBe(false);
    } finally {
      stdout.mockRestore();
    }
  });
});
