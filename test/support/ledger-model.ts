import { entryIdFor, holdIdFor, orderIdFor, type CoinPackage, type EntryType, type ErrorCode, type NyangConfig, type OrderStatus } from "@nyang/core";

/**
 * A plain in-memory model of one account's ledger, written apart from the product's rules
 * (no import of rules.ts or holds.ts) so that the property test in
 * test/ledger/ledger.property.integration.test.ts can hold the real Ledger, on DynamoDB
 * Local, to it: the same balances, paid/bonus parts, held coins, entries and refusals.
 * Each operation either refuses (the code docs/api.md names) or applies and says what the
 * call must answer. Times are milliseconds; ids derive from keys as the API documents.
 * Quantities, unit prices and over-captures follow docs/credits.md ("Quantities and the
 * price snapshot", "Over-capture"); bonus lots and their expiry follow its "Bonus lots with
 * expiry": lots spent soonest expiry first, an expired lot counting for nothing at once and
 * written off (a `bonus_expiry` entry) by the next write of the account or by the lot sweep,
 * never-expiring bonus other than a purchase's pooled, a cancel taking back its own lot only.
 */

/** A bonus lot as the model keeps it (times in ms; null: never expires). */
export interface ModelLot {
  id: string;
  remaining: number;
  expiresAt: number | null;
}

/** The never-expiring lot every bonus that is not a purchase's and does not expire goes into. */
export const POOL = "pool";

/** What an applied call answers: the account after it (a replay answers the first call's). */
export interface Snapshot {
  balance: number;
  paidBalance: number;
  bonusBalance: number;
  version: number;
}

export interface ModelEntry {
  id: string;
  seq: number;
  type: EntryType;
  amount: number;
  paidAmount: number;
  bonusAmount: number;
  balanceBefore: number;
  balanceAfter: number;
  /** Set when the amount is a whole number of units at a unit price the entry refers to; else null. */
  quantity: number | null;
  unitPrice: number | null;
}

/** How much a usage or a hold is: `quantity` units at `unitPrice` (a bare amount is one unit of it). */
export interface Units {
  quantity: number;
  unitPrice: number;
}

/** How a capture names how much: an amount, units at the hold's price, or neither (all of it). */
export interface CaptureRequest {
  amount?: number | undefined;
  quantity?: number | undefined;
  /** Above the hold: refused (the default) or the extra taken from the available balance. */
  overCapture?: "reject" | "from_available" | undefined;
}

/** How a refund names how much: an amount, units at the original's price, or neither (the rest). */
export interface RefundRequest {
  amount?: number | undefined;
  quantity?: number | undefined;
}

export interface ModelHold {
  id: string;
  amount: number;
  quantity: number;
  unitPrice: number;
  expiresAt: number;
  /** As stored: a pending hold past its expiry stays `pending` here until the sweep marks it. */
  stored: "pending" | "captured" | "released" | "expired";
  capturedAmount: number | null;
}

export interface ModelOrder {
  id: string;
  pkg: CoinPackage;
  status: OrderStatus;
  paidAt: number | null;
  cancelAttempts: number;
  /** The payment key the test authorised for it at the gateway (one per order). */
  paymentKey: string | null;
  purchaseEntryId: string | null;
  /** When the purchase's bonus lot expires (null: never), fixed at the payment. */
  bonusExpiresAt: number | null;
}

/** A caller's idempotency key that made a record, and what a replay of it answers. */
export interface KeyRecord {
  /** The request as sent (operation and parameters): the same key with another signature conflicts. */
  signature: string;
  id: string;
  after: Snapshot;
}

export type Outcome =
  | { ok: true; after: Snapshot; id?: string; replayed: boolean }
  /** `details`, where the model predicts them (minor units; the error carries them formatted). */
  | { ok: false; code: ErrorCode; details?: Record<string, number> };

const refused = (code: ErrorCode, details?: Record<string, number>): Outcome => (details ? { ok: false, code, details } : { ok: false, code });

/** The units an amount makes at a unit price, if it makes a whole number of them. */
function wholeUnits(amount: number, unitPrice: number | null): Units | null {
  if (unitPrice === null || unitPrice <= 0 || amount <= 0 || amount % unitPrice !== 0) return null;
  return { quantity: amount / unitPrice, unitPrice };
}

