import type { NyangConfig } from "../config.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { LedgerEntry } from "../ledger/types.ts";
import { consoleLog, type Log } from "../log.ts";
import type { Payment, PaymentGateway } from "../payments/gateway.ts";
import type { AutoChargeLedgerReads, AutoChargePort } from "./auto-charge-port.ts";
import { AutoChargeCharges, type AlertSink, type AutoChargeStep, type ChargeOutcome, type ClaimedCharge } from "./charge.ts";
import type { AutoChargeSettings, ChargeRecord, CustomerKeyOf } from "./model.ts";
import { AutoChargeSettingsService, type AutoChargeSettingsInput, type MonthlyCapStatus } from "./settings.ts";
import { sweepAutoCharge, type AutoChargeSweepReport, type AutoChargeSweepScope } from "./sweep.ts";

/**
 * Auto-charge as the rest of the service sees it: one object over its three parts, each in a
 * file of its own because each changes for its own reasons —
 * - settings.ts: an account's settings and registered card (the HTTP API's side);
 * - charge.ts: the charge of a crossing (claim, pay, settle), whose record changes are the
 *   pure transitions of charge-transitions.ts;
 * - sweep.ts: the daily and hourly sweeps over the due queues.
 * See model.ts for how one crossing makes one charge.
 */
export class AutoCharge {
  readonly settings: AutoChargeSettingsService;
  readonly charges: AutoChargeCharges;

  constructor(
    ledger: Ledger,
    private readonly ledgerStore: AutoChargeLedgerReads,
    store: AutoChargePort,
    gateway: PaymentGateway,
    private readonly config: NyangConfig,
    alerts: AlertSink,
    /** The account's customer key at the gateway (see model.ts, hmacCustomerKeys). */
    readonly customerKeyOf: CustomerKeyOf,
    private readonly clock: () => Date = () => new Date(),
    private readonly log: Log = consoleLog,
  ) {
    this.charges = new AutoChargeCharges(ledger, ledgerStore, store, gateway, config, alerts, clock, log);
    this.settings = new AutoChargeSettingsService(ledger, store, gateway, config, customerKeyOf, (userId) => this.charges.checkAfterSave(userId), clock);
  }

  /** Whether the service offers auto-charge at all (AUTO_CHARGE_ENABLED): when off, nothing charges. */
  get available(): boolean {
    return this.config.autoCharge.enabled;
  }

  // ---- settings (settings.ts) --------------------------------------------------------------

  getSettings(userId: string): Promise<AutoChargeSettings> {
    return this.settings.getSettings(userId);
  }

  updateSettings(userId: string, input: AutoChargeSettingsInput): Promise<AutoChargeSettings> {
    return this.settings.updateSettings(userId, input);
  }

  disable(userId: string): Promise<AutoChargeSettings> {
    return this.settings.disable(userId);
  }

  monthlyCap(settings: Pick<AutoChargeSettings, "userId" | "monthlyCapKrw">): Promise<MonthlyCapStatus> {
    return this.settings.monthlyCap(settings);
  }

  // ---- the charge (charge.ts) --------------------------------------------------------------

  onEntry(entry: LedgerEntry): Promise<ChargeOutcome> {
    return this.charges.onEntry(entry);
  }

  check(userId: string): Promise<ChargeOutcome> {
    return this.charges.check(userId);
  }

  advance(record: ChargeRecord): Promise<ChargeOutcome> {
    return this.charges.advance(record);
  }

  claim(userId: string): Promise<AutoChargeStep<ClaimedCharge>> {
    return this.charges.claim(userId);
  }

  pay(claimed: ClaimedCharge): Promise<AutoChargeStep<Payment>> {
    return this.charges.pay(claimed);
  }

  settle(record: ChargeRecord, payment: Payment): Promise<ChargeOutcome> {
    return this.charges.settle(record, payment);
  }

  getCharge(userId: string, chargeId: string): Promise<ChargeRecord | null> {
    return this.charges.getCharge(userId, chargeId);
  }

  /** An operator's retry of a refund the gateway refused (see {@link AutoChargeCharges.retryRefund}). */
  retryRefund(userId: string, chargeId: string): Promise<ChargeRecord> {
    return this.charges.retryRefund(userId, chargeId);
  }

  refundsAwaitingOperator(userId: string): Promise<ChargeRecord[]> {
    return this.charges.refundsAwaitingOperator(userId);
  }

  // ---- the sweeps (sweep.ts) ---------------------------------------------------------------

  sweep(scope: AutoChargeSweepScope, opts: { pageSize?: number } = {}): Promise<AutoChargeSweepReport> {
    return sweepAutoCharge(this.charges, this.ledgerStore, { scope, now: this.clock(), pageSize: opts.pageSize, available: this.available, log: this.log });
  }
}
