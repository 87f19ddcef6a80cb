import { NyangError } from "./errors.ts";
import { newIdempotencyKey } from "./keys.ts";
import { decideRetry, defaultRetryPolicy, parseRetryAfter, type AttemptOutcome, type RetryPolicy } from "./retry.ts";

/**
 * The one place a request is sent: auth, the Idempotency-Key of a logical call, attempts,
 * waits, deadline and abort, and turning answers into data or a NyangError. Every named
 * method of the client and `client.request()` go through `send`.
 */

/** `fetch` as the client uses it (the global one by default; inject another for tests or old runtimes). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * Gives the bearer token for each request. `refresh` is true once after the API answered
 * 401 to a token this returned: return a new one (or the same, and the 401 stands).
 */
export type TokenProvider = (context: { refresh: boolean }) => string | null | undefined | Promise<string | null | undefined>;

export interface TransportOptions {
  /** The API's base URL, e.g. `https://api.example.com` or `http://127.0.0.1:3020`. */
  baseUrl: string;
  /** A fixed bearer token. */
  token?: string;
  /** A bearer token per request (refreshing tokens); wins over `token`. */
  getToken?: TokenProvider;
  fetch?: FetchLike;
  /** The budget of one logical call, every attempt and wait included (default 30 000 ms). */
  timeoutMs?: number;
  /** The most one attempt may take before it counts as no answer and is retried (default 10 000 ms). */
  attemptTimeoutMs?: number;
  /** Retry policy; `false` sends each call once. */
  retry?: Partial<RetryPolicy> | false;
  /** Sent with every request. */
  headers?: Record<string, string>;
  /** Source of randomness for backoff (tests make it deterministic). */
  random?: () => number;
}

/** Per-call options every method takes last. */
export interface CallOptions {
  signal?: AbortSignal;
  /** This call's budget, attempts and waits included. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy> | false;
  /**
   * The Idempotency-Key for this logical call (1–255 printable ASCII; see `keyFor`). Without
   * one, a coin-moving call makes a UUID once and sends it on every attempt.
   */
  idempotencyKey?: string;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface SendRequest {
  method: HttpMethod;
  /** A path template of the OpenAPI document, e.g. `/v1/accounts/{userId}`. */
  path: string;
  params?: Record<string, string | number>;
  query?: Record<string, string | number | boolean | null | undefined>;
  body?: unknown;
}

/** A successful answer with what the client learned about it. */
export interface NyangResponse<T> {
  data: T;
  status: number;
  /** `apigw-requestid` of the final answer. */
  requestId: string | null;
  /** The API answered with a stored result (`Idempotent-Replayed: true`): no coins moved this time. */
  replayed: boolean;
  /** The key sent on every attempt, or null when the request carried none. */
  idempotencyKey: string | null;
  attempts: number;
}

const REQUEST_ID_HEADER = "apigw-requestid";
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;

export class Transport {
  private readonly fetchImpl: FetchLike;
  private readonly baseUrl: string;

  constructor(readonly options: TransportOptions) {
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== "function") throw new TypeError("@nyang/client: no fetch in this runtime; pass options.fetch");
    // Called unbound, a browser's fetch throws "Illegal invocation".
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
  }

