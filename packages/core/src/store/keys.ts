/** Key shapes of the single table (see table.ts for the item catalogue). */

export const accountPk = (userId: string) => `ACCT#${userId}`;
export const ACCOUNT_SK = "ACCOUNT";
export const entrySk = (entryId: string) => `TX#${entryId}`;
export const refundTallySk = (entryId: string) => `REFUNDED#${entryId}`;

/** Sort key of the byTime index: time first, then seq, so the order is the seq order. */
export const byTimeSk = (createdAt: string, seq: number) => `${createdAt}#${String(seq).padStart(10, "0")}`;

export const accountKey = (userId: string) => ({ pk: accountPk(userId), sk: ACCOUNT_SK });
export const entryKey = (userId: string, entryId: string) => ({ pk: accountPk(userId), sk: entrySk(entryId) });
export const refundTallyKey = (userId: string, entryId: string) => ({
  pk: accountPk(userId),
  sk: refundTallySk(entryId),
});
