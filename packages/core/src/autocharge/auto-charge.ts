import type { Alert } from "../alerts/alert.ts";
import type { NyangConfig } from "../config.ts";
import { contention, isNyangError, NyangError } from "../errors.ts";
import { entryIdFor } from "../ledger/idempotency.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { noFacts, type Account, type LedgerEntry } from "../ledger/types.ts";
import { formatAmount, type Minor } from "../money.ts";
import { PaymentDeclinedError, PaymentUnknownError, type Payment, type PaymentGateway } from "../payments/gateway.ts";
import { paymentDeclined, paymentPending, refundRefusedMessage } from "../payments/payment-errors.ts";
import { chargeWrite, END_OF_TIME, settingsWrite } from "../store/auto-charge-store.ts";
import type { AutoChargeStore } from "../store/auto-charge-store.ts";
import { AGAIN, shortRetry, untilSettled } from "../retry.ts";
import { sweepDueQueue } from "../due-queue.ts";
import type { LedgerStore } from "../store/ledger-store.ts";
import { alertsForCharge } from "./alerts.ts";
import {
  attemptKeyFor,
  autoChargeUnavailable,
  backoffMs,
  CHARGE_OVER_LIMIT,
  chargeIdFor,
  creditKeyFor,
  crosses,
  currentCrossing,
  krwFor,
  refundKeyFor,
  registrationKeyFor,
  type AutoChargeSettings,
  type CustomerKeyOf,
  type ChargeRecord,
  type RegisteredCard,
} from "./model.ts";

/** Where auto-charge alerts go: stored once by id (and published) by whoever runs the service. */
export interface AlertSink {
  raise(alert: Alert): Promise<void>;
}

/** A PUT of the settings; absent fields keep their current value (or the configured default). */
export interface AutoChargeSettingsInput {
  enabled: boolean;
  threshold?: Minor | undefined;
  amount?: Minor | undefined;
  paymentMethod?: "card" | undefined;
  /** From the card-registration window's redirect: registers (or replaces) the card. */
  authKey?: string | undefined;
  /**
   * What the redirect carries beside the authKey: never taken as the customer, only checked
   * against the account's own customer key ({@link AutoCharge.customerKeyOf}).
   */
  customerKey?: string | undefined;
}

/** What one look at an account or a charge record came to. */
export type ChargeOutcome =
  /** A charge was credited just now. */
  | "charged"
  /** This crossing was charged before. */
  | "already_charged"
  /** The payment was refused; a retry is scheduled. */
  | "failed"
  /** The payment was refused once too often: auto-charge turned itself off. */
  | "disabled"
  /** Another worker holds the attempt, or the gateway's answer is still unknown. */
  | "pending"
  /** A retry is due later (backoff). */
  | "waiting"
  /** The crossing no longer needs a charge (balance back up, re-armed, turned off), or its payment was refunded (over MAX_COIN_AMOUNT). */
  | "canceled"
  /** Nothing to do. */
  | "none";

export interface AutoChargeSweepReport {
  scope: "all" | "due";
  accounts: number;
  records: number;
  outcomes: Record<ChargeOutcome, number>;
  errors: number;
}

/** A charge attempt this worker holds the lease of. `resumed`: taken over from a worker that stopped. */
export interface ClaimedCharge {
  record: ChargeRecord;
  resumed: boolean;
}

/** A step's result: go on with `value`, or stop with `outcome`. */
export type AutoChargeStep<T> = { kind: "go"; value: T } | { kind: "done"; outcome: ChargeOutcome };
type Step<T> = AutoChargeStep<T>;
const done = (outcome: ChargeOutcome) => ({ kind: "done" as const, outcome });

/**
 * Auto-charge: settings per account, and the charge of a crossing from whichever trigger
 * gets there — the ledger stream ({@link onEntry}), the sweeps ({@link sweep}) or enabling it
 * while the balance is already low. See model.ts for how one crossing makes one charge.
 *
 * A charge runs in three steps, each safe to repeat and to race: {@link claim} (the charge
 * record for the current crossing, holding the attempt's lease), {@link pay} (the gateway
 * charge under the attempt's idempotency key, or, for a taken-over attempt, the gateway's
 * record of the order first) and {@link settle} (the ledger credit keyed on the crossing, in
 * the transaction that marks the record paid).
 */
