import type { Minor } from "../money.ts";
import type { BonusLot, LotMove } from "./types.ts";

/**
 * Bonus lots (docs/credits.md, "Bonus lots with expiry"), as pure functions on the account's
 * list of lots. The guarantees, each owned by a test in lots.test.ts:
 * 1. Σ remaining over the lots is the account's bonusBalance (applyPosting moves both together;
 *    the audit proves it).
 * 2. Lots are kept in spending order: soonest expiry first, never-expiring last, ties in the
 *    order they were granted; a bonus debit draws them in that order, live lots only.
 * 3. A lot past its expiry stops counting at once (it is left out of the live bonus) and is
 *    only ever taken off by its own `bonus_expiry` entry.
 * 4. An account carries at most {@link MAX_BONUS_LOTS} lots: never-expiring bonus that no cancel
 *    can ask back (signup, admin, refunds) gathers in one pool lot, and past the bound a new lot
 *    merges into the lot that expires next at or after it (so no coin expires sooner than it
 *    was promised).
 */

/** The most lots one account item carries (each costs ~80 bytes on every write of the account). */
export const MAX_BONUS_LOTS = 20;

/** The lot that gathers never-expiring bonus nobody claws back; an account older than lots reads its bonus as this lot. */
export const POOL_LOT_ID = "pool";

const NEVER = "\uffff";
const expiryKey = (l: BonusLot) => l.expiresAt ?? NEVER;

/** Whether a lot still counts at `now`. */
export const isLive = (l: BonusLot, now: Date) => l.expiresAt === null || l.expiresAt > now.toISOString();

/** Bonus coins of lots past their expiry at `now` whose `bonus_expiry` entry is not written yet. */
export function expiredBonus(lots: readonly BonusLot[], now: Date): Minor {
  let sum = 0;
  for (const l of lots) if (!isLive(l, now)) sum += l.remaining;
  return sum;
}

/** The lots past their expiry at `now`, in spending order. */
export const expiredLots = (lots: readonly BonusLot[], now: Date): BonusLot[] => lots.filter((l) => !isLive(l, now));

/** The next expiry still to come and how many coins go then (every lot expiring at that instant). */
export function nextBonusExpiry(lots: readonly BonusLot[], now: Date): { at: string; amount: Minor } | null {
  const next = lots.find((l) => l.expiresAt !== null && isLive(l, now));
  if (!next?.expiresAt) return null;
  const at = next.expiresAt;
  return { at, amount: lots.filter((l) => l.expiresAt === at).reduce((s, l) => s + l.remaining, 0) };
}

/** A bonus balance written before lots existed: one never-expiring lot (today's behaviour, exactly). */
export const legacyLots = (bonusBalance: Minor): BonusLot[] =>
  bonusBalance > 0 ? [{ id: POOL_LOT_ID, amount: bonusBalance, remaining: bonusBalance, expiresAt: null, source: "pool" }] : [];

/** Lots in spending order (a stable sort: ties stay in the order they were granted). */
const sorted = (lots: readonly BonusLot[]): BonusLot[] => [...lots].sort((a, b) => (expiryKey(a) < expiryKey(b) ? -1 : expiryKey(a) > expiryKey(b) ? 1 : 0));

const grow = (l: BonusLot, by: Minor, expiresAt: string | null): BonusLot => ({ ...l, amount: l.amount + by, remaining: l.remaining + by, expiresAt });

/**
 * Adds a granted lot. Never-expiring bonus that is not a purchase's joins the pool; a lot
 * whose id is already there (a cancel's reversal giving a purchase its lot back) grows it;
 * past the bound the new lot merges into the lot expiring next at or after it, or, when
 * every lot expires sooner, into the latest one, which then takes the new lot's later expiry.
 */