export class LedgerModel {
  paid = 0;
  bonus = 0;
  used = 0;
  purchased = 0;
  frozen = false;
  /** Bonus lots in the order they were granted (spending order is computed from it). */
  lots: ModelLot[] = [];
  readonly entries: ModelEntry[] = [];
  readonly holds = new Map<string, ModelHold>();
  readonly orders = new Map<string, ModelOrder>();
  readonly keys = new Map<string, KeyRecord>();
  /**
   * Keys a purchase confirm or cancel took, with the request each was taken for: taken before
   * the call acts and kept whatever it answers (docs/purchases.md), unlike `keys`.
   */
  readonly claims = new Map<string, string>();
  /** What each refundable entry has had back, paid and bonus parts. */
  readonly refunded = new Map<string, { paid: number; bonus: number }>();
  /** How often each case of docs/credits.md was decided (printed, so a run shows what it met). */
  readonly cases = new Map<string, number>();

  private met(what: string): void {
    this.cases.set(what, (this.cases.get(what) ?? 0) + 1);
  }

  constructor(
    readonly userId: string,
    readonly config: NyangConfig,
    public now: number,
  ) {
    if (config.defaultCoinAmount > 0) {
      const id = entryIdFor(userId, "signup", "system");
      const days = config.signupBonusExpiryDays;
      this.post(id, "signup_bonus", 0, config.defaultCoinAmount);
      this.grant(days === null ? POOL : id, config.defaultCoinAmount, days === null ? null : now + days * 86_400_000);
    }
  }

  /** A lot counts until its expiry (the instant itself included in the past). */
  private live(l: ModelLot): boolean {
    return l.expiresAt === null || l.expiresAt > this.now;
  }

  /** The lots in spending order: soonest expiry first, never last, ties as granted. */
  spendingOrder(): ModelLot[] {
    const key = (l: ModelLot) => l.expiresAt ?? Infinity;
    return this.lots.map((l, i) => ({ l, i })).sort((a, b) => key(a.l) - key(b.l) || a.i - b.i).map(({ l }) => l);
  }

  /** Bonus coins that count now: expired lots do not, before or after their entry. */
  get liveBonus(): number {
    return this.lots.filter((l) => this.live(l)).reduce((s, l) => s + l.remaining, 0);
  }

  private grant(id: string, amount: number, expiresAt: number | null): void {
    const same = this.lots.find((l) => l.id === id);
    if (same) same.remaining += amount;
    else this.lots.push({ id, remaining: amount, expiresAt });
    if (this.lots.length > 20) throw new Error("the model does not merge lots past the bound; keep runs under 20 lots");
  }

  private take(lot: ModelLot, amount: number): void {
    lot.remaining -= amount;
    if (lot.remaining === 0) this.lots = this.lots.filter((l) => l !== lot);
  }

  /** A bonus debit: live lots, soonest expiry first. */
  private draw(amount: number): void {
    let left = amount;
    for (const l of this.spendingOrder()) {
      if (left === 0) break;
      if (!this.live(l)) continue;
      const n = Math.min(left, l.remaining);
      this.take(l, n);
      left -= n;
    }
    if (left !== 0) throw new Error("model: a bonus debit beyond the live lots");
  }

  /** Every lot past its expiry gets its `bonus_expiry` entry for what is left, in spending order. */
  private writeOffExpired(): void {
    for (const l of this.spendingOrder().filter((x) => !this.live(x))) {
      this.post(entryIdFor(this.userId, `bonus_expiry:${l.id}:${new Date(l.expiresAt!).toISOString()}`, "system"), "bonus_expiry", 0, -l.remaining);
      this.take(l, l.remaining);
      this.met("bonus lot written off");
    }
  }

  /**
   * The lot sweep: an account with a lot due before now (the queue's `byDue` keys before now,
   * so from the millisecond after its expiry) has every expired lot written off.
   */
  sweepLots(): void {
    if (this.lots.some((l) => l.expiresAt !== null && l.expiresAt < this.now)) this.writeOffExpired();
  }

  get balance(): number {
    return this.paid + this.bonus;
  }

  get version(): number {
    return this.entries.length;
  }

  /** A hold as a caller sees it now: pending past its expiry reads as expired. */
  statusOf(h: ModelHold): ModelHold["stored"] {
    return h.stored === "pending" && h.expiresAt <= this.now ? "expired" : h.stored;
  }

