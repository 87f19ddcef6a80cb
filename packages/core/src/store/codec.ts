import { recordKeyFor, recordKeyOf } from "../ledger/idempotency.ts";
import type { AnyStoredRecord, StoredEntry, StoredHold, StoredOrder } from "../ledger/ledger-port.ts";
import type { RefundTally } from "../ledger/rules.ts";
import { legacyLots, POOL_LOT_ID } from "../ledger/lots.ts";
import type { Account, ActiveHold, BonusLot, EntryType, Hold, HoldStatus, LedgerEntry, LotSource } from "../ledger/types.ts";
import type { Order, OrderStatus } from "../purchases/order.ts";
import { settingsIdFor, type AutoChargeSettings, type ChargeRecord, type ChargeStatus } from "../autocharge/model.ts";
import type { Alert } from "../alerts/alert.ts";
import type { PurchaseKeyIntent } from "../intents.ts";
import { accountKey, accountPk, lotDueKey, alertFeedKeys, alertKey, byTimeSk, chargeKey, dueKeys, holdTimeSk, kinds, orderTimeSk, recordSk, refundTallyKey, settingsKey } from "./keys.ts";

/**
 * How domain values become table items and back. Nulls are left out of items (smaller
 * items cost fewer write units) and come back as null; `details` is stored as JSON text
 * so that any caller JSON survives exactly, numbers included.
 */

type Item = Record<string, unknown>;

export function accountToItem(a: Account): Item {
  return { ...accountKey(a.userId), kind: kinds.account, ...accountFields(a) };
}

/**
 * An account's attributes, on its item and in the copies entries and holds keep
 * (`accountAfter`). An account whose bonus is all in the never-expiring pool (every account
 * that never had an expiring lot) keeps no `lots` at all: its bonus balance reads back as the
 * pool (lotsOf), so such items are the size they were before lots existed, and cost the same.
 * A never-expiring lot leaves out its expiry, as any null is left out.
 */
export function accountFields(a: Account): Item {
  const { lots, ...rest } = a;
  if (lots.every((l) => l.id === POOL_LOT_ID)) return rest;
  return { ...rest, lots: lots.map(({ expiresAt, ...l }) => (expiresAt === null ? l : { ...l, expiresAt })) };
}

/**
 * An account's bonus lots. An item without them (written before lots existed, or whose bonus
 * is all in the pool) reads its bonus balance as the one never-expiring pool lot, which is
 * exactly how it behaved before lots (docs/credits.md); the pool's `amount` then reads as
 * what is in it.
 */
function lotsOf(item: Item): BonusLot[] {
  if (!Array.isArray(item.lots)) return legacyLots(Number(item.bonusBalance));
  return (item.lots as Item[]).map((l) => ({
    id: String(l.id),
    amount: Number(l.amount),
    remaining: Number(l.remaining),
    expiresAt: str(l.expiresAt),
    source: l.source as LotSource,
  }));
}

export function itemToAccount(item: Item): Account {
  const holds: Record<string, ActiveHold> = {};
  for (const [id, h] of Object.entries((item.holds ?? {}) as Record<string, Item>)) {
    holds[id] = { amount: Number(h.amount), expiresAt: String(h.expiresAt) };
  }
  return {
    userId: String(item.userId),
    balance: Number(item.balance),
    paidBalance: Number(item.paidBalance),
    bonusBalance: Number(item.bonusBalance),
    holds,
    lots: lotsOf(item),
    used: Number(item.used ?? 0),
    purchased: Number(item.purchased ?? 0),
    status: item.status === "frozen" ? "frozen" : "active",
    version: Number(item.version),
    revision: Number(item.revision ?? item.version),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
  };
}

const orUndefined = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
const detailsOf = (item: Item) =>
  typeof item.detailsJson === "string" ? (JSON.parse(item.detailsJson) as Record<string, unknown>) : null;

function keyOf(userId: string, id: string): { pk: string; sk: string } {
  const key = recordKeyOf(id, id.startsWith("tx_") ? "entry" : id.startsWith("hold_") ? "hold" : "order");
  if (key === null) throw new Error(`not a record id: ${id}`);
  return { pk: accountPk(userId), sk: recordSk(key) };
}

export function entryToItem(e: LedgerEntry, fingerprint: string, idempotencyKey: string, accountAfter: Account): Item {
  const { details, ...rest } = e;
  const item: Item = {
    ...keyOf(e.userId, e.id),
    lsi1sk: byTimeSk(e.createdAt, e.seq),
    kind: kinds.entry,
    fingerprint,
    idempotencyKey,
    detailsJson: details === null ? undefined : JSON.stringify(details),
    accountAfter: accountFields(accountAfter),
  };
  for (const [k, v] of Object.entries(rest)) item[k] = orUndefined(v);
  return item;
}

