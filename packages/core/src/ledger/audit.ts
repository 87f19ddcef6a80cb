import type { Account, LedgerEntry } from "./types.ts";

/** One way an account and its ledger disagree. */
export interface AuditFinding {
  userId: string;
  kind: "seq_gap" | "chain_break" | "entry_arithmetic" | "balance_mismatch" | "split_mismatch" | "version_mismatch";
  message: string;
}

/**
 * Proves an account against its ledger (ledger rule 2): seqs run 1..version with no gap,
 * each entry's balanceBefore is the previous balanceAfter, the balance, the paid and
 * bonus parts all equal the sums of the entries, and an entry's quantity × unit price is its
 * amount. Pure: the caller reads the entries.
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
  return findings;
}
