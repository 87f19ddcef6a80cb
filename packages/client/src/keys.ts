/**
 * Idempotency keys. docs/api.md: 1–255 printable ASCII characters, scoped to the account, never
 * expiring; a replay with the same key returns the original answer and moves no coins.
 *
 * - Every coin-moving call the client makes gets one key per *logical* call (a UUID, made
 *   before the first attempt), and every retry of that call sends the same key.
 * - A caller that must survive its own crash derives the key from its own id with
 *   {@link keyFor}: after a restart, the same request id gives the same key, so re-running
 *   the step replays instead of spending twice.
 */

const SCOPE = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_KEY = 255;

/** A fresh random key (a v4 UUID), for one logical call. */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  // randomUUID exists only in secure contexts in browsers; getRandomValues everywhere.
  if (typeof c?.randomUUID === "function") return c.randomUUID();
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * A stable key derived from the caller's own ids: `keyFor("ai-request", requestId, "hold")`.
 * Deterministic and injective: different (scope, parts) never share a key. Parts are
 * percent-encoded (so `:` separates them unambiguously and the key is printable ASCII);
 * when that would pass 255 characters, the key is `scope:#` + the SHA-256 of the parts
 * (`#` never appears in the encoded form, so the two forms cannot meet).
 *
 * One logical step, one key: a hold, its capture and its release are three steps, so give
 * each its own last part (keys are scoped per account across routes, and the same key on a
 * different request is 409 `idempotency_conflict`).
 */
export function keyFor(scope: string, ...parts: (string | number)[]): string {
  if (!SCOPE.test(scope)) throw new RangeError(`keyFor: scope must match ${SCOPE} (got ${JSON.stringify(scope)})`);
  if (parts.length === 0) throw new RangeError("keyFor: give at least one id");
  const texts = parts.map((p) => {
    if (typeof p === "number" && !Number.isSafeInteger(p)) throw new RangeError(`keyFor: ${p} is not a whole number id`);
    return String(p);
  });
  const encoded = encodeParts(texts);
  if (encoded !== null) {
    const key = `${scope}:${encoded}`;
    if (key.length <= MAX_KEY) return key;
  }
  // JSON.stringify escapes lone surrogates, so the UTF-8 of this text is injective on the parts.
  return `${scope}:#${sha256Hex(new TextEncoder().encode(JSON.stringify(texts)))}`;
}

function encodeParts(parts: string[]): string | null {
  try {
    return parts.map((p) => encodeURIComponent(p)).join(":");
  } catch {
    return null; // a lone surrogate: hash instead
  }
}

/** Whether a key meets docs/api.md's rule (1–255 printable ASCII characters). */
export const isValidIdempotencyKey = (key: string): boolean => /^[\x20-\x7e]{1,255}$/.test(key);

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/**
 * SHA-256 (FIPS 180-4), synchronous so that `keyFor` is; WebCrypto's digest is async only.
 * Checked against node:crypto in keys.test.ts.
 */
export function sha256Hex(data: Uint8Array): string {
  const bitLength = data.length * 8;
  const padded = new Uint8Array(Math.ceil((data.length + 9) / 64) * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bitLength / 2 ** 32));
  view.setUint32(padded.length - 4, bitLength >>> 0);
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!;
      const b = w[i - 2]!;
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3);
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = h as unknown as [number, number, number, number, number, number, number, number];
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    // Uint32Array stores modulo 2^32.
    [a, b, c, d, e, f, g, hh].forEach((v, i) => (h[i] = h[i]! + v));
  }
  return [...h].map((x) => x.toString(16).padStart(8, "0")).join("");
}