/** An entry item (or a projection of one) → the entry; facts not read come back null. */
export function itemToEntry(item: Item): LedgerEntry {
  return {
    id: String(item.id),
    userId: String(item.userId),
    seq: Number(item.seq),
    type: item.type as EntryType,
    amount: Number(item.amount),
    paidAmount: Number(item.paidAmount),
    bonusAmount: Number(item.bonusAmount),
    balanceBefore: Number(item.balanceBefore),
    balanceAfter: Number(item.balanceAfter),
    serviceType: str(item.serviceType),
    details: detailsOf(item),
    paymentMethod: str(item.paymentMethod),
    paymentReference: str(item.paymentReference),
    adminUserId: str(item.adminUserId),
    reason: str(item.reason),
    relatedTransactionId: str(item.relatedTransactionId),
    ...entryUnits(item),
    status: "completed",
    createdAt: String(item.createdAt),
  };
}

export function itemToStoredEntry(item: Item): StoredEntry {
  return { value: itemToEntry(item), fingerprint: String(item.fingerprint), accountAfter: itemToAccount(item.accountAfter as Item) };
}

/**
 * An entry's price snapshot. Entries written before quantities existed have none: a usage
 * entry then was always one unit at its amount (the list price, or the caller's amount), so
 * it reads as quantity 1 at that price; a capture may have been partial and a refund partial,
 * so those read as none rather than a guess (docs/credits.md).
 */
function entryUnits(item: Item): Pick<LedgerEntry, "quantity" | "unitPrice"> {
  if (item.quantity !== undefined && item.unitPrice !== undefined) return { quantity: Number(item.quantity), unitPrice: Number(item.unitPrice) };
  if (item.type === "usage") return { quantity: 1, unitPrice: -Number(item.amount) };
  return { quantity: null, unitPrice: null };
}

/**
 * Where a hold sits on the account's `byTime` index (its list): what every hold write sets,
 * and what the `list-index` migration (migrations.ts) gives a hold written before.
 */
export const holdListKeys = (h: { createdAt: string; id: string }) => ({ lsi1sk: holdTimeSk(h.createdAt, h.id) });

/** Where an order sits on the account's `byTime` index, as {@link holdListKeys} for holds. */
export const orderListKeys = (o: { createdAt: string; id: string }) => ({ lsi1sk: orderTimeSk(o.createdAt, o.id) });

/**
 * A hold's item, under its key's record key. No TTL: the hold is what its key answers (a
 * replay) and what refuses the key for another request, and keys never expire (docs/api.md).
 */
export function holdToItem(h: Hold, fingerprint: string, idempotencyKey: string, accountAfter: Account): Item {
  const { details, ...rest } = h;
  const item: Item = {
    ...keyOf(h.userId, h.id),
    kind: kinds.hold,
    fingerprint,
    idempotencyKey,
    detailsJson: details === null ? undefined : JSON.stringify(details),
    accountAfter: accountFields(accountAfter),
    ...holdListKeys(h),
    ...dueKeys("HOLDS", h.userId, h.id, h.expiresAt),
  };
  for (const [k, v] of Object.entries(rest)) item[k] = orUndefined(v);
  return item;
}

export function itemToStoredHold(item: Item): StoredHold {
  const hold: Hold = {
    id: String(item.id),
    userId: String(item.userId),
    amount: Number(item.amount),
    // A hold written before quantities existed was one unit of its amount.
    quantity: Number(item.quantity ?? 1),
    unitPrice: Number(item.unitPrice ?? item.amount),
    serviceType: str(item.serviceType),
    details: detailsOf(item),
    status: item.status as HoldStatus,
    expiresAt: String(item.expiresAt),
    capturedAmount: item.capturedAmount === undefined ? null : Number(item.capturedAmount),
    captureTransactionId: str(item.captureTransactionId),
    createdAt: String(item.createdAt),
    settledAt: str(item.settledAt),
  };
  return { value: hold, fingerprint: String(item.fingerprint), accountAfter: itemToAccount(item.accountAfter as Item) };
}

/**
 * A keyed release's record under its key: what a replay answers (the hold as released, as
 * JSON so its details come back exactly, and the account). No TTL: keys never expire.
 */
