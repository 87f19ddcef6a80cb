/**
 * When to try a call again, and after how long. Pure: the transport asks, these decide.
 *
 * - Retried: no answer (network error, an attempt that timed out), 429 (honouring
 *   `Retry-After`) and every 5xx. Every coin-moving call carries one Idempotency-Key for all
 *   its attempts, so a retry of a request the server did apply replays instead of moving
 *   coins again.
 * - Never retried: any other 4xx. The request itself is wrong (or the account cannot pay);
 *   sending it again gives the same answer.
 * - Waits are full-jitter exponential backoff (a random wait between 0 and
 *   min(maxDelay, base × 2^attempt)), never past the call's deadline.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included (default 5). 1 turns retries off. */
  maxAttempts: number;
  /** Backoff base in ms (default 100). */
  baseDelayMs: number;
  /** Backoff cap in ms (default 5000). */
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 5_000 };

/** What one attempt came to. */
export type AttemptOutcome =
  | { kind: "answer"; status: number; retryAfterMs: number | null }
  | { kind: "no_answer" };

/** Whether an attempt's outcome may be retried at all. */
export function isRetryable(outcome: AttemptOutcome): boolean {
  if (outcome.kind === "no_answer") return true;
  return outcome.status === 429 || outcome.status >= 500;
}

/** Full jitter: uniform in [0, min(cap, base × 2^attempt)); `attempt` counts from 0. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: "not_retryable" | "attempts" | "deadline" };

/**
 * The decision after attempt number `attempt` (0-based) failed with `outcome`, with
 * `remainingMs` left of the call's deadline. A `Retry-After` is a floor: the wait is at
 * least that, plus jitter so that callers told the same second do not return together.
 */
export function decideRetry(
  outcome: AttemptOutcome,
  attempt: number,
  remainingMs: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  if (!isRetryable(outcome)) return { retry: false, reason: "not_retryable" };
  if (attempt + 1 >= policy.maxAttempts) return { retry: false, reason: "attempts" };
  const jitter = backoffDelay(attempt, policy, random);
  const floor = outcome.kind === "answer" ? (outcome.retryAfterMs ?? 0) : 0;
  const delayMs = floor > 0 ? floor + Math.floor(random() * policy.baseDelayMs) : jitter;
  if (delayMs >= remainingMs) return { retry: false, reason: "deadline" };
  return { retry: true, delayMs };
}

/** `Retry-After` as ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}
