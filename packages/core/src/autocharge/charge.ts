import type { Alert } from "../alerts/alert.ts";
import type { NyangConfig } from "../config.ts";
import { chargeNotFound, chargeNotRefundPending, contention, isNyangError, NyangError } from "../errors.ts";
import { entryIdFor } from "../ledger/idempotency.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { noFacts, type Account, type LedgerEntry } from "../ledger/types.ts";
import { consoleLog, type Log } from "../log.ts";
import { formatAmount } from "../money.ts";
import { PaymentDeclinedError, PaymentUnknownError, type Payment, type PaymentGateway } from "../payments/gateway.ts";
import { paymentDeclined, paymentPending } from "../payments/payment-errors.ts";
import { AGAIN, shortRetry, untilSettled } from "../retry.ts";
import type { AutoChargeIntent, AutoChargeLedgerReads, AutoChargePort } from "./auto-charge-port.ts";
import { alertsForCharge } from "./alerts.ts";
import { backoffRunning, leaseHeld, newCharge, nextCharge, type ChargeEvent, type ChargeRules, type ChargeTransition } from "./charge-transitions.ts";
import {
  attemptKeyFor,
  CHARGE_APPROVED_AFTER_CLOSE,
  CHARGE_CAP_REACHED,
  chargeIdFor,
  creditKeyFor,
  crosses,
  currentCrossing,
  refundKeyFor,
  type AutoChargeSettings,
  type ChargeRecord,
  type ChargeStatus,
} from "./model.ts";
import { effectiveMonthlyCap, monthIntents, seoulMonth } from "./monthly-cap.ts";
import { settingsAfterDecline } from "./settings-transitions.ts";

/** Where auto-charge alerts go: stored once by id (and published) by whoever runs the service. */
export interface AlertSink {
  raise(alert: Alert): Promise<void>;
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

/** A charge attempt this worker holds the lease of. `resumed`: taken over from a worker that stopped. */
export interface ClaimedCharge {
  record: ChargeRecord;
  resumed: boolean;
}

/** A step's result: go on with `value`, or stop with `outcome`. */
export type AutoChargeStep<T> = { kind: "go"; value: T } | { kind: "done"; outcome: ChargeOutcome };
type Step<T> = AutoChargeStep<T>;
const done = (outcome: ChargeOutcome) => ({ kind: "done" as const, outcome });

/** The record was closed (canceled, gave up) before the approval being credited was seen: the payment goes back. Never leaves charge.ts. */
class ClosedBeforeApproval extends Error {
  constructor(chargeId: string) {
    super(`auto-charge ${chargeId} was closed before its payment was approved`);
    this.name = "ClosedBeforeApproval";
  }
}

/** What a look at a closed record comes to. */
const closedOutcome = { paid: "already_charged", gave_up: "none", canceled: "none", refunded: "canceled" } as const satisfies Partial<Record<ChargeStatus, ChargeOutcome>>;

interface CrossingContext {
  settings: AutoChargeSettings;
  account: Account;
  crossingId: string;
}

/**
 * The charge of a crossing (see model.ts for how one crossing makes one charge), from
 * whichever trigger gets there: the ledger stream ({@link onEntry}), the sweeps (sweep.ts)
 * or enabling auto-charge while the balance is already low.
 *
 * A charge runs in three steps, each safe to repeat and to race: {@link claim} (the charge
 * record for the current crossing, holding the attempt's lease), {@link pay} (the gateway
 * charge under the attempt's idempotency key, or, for a taken-over attempt, the gateway's
 * record of the order first) and {@link settle} (the ledger credit keyed on the crossing, in
 * the transaction that marks the record paid). What each record change is, is decided by
 * the pure transitions of charge-transitions.ts; this class reads, calls and writes.
 */
export class AutoChargeCharges {
  private readonly rules: ChargeRules;