  /** The holds still reserving coins now. */
  liveHolds(): ModelHold[] {
    return [...this.holds.values()].filter((h) => this.statusOf(h) === "pending");
  }

  get held(): number {
    return this.liveHolds().reduce((s, h) => s + h.amount, 0);
  }

  /** What can be spent: paid coins and bonus that still counts, less what live holds reserve. */
  get available(): number {
    return this.paid + this.liveBonus - this.held;
  }

  /** The balance as it counts now (what credits are checked against: the write loop writes expired lots off before deciding). */
  private get counting(): number {
    return this.paid + this.liveBonus;
  }

  snapshot(): Snapshot {
    return { balance: this.balance, paidBalance: this.paid, bonusBalance: this.bonus, version: this.version };
  }

  private post(id: string, type: EntryType, paid: number, bonus: number, units: Units | null = null): ModelEntry {
    // A debit of nothing from one part is 0, not -0, as the ledger stores it.
    const paidDelta = paid + 0;
    const bonusDelta = bonus + 0;
    const before = this.balance;
    this.paid += paidDelta;
    this.bonus += bonusDelta;
    const entry: ModelEntry = {
      id, seq: this.entries.length + 1, type, amount: paidDelta + bonusDelta, paidAmount: paidDelta, bonusAmount: bonusDelta,
      balanceBefore: before, balanceAfter: this.balance, quantity: units?.quantity ?? null, unitPrice: units?.unitPrice ?? null,
    };
    this.entries.push(entry);
    return entry;
  }

  /** Splits a debit the configured way round; the caller has checked there is enough. */
  private split(amount: number): { paid: number; bonus: number } {
    if (this.config.spendOrder === "bonus_first") {
      const bonus = Math.min(amount, this.liveBonus);
      return { paid: amount - bonus, bonus };
    }
    const paid = Math.min(amount, this.paid);
    return { paid, bonus: amount - paid };
  }

  private overLimit(credit: number): boolean {
    return this.counting + credit > this.config.maxCoinAmount;
  }

  /**
   * A keyed call: a key already used answers its record (same request) or conflicts (another
   * request), whatever the state now; otherwise `apply` decides, and its record is kept.
   */
  private keyed(key: string, signature: string, apply: () => Outcome): Outcome {
    // A confirm's or cancel's key is never a ledger call's request.
    if (this.claims.has(key)) return refused("idempotency_conflict");
    const record = this.keys.get(key);
    if (record) return record.signature === signature ? { ok: true, after: record.after, id: record.id, replayed: true } : refused("idempotency_conflict");
    const outcome = apply();
    if (outcome.ok) this.keys.set(key, { signature, id: outcome.id!, after: outcome.after });
    return outcome;
  }

  private debit(id: string, type: "usage" | "hold_capture" | "admin_adjustment", amount: number, units: Units | null = null): Outcome {
    this.writeOffExpired();
    const { paid, bonus } = this.split(amount);
    this.draw(bonus);
    this.post(id, type, -paid, -bonus, units);
    if (type !== "admin_adjustment") this.used += amount;
    return { ok: true, after: this.snapshot(), id, replayed: false };
  }

  /** A usage of `units` (a bare amount is one unit of it): the entry keeps both, always. */
  spend(key: string, signature: string, units: Units): Outcome {
    return this.keyed(key, signature, () => {
      const amount = units.quantity * units.unitPrice;
      if (this.frozen) return refused("account_frozen");
      if (amount > this.available) return refused("insufficient_coins");
      if (units.quantity > 1) this.met("usage of several units");
      return this.debit(entryIdFor(this.userId, key), "usage", amount, units);
    });
  }

  charge(key: string, signature: string, amount: number): Outcome {
    return this.keyed(key, signature, () => {
      if (this.frozen) return refused("account_frozen");
      if (this.overLimit(amount)) return refused("balance_limit_exceeded");
      const id = entryIdFor(this.userId, key);
      this.writeOffExpired();
      this.post(id, "purchase", amount, 0);
      this.purchased += amount;
      return { ok: true, after: this.snapshot(), id, replayed: false };
    });
  }