export function releaseToItem(h: Hold, fingerprint: string, idempotencyKey: string, accountAfter: Account): Item {
  return {
    pk: accountPk(h.userId),
    sk: recordSk(recordKeyFor(h.userId, idempotencyKey)),
    kind: kinds.releaseKey,
    fingerprint,
    idempotencyKey,
    holdJson: JSON.stringify(h),
    accountAfter: accountFields(accountAfter),
  };
}

/** A purchase confirm's or cancel's key record: the request's fingerprint and its order. No TTL: keys never expire. */
export function purchaseKeyToItem(k: PurchaseKeyIntent): Item {
  return {
    pk: accountPk(k.userId),
    sk: recordSk(recordKeyFor(k.userId, k.idempotencyKey)),
    kind: kinds.purchaseKey,
    fingerprint: k.fingerprint,
    idempotencyKey: k.idempotencyKey,
    operation: k.operation,
    orderId: k.orderId,
    createdAt: k.createdAt,
  };
}

export function orderToItem(o: Order, fingerprint: string, idempotencyKey: string, dueAt: string | null): Item {
  const item: Item = { ...keyOf(o.userId, o.id), kind: kinds.order, fingerprint, idempotencyKey, ...orderListKeys(o) };
  for (const [k, v] of Object.entries(o)) item[k] = orUndefined(v);
  // Only orders a sweep must come back to sit in the due index.
  if (dueAt) Object.assign(item, dueKeys("ORDERS", o.userId, o.id, dueAt));
  return item;
}

export function itemToStoredOrder(item: Item): StoredOrder {
  const n = (v: unknown) => (v === undefined || v === null ? null : Number(v));
  const order: Order = {
    id: String(item.id),
    userId: String(item.userId),
    packageId: String(item.packageId),
    packageName: String(item.packageName),
    coins: Number(item.coins),
    bonusCoins: Number(item.bonusCoins),
    // Orders opened before lots existed read as never-expiring bonus, credited into the pool.
    bonusExpiryDays: n(item.bonusExpiryDays),
    bonusLotId: str(item.bonusLotId),
    amountKrw: Number(item.amountKrw),
    status: item.status as OrderStatus,
    paymentKey: str(item.paymentKey),
    confirmAttemptAt: str(item.confirmAttemptAt),
    paymentMethod: str(item.paymentMethod),
    transactionId: str(item.transactionId),
    cancelTransactionId: str(item.cancelTransactionId),
    cancelReason: str(item.cancelReason),
    cancelAttempts: n(item.cancelAttempts) ?? 0,
    failureCode: str(item.failureCode),
    failureMessage: str(item.failureMessage),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    paidAt: str(item.paidAt),
    canceledAt: str(item.canceledAt),
    revision: Number(item.revision),
  };
  return { value: order, fingerprint: String(item.fingerprint), idempotencyKey: String(item.idempotencyKey) };
}

/** A record item of any kind, decoded by its `kind`. */
export function itemToAnyRecord(item: Item): AnyStoredRecord {
  if (item.kind === kinds.entry) return { kind: "entry", ...itemToStoredEntry(item) };
  if (item.kind === kinds.hold) return { kind: "hold", ...itemToStoredHold(item) };
  if (item.kind === kinds.releaseKey) {
    return { kind: "release", value: JSON.parse(String(item.holdJson)) as Hold, fingerprint: String(item.fingerprint), accountAfter: itemToAccount(item.accountAfter as Item) };
  }
  if (item.kind === kinds.order) {
    const { value, fingerprint } = itemToStoredOrder(item);
    return { kind: "order", value, fingerprint };
  }
  if (item.kind === kinds.purchaseKey) return { kind: "purchase_key", orderId: String(item.orderId), fingerprint: String(item.fingerprint) };
  return { kind: "other", fingerprint: String(item.fingerprint) };
}

export function refundTallyToItem(userId: string, entryId: string, t: RefundTally): Item {
  return { ...refundTallyKey(userId, entryId), kind: kinds.refundTally, ...t };
}

export function itemToRefundTally(item: Item | undefined): RefundTally | null {
  if (!item) return null;
  return { refundedPaid: Number(item.refundedPaid), refundedBonus: Number(item.refundedBonus) };
}

/** A bonus lot's place on the LOTS due queue: its account, its id, due at its expiry. */
export function lotDueToItem(userId: string, lotId: string, expiresAt: string): Item {
  return { ...lotDueKey(userId, lotId), kind: kinds.lotDue, userId, lotId, expiresAt, ...dueKeys("LOTS", userId, lotId, expiresAt) };
}

// ---- auto-charge ----------------------------------------------------------------------------



