import type { ChargeRecord } from "./model.ts";

/** A charge record for unit tests: a first attempt charging, with `over` applied. */
export const chargeRecord = (over: Partial<ChargeRecord> = {}): ChargeRecord => ({
  id: "ac_0123456789abcdefghjkmnpqrs",
  userId: "u1",
  crossingId: "tx_x",
  amount: 10000,
  amountKrw: 1000,
  threshold: 1000,
  paymentMethod: "card",
  status: "charging",
  attempts: 1,
  billingKey: "secret-billing-key",
  customerKey: "c",
  leaseUntil: null,
  nextAttemptAt: null,
  paymentKey: null,
  transactionId: null,
  failureCode: null,
  failureMessage: null,
  refundRetries: 0,
  capMonth: "2026-11",
  createdAt: "2026-11-24T00:00:00.000Z",
  updatedAt: "2026-11-24T00:00:05.000Z",
  revision: 1,
  ...over,
});
