/**
 * The fake's fault rules: how it treats the calls a mode applies to — answer as Toss does,
 * refuse, fall silent past the client's time-out, or apply and lose the answer. A standing
 * mode, and one-off rules for the next N matching calls that go first.
 */
import { TOSS_ERRORS, type Decline } from "./toss-errors.ts";

/** How the fake treats the calls a mode applies to. */
export const fakeTossModes = ["approve", "decline", "timeout", "lose_response"] as const;
/**
 * - `approve`: answer as Toss does (the default).
 * - `decline`: refuse with a Toss error (a card rejection for confirm) without approving.
 * - `timeout`: hold the request past the client's time-out, then drop the connection without
 *   answering and without applying anything.
 * - `lose_response`: apply the request (approve / cancel, idempotency record included), then
 *   destroy the connection without answering.
 */
export type FakeTossMode = (typeof fakeTossModes)[number];

/** The API calls a mode can target. */
export type FakeTossOperation = "confirm" | "cancel" | "lookup" | "billing_issue" | "billing_charge";
export const fakeTossOperations: readonly FakeTossOperation[] = ["confirm", "cancel", "lookup", "billing_issue", "billing_charge"];
/** What a mode applies to when `operations` is not given: every call that changes something. */
const defaultOperations: readonly FakeTossOperation[] = ["confirm", "cancel", "billing_issue", "billing_charge"];

export interface FakeTossModeOptions {
  /** Only the next N matching calls; afterwards the standing mode applies again. Absent: the standing mode changes. */
  times?: number;
  /** Which calls the mode applies to (default: the POSTs — confirm, cancel, billing issue and charge). */
  operations?: readonly FakeTossOperation[];
  /** `decline`: the Toss error code (default REJECT_CARD_PAYMENT for confirm, NOT_CANCELABLE_PAYMENT for cancel). */
  code?: string;
  /** `decline`: the message (default: Toss's message for the code, when known). */
  message?: string;
  /** `decline`: the HTTP status (default: Toss's status for the code, else 400). */
  status?: number;
  /** `timeout`: how long the request is held before the connection is dropped (default 30 000 ms). */
  holdMs?: number;
}

const DEFAULT_HOLD_MS = 30_000;

/** One mode, the calls it targets, and how many more it applies to (Infinity: standing). */
export interface FaultRule {
  mode: FakeTossMode;
  operations: readonly FakeTossOperation[];
  remaining: number;
  decline?: { code?: string | undefined; message?: string | undefined; status?: number | undefined } | undefined;
  holdMs: number;
}

/** The standing mode and the pending one-off rules. */
export class FaultRules {
  private standing: FaultRule = rule("approve", {});
  private oneOffs: FaultRule[] = [];

  /** The standing mode. */
  get mode(): FakeTossMode {
    return this.standing.mode;
  }

  /** One-off rules not used up yet. */
  get pending(): number {
    return this.oneOffs.length;
  }

  /** Without `times` the standing mode changes (and pending one-offs are dropped); with `times: n` a one-off is queued. */
  set(mode: FakeTossMode, opts: FakeTossModeOptions = {}): void {
    const r = rule(mode, opts);
    if (opts.times === undefined) {
      this.standing = r;
      this.oneOffs = [];
    } else {
      this.oneOffs.push(r);
    }
  }

  /** The rule for this call: the first one-off that targets it (used up), else the standing mode. */
  take(op: FakeTossOperation): FaultRule | undefined {
    const i = this.oneOffs.findIndex((r) => r.operations.includes(op));
    if (i >= 0) {
      const r = this.oneOffs[i]!;
      r.remaining -= 1;
      if (r.remaining <= 0) this.oneOffs.splice(i, 1);
      return r;
    }
    return this.standing.operations.includes(op) ? this.standing : undefined;
  }

  /** Back to approving everything. */
  reset(): void {
    this.standing = rule("approve", {});
    this.oneOffs = [];
  }
}

function rule(mode: FakeTossMode, opts: FakeTossModeOptions): FaultRule {
  if (!fakeTossModes.includes(mode)) throw new Error(`unknown fake Toss mode ${JSON.stringify(mode)}`);
  const ops = opts.operations ?? defaultOperations;
  for (const op of ops) if (!fakeTossOperations.includes(op)) throw new Error(`unknown operation ${JSON.stringify(op)}`);
  const times = opts.times ?? Infinity;
  if (!(times > 0)) throw new Error(`times must be positive, got ${String(opts.times)}`);
  const decline =
    opts.code !== undefined || opts.message !== undefined || opts.status !== undefined
      ? { code: opts.code, message: opts.message, status: opts.status }
      : undefined;
  return { mode, operations: ops, remaining: times, decline, holdMs: opts.holdMs ?? DEFAULT_HOLD_MS };
}

/** The refusal a `decline` rule makes for `op`: the rule's code, message and status, else Toss's usual ones. */
export function declineFor(op: FakeTossOperation, r: FaultRule): Decline {
  const fallback =
    op === "confirm" || op === "billing_charge"
      ? "REJECT_CARD_PAYMENT"
      : op === "cancel"
        ? "NOT_CANCELABLE_PAYMENT"
        : op === "billing_issue"
          ? "INVALID_REJECT_CARD"
          : "FORBIDDEN_REQUEST";
  const code = r.decline?.code ?? fallback;
  const known = TOSS_ERRORS[code];
  return {
    code,
    message: r.decline?.message ?? known?.message ?? "요청이 거절되었습니다.",
    status: r.decline?.status ?? known?.status ?? 400,
  };
}