export function settingsToItem(s: AutoChargeSettings): Item {
  const { billing, ...rest } = s;
  const item: Item = { ...settingsKey(s.userId), kind: kinds.autoChargeSettings, id: settingsIdFor(s.userId) };
  for (const [k, v] of Object.entries(rest)) if (v !== null) item[k] = v;
  if (billing) Object.assign(item, { billing });
  // Only accounts whose card can be charged sit in the sweep's queue.
  if (s.enabled && billing) Object.assign(item, dueKeys("AUTOCHARGE_ON", s.userId, settingsIdFor(s.userId), s.armedAt ?? s.updatedAt));
  return item;
}

export function itemToSettings(item: Item): AutoChargeSettings {
  const b = item.billing as Item | undefined;
  return {
    userId: String(item.userId),
    enabled: item.enabled === true,
    threshold: Number(item.threshold),
    amount: Number(item.amount),
    paymentMethod: "card",
    billing: b
      ? {
          billingKey: String(b.billingKey),
          customerKey: String(b.customerKey),
          cardCompany: str(b.cardCompany),
          cardNumber: str(b.cardNumber),
          registeredAt: String(b.registeredAt),
        }
      : null,
    monthlyCapKrw: item.monthlyCapKrw === undefined || item.monthlyCapKrw === null ? null : Number(item.monthlyCapKrw),
    consecutiveFailures: Number(item.consecutiveFailures ?? 0),
    disabledReason: (str(item.disabledReason) as AutoChargeSettings["disabledReason"]) ?? null,
    disabledAt: str(item.disabledAt),
    armedRevision: Number(item.armedRevision ?? 0),
    armedAtSeq: Number(item.armedAtSeq ?? 0),
    armedAt: str(item.armedAt),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    revision: Number(item.revision),
  };
}

/**
 * When a sweep must come back to a record: its lease while charging or refunding, or canceled
 * with a gateway recheck due (an attempt may have been in flight); its retry time while waiting.
 */
export function dueAtOf(r: ChargeRecord): string | null {
  if (r.status === "charging" || r.status === "refund_pending" || r.status === "canceled") return r.leaseUntil;
  if (r.status === "retry_wait") return r.nextAttemptAt;
  return null;
}

export function chargeToItem(r: ChargeRecord): Item {
  const item: Item = { ...chargeKey(r.userId, r.id), kind: kinds.autoCharge };
  for (const [k, v] of Object.entries(r)) if (v !== null) item[k] = v;
  const dueAt = dueAtOf(r);
  if (dueAt) Object.assign(item, dueKeys("AUTOCHARGE", r.userId, r.id, dueAt));
  return item;
}

export function itemToCharge(item: Item): ChargeRecord {
  return {
    id: String(item.id),
    userId: String(item.userId),
    crossingId: String(item.crossingId),
    amount: Number(item.amount),
    amountKrw: Number(item.amountKrw),
    threshold: Number(item.threshold),
    paymentMethod: String(item.paymentMethod),
    status: item.status as ChargeStatus,
    attempts: Number(item.attempts),
    billingKey: String(item.billingKey),
    customerKey: String(item.customerKey),
    leaseUntil: str(item.leaseUntil),
    nextAttemptAt: str(item.nextAttemptAt),
    paymentKey: str(item.paymentKey),
    transactionId: str(item.transactionId),
    failureCode: str(item.failureCode),
    failureMessage: str(item.failureMessage),
    // Absent on records written before operators could retry a refund.
    refundRetries: Number(item.refundRetries ?? 0),
    capMonth: str(item.capMonth),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    revision: Number(item.revision),
  };
}

// ---- alerts ----------------------------------------------------------------------------------

/** How long an alert is kept before DynamoDB's TTL may delete it (AWS only). */
const ALERT_RETENTION_SECONDS = 180 * 24 * 3600;

export function alertToItem(alert: Alert): Item {
  return { ...alertKey(alert.userId, alert.id), ...alertFeedKeys(alert), kind: kinds.alert, ...alert, readAt: undefined, ttl: Math.floor(Date.parse(alert.createdAt) / 1000) + ALERT_RETENTION_SECONDS };
}

/** An alert as stored (an item, or a stream record's image) → the alert. */
export function itemToAlert(item: Item): Alert {
  return {
    id: String(item.id),
    userId: String(item.userId),
    type: item.type as Alert["type"],
    severity: item.severity as Alert["severity"],
    title: String(item.title),
    message: String(item.message),
    data: (item.data ?? {}) as Record<string, unknown>,
    read: item.read === true,
    readAt: item.readAt === undefined || item.readAt === null ? null : String(item.readAt),
    createdAt: String(item.createdAt),
  };
}
