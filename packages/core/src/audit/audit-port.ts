import type { Account, HoldStatus, LedgerEntry } from "../ledger/types.ts";
import type { OrderStatus } from "../purchases/order.ts";
import type { ChargeStatus } from "../autocharge/model.ts";
import type { MonthCounter } from "../autocharge/monthly-cap.ts";

/**
 * What the integrity monitor reads: the whole table account by account (a segmented scan
 * that can stop and resume), one account's partition again, and an account's revision.
 * The DynamoDB adapter is store/audit-store.ts, which also keeps the reports.
 */
export interface AuditPort {
  /**
   * Scans one segment of `totalSegments` from `startKey` (null: its beginning), one page per
   * step. Stop between steps and continue later from the last step's `resumeKey`.
   */
  scanSegment(segment: number, totalSegments: number, startKey: StartKey | null, opts: ScanOptions): AsyncGenerator<SegmentStep>;
  /** One account's partition, read strongly consistently. */
  readAccount(userId: string, alertsSince: string): Promise<PartitionRead>;
  /** The account's revision (null: no account), to tell whether a re-read saw a still state. */
  accountRevision(userId: string): Promise<{ revision: number | null; readUnits: number }>;
}

export type StartKey = Record<string, unknown>;

/** A hold record, as far as the audit reads it. */
export interface AuditHold {
  id: string;
  status: HoldStatus;
  amount: number;
  expiresAt: string;
}

/** An order record, as far as the audit reads it. */
export interface AuditOrder {
  id: string;
  status: OrderStatus;
  paymentKey: string | null;
  updatedAt: string;
  confirmAttemptAt: string | null;
  /** When the reconciliation is due to come back to it (from its `byDue` key), if it is queued. */
  dueAt: string | null;
}

/** An auto-charge record, as far as the audit reads it. */
export interface AuditCharge {
  id: string;
  status: ChargeStatus;
  updatedAt: string;
  /** When a sweep is due to come back to it (its lease), if it is queued. */
  dueAt: string | null;
  /** What the monthly cap counts of it (monthly-cap.ts, `holdsRoom`). */
  amountKrw: number;
  capMonth: string | null;
  leaseUntil: string | null;
}

/** An alert, as far as the audit reads it (only recent `unusual_activity` ones are returned). */
export interface AuditAlert {
  id: string;
  type: string;
  createdAt: string;
}

/** One account's partition as the audit sees it. `account` is null when no account item was read. */
export interface AccountItems {
  userId: string;
  account: Account | null;
  entries: LedgerEntry[];
  holds: AuditHold[];
  orders: AuditOrder[];
  charges: AuditCharge[];
  /** The auto-charge month counters (`AUTOCHARGE_MONTH#<month>`), to hold against `charges`. */
  chargeMonths: MonthCounter[];
  alerts: AuditAlert[];
  /** Key of the last item of the group read: where a scan resumes after this account. */
  lastKey: StartKey;
}

/** One page of one segment, with the accounts it completed. */
export interface SegmentStep {
  /** Accounts whose every item has now been read, in scan order. */
  accounts: AccountItems[];
  /** Read units this page consumed. */
  readUnits: number;
  /**
   * Where to continue so that nothing after the accounts handed out so far is missed and
   * no account is cut in two: the last item of the last completed account (or the key
   * this scan started from, while none has completed). Null: from the segment's start.
   */
  resumeKey: StartKey | null;
  /** At least one account has completed since this scan started. */
  progressed: boolean;
  /** The segment is finished: nothing is left to read. */
  done: boolean;
}

export interface ScanOptions {
  /** Items evaluated per page (`Limit`); without it a page is up to 1 MB. */
  pageSize?: number | undefined;
  /** Alerts older than this are not returned (only recent unusual activity is reported). */
  alertsSince: string;
}

/** A partition read strongly consistently, with its cost. */
export interface PartitionRead {
  items: AccountItems | null;
  readUnits: number;
}
