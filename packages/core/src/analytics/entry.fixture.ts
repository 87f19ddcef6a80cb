import type { LedgerEntry } from "../ledger/types.ts";
import { noFacts } from "../ledger/types.ts";

/**
 * A ledger entry for unit tests of what entries add up to: account u1's seq 2, on
 * 2026-11-25 (UTC), of a service when it is usage (or a refund), with `over` applied.
 */
export const testEntry = (type: LedgerEntry["type"], amount: number, over: Partial<LedgerEntry> = {}): LedgerEntry => ({
  ...noFacts,
  id: `tx_${type}_${amount}`,
  userId: "u1",
  seq: 2,
  type,
  amount,
  paidAmount: 0,
  bonusAmount: amount,
  balanceBefore: 10000,
  balanceAfter: 10000 + amount,
  status: "completed",
  createdAt: "2026-11-25T01:00:00.000Z",
  serviceType: type === "usage" || type === "hold_capture" || type === "refund" ? "ai_writing" : null,
  ...over,
});
