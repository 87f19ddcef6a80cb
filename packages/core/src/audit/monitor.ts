import { randomBytes } from "node:crypto";
import type { NyangConfig } from "../config.ts";
import { auditAccount, type AuditFinding } from "../ledger/audit.ts";
import { formatAmount, type Minor } from "../money.ts";
import { monthCountMismatches } from "../autocharge/monthly-cap.ts";
import type { AccountItems, AuditPort, StartKey } from "./audit-port.ts";

/**
 * The integrity monitor: a scheduled audit of every account (ledger rule 2, proven for the
 * whole table) and of what hangs off it.
 *
 * Per account it proves, with `auditAccount`, that `seq` runs 1..version without a gap, that
 * `balanceBefore`/`balanceAfter` chain, that the balance and its paid and bonus parts equal
 * the sums of the entries; and then that the held coins agree (the account's `holds` map and
 * the pending hold records name the same holds), that no pending hold has outlived its expiry
 * by long (the expiry sweep is not running), that no order waiting on the payment gateway is
 * long past its settle time (the reconciliation is not running), that each auto-charge
 * month counter is the sum of the charge records counting in its month (`monthCountMismatches`,
 * monthly-cap.ts), and it notes recent unusual-activity alerts.
 *
 * How it reads, and what that costs: a parallel segmented Scan (`AuditStore.scanSegment`),
 * eventually consistent, so 0.5 read unit per 4 KB of the account's items (all of them:
 * entries, holds, orders, charges and their month counters, alerts, day aggregates, refund
 * tallies — a scan pays for what it reads, not what it returns), plus the page's rounding. A Scan is not a snapshot, and an
 * account written while it is read can look broken, so nothing is reported from the scan
 * alone: an account the scan finds fault with is read again strongly consistently (its
 * revision, its partition, its revision again; the partition counts only when no write
 * came in between) and judged on that. That re-read costs 1 read unit per 4 KB of the
 * partition plus two 1-unit reads, paid only for accounts under suspicion.
 *
 * Resumable: with a time budget, a run stops between pages once it is out of time and
 * hands back, per segment, where to continue (the last item of the last account it
 * finished, so no account is ever cut in two). A later run given that checkpoint covers
 * the rest; `mergeReports` folds the runs of one pass into one report.
 */

export type IntegrityFindingKind =
  | AuditFinding["kind"]
  /** The account's holds map carries a hold with no pending hold record behind it. */
  | "orphan_hold_entry"
  /** A pending hold record, unexpired at the account's last write, that its holds map does not carry. */
  | "orphan_hold"
  /** A hold in the map and its record disagree on the amount or the expiry. */
  | "hold_mismatch"
  /** A hold still pending long after its expiry: the expiry sweep is not running. */
  | "stale_hold"
  /** A bonus lot long past its expiry with no bonus_expiry entry yet: the lot sweep is not running (its coins already stopped counting). */
  | "stale_lot"
  /** An order waiting on the gateway long past its settle time: the reconciliation is not running. */
  | "unsettled_order"
  /**
   * An auto-charge whose payment is to be refunded (or an attempt in flight) long past its lease,
   * or off the sweeps' queue: the gateway refused the refund, or the sweeps are not running.
   */
  | "unsettled_charge"
  /**
   * An auto-charge month counter (`chargedKrw`) that is not the sum of the KRW of the charge
   * records counting in that month (a counter with no such record must hold 0; records counting
   * in a month with no counter are named too): the monthly cap is judged on a wrong figure.
   */
  | "cap_count_mismatch"
  /** Records under an account key with no account item. */
  | "missing_account"
  /**
   * A balance above MAX_COIN_AMOUNT: only owed coins may put it there (a purchase cancel the
   * gateway refused gives the coins back regardless, docs/purchases.md), or a lowered limit.
   */
  | "over_limit"
  /** The account raised an unusual-activity alert recently (information, not a fault). */
  | "unusual_activity"
  /** The account kept changing while it was being confirmed; the next run checks it again. */
  | "unverified";

export type FindingSeverity = "critical" | "warning" | "info";

export const findingSeverity: Readonly<Record<IntegrityFindingKind, FindingSeverity>> = {
  seq_gap: "critical",
  chain_break: "critical",
  entry_arithmetic: "critical",
  balance_mismatch: "critical",
  split_mismatch: "critical",
  version_mismatch: "critical",
  lot_mismatch: "critical",
  missing_account: "critical",
  orphan_hold_entry: "critical",
  orphan_hold: "critical",
  hold_mismatch: "critical",
  stale_hold: "warning",
  stale_lot: "warning",
  unsettled_order: "warning",
  unsettled_charge: "warning",
  cap_count_mismatch: "warning",
  over_limit: "warning",
  unusual_activity: "info",
  unverified: "info",
};