  /** Admins may adjust frozen accounts; a credit is bonus coins, a debit takes available coins. */
  adjust(key: string, signature: string, amount: number): Outcome {
    return this.keyed(key, signature, () => {
      const id = entryIdFor(this.userId, key);
      if (amount > 0) {
        if (this.overLimit(amount)) return refused("balance_limit_exceeded");
        this.writeOffExpired();
        this.post(id, "admin_adjustment", 0, amount);
        this.grant(POOL, amount, null);
        return { ok: true, after: this.snapshot(), id, replayed: false };
      }
      if (-amount > this.available) return refused("insufficient_coins");
      return this.debit(id, "admin_adjustment", -amount);
    });
  }

  /**
   * Refunds (part of) a usage or hold_capture entry: paid coins back first; frozen or not. A
   * quantity counts units at the original's stored unit price (none: refused); what is left
   * counts coins, so refunds by quantity and by amount mix.
   */
  refund(key: string, signature: string, transactionId: string, req: RefundRequest): Outcome {
    return this.keyed(key, signature, () => {
      const original = this.entries.find((e) => e.id === transactionId);
      if (!original) return refused("transaction_not_found");
      if (req.quantity !== undefined && original.unitPrice === null) return refused("validation_failed");
      if (original.type !== "usage" && original.type !== "hold_capture") return refused("validation_failed");
      const amount = req.quantity === undefined ? req.amount : req.quantity * original.unitPrice!;
      const back = this.refunded.get(original.id) ?? { paid: 0, bonus: 0 };
      const paidLeft = -original.paidAmount - back.paid;
      const left = paidLeft + (-original.bonusAmount - back.bonus);
      const requested = amount ?? left;
      if (requested <= 0 || requested > left) return refused("refund_exceeds_original");
      if (this.overLimit(requested)) return refused("balance_limit_exceeded");
      const paid = Math.min(requested, paidLeft);
      const id = entryIdFor(this.userId, key);
      if (req.quantity !== undefined) this.met("refund by quantity");
      this.writeOffExpired();
      this.post(id, "refund", paid, requested - paid, wholeUnits(requested, original.unitPrice));
      // Refunded bonus goes to the pool, never back to the lot it came from.
      if (requested - paid > 0) this.grant(POOL, requested - paid, null);
      this.used -= requested;
      this.refunded.set(original.id, { paid: back.paid + paid, bonus: back.bonus + requested - paid });
      return { ok: true, after: this.snapshot(), id, replayed: false };
    });
  }

  /** Reserves `units` (a bare amount is one unit of it); the hold keeps its unit price for captures by quantity. */
  reserve(key: string, signature: string, units: Units, ttlSeconds: number): Outcome {
    return this.keyed(key, signature, () => {
      const amount = units.quantity * units.unitPrice;
      if (this.frozen) return refused("account_frozen");
      if (amount > this.available) return refused("insufficient_coins");
      if (this.liveHolds().length >= 100) return refused("too_many_holds");
      const id = holdIdFor(this.userId, key);
      this.writeOffExpired();
      this.holds.set(id, { id, amount, ...units, expiresAt: this.now + ttlSeconds * 1000, stored: "pending", capturedAmount: null });
      return { ok: true, after: this.snapshot(), id, replayed: false };
    });
  }

  /**
   * Captures (part of) a pending hold; frozen accounts may capture what they reserved before.
   * Above the hold only with `from_available`: the extra must fit in the available coins (which
   * still count this hold as reserved) and a frozen account refuses it; the whole capture is one
   * debit in the spend order. The entry shows units when the capture is whole units of the hold's price.
   */
  capture(key: string, signature: string, holdId: string, req: CaptureRequest): Outcome {
    return this.keyed(key, signature, () => {
      const hold = this.holds.get(holdId);
      if (!hold) return refused("hold_not_found");
      if (this.statusOf(hold) !== "pending") return refused("hold_not_pending");
      const captured = req.quantity === undefined ? (req.amount ?? hold.amount) : req.quantity * hold.unitPrice;
      if (captured > hold.amount) {
        const extra = captured - hold.amount;
        const refusal: Outcome | null =
          (req.overCapture ?? "reject") === "reject" ? refused("invalid_amount")
          : this.frozen ? refused("account_frozen")
          : extra > this.available ? refused("insufficient_coins", { required: extra, available: this.available })
          : null;
        this.met(`over-capture ${refusal ? `refused ${refusal.ok ? "" : refusal.code}` : "from available"}`);
        if (refusal) return refusal;
      }
      // A hold pins no lot: bonus it was reserved against may have expired since.
      const coverable = this.counting;
      if (captured > coverable) {
        this.met("capture short after a lot expired");
        return refused("insufficient_coins", { required: captured, available: coverable });
      }
      if (req.quantity !== undefined) this.met("capture by quantity");
      hold.stored = "captured";
      hold.capturedAmount = captured;
      return this.debit(entryIdFor(this.userId, key), "hold_capture", captured, wholeUnits(captured, hold.unitPrice));
    });
  }

