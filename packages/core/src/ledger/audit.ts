import { MAX_BONUS_LOTS, POOL_LOT_ID } from "./lots.ts";
import type { Account, LedgerEntry } from "./types.ts";

/** One way an account and its ledger disagree. */
export interface AuditFinding {
  userId: string;
  kind: "seq_gap" | "chain_break" | "entry_arithmetic" | "balance_mismatch" | "split_mismatch" | "version_mismatch" | "lot_mismatch";
  message: string;
}

/**
 * Proves an account against its ledger (ledger rule 2): seqs run 1..version with no gap,
 * each entry's balanceBefore is the previous balanceAfter, the balance, the paid and
 * bonus parts all equal the sums of the entries, and an entry's quantity × unit price is its
 * amount, and the bonus lots agree with the bonus balance and the entries (see auditLots).
 * Pure: the caller reads the entries.
 */
export function auditAccount(account: Account, entries: readonly LedgerEntry[]): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const add = (kind: AuditFinding["kind"], message: string) => findings.push({ userId: account.userId, kind, message });
  const sorted = [...entries].sort((a, b) => a.seq - b.seq);
  let balance = 0;
  let paid = 0;
  let bonus = 0;
  sorted.forEach((e, i) => {
    if (e.seq !== i + 1) add("seq_gap", `entry ${e.id} has seq ${e.seq}, expected ${i + 1}`);
    if (e.balanceBefore !== balance) add("chain_break", `entry ${e.seq} starts at ${e.balanceBefore}, previous ended at ${balance}`);
    if (e.balanceBefore + e.amount !== e.balanceAfter) add("entry_arithmetic", `entry ${e.seq}: ${e.balanceBefore} + ${e.amount} ≠ ${e.balanceAfter}`);
    if (e.paidAmount + e.bonusAmount !== e.amount) add("split_mismatch", `entry ${e.seq}: paid ${e.paidAmount} + bonus ${e.bonusAmount} ≠ ${e.amount}`);
    // The price snapshot (docs/credits.md): where an entry names its units, they make its amount.
    if (e.quantity !== null && e.unitPrice !== null && e.quantity * e.unitPrice !== Math.abs(e.amount)) {
      add("entry_arithmetic", `entry ${e.seq}: ${e.quantity} × ${e.unitPrice} ≠ |${e.amount}|`);
    }
    balance = e.balanceAfter;
    paid += e.paidAmount;
    bonus += e.bonusAmount;
  });
  const sum = sorted.reduce((s, e) => s + e.amount, 0);
  if (sum !== account.balance) add("balance_mismatch", `balance ${account.balance} ≠ Σ amounts ${sum}`);
  if (paid !== account.paidBalance || bonus !== account.bonusBalance) {
    add("split_mismatch", `paid ${account.paidBalance}/bonus ${account.bonusBalance} ≠ Σ ${paid}/${bonus}`);
  }
  if (account.balance !== account.paidBalance + account.bonusBalance) add("split_mismatch", "balance ≠ paid + bonus");
  if (account.version !== sorted.length) add("version_mismatch", `version ${account.version} but ${sorted.length} entries`);
  for (const message of auditLots(account, sorted)) add("lot_mismatch", message);
  return findings;
}

/**
 * What is proved of the bonus lots (docs/credits.md): Σ remaining = bonusBalance; every lot
 * holds 0 < remaining ≤ amount, ids are unique and there are at most MAX_BONUS_LOTS; every
 * lot but the pool was granted by an entry of this ledger that credited bonus coins; every
 * `bonus_expiry` entry names a lot, at most one entry per lot, and that lot is no longer on
 * the account (an expiry is written once and takes the lot with it). Not provable from the
 * entries alone: how much of a lot each debit drew (entries record the bonus part, not the
 * lots), so a lot's remaining is proved in sum, not one by one.
 */
export function auditLots(account: Account, entries: readonly LedgerEntry[]): string[] {
  const out: string[] = [];
  const sum = account.lots.reduce((s, l) => s + l.remaining, 0);
  if (sum !== account.bonusBalance) out.push(`Σ lots.remaining ${sum} ≠ bonusBalance ${account.bonusBalance}`);
  if (account.lots.length > MAX_BONUS_LOTS) out.push(`${account.lots.length} lots, more than ${MAX_BONUS_LOTS}`);
  const byId = new Map(entries.map((e) => [e.id, e]));
  const ids = new Set<string>();
  for (const l of account.lots) {
    if (ids.has(l.id)) out.push(`lot ${l.id} appears twice`);
    ids.add(l.id);
    if (l.remaining <= 0 || l.remaining > l.amount) out.push(`lot ${l.id}: remaining ${l.remaining} outside (0, ${l.amount}]`);
    const grant = byId.get(l.id);
    if (l.id !== POOL_LOT_ID && !(grant && grant.bonusAmount > 0)) out.push(`lot ${l.id} was granted by no bonus credit of this ledger`);
  }
  const expired = new Set<string>();
  for (const e of entries) {
    if (e.type !== "bonus_expiry") continue;
    const lotId = e.relatedTransactionId;
    if (lotId === null) out.push(`bonus_expiry entry ${e.seq} names no lot`);
    else if (expired.has(lotId)) out.push(`lot ${lotId} expired twice (entry ${e.seq})`);
    else if (ids.has(lotId)) out.push(`lot ${lotId} is still on the account after its bonus_expiry entry ${e.seq}`);
    if (lotId !== null) expired.add(lotId);
    if (e.paidAmount !== 0 || e.bonusAmount >= 0) out.push(`bonus_expiry entry ${e.seq} must take bonus coins only`);
  }
  return out;
}