export const integrityFindingKinds = Object.keys(findingSeverity) as IntegrityFindingKind[];

export interface IntegrityFinding {
  userId: string;
  kind: IntegrityFindingKind;
  severity: FindingSeverity;
  message: string;
}

/** Where each segment of a pass stands: finished, or the key to continue after (null: its start). */
export interface AuditCheckpoint {
  totalSegments: number;
  segments: ({ done: true } | { done: false; startKey: StartKey | null })[];
}

export interface AuditReport {
  /** This run. */
  id: string;
  /** The pass this run belongs to: the id of the run that started it. */
  passId: string;
  /** Runs folded into this report (1 for a single run). */
  runs: number;
  startedAt: string;
  finishedAt: string;
  /** The time holds, orders and alerts were judged against. */
  asOf: string;
  /** Every segment was read to its end. */
  complete: boolean;
  /** Where the next run continues; null when complete. */
  resume: AuditCheckpoint | null;
  segments: number;
  accountsChecked: number;
  /** Accounts re-read strongly consistently because the scan found fault with them. */
  accountsConfirmed: number;
  /** Sorted by user, kind and message; at most `maxFindings` of them (see `findingsTruncated`). */
  findings: IntegrityFinding[];
  findingsTruncated: number;
  /** Every finding, by kind, truncated or not. */
  counts: Partial<Record<IntegrityFindingKind, number>>;
  /** Findings that are not information: what makes a report unhealthy. */
  violations: number;
  /** Read units consumed (as DynamoDB reported them): the scan's, the confirmations', per account. */
  requestUnits: { read: number; scan: number; confirm: number; perAccount: number; pages: number };
  durationMs: number;
}

export interface AuditOptions {
  /** Parallel scan segments (ignored when resuming: the checkpoint's count applies). Default 4. */
  segments?: number;
  /** What holds, orders and alerts are judged against. Default: the current time. */
  now?: Date;
  resumeFrom?: AuditCheckpoint | null;
  /** Items evaluated per scan page; default: DynamoDB's 1 MB pages. */
  pageSize?: number;
  /** Stop between pages once this much wall time has passed; default: read to the end. */
  budgetMs?: number;
  /** Findings kept in the report (counts stay exact). Default 500. */
  maxFindings?: number;
}

/** The thresholds the checks beyond `auditAccount` use. */
export interface IntegrityRules {
  /** An order waiting on the gateway is due this long after its last change (ORDER_SETTLE_AFTER_SECONDS). */
  settleAfterMs: number;
  /** How far past its expiry (hold, bonus lot) or settle time (order) something may be before it is reported. Default 10 min. */
  overdueAfterMs: number;
  /** How far back unusual-activity alerts are reported. Default 24 h. */
  unusualActivityWindowMs: number;
  /** MAX_COIN_AMOUNT: a balance above it is reported (over_limit). */
  maxBalance: Minor;
}

export function integrityRules(config: NyangConfig, overrides: Partial<IntegrityRules> = {}): IntegrityRules {
  return {
    settleAfterMs: config.purchases.settleAfterSeconds * 1000,
    overdueAfterMs: 10 * 60 * 1000,
    unusualActivityWindowMs: 24 * 3600 * 1000,
    maxBalance: config.maxCoinAmount,
    ...overrides,
  };
}

const DEFAULT_SEGMENTS = 4;
const DEFAULT_MAX_FINDINGS = 500;
/** Consistent re-reads of an account that keeps changing before it is left to the next run. */
const CONFIRM_ATTEMPTS = 3;

const finding = (userId: string, kind: IntegrityFindingKind, message: string): IntegrityFinding => ({
  userId,
  kind,
  severity: findingSeverity[kind],
  message,
});

/**
 * Every check on one account's items, as of `now`. Pure: what the store read goes in, the
 * findings come out.
 */
