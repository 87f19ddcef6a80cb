import type { DueQueueReader } from "../due-queue.ts";
import type { WriteIntent } from "../intents.ts";
import type { AnyStoredRecord, CommitOutcome, RecordListQuery, StoredEntry, StoredOrder } from "../ledger/ledger-port.ts";
import type { Order, OrderStatus } from "./order.ts";

/**
 * What the order book needs of storage: reads of orders and one conditional commit of an
 * order-only decision (a write that moves coins goes through the ledger's write loop).
 * Implemented by the DynamoDB adapter (store/ledger-store.ts).
 */
export interface OrderBookPort {
  getOrder(userId: string, orderId: string): Promise<StoredOrder | null>;
  /** An account's orders newest first, one page at a time, optionally of one status. */
  listOrders(userId: string, q: RecordListQuery<OrderStatus>): Promise<{ orders: Order[]; nextCursor: string | null }>;
  commit(operation: string, intents: WriteIntent[]): Promise<CommitOutcome>;
  /** The record a caller's idempotency key made on the account, of whatever kind. */
  getRecordByKey(userId: string, idempotencyKey: string): Promise<AnyStoredRecord | null>;
}

/**
 * What purchases need beyond the order book: the entry a settled order points at (its
 * answer replays with it), and the reconciliation's due queue.
 */
export interface PurchasesPort extends OrderBookPort, DueQueueReader {
  getEntry(userId: string, entryId: string): Promise<StoredEntry | null>;
}