  /** Releases a pending hold; a key, when given, is a key like any other: a retry replays, another request with it conflicts. */
  release(key: string | null, signature: string, holdId: string): Outcome {
    const apply = (): Outcome => {
      const hold = this.holds.get(holdId);
      if (!hold) return refused("hold_not_found");
      if (this.statusOf(hold) !== "pending") return refused("hold_not_pending");
      // A keyed release is a write of the write loop, which writes expired lots off first; a keyless one is not.
      if (key !== null) this.writeOffExpired();
      hold.stored = "released";
      return { ok: true, after: this.snapshot(), id: holdId, replayed: false };
    };
    return key === null ? apply() : this.keyed(key, signature, apply);
  }

  /**
   * The expiry sweep: pending holds past their expiry are marked expired (they reserve nothing
   * already). Past it, strictly: a hold reads as expired from its `expiresAt` on, but the
   * sweep's query (`byDue` keys before now) finds it from the next millisecond.
   */
  sweep(): number {
    let expired = 0;
    for (const h of this.holds.values()) {
      if (h.stored === "pending" && h.expiresAt < this.now) {
        h.stored = "expired";
        expired++;
      }
    }
    return expired;
  }

  setFrozen(frozen: boolean): void {
    this.frozen = frozen;
  }

  createOrder(key: string, signature: string, pkg: CoinPackage): Outcome {
    return this.keyed(key, signature, () => {
      if (this.frozen) return refused("account_frozen");
      if (pkg.priceKrw < this.config.minPurchaseAmountKrw) return refused("below_minimum_purchase");
      if (this.overLimit(pkg.coins + pkg.bonusCoins)) return refused("balance_limit_exceeded");
      const id = orderIdFor(this.userId, key);
      this.orders.set(id, { id, pkg, status: "pending", paidAt: null, cancelAttempts: 0, paymentKey: null, purchaseEntryId: null, bonusExpiresAt: null });
      return { ok: true, after: this.snapshot(), id, replayed: false };
    });
  }

  /** Whether a confirm's or cancel's key is another request's: a ledger call's, or another confirm's or cancel's. */
  private claimConflicts(key: string | null, signature: string): boolean {
    if (key === null) return false;
    const claimed = this.claims.get(key);
    return this.keys.has(key) || (claimed !== undefined && claimed !== signature);
  }

  /**
   * Confirms an order's payment: its coins (paid) and bonus coins land once, in one `purchase`
   * entry, frozen or not (the money is taken). `declined`: the gateway refuses; the order fails.
   * With a key, the key is taken first; a keyed confirm of an order its payment credited answers
   * that credit, whatever the order became since.
   */
  confirm(orderId: string, declined: boolean, key: string | null = null, signature = ""): Outcome {
    const o = this.orders.get(orderId)!;
    if (this.claimConflicts(key, signature)) return refused("idempotency_conflict");
    if (key !== null) this.claims.set(key, signature);
    if ((o.status === "paid" || key !== null) && o.purchaseEntryId) {
      const entry = this.entries.find((e) => e.id === o.purchaseEntryId)!;
      return { ok: true, after: this.snapshotAt(entry.seq), id: entry.id, replayed: true };
    }
    if (o.status !== "pending") return refused("order_not_pending");
    if (this.overLimit(o.pkg.coins + o.pkg.bonusCoins)) return refused("balance_limit_exceeded");
    if (declined) {
      o.status = "failed";
      return refused("payment_declined");
    }
    this.writeOffExpired();
    const entry = this.post(entryIdFor(this.userId, `purchase:${orderId}`, "system"), "purchase", o.pkg.coins, o.pkg.bonusCoins);
    this.purchased += o.pkg.coins + o.pkg.bonusCoins;
    o.status = "paid";
    o.paidAt = this.now;
    o.purchaseEntryId = entry.id;
    // The package's bonus is a lot of its own, under the purchase entry's id, expiring or not.
    o.bonusExpiresAt = o.pkg.bonusExpiryDays === null ? null : this.now + o.pkg.bonusExpiryDays * 86_400_000;
    if (o.pkg.bonusCoins > 0) {
      this.lots.push({ id: entry.id, remaining: o.pkg.bonusCoins, expiresAt: o.bonusExpiresAt });
      if (this.lots.length > 20) throw new Error("the model does not merge lots past the bound; keep runs under 20 lots");
    }
    return { ok: true, after: this.snapshot(), id: entry.id, replayed: false };
  }

