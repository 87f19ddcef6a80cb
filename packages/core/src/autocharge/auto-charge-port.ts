import type { WriteIntent } from "../intents.ts";
import type { LedgerPort } from "../ledger/ledger-port.ts";
import type { LedgerEntry } from "../ledger/types.ts";
import type { AutoChargeSettings, ChargeRecord } from "./model.ts";

/** What auto-charge decides to write: its settings, its charge records, a cleared failure count. */
export type AutoChargeIntent = Extract<WriteIntent, { kind: "auto_charge_settings" | "auto_charge" | "auto_charge_failures_reset" | "auto_charge_month" }>;

/**
 * What auto-charge needs of its own storage: reads of the settings, the charge records and the
 * ledger walked back from its newest entry, and one conditional commit of the intents a
 * decision returned. The DynamoDB adapter (store/auto-charge-store.ts) implements it; nothing
 * in autocharge/ knows a table, a key or a request.
 */
export interface AutoChargePort {
  getSettings(userId: string): Promise<AutoChargeSettings | null>;
  getCharge(userId: string, chargeId: string): Promise<ChargeRecord | null>;
  /** The KRW counted against the account's cap in a Korea-time month (`YYYY-MM`); 0 when nothing was. */
  chargedKrw(userId: string, month: string): Promise<number>;
  /** The account's charge records still open (charging, or waiting for a retry). */
  openCharges(userId: string): Promise<ChargeRecord[]>;
  /** The account's refunds the gateway refused (`refund_pending`, off the sweeps' queue), for an operator. */
  refundsAwaitingOperator(userId: string): Promise<ChargeRecord[]>;
  /** The account's entries newest first (their balance fields), read as the caller walks back. */
  newestEntries(userId: string): AsyncIterable<Pick<LedgerEntry, "id" | "seq" | "balanceBefore" | "balanceAfter">>;
  /**
   * Writes every intent or none, each conditioned on what it was decided from; false when the
   * caller must decide again on fresh state (another writer moved first, or the store failed
   * in passing).
   */
  commit(intents: AutoChargeIntent[]): Promise<boolean>;
}

/**
 * What auto-charge reads of the ledger's storage: the account as it stands (null when there is
 * none, where `Ledger.getAccount` refuses), and the due queues its sweeps walk.
 */
export type AutoChargeLedgerReads = Pick<LedgerPort, "getAccount" | "due">;
