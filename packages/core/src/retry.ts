/**
 * The loop every optimistic write shares (ledger rule 5): read, decide, write on a
 * condition; a lost race backs off with full jitter and decides again on fresh state.
 * One implementation, so every writer (ledger, orders, aggregates, auto-charge) retries
 * the same way and within a bounded time.
 */

/** How many times and for how long a lost race is retried. */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Stop retrying once this much time has passed since the first attempt. */
  budgetMs?: number;
}

/**
 * The ledger's budget: enough for dozens of writers racing on one account, and bounded in
 * time so that a request answers well inside the HTTP Lambda's 25-second timeout (the
 * caller then retries with the same Idempotency-Key).
 */
export const defaultRetry: RetryPolicy = { attempts: 200, baseDelayMs: 5, maxDelayMs: 500, budgetMs: 15_000 };

/** For items few writers share (an order, a day aggregate, auto-charge settings). */
export const shortRetry: RetryPolicy = { attempts: 20, baseDelayMs: 5, maxDelayMs: 200 };

/** What an attempt returns when it lost the race and should be decided again. */
export const AGAIN: unique symbol = Symbol("again");

/**
 * Runs `attempt` until it returns a value. `AGAIN` backs off (a random wait up to an
 * exponentially growing cap) and tries again; past the policy's attempts or time budget,
 * `exhausted()` is thrown. Whatever `attempt` throws propagates at once.
 */
export async function untilSettled<T>(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T | typeof AGAIN>,
  exhausted: () => Error,
): Promise<T> {
  const started = Date.now();
  for (let n = 0; n < policy.attempts; n++) {
    if (policy.budgetMs !== undefined && Date.now() - started > policy.budgetMs) break;
    const result = await attempt(n);
    if (result !== AGAIN) return result;
    await new Promise<void>((r) => setTimeout(r, Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** n)));
  }
  throw exhausted();
}