  /** The URL of a path template with its parameters and query. */
  url(req: Pick<SendRequest, "path" | "params" | "query">): string {
    const path = req.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const v = req.params?.[name];
      if (v === undefined || v === "") throw new TypeError(`@nyang/client: path parameter ${name} is missing for ${req.path}`);
      return encodeURIComponent(String(v));
    });
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined && v !== null) qs.set(k, String(v));
    const q = qs.toString();
    return `${this.baseUrl}${path}${q ? `?${q}` : ""}`;
  }

  async token(refresh: boolean): Promise<string | null> {
    if (this.options.getToken) return (await this.options.getToken({ refresh })) ?? null;
    return this.options.token ?? null;
  }

  /**
   * Sends one logical call. A POST gets an Idempotency-Key (the caller's, or a UUID made
   * here, once) that every attempt repeats; API routes that do not move coins ignore it.
   */
  async send<T>(req: SendRequest, call: CallOptions = {}): Promise<NyangResponse<T>> {
    const policy = retryPolicy(this.options.retry, call.retry);
    const random = this.options.random ?? Math.random;
    const started = Date.now();
    const deadline = started + (call.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const key = req.method === "POST" ? (call.idempotencyKey ?? newIdempotencyKey()) : (call.idempotencyKey ?? null);
    const url = this.url(req);
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    let refreshed = false;
    let attempt = 0;
    for (;;) {
      throwIfAborted(call.signal);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw timeoutError(attempt, req);
      const token = await this.token(refreshed);
      const headers: Record<string, string> = { accept: "application/json", ...this.options.headers };
      if (body !== undefined) headers["content-type"] = "application/json";
      if (token) headers.authorization = `Bearer ${token}`;
      if (key !== null) headers["idempotency-key"] = key;

      const attemptMs = Math.min(this.options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS, remaining);
      const result = await this.attempt(url, { method: req.method, headers, body }, attemptMs, call.signal);
      attempt++;
      if (result.kind === "answer" && result.response.status === 401 && this.options.getToken && !refreshed) {
        // One fresh token per call: an expired token is the common 401, a second is not.
        refreshed = true;
        attempt--;
        continue;
      }
      if (result.kind === "answer" && result.response.ok) {
        return {
          data: result.json as T,
          status: result.response.status,
          requestId: result.response.headers.get(REQUEST_ID_HEADER),
          replayed: result.response.headers.get("idempotent-replayed") === "true",
          idempotencyKey: key,
          attempts: attempt,
        };
      }
      const error = result.kind === "answer" ? answerError(result.response, result.json, attempt) : noAnswerError(result.cause, attempt, req);
      const outcome: AttemptOutcome =
        result.kind === "answer" ? { kind: "answer", status: result.response.status, retryAfterMs: error.retryAfterMs } : { kind: "no_answer" };
      const decision = decideRetry(outcome, attempt - 1, deadline - Date.now(), policy, random);
      if (!decision.retry) {
        if (decision.reason === "deadline" && result.kind === "no_answer") throw timeoutError(attempt, req, error);
        throw error;
      }
      await sleep(decision.delayMs, call.signal);
    }
  }

  private async attempt(
    url: string,
    init: RequestInit,
    ms: number,
    signal: AbortSignal | undefined,
  ): Promise<{ kind: "answer"; response: Response; json: unknown } | { kind: "no_answer"; cause: unknown }> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${ms} ms`)), ms);
    try {
      // It may have aborted while the token was fetched; a listener added now would never fire.
      throwIfAborted(signal);
      const response = await this.fetchImpl(url, { ...init, signal: controller.signal });
      const text = await response.text();
      let json: unknown = undefined;
      if (text) {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      }
      return { kind: "answer", response, json };
    } catch (cause) {
      throwIfAborted(signal);
      return { kind: "no_answer", cause };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }
}

function retryPolicy(base: Partial<RetryPolicy> | false | undefined, call: Partial<RetryPolicy> | false | undefined): RetryPolicy {
  if (base === false || call === false) return { ...defaultRetryPolicy, maxAttempts: 1 };
  return { ...defaultRetryPolicy, ...base, ...call };
}

function answerError(response: Response, json: unknown, attempts: number): NyangError {
  const err = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  const status = response.status;
  const code = typeof err?.code === "string" ? err.code : status >= 500 ? "internal" : "http_error";
  const message = typeof err?.message === "string" ? err.message : `HTTP ${status}`;
  const details = err?.details && typeof err.details === "object" ? (err.details as Record<string, unknown>) : {};
  return new NyangError({
    status,
    code,
    message,
    details,
    requestId: response.headers.get(REQUEST_ID_HEADER),
    retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
    attempts,
  });
}

function noAnswerError(cause: unknown, attempts: number, req: SendRequest): NyangError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new NyangError({ status: 0, code: "network_error", message: `${req.method} ${req.path}: no answer (${why})`, attempts, cause });
}

function timeoutError(attempts: number, req: SendRequest, cause?: unknown): NyangError {
  return new NyangError({ status: 0, code: "timeout", message: `${req.method} ${req.path}: no answer within the call's time budget`, attempts, cause });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
