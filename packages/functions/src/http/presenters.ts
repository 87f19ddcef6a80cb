import { available, formatAmount, type Account, type CoinPackage, type LedgerEntry, type ServicePrice } from "@nyang/core";

/** Domain values in API.md's JSON: amounts become two-digit strings here and only here. */

export function presentAccount(a: Account) {
  return {
    userId: a.userId,
    balance: formatAmount(a.balance),
    held: formatAmount(a.held),
    available: formatAmount(available(a)),
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
