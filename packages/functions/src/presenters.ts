import { available, balanceAt, formatAmount, heldAt, liveBonus, nextBonusExpiry, holdStatusAt, type Account, type Alert, type CoinPackage, type AccountAnalytics, type DailyServiceUsage, type Hold, type LedgerEntry, type Order, type RevenueReport, type Recommendation, type TopUsers, type ServicePrice, type Usage } from "@nyang/core";

/** Domain values in docs/api.md's JSON: amounts become two-digit strings here and only here. */

/**
 * An account as of `at`: holds past their expiry at that moment no longer count. Results
 * of writes are presented as of the write (`updatedAt`), so a replay shows the same body.
 */
export function presentAccount(a: Account, at: Date = new Date(a.updatedAt)) {
  const next = nextBonusExpiry(a.lots, at);
  return {
    userId: a.userId,
    // Bonus lots past their expiry stop counting at once, before their bonus_expiry entry is written.
    balance: formatAmount(balanceAt(a, at)),
    held: formatAmount(heldAt(a, at)),
    available: formatAmount(available(a, at)),
    paidBalance: formatAmount(a.paidBalance),
    bonusBalance: formatAmount(liveBonus(a, at)),
    nextBonusExpiry: next && { at: next.at, amount: formatAmount(next.amount) },
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
    quantity: e.quantity,
    unitPrice: e.unitPrice === null ? null : formatAmount(e.unitPrice),
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
  bonusExpiryDays: p.bonusExpiryDays,
});

/** A hold as of `at`: a pending hold past its expiry shows as expired. */
export function presentHold(h: Hold, at: Date) {
  return {
    id: h.id,
    userId: h.userId,
    amount: formatAmount(h.amount),
    quantity: h.quantity,
    unitPrice: formatAmount(h.unitPrice),
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

/** Gross, refunded and net usage as amounts (packages/core/src/analytics/usage.ts defines them). */
const presentUsage = (u: Usage) => ({ gross: formatAmount(u.gross), refunded: formatAmount(u.refunded), net: formatAmount(u.net) });

export const presentDailyUsage = (d: DailyServiceUsage) => ({
  day: d.day,
  count: d.count,
  total: formatAmount(d.total),
  ...presentUsage(d),
  services: d.services.map((s) => ({ serviceType: s.serviceType, count: s.count, total: formatAmount(s.total), ...presentUsage(s) })),
});

/** A recommendation with its amounts (minor units inside) shown as amounts, field by field. */
export function presentRecommendation(r: Recommendation) {
  const text = { message: r.message, messageEn: r.messageEn };
  switch (r.kind) {
    case "low_balance":
      return { kind: r.kind, ...text, details: { balance: formatAmount(r.details.balance), threshold: formatAmount(r.details.threshold) } };
    case "top_up": {
      const d = r.details;
      const pkg = d.package && { id: d.package.id, name: d.package.name, coins: formatAmount(d.package.coins), bonusCoins: formatAmount(d.package.bonusCoins), priceKrw: d.package.priceKrw };
      return {
        kind: r.kind,
        ...text,
        details: { predicted: formatAmount(d.predicted), balance: formatAmount(d.balance), gap: formatAmount(d.gap), package: pkg, quantity: d.quantity, totalPriceKrw: d.totalPriceKrw },
      };
    }
    case "enable_auto_charge":
      return { kind: r.kind, ...text, details: { runwayDays: r.details.runwayDays, dailyPace: formatAmount(r.details.dailyPace) } };
    case "heavy_service": {
      const d = r.details;
      return {
        kind: r.kind,
        ...text,
        details: {
          serviceType: d.serviceType,
          coins: formatAmount(d.coins),
          count: d.count,
          totalCoins: formatAmount(d.totalCoins),
          share: d.share,
          windowDays: d.windowDays,
          cheaperServiceType: d.cheaperServiceType,
          estimatedSaving: formatAmount(d.estimatedSaving),
        },
      };
    }
  }
}

export function presentAccountAnalytics(a: AccountAnalytics, at: Date) {
  const account = presentAccount(a.account, at);
  return {
    userId: a.account.userId,
    balance: account.balance,
    available: account.available,
    account,
    monthlyUsage: a.monthlyUsage.map((m) => ({ month: m.month, count: m.count, total: formatAmount(m.total), ...presentUsage(m) })),
    prediction: {
      nextMonth: formatAmount(a.prediction.coins),
      low: formatAmount(a.prediction.low),
      high: formatAmount(a.prediction.high),
      confidence: a.prediction.confidence,
      method: a.prediction.method,
      basis: { weeks: a.prediction.basis.weeks, weeklyTotals: a.prediction.basis.weeklyCoins.map(formatAmount) },
    },
    runway: { days: a.runway.days, dailyPace: formatAmount(a.runway.dailyPace), method: a.runway.method },
    recentAlerts: a.recentAlerts.map(presentAlert),
    recommendations: a.recommendations.map(presentRecommendation),
  };
}

export function presentRevenue(r: RevenueReport) {
  const t = r.totals;
  return {
    period: r.period,
    from: r.from,
    to: r.to,
    totals: {
      revenueKrw: t.revenueKrw,
      purchaseKrw: t.purchaseKrw,
      canceledKrw: t.canceledKrw,
      purchaseCount: t.purchaseCount,
      purchaseCoins: formatAmount(t.purchaseCoins),
      usageCoins: formatAmount(t.usageCoins),
      usageCount: t.usageCount,
      refundCoins: formatAmount(t.refundCoins),
      netUsageCoins: formatAmount(t.netUsageCoins),
      activeAccounts: t.activeAccounts,
      arpuKrw: t.arpuKrw,
    },
    daily: r.daily.map((d) => ({
      day: d.day,
      revenueKrw: d.revenueKrw,
      purchaseCoins: formatAmount(d.purchaseCoins),
      usageCoins: formatAmount(d.usageCoins),
      refundCoins: formatAmount(d.refundCoins),
      netUsageCoins: formatAmount(d.netUsageCoins),
      activeAccounts: d.activeAccounts,
    })),
    services: r.services.map((x) => ({ serviceType: x.serviceType, count: x.count, coins: formatAmount(x.coins) })),
  };
}

export const presentTopUsers = (t: TopUsers) => ({
  period: t.period,
  from: t.from,
  to: t.to,
  users: t.users.map((u) => ({ rank: u.rank, userId: u.userId, usageCoins: formatAmount(u.usageCoins), usageCount: u.usageCount, ...presentUsage(u) })),
});