  /** Whether a confirm of this order would reach the gateway (so a one-off gateway mode would be used up). */
  confirmReachesGateway(orderId: string, key: string | null = null, signature = ""): boolean {
    const o = this.orders.get(orderId)!;
    return !this.claimConflicts(key, signature) && o.status === "pending" && !this.overLimit(o.pkg.coins + o.pkg.bonusCoins);
  }

  /**
   * Cancels a paid purchase within the window while all its coins are still there: a `refund`
   * entry takes them back, then the gateway cancels. `declined`: the gateway refuses and a
   * second `refund` entry gives the coins back; the order is paid again. With a key, the key
   * is taken first.
   */
  cancel(orderId: string, declined: boolean, key: string | null = null, signature = ""): Outcome {
    const o = this.orders.get(orderId)!;
    if (this.claimConflicts(key, signature)) return refused("idempotency_conflict");
    if (key !== null) this.claims.set(key, signature);
    const why = this.cancelRefusal(o);
    if (why === "replay") {
      const entry = this.entries.find((e) => e.id === entryIdFor(this.userId, `cancel:${orderId}:${o.cancelAttempts}`, "system"))!;
      return { ok: true, after: this.snapshotAt(entry.seq), id: entry.id, replayed: true };
    }
    if (why) return refused(why);
    const { coins, bonusCoins } = o.pkg;
    o.cancelAttempts++;
    this.writeOffExpired();
    const entry = this.post(entryIdFor(this.userId, `cancel:${orderId}:${o.cancelAttempts}`, "system"), "refund", -coins, -bonusCoins);
    // Its own lot only, never other bonus.
    if (bonusCoins > 0) this.take(this.lots.find((l) => l.id === o.purchaseEntryId)!, bonusCoins);
    this.purchased -= coins + bonusCoins;
    if (declined) {
      this.post(entryIdFor(this.userId, `cancel-reversal:${orderId}:${o.cancelAttempts}`, "system"), "refund", coins, bonusCoins);
      // The lot comes back: the same id, the same expiry.
      if (bonusCoins > 0) this.grant(o.purchaseEntryId!, bonusCoins, o.bonusExpiresAt);
      this.purchased += coins + bonusCoins;
      return refused("payment_declined");
    }
    o.status = "canceled";
    return { ok: true, after: this.snapshot(), id: entry.id, replayed: false };
  }

  /** Whether a cancel of this order would reach the gateway. */
  cancelReachesGateway(orderId: string, key: string | null = null, signature = ""): boolean {
    return !this.claimConflicts(key, signature) && this.cancelRefusal(this.orders.get(orderId)!) === null;
  }

  private cancelRefusal(o: ModelOrder): ErrorCode | "replay" | null {
    if (o.status === "canceled") return "replay";
    if (o.status !== "paid" || o.paidAt === null) return "order_not_pending";
    if (this.now > o.paidAt + this.config.purchases.refundWindowDays * 86_400_000) return "refund_window_closed";
    const { coins, bonusCoins } = o.pkg;
    const lot = this.lots.find((l) => l.id === o.purchaseEntryId);
    const lotLeft = lot && this.live(lot) ? lot.remaining : 0;
    if (this.paid < coins || (bonusCoins > 0 && lotLeft < bonusCoins) || this.available < coins + bonusCoins) return "purchase_coins_spent";
    return null;
  }

  /** The account as it stood right after the entry with this seq (what that entry's replay answers). */
  private snapshotAt(seq: number): Snapshot {
    const upTo = this.entries.slice(0, seq);
    const paidBalance = upTo.reduce((s, e) => s + e.paidAmount, 0);
    const bonusBalance = upTo.reduce((s, e) => s + e.bonusAmount, 0);
    return { balance: paidBalance + bonusBalance, paidBalance, bonusBalance, version: seq };
  }
}