export function grantLot(lots: readonly BonusLot[], lot: BonusLot, now: Date): BonusLot[] {
  const pooled = lot.expiresAt === null && lot.source !== "purchase";
  const id = pooled ? POOL_LOT_ID : lot.id;
  const same = lots.findIndex((l) => l.id === id);
  if (same >= 0) return sorted(lots.map((l, i) => (i === same ? grow(l, lot.remaining, l.expiresAt) : l)));
  if (pooled) return sorted([...lots, { ...lot, id, source: "pool" }]);
  const ordered = sorted(lots);
  // An expired lot only ever leaves by its own bonus_expiry entry: it is never merged into.
  const live = ordered.map((l, i) => ({ l, i })).filter(({ l }) => isLive(l, now));
  if (lots.length < MAX_BONUS_LOTS || live.length === 0) return sorted([...lots, lot]);
  const key = expiryKey(lot);
  const target = live.find(({ l }) => expiryKey(l) >= key) ?? live[live.length - 1]!;
  const expiresAt = expiryKey(target.l) >= key ? target.l.expiresAt : lot.expiresAt;
  return sorted(ordered.map((l, i) => (i === target.i ? grow(l, lot.remaining, expiresAt) : l)));
}

/** Takes `amount` from the live lots, soonest expiry first; lots that run out leave the list. */
export function drawLots(lots: readonly BonusLot[], amount: Minor, now: Date): BonusLot[] {
  let left = amount;
  const out: BonusLot[] = [];
  for (const l of lots) {
    const take = isLive(l, now) ? Math.min(left, l.remaining) : 0;
    left -= take;
    if (l.remaining - take > 0) out.push(take === 0 ? l : { ...l, remaining: l.remaining - take });
  }
  // The rules never draw more than the live bonus; a bug must not write lots that disagree with it.
  if (left > 0) throw new Error(`bonus debit of ${amount} exceeds the live lots`);
  return out;
}

/** Takes `amount` from one named lot (a purchase cancel's clawback, an expiry); it leaves the list when it runs out. */
export function takeFromLot(lots: readonly BonusLot[], lotId: string, amount: Minor): BonusLot[] {
  const lot = lots.find((l) => l.id === lotId);
  if (!lot || lot.remaining < amount) throw new Error(`lot ${lotId} cannot give ${amount}`);
  return lots.flatMap((l) => (l.id !== lotId ? [l] : l.remaining === amount ? [] : [{ ...l, remaining: l.remaining - amount }]));
}

/**
 * The lots after a posting's bonus part (applyPosting): a credit grants a lot (by default into
 * the pool), a debit draws the live lots in order or takes from the lot the posting names.
 */
export function moveLots(lots: readonly BonusLot[], bonusDelta: Minor, move: LotMove | undefined, entryId: string, now: Date): readonly BonusLot[] {
  if (bonusDelta > 0) {
    const grant = move?.kind === "grant" ? move : { kind: "grant" as const, expiresAt: null, source: "pool" as const };
    return withPoolAmount(grantLot(lots, { id: grant.lotId ?? entryId, amount: bonusDelta, remaining: bonusDelta, expiresAt: grant.expiresAt, source: grant.source }, now));
  }
  if (bonusDelta < 0) return withPoolAmount(move?.kind === "from" ? takeFromLot(lots, move.lotId, -bonusDelta) : drawLots(lots, -bonusDelta, now));
  return lots;
}

/**
 * The pool's `amount` is what is in it: nothing is ever asked back of it by what was granted,
 * and an account whose bonus is all in the pool stores no lots (store/codec.ts), so its pool
 * reads back as its bonus balance. Keeping it so makes a stored account read back equal.
 */
const withPoolAmount = (lots: BonusLot[]): BonusLot[] => lots.map((l) => (l.id === POOL_LOT_ID && l.amount !== l.remaining ? { ...l, amount: l.remaining } : l));

/** When a grant made now with `days` of validity expires (null: never). */
export const expiryAfterDays = (from: Date, days: number | null): string | null =>
  days === null ? null : new Date(from.getTime() + days * 24 * 3600 * 1000).toISOString();
