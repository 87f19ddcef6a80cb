import { createHash } from "node:crypto";

/**
 * Ledger rule 4: a ledger entry's id derives from the account and the caller's
 * idempotency key, so a retry lands on the same key and meets the write's
 * `attribute_not_exists` condition; a fingerprint of the request tells a replay from a
 * different request that reuses the key.
 */

const CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";

function base32(bytes: Uint8Array, chars: number): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** Key spaces: a caller's Idempotency-Key can never collide with a key Nyang makes itself. */
export type KeySource = "caller" | "system";

/**
 * The record key for an idempotency key on an account: 26 base32 chars of SHA-256. Every
 * record a keyed request creates (a ledger entry, a hold, an order) is stored under it,
 * so one key can never make two records of different kinds.
 */
export function recordKeyFor(userId: string, key: string, source: KeySource = "caller"): string {
  const digest = createHash("sha256").update(`${userId}\n${source}\n${key}`).digest();
  return base32(digest, 26);
}

/** Public ids are the record key with a prefix that says what the record is. */
export const idPrefixes = { entry: "tx_", hold: "hold_", order: "ord_" } as const;
export type RecordKind = keyof typeof idPrefixes;

export const entryIdFor = (userId: string, key: string, source: KeySource = "caller") =>
  `${idPrefixes.entry}${recordKeyFor(userId, key, source)}`;
export const holdIdFor = (userId: string, key: string) => `${idPrefixes.hold}${recordKeyFor(userId, key)}`;
export const orderIdFor = (userId: string, key: string) => `${idPrefixes.order}${recordKeyFor(userId, key)}`;

const idPattern = /^(tx_|hold_|ord_)([0-9a-hjkmnp-tv-z]{26})$/;

/** The record key inside a public id of the given kind, or null if the id is not one. */
export function recordKeyOf(id: string, kind: RecordKind): string | null {
  const m = idPattern.exec(id);
  return m && m[1] === idPrefixes[kind] ? m[2]! : null;
}

/** JSON with keys sorted at every depth, so equal requests hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** The fingerprint of a request: its operation and its normalized parameters. */
export function requestFingerprint(operation: string, request: unknown): string {
  return createHash("sha256").update(`${operation}\n${canonicalJson(request)}`).digest("base64url");
}
