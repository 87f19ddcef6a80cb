import { available, formatAmount, heldAt, holdStatusAt, type Account, type Alert, type CoinPackage, type Hold, type LedgerEntry, type Order, type ServicePrice } from "@nyang/core";

/** Domain values in API.md's JSON: amounts become two-digit strings here and only here. */

/**
 * An account as of `at`: holds past their expiry at that moment no longer count. Results
 * of writes are presented as of the write (`updatedAt`), so a replay shows the same body.
 */
export function presentAccount(a: Account, at: Date = new Date(a.updatedAt)) {
  return {
    userId: a.userId,
    balance: formatAmount(a.balance),
    held: formatAmount(heldAt(a, at)),
    available: formatAmount(available(a, at)),
    paidBalance: formatAmount(a.paidBalance),
    bonusBalance: formatAmount(a.bonusBalance),
    used: formatAmount(a.used),
    purchased: formatAmount(a.purchased),
    status: a.status,
    version: a.version,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

export function presentTransaction(e: LedgerEntry) {
  return {
    id: e.id,
    userId: e.userId,
    seq: e.seq,
    type: e.type,
    amount: formatAmount(e.amount),
    paidAmount: formatAmount(e.paidAmount),
    bonusAmount: formatAmount(e.bonusAmount),
    balanceBefore: formatAmount(e.balanceBefore),
    balanceAfter: formatAmount(e.balanceAfter),
    serviceType: e.serviceType,
    details: e.details,
    paymentMethod: e.paymentMethod,
    paymentReference: e.paymentReference,
    adminUserId: e.adminUserId,
    reason: e.reason,
    relatedTransactionId: e.relatedTransactionId,
    status: e.status,
    createdAt: e.createdAt,
  };
}

export const presentPrice = (p: ServicePrice) => ({ serviceType: p.serviceType, cost: formatAmount(p.cost) });

export const presentPackage = (p: CoinPackage) => ({
  id: p.id,
  name: p.name,
  coins: formatAmount(p.coins),
  bonusCoins: formatAmount(p.bonusCoins),
  priceKrw: p.priceKrw,
  popular: p.popular,
  sortOrder: p.sortOrder,
});

/** A hold as of `at`: a pending hold past its expiry shows as expired. */
export function presentHold(h: Hold, at: Date) {
  return {
    id: h.id,
    userId: h.userId,
    amount: formatAmount(h.amount),
    serviceType: h.serviceType,
    details: h.details,
    status: holdStatusAt(h, at),
    expiresAt: h.expiresAt,
    capturedAmount: h.capturedAmount === null ? null : formatAmount(h.capturedAmount),
    captureTransactionId: h.captureTransactionId,
    createdAt: h.createdAt,
    settledAt: h.settledAt,
  };
}

export function presentOrder(o: Order) {
  return {
    id: o.id,
    userId: o.userId,
    packageId: o.packageId,
    packageName: o.packageName,
    coins: formatAmount(o.coins),
    bonusCoins: formatAmount(o.bonusCoins),
    amountKrw: o.amountKrw,
    status: o.status,
    paymentKey: o.paymentKey,
    confirmAttemptAt: o.confirmAttemptAt,
    paymentMethod: o.paymentMethod,
    transactionId: o.transactionId,
    cancelTransactionId: o.cancelTransactionId,
    failureCode: o.failureCode,
    failureMessage: o.failureMessage,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    paidAt: o.paidAt,
    canceledAt: o.canceledAt,
  };
}

export const presentAlert = (a: Alert) => ({
  id: a.id,
  userId: a.userId,
  type: a.type,
  severity: a.severity,
  title: a.title,
  message: a.message,
  data: a.data,
  read: a.read,
  readAt: a.readAt,
  createdAt: a.createdAt,
});