export function checkAccount(items: AccountItems, now: Date, rules: IntegrityRules): IntegrityFinding[] {
  const { userId, account } = items;
  const out: IntegrityFinding[] = [];
  const at = now.getTime();
  if (!account) {
    const records = items.entries.length + items.holds.length + items.orders.length;
    if (records > 0) out.push(finding(userId, "missing_account", `${records} records (${items.entries.length} entries) but no account item`));
  } else {
    for (const f of auditAccount(account, items.entries)) out.push(finding(f.userId, f.kind, f.message));
    if (account.balance > rules.maxBalance) {
      out.push(finding(userId, "over_limit", `balance ${formatAmount(account.balance)} is above MAX_COIN_AMOUNT (${formatAmount(rules.maxBalance)})`));
    }
    const records = new Map(items.holds.map((h) => [h.id, h]));
    for (const [holdId, held] of Object.entries(account.holds)) {
      const record = records.get(holdId);
      if (!record) out.push(finding(userId, "orphan_hold_entry", `holds map carries ${holdId} (${held.amount}) but there is no hold record`));
      else if (record.status !== "pending") out.push(finding(userId, "orphan_hold_entry", `holds map still carries ${holdId}, whose record is ${record.status}`));
      else if (record.amount !== held.amount || record.expiresAt !== held.expiresAt) {
        out.push(finding(userId, "hold_mismatch", `${holdId}: map holds ${held.amount} until ${held.expiresAt}, record ${record.amount} until ${record.expiresAt}`));
      }
    }
    // Every write to the account drops expired holds from its map (they stopped counting at
    // expiry), so a pending record may be missing from the map once a write came after its
    // expiry; one that expires after the account's last write must still be there.
    for (const h of items.holds) {
      if (h.status === "pending" && !(h.id in account.holds) && h.expiresAt > account.updatedAt) {
        const state = Date.parse(h.expiresAt) > at ? "unexpired" : "since expired";
        out.push(finding(userId, "orphan_hold", `pending ${state} hold ${h.id} (${h.amount}, until ${h.expiresAt}) is not in the account's holds map`));
      }
    }
  }
  for (const l of account?.lots ?? []) {
    const overdue = l.expiresAt === null ? 0 : at - Date.parse(l.expiresAt);
    if (overdue > rules.overdueAfterMs) {
      out.push(finding(userId, "stale_lot", `bonus lot ${l.id} expired at ${l.expiresAt} (${Math.round(overdue / 60000)} min ago) and its ${formatAmount(l.remaining)} have no bonus_expiry entry yet`));
    }
  }
  for (const h of items.holds) {
    const overdue = at - Date.parse(h.expiresAt);
    if (h.status === "pending" && overdue > rules.overdueAfterMs) {
      out.push(finding(userId, "stale_hold", `hold ${h.id} expired at ${h.expiresAt} (${Math.round(overdue / 60000)} min ago) and is still pending`));
    }
  }
  for (const o of items.orders) {
    const waiting = (o.status === "pending" && o.paymentKey !== null) || o.status === "cancel_pending" || o.status === "refund_pending";
    if (!waiting) continue;
    const settleAt = o.dueAt ? Date.parse(o.dueAt) : Date.parse(o.updatedAt) + rules.settleAfterMs;
    const overdue = at - settleAt;
    if (overdue > rules.overdueAfterMs) {
      out.push(finding(userId, "unsettled_order", `order ${o.id} is ${o.status}, due to settle at ${new Date(settleAt).toISOString()} (${Math.round(overdue / 60000)} min ago)`));
    }
  }
  for (const c of items.charges) {
    if (c.status !== "refund_pending" && c.status !== "charging") continue;
    // Off the queue (a refused refund waits for an operator), or its lease long over.
    const overdue = c.dueAt === null ? Infinity : at - Date.parse(c.dueAt);
    if (overdue > rules.overdueAfterMs) {
      const why = c.dueAt === null ? "off the sweeps' queue (the gateway refused the refund?)" : `due at ${c.dueAt} (${Math.round(overdue / 60000)} min ago)`;
      out.push(finding(userId, "unsettled_charge", `auto-charge ${c.id} is ${c.status}, ${why}`));
    }
  }
  for (const m of monthCountMismatches(items.chargeMonths, items.charges)) {
    const counter = m.counter ? `counter holds ${m.countedKrw} KRW` : "no counter";
    out.push(finding(userId, "cap_count_mismatch", `auto-charge month ${m.month}: ${counter}, its charge records count ${m.expectedKrw} KRW`));
  }
  const since = at - rules.unusualActivityWindowMs;
  for (const a of items.alerts) {
    const t = Date.parse(a.createdAt);
    if (a.type === "unusual_activity" && t >= since && t <= at) {
      out.push(finding(userId, "unusual_activity", `unusual-activity alert ${a.id} at ${a.createdAt}`));
    }
  }
  return out;
}