export class AutoCharge {
  constructor(
    private readonly ledger: Ledger,
    private readonly ledgerStore: LedgerStore,
    private readonly store: AutoChargeStore,
    private readonly gateway: PaymentGateway,
    private readonly config: NyangConfig,
    private readonly alerts: AlertSink,
    /** The account's customer key at the gateway (see model.ts, hmacCustomerKeys). */
    readonly customerKeyOf: CustomerKeyOf,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Whether the service offers auto-charge at all (AUTO_CHARGE_ENABLED): when off, nothing charges. */
  get available(): boolean {
    return this.config.autoCharge.enabled;
  }

  // ---- settings --------------------------------------------------------------------------

  /** The account's settings, or the defaults (off) when it never had any. */
  async getSettings(userId: string): Promise<AutoChargeSettings> {
    await this.ledger.getAccount(userId);
    return (await this.store.getSettings(userId)) ?? this.defaults(userId, this.clock());
  }

  /**
   * Saves the settings. Turning auto-charge on needs the global switch and a registered card
   * (an `authKey` now, from the registration window opened with the account's customer key, or
   * one registered before); it arms the account, and if the balance is already at or below the
   * threshold it is charged right away. The card is registered under the account's own
   * customer key, never one the caller names: a `customerKey` that is not the account's is
   * refused (422 customer_key_mismatch), and so is another account's authKey (the gateway
   * refuses it for this customer key).
   */
  async updateSettings(userId: string, input: AutoChargeSettingsInput): Promise<AutoChargeSettings> {
    await this.ledger.getAccount(userId);
    const ac = this.config.autoCharge;
    if (input.enabled && !ac.enabled) throw autoChargeUnavailable();
    const customerKey = this.customerKeyOf(userId);
    if (input.customerKey !== undefined && input.customerKey !== customerKey) throw customerKeyMismatch("customerKey");
    const current = await this.store.getSettings(userId);
    const amount = input.amount ?? current?.amount ?? ac.amount;
    const amountKrw = krwFor(amount, ac.krwPerCoin);
    if (amountKrw < this.config.minPurchaseAmountKrw) {
      throw new NyangError("below_minimum_purchase", `Auto-charges start at ${this.config.minPurchaseAmountKrw} KRW`, {
        minimum: this.config.minPurchaseAmountKrw,
        amountKrw,
      });
    }
    // Before the card is registered (a gateway call); again below on the settings as written.
    if (input.enabled) this.assertChargeFits(input.threshold ?? current?.threshold ?? ac.threshold, amount);
    let card: RegisteredCard | null | undefined;
    if (input.authKey !== undefined) card = await this.registerCard(userId, input.authKey, customerKey);

    const saved = await untilSettled(shortRetry, async () => {
      const [cur, account] = await Promise.all([this.store.getSettings(userId), this.ledger.getAccount(userId)]);
      const now = this.clock();
      const base = cur ?? this.defaults(userId, now);
      const billing = card ?? base.billing;
      if (input.enabled && !billing) {
        throw new NyangError("validation_failed", "Register a card to turn auto-charge on", {
          fields: { authKey: "required: no card is registered for auto-charge" },
        });
      }
      const threshold = input.threshold ?? base.threshold;
      if (input.enabled) this.assertChargeFits(threshold, amount);
      const revision = base.revision + 1;
      const rearm = input.enabled && (!base.enabled || base.threshold !== threshold);
      const next: AutoChargeSettings = {
        ...base,
        enabled: input.enabled,
        threshold,
        amount,
        paymentMethod: input.paymentMethod ?? "card",
        billing,
        consecutiveFailures: input.enabled && !base.enabled ? 0 : base.consecutiveFailures,
        disabledReason: input.enabled ? null : base.enabled ? "user" : base.disabledReason,
        disabledAt: input.enabled ? null : base.enabled ? now.toISOString() : base.disabledAt,
        ...(rearm ? { armedRevision: revision, armedAtSeq: account.version, armedAt: now.toISOString() } : {}),
        updatedAt: now.toISOString(),
        revision,
      };
      return (await this.store.write([settingsWrite(this.store.tableName, cur, next)])) ? next : AGAIN;
    }, () => contention(userId));
    if (saved.enabled) {
      // Armed while already low: this is the crossing. Failures are recorded and alerted by the
      // charge itself; the sweeps take over whatever this does not finish.
      await this.check(userId).catch((e: unknown) => logError("auto-charge on enabling failed", userId, e));
    }
    return saved;
  }

  /**
   * Checked when auto-charge is turned on (or stays on), never when it is turned off: settings
   * saved under a higher limit must not stand in the way of switching them off.
   * A charge lands on a balance at or below the threshold, so threshold + amount within
   * MAX_COIN_AMOUNT keeps every charge within it — unless another credit lands while one is
   * under way (then the charge is skipped or refunded, see {@link refundOverLimit}).
   */
  private assertChargeFits(threshold: Minor, amount: Minor): void {
    if (threshold + amount <= this.config.maxCoinAmount) return;
    const max = formatAmount(this.config.maxCoinAmount);
    throw new NyangError(
      "balance_limit_exceeded",
      `A charge at the threshold would lift the balance to ${formatAmount(threshold + amount)}, above the maximum of ${max}: threshold + amount must not exceed MAX_COIN_AMOUNT`,
      { max, balanceAfter: formatAmount(threshold + amount), threshold: formatAmount(threshold), amount: formatAmount(amount) },
    );
  }

  /** Turns auto-charge off and forgets the card. An attempt already in flight still settles. */
  async disable(userId: string): Promise<AutoChargeSettings> {
    await this.ledger.getAccount(userId);
    return untilSettled(shortRetry, async () => {
      const cur = await this.store.getSettings(userId);
      const now = this.clock();
      if (!cur) return this.defaults(userId, now);
      const next: AutoChargeSettings = {
        ...cur,
        enabled: false,
        billing: null,
        disabledReason: cur.enabled ? "user" : cur.disabledReason,
        disabledAt: cur.enabled ? now.toISOString() : cur.disabledAt,
        updatedAt: now.toISOString(),
        revision: cur.revision + 1,
      };
      return (await this.store.write([settingsWrite(this.store.tableName, cur, next)])) ? next : AGAIN;
    }, () => contention(userId));
  }

  private async registerCard(userId: string, authKey: string, customerKey: string): Promise<RegisteredCard> {
    // The authKey is single-use: a retried request replays Toss's first answer for it. The key
    // names the account too, so another account sending the same authKey gets no replay of it.
    const idempotencyKey = registrationKeyFor(userId, authKey);
    try {
      const b = await this.gateway.issueBillingKey({ authKey, customerKey, idempotencyKey });
      return {
        billingKey: b.billingKey,
        customerKey: b.customerKey,
        cardCompany: b.cardCompany,
        cardNumber: b.cardNumber,
        registeredAt: this.clock().toISOString(),
      };
    } catch (e) {
      if (e instanceof PaymentDeclinedError && e.reason === "customer_mismatch") throw customerKeyMismatch("authKey");
      if (e instanceof PaymentDeclinedError) throw paymentDeclined(e, "The card could not be registered");
      if (e instanceof PaymentUnknownError) throw paymentPending("The payment gateway did not answer; send the same request again");
      throw e;
    }
  }

  private defaults(userId: string, now: Date): AutoChargeSettings {
    const t = now.toISOString();
    return {
      userId,
      enabled: false,
      threshold: this.config.autoCharge.threshold,
      amount: this.config.autoCharge.amount,
      paymentMethod: "card",
      billing: null,
      consecutiveFailures: 0,
      disabledReason: null,
      disabledAt: null,
      armedRevision: 0,
      armedAtSeq: 0,
      armedAt: null,
      createdAt: t,
      updatedAt: t,
      revision: 0,
    };
  }

  // ---- triggers --------------------------------------------------------------------------

  /**
   * The stream trigger: a new ledger entry that took the balance to or below the account's
   * threshold charges the account's current crossing. Every other entry costs nothing but,
   * for a debit, one read of the settings.
   */
  async onEntry(entry: LedgerEntry): Promise<ChargeOutcome> {
    if (!this.config.autoCharge.enabled || entry.balanceAfter >= entry.balanceBefore) return "none";
    const settings = await this.store.getSettings(entry.userId);
    if (!settings?.enabled || !settings.billing || !crosses(entry, settings.threshold)) return "none";
    return this.check(entry.userId);
  }

  /** Charges the account's current crossing if it needs one: claim, pay, settle. */
  async check(userId: string): Promise<ChargeOutcome> {
    const claimed = await this.claim(userId);
    if (claimed.kind === "done") return claimed.outcome;
    return this.payAndSettle(claimed.value);
  }

  /**
   * The sweeps. Both take up the charge records that are due (a retry whose backoff is over,
   * an attempt whose worker stopped); `all` (the daily run) also looks at every account with
   * auto-charge on, catching a crossing the stream never delivered. Safe to run twice or
   * concurrently with everything else.
   */
  async sweep(scope: "all" | "due", opts: { pageSize?: number } = {}): Promise<AutoChargeSweepReport> {
    const outcomes: Record<ChargeOutcome, number> = {
      charged: 0, already_charged: 0, failed: 0, disabled: 0, pending: 0, waiting: 0, canceled: 0, none: 0,
    };
    const report: AutoChargeSweepReport = { scope, accounts: 0, records: 0, outcomes, errors: 0 };
    const pageSize = opts.pageSize ?? 50;
    const records = await sweepDueQueue(
      this.ledgerStore,
      { queue: "AUTOCHARGE", now: this.clock(), pageSize, failure: "auto-charge sweep: a charge record failed", idField: "chargeId" },
      async ({ userId, id }) => {
        const record = await this.store.getCharge(userId, id);
        outcomes[record ? await this.advance(record) : "none"]++;
      },
    );
    report.records = records.examined;
    report.errors += records.errors;
    if (scope === "all" && this.config.autoCharge.enabled) {
      const accounts = await sweepDueQueue(
        this.ledgerStore,
        { queue: "AUTOCHARGE_ON", now: END_OF_TIME, pageSize, failure: "auto-charge sweep: an account failed", idField: "settingsId" },
        async ({ userId }) => void outcomes[await this.check(userId)]++,
      );
      report.accounts = accounts.examined;
      report.errors += accounts.errors;
    }
    return report;
  }

  /** Takes one charge record as far as it can go now. */
  async advance(record: ChargeRecord): Promise<ChargeOutcome> {
    const claimed = await this.claimRecord(record);
    if (claimed.kind === "done") return claimed.outcome;
    return this.payAndSettle(claimed.value);
  }

  private async payAndSettle(claimed: ClaimedCharge): Promise<ChargeOutcome> {
    const paid = await this.pay(claimed);
    if (paid.kind === "done") return paid.outcome;
    return this.settle(claimed.record, paid.value);
  }

  // ---- step 1: claim ---------------------------------------------------------------------

  /**
   * Step one: the charge record of the account's current crossing, made or taken on, with
   * this worker holding its attempt's lease; or what stands in the way (nothing to charge,
   * already charged, another worker on it, a backoff not over).
   */
  async claim(userId: string): Promise<Step<ClaimedCharge>> {
    const ctx = await this.context(userId);
    if (ctx.kind === "done") return ctx;
    const { settings, account, crossingId } = ctx.value;
    const chargeId = chargeIdFor(userId, crossingId);
    const existing = await this.store.getCharge(userId, chargeId);
    if (existing) return this.claimRecord(existing, ctx.value);
    if (account.status !== "active") return done("none");
    // At most one charge in flight per account: a crossing re-armed while an earlier one is
    // being charged waits for it (its coins may well lift the balance); an earlier one waiting
    // for a retry is superseded by this one.
    for (const open of await this.store.openCharges(userId)) {
      if (open.status === "charging") return done("pending");
      await this.cancel(open, "superseded by a later crossing");
    }
    const now = this.clock();
    const t = now.toISOString();
    const overLimit = account.balance + settings.amount > this.config.maxCoinAmount;
    const record: ChargeRecord = {
      id: chargeId,
      userId,
      crossingId,
      amount: settings.amount,
      amountKrw: krwFor(settings.amount, this.config.autoCharge.krwPerCoin),
      threshold: settings.threshold,
      paymentMethod: settings.paymentMethod,
      status: "charging",
      attempts: 1,
      billingKey: settings.billing!.billingKey,
      customerKey: settings.billing!.customerKey,
      leaseUntil: this.leaseFrom(now),
      nextAttemptAt: null,
      paymentKey: null,
      transactionId: null,
      failureCode: null,
      failureMessage: null,
      createdAt: t,
      updatedAt: t,
      revision: 0,
      ...(overLimit
        ? // Checked before the card is charged: nothing is taken, not a card refusal (no failure
          // counted), and the crossing's record says why, so it is alerted once, not on every look.
          { status: "canceled" as const, attempts: 0, leaseUntil: null, failureCode: CHARGE_OVER_LIMIT, failureMessage: `${formatAmount(settings.amount)} coins would lift the balance of ${formatAmount(account.balance)} above MAX_COIN_AMOUNT (${formatAmount(this.config.maxCoinAmount)})` }
        : {}),
    };
    if (await this.store.write([chargeWrite(this.store.tableName, null, record)])) {
      if (!overLimit) return { kind: "go", value: { record, resumed: false } };
      await this.raiseAlerts(record);
      return done("none");
    }
    // Another trigger made it first: go on from what it made.
    const raced = await this.store.getCharge(userId, chargeId);
    return raced ? this.claimRecord(raced, ctx.value) : done("pending");
  }

  /** What a record allows now: a new attempt, a taken-over one, or nothing. */
  private async claimRecord(record: ChargeRecord, known?: CrossingContext): Promise<Step<ClaimedCharge>> {
    const now = this.clock();
    const t = now.toISOString();
    switch (record.status) {
      case "paid":
        await this.raiseAlerts(record);
        return done("already_charged");
      case "gave_up":
        await this.raiseAlerts(record);
        return done("none");
      case "canceled":
        if (record.failureCode === CHARGE_OVER_LIMIT) await this.raiseAlerts(record);
        return done("none");
      case "refunded":
        await this.raiseAlerts(record);
        return done("canceled");
      case "refund_pending":
        if (record.leaseUntil !== null && record.leaseUntil > t) return done("pending");
        return done(await this.finishRefund(record));
      case "charging": {
        if (record.leaseUntil !== null && record.leaseUntil > t) return done("pending");
        // Its worker stopped (or its answer never came): take the same attempt over.
        const next: ChargeRecord = { ...record, leaseUntil: this.leaseFrom(now), updatedAt: later(t, record.updatedAt), revision: record.revision + 1 };
        if (!(await this.store.write([chargeWrite(this.store.tableName, record, next)]))) return done("pending");
        return { kind: "go", value: { record: next, resumed: true } };
      }
      case "retry_wait": {
        await this.raiseAlerts(record);
        if (record.nextAttemptAt !== null && record.nextAttemptAt > t) return done("waiting");
        const ctx: Step<CrossingContext> = known ? { kind: "go", value: known } : await this.context(record.userId);
        if (ctx.kind === "done" || ctx.value.crossingId !== record.crossingId || !ctx.value.settings.billing) {
          // Back above the threshold, re-armed, or turned off: this crossing needs no charge any more.
          return done(await this.cancel(record, "no longer needed"));
        }
        const billing = ctx.value.settings.billing;
        const next: ChargeRecord = {
          ...record,
          status: "charging",
          attempts: record.attempts + 1,
          billingKey: billing.billingKey,
          customerKey: billing.customerKey,
          leaseUntil: this.leaseFrom(now),
          nextAttemptAt: null,
          updatedAt: later(t, record.updatedAt),
          revision: record.revision + 1,
        };
        if (!(await this.store.write([chargeWrite(this.store.tableName, record, next)]))) return done("pending");
        return { kind: "go", value: { record: next, resumed: false } };
      }
    }
  }

  /** The account's current crossing, when auto-charge is on and the balance is at or below the threshold. */
  private async context(userId: string): Promise<Step<CrossingContext>> {
    if (!this.config.autoCharge.enabled) return done("none");
    const settings = await this.store.getSettings(userId);
    if (!settings?.enabled || !settings.billing) return done("none");
    const account = await this.ledgerStore.getAccount(userId);
    if (!account) return done("none");
    const crossing = await currentCrossing(account, settings, this.store.newestEntries(userId));
    if (!crossing) {
      if (account.balance <= settings.threshold) logError("auto-charge: no crossing within reach of the ledger walk", userId, null);
      return done("none");
    }
    return { kind: "go", value: { settings, account, crossingId: crossing.crossingId } };
  }

  // ---- step 2: pay -----------------------------------------------------------------------

  /**
   * Step two: the gateway charge of the claimed attempt. A taken-over attempt asks the gateway
   * for the order first: a payment it approved is settled, not charged again.
   */
  async pay(claimed: ClaimedCharge): Promise<Step<Payment>> {
    const r = claimed.record;
    if (claimed.resumed) {
      const found = await this.lookUp(r);
      if (found === "unknown") return done("pending");
      if (found) return { kind: "go", value: found };
      // The gateway approved nothing for this order: the attempt never landed. Send it only
      // while auto-charge is still on.
      const settings = await this.store.getSettings(r.userId);
      if (!this.config.autoCharge.enabled || !settings?.enabled || !settings.billing) return done(await this.cancel(r, "turned off"));
    }
    let payment: Payment;
    try {
      payment = await this.gateway.chargeBillingKey({
        billingKey: r.billingKey,
        customerKey: r.customerKey,
        orderId: r.id,
        orderName: `냥 자동 충전 ${formatAmount(r.amount)}`,
        amount: r.amountKrw,
        idempotencyKey: attemptKeyFor(r.id, r.attempts),
      });
    } catch (e) {
      if (e instanceof PaymentDeclinedError && e.reason !== "duplicate_order" && e.reason !== "already_processed") {
        return done(await this.fail(r, e.gatewayCode, e.message));
      }
      if (!(e instanceof PaymentDeclinedError) && !(e instanceof PaymentUnknownError)) throw e;
      // Paid already (the order id was approved before), or no answer: the gateway's record decides.
      const found = await this.lookUp(r);
      if (found && found !== "unknown") return { kind: "go", value: found };
      // Still open: the lease runs out and a sweep asks again.
      return done("pending");
    }
    if (payment.status !== "approved") return done("pending");
    return { kind: "go", value: payment };
  }

  /** The approved payment of a charge's order, null when the gateway approved none, "unknown" without an answer. */
  private async lookUp(r: ChargeRecord): Promise<Payment | null | "unknown"> {
    try {
      const found = await this.gateway.findByOrderId(r.id);
      return found && found.status === "approved" && found.orderId === r.id ? found : null;
    } catch (e) {
      if (e instanceof PaymentUnknownError || e instanceof PaymentDeclinedError) return "unknown";
      throw e;
    }
  }

  // ---- step 3: settle --------------------------------------------------------------------

  /**
   * Step three: credits an approved payment — the `auto_charge` entry keyed on the crossing,
   * in the transaction that marks the record paid and clears the failure count. Repeated or
   * raced, it credits once.
   */
  async settle(record: ChargeRecord, payment: Payment): Promise<ChargeOutcome> {
    if (payment.totalAmount !== record.amountKrw) {
      // Never expected (the amount is ours); an operator must look at it. The record stays due.
      logError("auto-charge: the gateway approved another amount than charged", record.userId, null, {
        chargeId: record.id,
        paymentKey: payment.paymentKey,
        totalAmount: payment.totalAmount,
        amountKrw: record.amountKrw,
      });
      return "pending";
    }
    const creditKey = creditKeyFor(record.crossingId);
    const transactionId = entryIdFor(record.userId, creditKey, "system");
    let paidRecord: ChargeRecord | undefined;
    let result: Awaited<ReturnType<Ledger["creditAutoCharge"]>>;
    try {
      result = await this.credit(record, payment, creditKey, transactionId, (r) => (paidRecord = r));
    } catch (e) {
      if (!isNyangError(e, "balance_limit_exceeded")) throw e;
      return this.refundOverLimit(record, payment, e.message);
    }
    const stored = result.replayed ? await this.store.getCharge(record.userId, record.id) : paidRecord;
    if (stored) await this.raiseAlerts(stored);
    return result.replayed ? "already_charged" : "charged";
  }

  private credit(record: ChargeRecord, payment: Payment, creditKey: string, transactionId: string, onPaid: (r: ChargeRecord) => void) {
    return this.ledger.creditAutoCharge(record.userId, creditKey, async (now) => {
      const cur = await this.store.getCharge(record.userId, record.id);
      if (!cur) throw new Error(`auto-charge record ${record.id} vanished`);
      // Paid already: the credit entry exists; the ledger replays it.
      if (cur.status === "paid") throw new NyangError("order_not_pending", "The auto-charge is settled", { chargeId: cur.id });
      // Another worker found the coins over the limit: the payment goes back, never as coins.
      if (cur.status === "refund_pending" || cur.status === "refunded") {
        throw new NyangError("balance_limit_exceeded", cur.failureMessage ?? "The balance would exceed its maximum", { chargeId: cur.id });
      }
      const settings = await this.store.getSettings(record.userId);
      const paidRecord: ChargeRecord = {
        ...cur,
        status: "paid",
        paymentKey: payment.paymentKey,
        transactionId,
        leaseUntil: null,
        nextAttemptAt: null,
        failureCode: null,
        failureMessage: null,
        updatedAt: later(now.toISOString(), cur.updatedAt),
        revision: cur.revision + 1,
      };
      onPaid(paidRecord);
      return {
        amount: cur.amount,
        facts: {
          ...noFacts,
          paymentMethod: cur.paymentMethod,
          paymentReference: payment.paymentKey,
          reason: `auto-charge at or below ${formatAmount(cur.threshold)}`,
          relatedTransactionId: cur.crossingId.startsWith("tx_") ? cur.crossingId : null,
          details: { chargeId: cur.id, orderId: cur.id, amountKrw: cur.amountKrw, attempt: cur.attempts },
        },
        guards: [
          { kind: "auto_charge", before: cur, after: paidRecord },
          ...(settings ? [{ kind: "auto_charge_failures_reset" as const, userId: record.userId, now }] : []),
        ],
      };
    });
  }

  // ---- over the limit ----------------------------------------------------------------------

  /**
   * The card was charged, but another credit landed meanwhile and the coins no longer fit under
   * MAX_COIN_AMOUNT. Never credited past the limit, never kept without coins: the record moves
   * to `refund_pending` first (no credit can follow it; due for the sweeps when its lease ends),
   * then the gateway cancels the payment and the record is `refunded`. Not a card refusal: the
   * failure count is left alone.
   */
  private async refundOverLimit(record: ChargeRecord, payment: Payment, why: string): Promise<ChargeOutcome> {
    const marked = await untilSettled(shortRetry, async (): Promise<ChargeRecord | typeof AGAIN> => {
      const cur = await this.store.getCharge(record.userId, record.id);
      if (!cur || cur.status !== "charging") return cur ?? record;
      const now = this.clock();
      const next: ChargeRecord = {
        ...cur,
        status: "refund_pending",
        paymentKey: payment.paymentKey,
        leaseUntil: this.leaseFrom(now),
        nextAttemptAt: null,
        failureCode: CHARGE_OVER_LIMIT,
        failureMessage: why,
        updatedAt: later(now.toISOString(), cur.updatedAt),
        revision: cur.revision + 1,
      };
      return (await this.store.write([chargeWrite(this.store.tableName, cur, next)])) ? next : AGAIN;
    }, () => contention(record.userId));
    if (marked.status === "paid") return "already_charged";
    if (marked.status !== "refund_pending") return marked.status === "refunded" ? "canceled" : "pending";
    return this.finishRefund(marked);
  }

  /**
   * Cancels the payment of a `refund_pending` record at the gateway (its key derives from the
   * record, so a resent cancel replays the first) and marks it `refunded`. No answer: the lease
   * runs out and a sweep sends it again. A refusal (rare for a payment seconds old) leaves it
   * `refund_pending` off the sweeps' queue, for an operator, with the refusal in failureMessage.
   */
  private async finishRefund(record: ChargeRecord): Promise<ChargeOutcome> {
    if (record.paymentKey === null) throw new Error(`auto-charge record ${record.id} is refund_pending without a payment key`);
    try {
      await this.gateway.cancel({
        paymentKey: record.paymentKey,
        reason: "the auto-charge would lift the coin balance above its maximum",
        idempotencyKey: refundKeyFor(record.id, record.attempts),
      });
    } catch (e) {
      if (e instanceof PaymentUnknownError) return "pending";
      if (!(e instanceof PaymentDeclinedError)) throw e;
      if (e.reason !== "already_canceled") {
        logError("auto-charge: the gateway refused to refund an over-limit charge; an operator must look at it", record.userId, e, { chargeId: record.id });
        await this.updateRecord(record, (cur) =>
          cur.status === "refund_pending" ? { leaseUntil: null, failureMessage: refundRefusedMessage(e) } : null,
        );
        return "pending";
      }
    }
    const after = await this.updateRecord(record, (cur) => (cur.status === "refund_pending" ? { status: "refunded", leaseUntil: null } : null));
    if (after.status === "refunded") await this.raiseAlerts(after);
    return "canceled";
  }

  /** A record-only change decided on the record as read, conditioned on its revision; null: nothing to do. */
  private updateRecord(record: ChargeRecord, change: (cur: ChargeRecord) => Partial<ChargeRecord> | null): Promise<ChargeRecord> {
    return untilSettled(shortRetry, async (): Promise<ChargeRecord | typeof AGAIN> => {
      const cur = (await this.store.getCharge(record.userId, record.id)) ?? record;
      const changes = change(cur);
      if (!changes) return cur;
      const next: ChargeRecord = { ...cur, ...changes, updatedAt: later(this.clock().toISOString(), cur.updatedAt), revision: cur.revision + 1 };
      return (await this.store.write([chargeWrite(this.store.tableName, cur, next)])) ? next : AGAIN;
    }, () => contention(record.userId));
  }

  // ---- failures ----------------------------------------------------------------------------

  /**
   * A refused attempt: the record waits out its backoff, the account's failure count goes up,
   * and at the limit auto-charge turns itself off (the record gives up). One transaction, so
   * the count and the record agree.
   */
  private async fail(record: ChargeRecord, code: string, message: string): Promise<ChargeOutcome> {
    const ac = this.config.autoCharge;
    return untilSettled(shortRetry, async (): Promise<ChargeOutcome | typeof AGAIN> => {
      const cur = await this.store.getCharge(record.userId, record.id);
      if (!cur || cur.status !== "charging" || cur.attempts !== record.attempts) return "failed";
      const settings = await this.store.getSettings(record.userId);
      const now = this.clock();
      const t = later(now.toISOString(), cur.updatedAt);
      const failures = (settings?.consecutiveFailures ?? 0) + 1;
      // Turned off meanwhile (by the user): no retry, and no "turned itself off" alert.
      const off = !settings?.enabled;
      const giveUp = failures >= ac.failureLimit;
      const next: ChargeRecord = {
        ...cur,
        status: off ? "canceled" : giveUp ? "gave_up" : "retry_wait",
        leaseUntil: null,
        nextAttemptAt: off || giveUp ? null : new Date(Date.parse(t) + backoffMs(cur.attempts, ac.retryBackoffSeconds, ac.retryBackoffMaxSeconds)).toISOString(),
        failureCode: code,
        failureMessage: message,
        updatedAt: t,
        revision: cur.revision + 1,
      };
      const items = [chargeWrite(this.store.tableName, cur, next)];
      const turnOff = giveUp && !off;
      if (settings) {
        items.push(
          settingsWrite(this.store.tableName, settings, {
            ...settings,
            consecutiveFailures: failures,
            ...(turnOff ? { enabled: false, disabledReason: "payment_failures" as const, disabledAt: t } : {}),
            updatedAt: later(t, settings.updatedAt),
            revision: settings.revision + 1,
          }),
        );
      }
      if (!(await this.store.write(items))) return AGAIN;
      await this.raiseAlerts(next);
      return turnOff ? "disabled" : "failed";
    }, () => contention(record.userId));
  }

  private async cancel(record: ChargeRecord, why: string): Promise<ChargeOutcome> {
    const cur = (await this.store.getCharge(record.userId, record.id)) ?? record;
    if (cur.status === "paid") return "already_charged";
    if (cur.status === "canceled" || cur.status === "gave_up") return "none";
    const t = later(this.clock().toISOString(), cur.updatedAt);
    const next: ChargeRecord = { ...cur, status: "canceled", leaseUntil: null, nextAttemptAt: null, failureMessage: cur.failureMessage ?? why, updatedAt: t, revision: cur.revision + 1 };
    return (await this.store.write([chargeWrite(this.store.tableName, cur, next)])) ? "canceled" : "pending";
  }

  private async raiseAlerts(record: ChargeRecord): Promise<void> {
    for (const alert of alertsForCharge(record, this.config.autoCharge.failureLimit)) await this.alerts.raise(alert);
  }

  private leaseFrom(now: Date): string {
    return new Date(now.getTime() + this.config.autoCharge.leaseSeconds * 1000).toISOString();
  }

  /** The record of one crossing (for tests and operators). */
  getCharge(userId: string, chargeId: string): Promise<ChargeRecord | null> {
    return this.store.getCharge(userId, chargeId);
  }
}

/** `field`: what gave the other customer away — the caller's customerKey, or the gateway refusing the authKey. */
const customerKeyMismatch = (field: "customerKey" | "authKey") =>
  new NyangError(
    "customer_key_mismatch",
    "This card registration is not this account's: open the card-registration window with the customerKey GET …/auto-charge returns",
    { field },
  );

interface CrossingContext {
  settings: AutoChargeSettings;
  account: Account;
  crossingId: string;
}

/** Times on a record never go back (clocks of different workers differ a little). */
const later = (a: string, b: string) => (a > b ? a : b);

function logError(message: string, userId: string, error: unknown, extra: Record<string, unknown> = {}): void {
  console.error(JSON.stringify({ level: "ERROR", message, userId, ...extra, ...(error ? { error: String(error) } : {}) }));
}