  constructor(
    private readonly ledger: Ledger,
    private readonly ledgerStore: AutoChargeLedgerReads,
    private readonly store: AutoChargePort,
    private readonly gateway: PaymentGateway,
    private readonly config: NyangConfig,
    private readonly alerts: AlertSink,
    private readonly clock: () => Date = () => new Date(),
    private readonly log: Log = consoleLog,
  ) {
    this.rules = config.autoCharge;
  }

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
   * The settings were saved with auto-charge on: a balance already at or below the threshold
   * is a crossing (the arming's, when this save armed it). Never fails the save: a failure is
   * recorded and alerted by the charge itself, and the sweeps take over what this does not finish.
   */
  async checkAfterSave(userId: string): Promise<void> {
    await this.check(userId).catch((e: unknown) => this.logError("auto-charge on enabling failed", userId, e));
  }

  /** Takes one charge record as far as it can go now. */
  async advance(record: ChargeRecord): Promise<ChargeOutcome> {
    const claimed = await this.claimRecord(record);
    if (claimed.kind === "done") return claimed.outcome;
    return this.payAndSettle(claimed.value);
  }

  /** The record of one crossing (for tests and operators). */
  getCharge(userId: string, chargeId: string): Promise<ChargeRecord | null> {
    return this.store.getCharge(userId, chargeId);
  }

  /** The account's refunds the gateway refused, waiting for an operator ({@link retryRefund}). */
  async refundsAwaitingOperator(userId: string): Promise<ChargeRecord[]> {
    return (await this.store.refundsAwaitingOperator(userId)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
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
  async claim(userId: string, tries = 3): Promise<Step<ClaimedCharge>> {
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
    const capKrw = effectiveMonthlyCap(settings, this.config.autoCharge.monthlyCapKrw);
    // Without a cap the count is still kept (the settings show it), but never read here.
    const chargedKrw = capKrw === null ? 0 : await this.store.chargedKrw(userId, seoulMonth(now));
    const record = newCharge(
      { chargeId, userId, crossingId, settings: { ...settings, billing: settings.billing! }, balance: account.balance, month: { chargedKrw, capKrw }, now },
      { ...this.rules, krwPerCoin: this.config.autoCharge.krwPerCoin, maxCoinAmount: this.config.maxCoinAmount },
    );
    if (await this.write(null, record, capKrw)) {
      if (record.status === "charging") return { kind: "go", value: { record, resumed: false } };
      // Skipped (over the balance limit, or the monthly cap) before anything was charged.
      await this.raiseAlerts(record);
      return done("none");
    }
    // Another trigger made it first: go on from what it made.
    const raced = await this.store.getCharge(userId, chargeId);
    if (raced) return this.claimRecord(raced, ctx.value);
    // No record: the month's counter moved since it was read (another crossing's charge took the
    // room, or gave some back). Decide again on fresh state.
    return tries > 1 ? this.claim(userId, tries - 1) : done("pending");
  }

  /** What a record allows now: a new attempt, a taken-over one, or nothing. */
  private async claimRecord(record: ChargeRecord, known?: CrossingContext): Promise<Step<ClaimedCharge>> {
    const now = this.clock();
    switch (record.status) {
      case "canceled":
        // Canceled while an attempt may have been in flight: once its recheck is due, ask the gateway.
        if (record.leaseUntil !== null) return leaseHeld(record, now) ? done("pending") : done(await this.recheck(record));
        if (record.failureCode === CHARGE_CAP_REACHED) return this.resume(record, known);
        await this.raiseAlerts(record);
        return done(closedOutcome[record.status]);
      case "paid":
      case "gave_up":
      case "refunded":
        // Closed. Its alerts are raised again: whoever closed it may have stopped before them.
        await this.raiseAlerts(record);
        return done(closedOutcome[record.status]);
      case "refund_pending":
        if (leaseHeld(record, now)) return done("pending");
        return done(await this.finishRefund(record));
      case "charging": {
        // Its worker stopped (or its answer never came): take the same attempt over.
        return this.startAttempt(record, { type: "take_over", now });
      }
      case "retry_wait": {
        await this.raiseAlerts(record);
        // Before the account is read: a record waiting out its backoff costs no more.
        if (backoffRunning(record, now)) return done("waiting");
        const ctx: Step<CrossingContext> = known ? { kind: "go", value: known } : await this.context(record.userId);
        if (ctx.kind === "done" || ctx.value.crossingId !== record.crossingId || !ctx.value.settings.billing) {
          // Back above the threshold, re-armed, or turned off: this crossing needs no charge any more.
          return done(await this.cancel(record, "no longer needed"));
        }
        return this.startAttempt(record, { type: "next_attempt", now, billing: ctx.value.settings.billing });
      }
    }
  }

  /**
   * A crossing skipped for the monthly cap, looked at again: while it is still the account's
   * current crossing, it is charged now if the month has room (a new month, or a cap raised
   * since; counted under the cap in the same write), else skipped again in a new month (and
   * alerted for it). Costs one read of the month's count per look.
   */
  private async resume(record: ChargeRecord, known?: CrossingContext): Promise<Step<ClaimedCharge>> {
    const ctx: Step<CrossingContext> = known ? { kind: "go", value: known } : await this.context(record.userId);
    const current = ctx.kind === "go" && ctx.value.crossingId === record.crossingId && ctx.value.account.status === "active" ? ctx.value : null;
    if (!current?.settings.billing) {
      await this.raiseAlerts(record);
      return done("none");
    }
    const now = this.clock();
    const capKrw = effectiveMonthlyCap(current.settings, this.config.autoCharge.monthlyCapKrw);
    const chargedKrw = capKrw === null ? 0 : await this.store.chargedKrw(record.userId, seoulMonth(now));
    const t = nextCharge(record, { type: "cap_resume", now, billing: current.settings.billing, month: { chargedKrw, capKrw } }, this.rules);
    if (t.kind === "refused") {
      await this.raiseAlerts(record);
      return done("none");
    }
    // A lost race (another look resumed it, or the count moved): the next look decides again.
    if (!(await this.write(record, t.record, capKrw))) return done("pending");
    if (t.record.status === "charging") return { kind: "go", value: { record: t.record, resumed: false } };
    await this.raiseAlerts(t.record);
    return done("none");
  }

  /** Takes an attempt's lease: a taken-over one (resumed) or the next one. A lost race leaves it to the winner. */
  private async startAttempt(record: ChargeRecord, event: Extract<ChargeEvent, { type: "take_over" | "next_attempt" }>): Promise<Step<ClaimedCharge>> {
    const t = nextCharge(record, event, this.rules);
    if (t.kind === "refused" || !(await this.write(record, t.record))) return done("pending");
    return { kind: "go", value: { record: t.record, resumed: event.type === "take_over" } };
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
      if (account.balance <= settings.threshold) this.logError("auto-charge: no crossing within reach of the ledger walk", userId, null);
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
      this.logError("auto-charge: the gateway approved another amount than charged", record.userId, null, {
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
      if (e instanceof ClosedBeforeApproval) return this.refundPayment(record, (now) => ({ type: "approved_after_close", now, paymentKey: payment.paymentKey }));
      if (!isNyangError(e, "balance_limit_exceeded")) throw e;
      return this.refundPayment(record, (now) => ({ type: "over_limit", now, paymentKey: payment.paymentKey, why: e.message }));
    }
    const stored = result.replayed ? await this.store.getCharge(record.userId, record.id) : paidRecord;
    if (stored) await this.raiseAlerts(stored);
    return result.replayed ? "already_charged" : "charged";
  }

  private credit(record: ChargeRecord, payment: Payment, creditKey: string, transactionId: string, onPaid: (r: ChargeRecord) => void) {
    return this.ledger.creditAutoCharge(record.userId, creditKey, async (now) => {
      const cur = await this.store.getCharge(record.userId, record.id);
      if (!cur) throw new Error(`auto-charge record ${record.id} vanished`);
      const t = nextCharge(cur, { type: "approved", now, paymentKey: payment.paymentKey, transactionId }, this.rules);
      if (t.kind === "refused") {
        // Another worker found the coins over the limit: the payment goes back, never as coins.
        if (t.refusal === "refunding") {
          throw new NyangError("balance_limit_exceeded", cur.failureMessage ?? "The balance would exceed its maximum", { chargeId: cur.id });
        }
        // Closed (canceled, gave up) before this approval was seen: never credited, refunded.
        if (t.refusal === "closed") throw new ClosedBeforeApproval(cur.id);
        // Paid already: the credit entry exists; the ledger replays it.
        throw new NyangError("order_not_pending", "The auto-charge is settled", { chargeId: cur.id });
      }
      const settings = await this.store.getSettings(record.userId);
      onPaid(t.record);
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
          { kind: "auto_charge" as const, before: cur, after: t.record },
          ...monthIntents(cur, t.record, null),
          ...(settings ? [{ kind: "auto_charge_failures_reset" as const, userId: record.userId, now }] : []),
        ],
      };
    });
  }

  // ---- payments that go back -----------------------------------------------------------------

  /**
   * The card was charged, but the coins will not be credited: another credit landed meanwhile
   * and they no longer fit under MAX_COIN_AMOUNT (`over_limit`), or the record was closed before
   * the approval was seen (`approved_after_close`). Never credited, never kept without coins: the
   * record moves to `refund_pending` first (no credit can follow it; due for the sweeps when its
   * lease ends), then the gateway cancels the payment and the record is `refunded`. Not a card
   * refusal: the failure count is left alone.
   */
  private async refundPayment(record: ChargeRecord, event: (now: Date) => Extract<ChargeEvent, { type: "over_limit" | "approved_after_close" }>): Promise<ChargeOutcome> {
    const marked = (await this.apply(record, event)).record;
    if (marked.status === "paid") return "already_charged";
    if (marked.status !== "refund_pending") return marked.status === "refunded" ? "canceled" : "pending";
    return this.finishRefund(marked);
  }

  /**
   * A record canceled while an attempt may have been in flight, its recheck due: the gateway's
   * record of the order decides. A payment found is refunded; none, and the record closes for
   * good (its room under the monthly cap given back); no answer, and it stays due.
   */
  private async recheck(record: ChargeRecord): Promise<ChargeOutcome> {
    const found = await this.lookUp(record);
    if (found === "unknown") return "pending";
    if (found) return this.settle(record, found);
    const t = await this.apply(record, (now) => ({ type: "recheck_none", now }));
    return t.kind === "next" ? "none" : "pending";
  }

  /**
   * Cancels the payment of a `refund_pending` record at the gateway and marks it `refunded`. No
   * answer: the lease runs out and a sweep sends it again. A refusal (rare for a payment seconds
   * old) leaves it `refund_pending` off the sweeps' queue, for an operator ({@link retryRefund}),
   * with the refusal in failureMessage.
   */
  private async finishRefund(record: ChargeRecord): Promise<ChargeOutcome> {
    const sent = await this.sendRefund(record);
    return sent.kind === "refunded" ? "canceled" : "pending";
  }

  /**
   * An operator's retry of a refund the gateway refused (the record `refund_pending` off the
   * sweeps' queue): the record goes back under a lease with a new cancel key (the refused key
   * would only replay its refusal), then the cancel is sent as the sweep sends it. Answers the
   * record `refunded`; throws `payment_declined` when the gateway refuses again (the record
   * stays as it was, `refund_pending` for an operator, with the new refusal), `payment_pending`
   * when it does not answer (a sweep resends the same key once the lease is over),
   * `charge_not_found`, or `charge_not_refund_pending` for any other record (refunded already,
   * never refunding, or a refund still under way).
   */
  async retryRefund(userId: string, chargeId: string): Promise<ChargeRecord> {
    const record = await this.store.getCharge(userId, chargeId);
    if (!record) throw chargeNotFound(userId, chargeId);
    const t = await this.apply(record, (now) => ({ type: "refund_retry", now }));
    if (t.kind === "refused") throw chargeNotRefundPending(t.record);
    const sent = await this.sendRefund(t.record);
    if (sent.kind === "refused") throw paymentDeclined(sent.refusal, "The gateway refused the refund");
    if (sent.kind === "unknown") throw paymentPending("The gateway did not answer the refund; it is sent again once its lease is over", { chargeId });
    return sent.record;
  }

  /** One cancel of a `refund_pending` record's payment, under the key of its attempt and refund retry, and the record change it makes. */
  private async sendRefund(record: ChargeRecord): Promise<{ kind: "refunded"; record: ChargeRecord } | { kind: "refused"; refusal: PaymentDeclinedError } | { kind: "unknown" }> {
    if (record.paymentKey === null) throw new Error(`auto-charge record ${record.id} is refund_pending without a payment key`);
    try {
      await this.gateway.cancel({
        paymentKey: record.paymentKey,
        reason: record.failureCode === CHARGE_APPROVED_AFTER_CLOSE ? "the auto-charge was canceled before its payment was approved" : "the auto-charge would lift the coin balance above its maximum",
        idempotencyKey: refundKeyFor(record.id, record.attempts, record.refundRetries),
      });
    } catch (e) {
      if (e instanceof PaymentUnknownError) return { kind: "unknown" };
      if (!(e instanceof PaymentDeclinedError)) throw e;
      if (e.reason !== "already_canceled") {
        this.logError("auto-charge: the gateway refused to refund an over-limit charge; an operator must look at it", record.userId, e, { chargeId: record.id });
        await this.apply(record, (now) => ({ type: "refund_refused", now, refusal: e }));
        return { kind: "refused", refusal: e };
      }
    }
    const after = (await this.apply(record, (now) => ({ type: "refunded", now }))).record;
    // Raised again when another worker marked it: that one may have stopped before its alert.
    if (after.status === "refunded") await this.raiseAlerts(after);
    return { kind: "refunded", record: after };
  }

  // ---- failures ----------------------------------------------------------------------------

  /**
   * A refused attempt: the record waits out its backoff, the account's failure count goes up,
   * and at the limit auto-charge turns itself off (the record gives up). One transaction, so
   * the count and the record agree.
   */
  private async fail(record: ChargeRecord, code: string, message: string): Promise<ChargeOutcome> {
    return untilSettled(shortRetry, async (): Promise<ChargeOutcome | typeof AGAIN> => {
      const cur = await this.store.getCharge(record.userId, record.id);
      if (!cur) return "failed";
      const settings = await this.store.getSettings(record.userId);
      const t = nextCharge(cur, { type: "declined", now: this.clock(), attempt: record.attempts, code, message, settings }, this.rules);
      if (t.kind === "refused") return "failed";
      const intents: AutoChargeIntent[] = [{ kind: "auto_charge", before: cur, after: t.record }, ...monthIntents(cur, t.record, null)];
      if (settings) intents.push({ kind: "auto_charge_settings", before: settings, after: settingsAfterDecline(settings, t.record) });
      if (!(await this.store.commit(intents))) return AGAIN;
      await this.raiseAlerts(t.record);
      return t.record.status === "gave_up" ? "disabled" : "failed";
    }, () => contention(record.userId));
  }

  /** One try (no retry): a lost race leaves the record to whoever moved it. */
  private async cancel(record: ChargeRecord, why: string): Promise<ChargeOutcome> {
    const cur = (await this.store.getCharge(record.userId, record.id)) ?? record;
    const t = nextCharge(cur, { type: "cancel", now: this.clock(), why }, this.rules);
    if (t.kind === "refused") return t.refusal === "already_paid" ? "already_charged" : t.refusal === "refunding" ? "pending" : "none";
    return (await this.write(cur, t.record)) ? "canceled" : "pending";
  }

  /**
   * Decides `event` on the record as stored (or as known, if it cannot be read) and writes the
   * change, conditioned on the revision it was decided from; on a lost race, decides again.
   * A refusal writes nothing and carries the record as read.
   */
  private apply(record: ChargeRecord, event: (now: Date) => ChargeEvent): Promise<ChargeTransition> {
    return untilSettled(shortRetry, async (): Promise<ChargeTransition | typeof AGAIN> => {
      const cur = (await this.store.getCharge(record.userId, record.id)) ?? record;
      const t = nextCharge(cur, event(this.clock()), this.rules);
      if (t.kind === "refused") return t;
      return (await this.write(cur, t.record)) ? t : AGAIN;
    }, () => contention(record.userId));
  }

  /**
   * A write of the record, conditioned on the revision `before` had (or on absence), with the
   * month counter's move it implies (monthly-cap.ts): a new record is counted under `capKrw`.
   */
  private write(before: ChargeRecord | null, after: ChargeRecord, capKrw: number | null = null): Promise<boolean> {
    return this.store.commit([{ kind: "auto_charge", before, after }, ...monthIntents(before, after, capKrw)]);
  }

  private async raiseAlerts(record: ChargeRecord): Promise<void> {
    for (const alert of alertsForCharge(record, this.config.autoCharge.failureLimit)) await this.alerts.raise(alert);
  }

  private logError(message: string, userId: string, error: unknown, extra: Record<string, unknown> = {}): void {
    this.log.error(message, { userId, ...extra, ...(error ? { error: String(error) } : {}) });
  }
}