const newId = () => `audit_${String(Date.now()).padStart(13, "0")}${randomBytes(5).toString("hex")}`;

const compareFindings = (a: IntegrityFinding, b: IntegrityFinding) =>
  a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.message < b.message ? -1 : a.message > b.message ? 1 : 0;

const round = (n: number) => Math.round(n * 1000) / 1000;

export class IntegrityMonitor {
  constructor(
    private readonly store: AuditPort,
    private readonly rules: IntegrityRules,
  ) {}

  static fromConfig(store: AuditPort, config: NyangConfig, overrides: Partial<IntegrityRules> = {}): IntegrityMonitor {
    return new IntegrityMonitor(store, integrityRules(config, overrides));
  }

  /** One run over the table (or, resuming, over what a pass has left), as far as the budget allows. */
  async runAudit(opts: AuditOptions = {}): Promise<AuditReport> {
    const wallStart = Date.now();
    const startedAt = new Date(wallStart).toISOString();
    const now = opts.now ?? new Date();
    const alertsSince = new Date(now.getTime() - this.rules.unusualActivityWindowMs).toISOString();
    const maxFindings = opts.maxFindings ?? DEFAULT_MAX_FINDINGS;
    const checkpoint: AuditCheckpoint = opts.resumeFrom
      ? structuredClone(opts.resumeFrom)
      : { totalSegments: opts.segments ?? DEFAULT_SEGMENTS, segments: [] };
    if (!opts.resumeFrom) {
      for (let i = 0; i < checkpoint.totalSegments; i++) checkpoint.segments.push({ done: false, startKey: null });
    }
    if (!Number.isInteger(checkpoint.totalSegments) || checkpoint.totalSegments < 1 || checkpoint.segments.length !== checkpoint.totalSegments) {
      throw new RangeError(`not a checkpoint of ${checkpoint.totalSegments} segments`);
    }
    const outOfTime = () => opts.budgetMs !== undefined && Date.now() - wallStart >= opts.budgetMs;

    const found: IntegrityFinding[] = [];
    const counts: Partial<Record<IntegrityFindingKind, number>> = {};
    let truncated = 0;
    let accountsChecked = 0;
    let accountsConfirmed = 0;
    let scanUnits = 0;
    let confirmUnits = 0;
    let pages = 0;
    // A partition is judged once per run, even if (against expectation) two segments or
    // a fragment and its account both brought it.
    const seen = new Set<string>();

    const record = (fs: IntegrityFinding[]) => {
      for (const f of fs) {
        counts[f.kind] = (counts[f.kind] ?? 0) + 1;
        if (found.length < maxFindings) found.push(f);
        else truncated++;
      }
    };

    const confirm = async (userId: string): Promise<{ items: AccountItems | null; stable: boolean }> => {
      accountsConfirmed++;
      let last: AccountItems | null = null;
      for (let attempt = 0; attempt < CONFIRM_ATTEMPTS; attempt++) {
        const before = await this.store.accountRevision(userId);
        const read = await this.store.readAccount(userId, alertsSince);
        const after = await this.store.accountRevision(userId);
        confirmUnits += before.readUnits + read.readUnits + after.readUnits;
        last = read.items;
        if (before.revision === after.revision && (read.items?.account?.revision ?? null) === after.revision) return { items: last, stable: true };
      }
      return { items: last, stable: false };
    };

    const judge = async (scanned: AccountItems) => {
      if (seen.has(scanned.userId)) return;
      seen.add(scanned.userId);
      const first = checkAccount(scanned, now, this.rules);
      const suspect = !scanned.account || first.some((f) => f.severity !== "info");
      if (!suspect) {
        accountsChecked++;
        record(first);
        return;
      }
      const confirmed = await confirm(scanned.userId);
      if (!confirmed.items) return; // gone since the scan read it: nothing left to judge
      accountsChecked++;
      if (!confirmed.stable) {
        record([finding(scanned.userId, "unverified", `the account changed during each of ${CONFIRM_ATTEMPTS} consistent re-reads; the next run checks it again`)]);
        return;
      }
      record(await confirmCapCounts(scanned.userId, checkAccount(confirmed.items, now, this.rules)));
    };

    // A charge record and its month counter move in one transaction that leaves the account
    // item alone, so the revision check does not fence them, and a Query is not isolated from a
    // transaction landing while it reads (read-committed per item). A counter off its records is
    // reported only if one more consistent read finds it off by the same figures: a write caught
    // half-read the first time is whole the second, and moves the figures.
    const confirmCapCounts = async (userId: string, findings: IntegrityFinding[]): Promise<IntegrityFinding[]> => {
      const isCap = (f: IntegrityFinding) => f.kind === "cap_count_mismatch";
      if (!findings.some(isCap)) return findings;
      const again = await this.store.readAccount(userId, alertsSince);
      confirmUnits += again.readUnits;
      const still = new Set(again.items ? checkAccount(again.items, now, this.rules).filter(isCap).map((f) => f.message) : []);
      return findings.filter((f) => !isCap(f) || still.has(f.message));
    };

    await Promise.all(
      checkpoint.segments.map(async (state, segment) => {
        if (state.done) return;
        const steps = this.store.scanSegment(segment, checkpoint.totalSegments, state.startKey, { pageSize: opts.pageSize, alertsSince });
        for await (const step of steps) {
          pages++;
          scanUnits += step.readUnits;
          for (const account of step.accounts) await judge(account);
          if (step.done) {
            checkpoint.segments[segment] = { done: true };
            return;
          }
          // Stop only once this run has moved the segment on, so that every run makes progress.
          if (outOfTime() && step.progressed) {
            checkpoint.segments[segment] = { done: false, startKey: step.resumeKey };
            return; // leaving the loop closes the scan; the account still arriving is read next time
          }
        }
      }),
    );

    const complete = checkpoint.segments.every((s) => s.done);
    const finishedAt = new Date().toISOString();
    const read = scanUnits + confirmUnits;
    const id = newId();
    return {
      id,
      passId: id,
      runs: 1,
      startedAt,
      finishedAt,
      asOf: now.toISOString(),
      complete,
      resume: complete ? null : checkpoint,
      segments: checkpoint.totalSegments,
      accountsChecked,
      accountsConfirmed,
      findings: found.sort(compareFindings),
      findingsTruncated: truncated,
      counts,
      violations: violationsOf(counts),
      requestUnits: {
        read: round(read),
        scan: round(scanUnits),
        confirm: round(confirmUnits),
        perAccount: accountsChecked === 0 ? 0 : round(read / accountsChecked),
        pages,
      },
      durationMs: Date.now() - wallStart,
    };
  }
}

