import type { EntryIntent, LotDueIntent, WriteIntent } from "../intents.ts";
import { entryIdFor, requestFingerprint } from "./idempotency.ts";
import { expiredLots } from "./lots.ts";
import { applyPosting } from "./rules.ts";
import { noFacts, type Account, type BonusLot, type Posting } from "./types.ts";

/**
 * Writing a bonus lot's expiry (docs/credits.md): the hold-expiry pattern. A lot past its
 * expiry stops counting at once (rules.ts `liveBonus`); its immutable `bonus_expiry` entry is
 * written by whichever comes first — the next write of the account that decides on it (the
 * write loop settles expired lots before the write's own entry, in the same transaction) or
 * the sweep of the LOTS due queue. Both key the entry on the lot and its expiry and condition
 * the account on its revision, so a spend racing the sweep over the same lot resolves once.
 */

/** The system key of a lot's expiry entry: one per lot and expiry, whoever writes it. */
const expiryKey = (lot: BonusLot) => `bonus_expiry:${lot.id}:${lot.expiresAt}`;

/** The `bonus_expiry` posting of a lot: what was left of it leaves the bonus bucket. */
export function expiryPosting(lot: BonusLot): Posting {
  return {
    type: "bonus_expiry",
    paidDelta: 0,
    bonusDelta: -lot.remaining,
    usedDelta: 0,
    purchasedDelta: 0,
    facts: { ...noFacts, relatedTransactionId: lot.id.startsWith("tx_") ? lot.id : null, details: { lotId: lot.id, expiresAt: lot.expiresAt, granted: lot.amount } },
    lot: { kind: "from", lotId: lot.id },
  };
}

/** The account with every lot past its expiry at `now` written off, and the entries that do it, in spending order. */
export function settleExpiredLots(a: Account, now: Date): { account: Account; entries: EntryIntent[] } {
  let account = a;
  const entries: EntryIntent[] = [];
  for (const lot of expiredLots(a.lots, now)) {
    const key = expiryKey(lot);
    const applied = applyPosting(account, expiryPosting(lot), entryIdFor(a.userId, key, "system"), now);
    account = applied.account;
    entries.push({
      kind: "entry",
      entry: applied.entry,
      fingerprint: requestFingerprint("bonus_expiry", { lotId: lot.id, expiresAt: lot.expiresAt }),
      idempotencyKey: `system:${key}`,
      accountAfter: account,
    });
  }
  return { account, entries };
}

/** Every expiring lot that a write adds (or whose expiry a merge moved) goes on the LOTS due queue. */
export function lotDueIntents(before: Account | null, after: Account): LotDueIntent[] {
  return after.lots.flatMap((l) =>
    l.expiresAt !== null && !before?.lots.some((b) => b.id === l.id && b.expiresAt === l.expiresAt)
      ? [{ kind: "lot_due" as const, userId: after.userId, lotId: l.id, expiresAt: l.expiresAt }]
      : [],
  );
}

/**
 * A decision's intents with the lots' bookkeeping added: the expiry entries the write loop
 * settled before deciding (the account is then written from the state it was read in, so its
 * revision condition covers them too), and the due-queue items of lots the write granted.
 * The expiry entries go last: a failed transaction names the decision's own record first,
 * so a lost race with the sweep reads as the race it is, not as a replay of this request.
 */
export function withLotBookkeeping(intents: WriteIntent[], read: Account, settled: { account: Account; entries: EntryIntent[] }): WriteIntent[] {
  const at = intents.findIndex((i) => i.kind === "account");
  const write = intents[at];
  // A decision that does not write the account (an order opened) leaves the lots as they are.
  if (!write || write.kind !== "account") return intents;
  const out = [...intents];
  if (settled.entries.length > 0) out[at] = { ...write, before: read };
  return [...out, ...lotDueIntents(read, write.after), ...(settled.entries.length > 0 ? settled.entries : [])];
}
