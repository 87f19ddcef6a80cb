import type { NyangConfig } from "../config.ts";
import { contention, NyangError } from "../errors.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { Minor } from "../money.ts";
import { PaymentDeclinedError, PaymentUnknownError, type PaymentGateway } from "../payments/gateway.ts";
import { paymentDeclined, paymentPending } from "../payments/payment-errors.ts";
import { AGAIN, shortRetry, untilSettled } from "../retry.ts";
import type { AutoChargePort } from "./auto-charge-port.ts";
import { autoChargeUnavailable, krwFor, registrationKeyFor, type AutoChargeSettings, type CustomerKeyOf, type RegisteredCard } from "./model.ts";
import { effectiveMonthlyCap, seoulMonth } from "./monthly-cap.ts";
import { assertChargeFits, defaultSettings, settingsAfterDisable, settingsAfterUpdate } from "./settings-transitions.ts";

/** A PUT of the settings; absent fields keep their current value (or the configured default). */
export interface AutoChargeSettingsInput {
  enabled: boolean;
  threshold?: Minor | undefined;
  amount?: Minor | undefined;
  paymentMethod?: "card" | undefined;
  /** The account's monthly cap in KRW; null: back to the service's default (AUTO_CHARGE_MONTHLY_CAP_KRW). */
  monthlyCapKrw?: number | null | undefined;
  /** From the card-registration window's redirect: registers (or replaces) the card. */
  authKey?: string | undefined;
  /**
   * What the redirect carries beside the authKey: never taken as the customer, only checked
   * against the account's own customer key ({@link AutoChargeSettingsService.customerKeyOf}).
   */
  customerKey?: string | undefined;
}

/** An account's monthly cap now: see {@link AutoChargeSettingsService.monthlyCap}. */
export interface MonthlyCapStatus {
  /** `YYYY-MM`, Korea time. */
  month: string;
  capKrw: number | null;
  chargedKrw: number;
}

/**
 * An account's auto-charge settings and its registered card: read, saved, turned off. Saving
 * them never charges; whoever runs the service is told when a save left auto-charge on
 * (`onEnabled`), since a balance already at or below the threshold is then a crossing.
 */
export class AutoChargeSettingsService {
  constructor(
    private readonly ledger: Ledger,
    private readonly store: AutoChargePort,
    private readonly gateway: PaymentGateway,
    private readonly config: NyangConfig,
    /** The account's customer key at the gateway (see model.ts, hmacCustomerKeys). */
    readonly customerKeyOf: CustomerKeyOf,
    private readonly onEnabled: (userId: string) => Promise<void>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

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
    // Before the card is registered (a gateway call); again on the settings as written.
    if (input.enabled) assertChargeFits(input.threshold ?? current?.threshold ?? ac.threshold, amount, this.config.maxCoinAmount);
    let card: RegisteredCard | null | undefined;
    if (input.authKey !== undefined) card = await this.registerCard(userId, input.authKey, customerKey);

    const saved = await untilSettled(shortRetry, async () => {
      const [cur, account] = await Promise.all([this.store.getSettings(userId), this.ledger.getAccount(userId)]);
      const now = this.clock();
      const base = cur ?? this.defaults(userId, now);
      const next = settingsAfterUpdate(base, {
        enabled: input.enabled,
        threshold: input.threshold ?? base.threshold,
        amount,
        paymentMethod: input.paymentMethod ?? "card",
        billing: card ?? base.billing,
        monthlyCapKrw: input.monthlyCapKrw === undefined ? base.monthlyCapKrw : input.monthlyCapKrw,
        accountVersion: account.version,
        now,
        maxCoinAmount: this.config.maxCoinAmount,
      });
      return (await this.write(cur, next)) ? next : AGAIN;
    }, () => contention(userId));
    if (saved.enabled) await this.onEnabled(userId);
    return saved;
  }

  /**
   * The account's monthly cap as it stands now: the Korea-time month, the cap in force (its own,
   * else the service's default; null: none) and the KRW counted in the month so far.
   */
  async monthlyCap(settings: Pick<AutoChargeSettings, "userId" | "monthlyCapKrw">): Promise<MonthlyCapStatus> {
    const month = seoulMonth(this.clock());
    return {
      month,
      capKrw: effectiveMonthlyCap(settings, this.config.autoCharge.monthlyCapKrw),
      chargedKrw: await this.store.chargedKrw(settings.userId, month),
    };
  }

  /** Turns auto-charge off and forgets the card. An attempt already in flight still settles. */
  async disable(userId: string): Promise<AutoChargeSettings> {
    await this.ledger.getAccount(userId);
    return untilSettled(shortRetry, async () => {
      const cur = await this.store.getSettings(userId);
      const now = this.clock();
      if (!cur) return this.defaults(userId, now);
      const next = settingsAfterDisable(cur, now);
      return (await this.write(cur, next)) ? next : AGAIN;
    }, () => contention(userId));
  }

  private write(before: AutoChargeSettings | null, after: AutoChargeSettings): Promise<boolean> {
    return this.store.commit([{ kind: "auto_charge_settings", before, after }]);
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
    return defaultSettings(userId, this.config.autoCharge, now);
  }
}

/** `field`: what gave the other customer away — the caller's customerKey, or the gateway refusing the authKey. */
const customerKeyMismatch = (field: "customerKey" | "authKey") =>
  new NyangError(
    "customer_key_mismatch",
    "This card registration is not this account's: open the card-registration window with the customerKey GET …/auto-charge returns",
    { field },
  );