/** Findings that are not information, from counts by kind. */
export function violationsOf(counts: Partial<Record<IntegrityFindingKind, number>>): number {
  return Object.entries(counts).reduce((n, [kind, c]) => n + (findingSeverity[kind as IntegrityFindingKind] === "info" ? 0 : (c ?? 0)), 0);
}

/**
 * Folds a run that continued a pass into the pass's report so far: one report for the
 * whole table once the pass completes. Findings stay capped at `maxFindings`.
 */
export function mergeReports(pass: AuditReport, run: AuditReport, maxFindings = DEFAULT_MAX_FINDINGS): AuditReport {
  const counts: Partial<Record<IntegrityFindingKind, number>> = { ...pass.counts };
  for (const [kind, n] of Object.entries(run.counts)) counts[kind as IntegrityFindingKind] = (counts[kind as IntegrityFindingKind] ?? 0) + (n ?? 0);
  const all = [...pass.findings, ...run.findings].sort(compareFindings);
  const findings = all.slice(0, maxFindings);
  const accountsChecked = pass.accountsChecked + run.accountsChecked;
  const scan = pass.requestUnits.scan + run.requestUnits.scan;
  const confirm = pass.requestUnits.confirm + run.requestUnits.confirm;
  return {
    ...run,
    passId: pass.passId,
    runs: pass.runs + run.runs,
    startedAt: pass.startedAt,
    accountsChecked,
    accountsConfirmed: pass.accountsConfirmed + run.accountsConfirmed,
    findings,
    findingsTruncated: pass.findingsTruncated + run.findingsTruncated + (all.length - findings.length),
    counts,
    violations: violationsOf(counts),
    requestUnits: {
      read: round(scan + confirm),
      scan: round(scan),
      confirm: round(confirm),
      perAccount: accountsChecked === 0 ? 0 : round((scan + confirm) / accountsChecked),
      pages: pass.requestUnits.pages + run.requestUnits.pages,
    },
    durationMs: pass.durationMs + run.durationMs,
  };
}
