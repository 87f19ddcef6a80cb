/**
 * Integrity audit throughput: `IntegrityMonitor.runAudit` (packages/core/src/audit/monitor.ts,
 * reading through `AuditStore`) over N accounts generated through core's Ledger on a table (and,
 * after other phases, a DynamoDB Local) of
 * its own (the audit scans the whole table), at 1 and 4 segments; baseline in the same run:
 * a plain parallel Scan of the same table (all attributes, no filter), same segments, same
 * page size (DynamoDB's 1 MB pages unless --audit-page-size), eventually consistent.
 */
import { ScanCommand, type ScanCommandOutput } from "@aws-sdk/client-dynamodb";
import { AuditStore, coinsToMinor, createDynamoClients, IntegrityMonitor, Ledger, LedgerStore, loadConfig, type AuditReport } from "@nyang/core";
import { ensureTable } from "@nyang/local";
import { cpuBetween, NOISY_CORES, sampleCpu, waitForQuiet, type CpuUse } from "./cpu.ts";
import type { Dynamo } from "./environment.ts";
import { abortSignal, onCleanup, progress, throwIfAborted } from "./lifecycle.ts";
import type { BenchOptions } from "./options.ts";
import { num, ratio } from "./stats.ts";

export const AUDIT_TABLE = "nyang-bench-audit";
export const AUDIT_SEGMENTS = [1, 4] as const;
/** Scan and audit runs per segment count (alternating); the median of each is reported. */
export const REPS = 3;

export interface ScanFigures {
  ms: number;
  items: number;
  pages: number;
  readUnits: number;
  cpu: CpuUse;
}

export interface AuditCell {
  segments: number;
  baseline: ScanFigures;
  audit: ScanFigures & { accounts: number; confirmed: number; violations: number; complete: boolean };
}

export interface AuditResult {
  accounts: number;
  /** Items in the table (what a full scan reads). */
  items: number;
  entries: number;
  pageSize: number | undefined;
  setupMs: number;
  cells: AuditCell[];
}

/** Open + charge, 1–3 spends, every 5th a pending hold: 3–5 ledger entries and a few records each. */
async function generate(ledger: Ledger, userId: string, i: number): Promise<number> {
  await ledger.openAccount(userId);
  await ledger.charge(userId, { amount: coinsToMinor("1000"), type: "purchase", paymentMethod: "card" }, { key: "c" });
  const spends = 1 + (i % 3);
  for (let s = 0; s < spends; s++) await ledger.spend(userId, { serviceType: "image_generation_dev" }, { key: `s${s}` });
  if (i % 5 === 0) await ledger.reserve(userId, { serviceType: "image_generation_dev", ttlSeconds: 3600 }, { key: "h" });
  return 2 + spends;
}

export async function runAudit(o: BenchOptions, dynamo: Dynamo): Promise<AuditResult> {
  await ensureTable(dynamo.raw, AUDIT_TABLE);
  const clients = createDynamoClients(process.env);
  onCleanup("audit DynamoDB clients", () => clients.client.destroy());
  const ledger = new Ledger(new LedgerStore(clients, AUDIT_TABLE), loadConfig(process.env));
  const t0 = performance.now();
  let next = 0;
  let entries = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < o.auditAccounts) {
        throwIfAborted();
        const i = next++;
        const written = await generate(ledger, `bench-audit-${String(i).padStart(5, "0")}`, i);
        entries += written;
      }
    }),
  );
  const setupMs = performance.now() - t0;
  progress(`audit: ${o.auditAccounts} accounts (${entries} ledger entries) written through core's Ledger in ${(setupMs / 1000).toFixed(1)} s`);

  const pageSize = o.auditPageSize;
  const plainScan = async (segments: number): Promise<ScanFigures> => {
    const cpu0 = sampleCpu(dynamo.jvmPid);
    const start = performance.now();
    let items = 0;
    let pages = 0;
    let readUnits = 0;
    await Promise.all(
      Array.from({ length: segments }, async (_, segment) => {
        let startKey: ScanCommandOutput["LastEvaluatedKey"];
        do {
          const out = await dynamo.raw.send(
            new ScanCommand({
              TableName: AUDIT_TABLE,
              Segment: segment,
              TotalSegments: segments,
              ...(pageSize ? { Limit: pageSize } : {}),
              ExclusiveStartKey: startKey,
              ReturnConsumedCapacity: "TOTAL",
            }),
          );
          items += out.Count ?? 0;
          pages++;
          readUnits += out.ConsumedCapacity?.CapacityUnits ?? out.ConsumedCapacity?.ReadCapacityUnits ?? 0;
          startKey = out.LastEvaluatedKey;
        } while (startKey);
      }),
    );
    return { ms: performance.now() - start, items, pages, readUnits, cpu: cpuBetween(cpu0, sampleCpu(dynamo.jvmPid)) };
  };
  const monitor = IntegrityMonitor.fromConfig(new AuditStore(clients, AUDIT_TABLE), loadConfig(process.env));
  const audit = async (segments: number): Promise<AuditCell["audit"]> => {
    const cpu0 = sampleCpu(dynamo.jvmPid);
    const start = performance.now();
    const r: AuditReport = await monitor.runAudit({ segments, ...(pageSize ? { pageSize } : {}) });
    const took = performance.now() - start;
    return {
      ms: took,
      items: Number.NaN,
      pages: r.requestUnits.pages,
      readUnits: r.requestUnits.read,
      cpu: cpuBetween(cpu0, sampleCpu(dynamo.jvmPid)),
      accounts: r.accountsChecked,
      confirmed: r.accountsConfirmed,
      violations: r.violations,
      complete: r.complete,
    };
  };

  // Warm-up (not measured): JIT on both sides, the table's pages.
  const warm = await plainScan(1);
  await audit(1);
  const cells: AuditCell[] = [];
  for (const segments of AUDIT_SEGMENTS) {
    throwIfAborted();
    if (o.settleSeconds > 0) await waitForQuiet(dynamo.jvmPid, o.settleSeconds * 1000, NOISY_CORES, abortSignal);
    // Alternating, REPS times each; the run with the median wall time of each side is kept.
    const scans: ScanFigures[] = [];
    const audits: AuditCell["audit"][] = [];
    for (let rep = 0; rep < REPS; rep++) {
      scans.push(await plainScan(segments));
      audits.push(await audit(segments));
    }
    const mid = <T extends { ms: number }>(xs: T[]) => [...xs].sort((x, y) => x.ms - y.ms)[Math.floor(xs.length / 2)]!;
    const baseline = mid(scans);
    const a = mid(audits);
    a.items = baseline.items;
    const perS = (n: number, t: number) => num(n / (t / 1000));
    progress(
      `audit ${segments} segment(s): ${perS(a.accounts, a.ms)} accounts/s, ${num(a.readUnits / a.accounts, 2)} RRU/account ` +
        `(plain scan ${perS(o.auditAccounts, baseline.ms)} accounts/s, ${num(baseline.readUnits / o.auditAccounts, 2)} RRU/account; ${ratio(baseline.ms / a.ms)} of its rate)` +
        `; ${a.violations} violations, ${a.confirmed} confirmed`,
    );
    cells.push({ segments, baseline, audit: a });
  }
  return { accounts: o.auditAccounts, items: warm.items, entries, pageSize, setupMs, cells };
}
