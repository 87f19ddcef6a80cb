/**
 * Toss Payments on one machine: a node:http server that speaks the part of Toss's core API
 * Nyang uses — the same paths, headers, JSON and error codes — over in-memory state, with
 * switches for the failures a real gateway has (refusal, silence, a lost answer). `npm run dev`
 * points the HTTP API's `TOSS_API_BASE_URL` here; the payment tests start one per file.
 *
 * The pieces, one reason to change each: `state.ts` (what Toss knows: payments, cards,
 * idempotency records, the request log), `faults.ts` (the switches), `toss-api.ts` (Toss's
 * routes and its authentication and idempotency rules — the contract it honours is written
 * there), `control.ts` and `checkout.ts` (the fake's own `/__fake/` routes and the customer's
 * windows), and this file, which starts the server and hands out the handle tests hold.
 */
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { isControlPath, serveControl } from "./control.ts";
import { FaultRules, type FakeTossMode, type FakeTossModeOptions } from "./faults.ts";
import { send } from "./http.ts";
import { FakeTossState, type FakeTossBilling, type FakeTossPayment, type FakeTossRequest } from "./state.ts";
import { TossApi } from "./toss-api.ts";
import { tossError } from "./toss-errors.ts";

export interface FakeTossGatewayOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** The one secret key the fake accepts (default `test_sk_local`). */
  secretKey?: string;
  /** Minimum gap between two cancels of one payment (Toss: one second). 0 turns the check off. */
  cancelCooldownMs?: number;
  /** Clock for timestamps and key expiry (tests). */
  now?: () => Date;
  /** One line per request, e.g. for `npm run dev`. */
  log?: (line: string) => void;
}

export interface FakeTossGateway {
  /** Base URL, e.g. `http://127.0.0.1:41234` — `TOSS_API_BASE_URL` for the adapter. */
  url: string;
  port: number;
  /** The secret key the fake accepts — `TOSS_SECRET_KEY` for the adapter. */
  secretKey: string;
  /**
   * Switches how calls are treated, at run time. Without `times` the standing mode changes (and
   * pending one-off modes are dropped); with `times: n` only the next n matching calls get it.
   */
  setMode(mode: FakeTossMode, options?: FakeTossModeOptions): void;
  /** The standing mode. */
  readonly mode: FakeTossMode;
  /**
   * The browser step (the customer authorises the payment in Toss's window): returns the
   * `paymentKey` the success URL would carry. Confirming it then requires the same order id and
   * amount; a confirm of a key the fake never issued is refused 404 NOT_FOUND_PAYMENT, as at Toss.
   */
  authorize(input: { orderId: string; amount: number; orderName?: string }): string;
  /**
   * The browser step of automatic payments (the customer registers a card in Toss's billing
   * window): returns the one-time `authKey` the success URL would carry with `customerKey`.
   */
  authorizeBilling(input: { customerKey: string }): string;
  /** Billing keys the fake issued, with the customer key each belongs to (live view). */
  readonly billingKeys: ReadonlyMap<string, FakeTossBilling>;
  /** Every payment the fake knows, by payment key (live view: do not modify). */
  readonly payments: ReadonlyMap<string, FakeTossPayment>;
  /** The latest payment for an order, if any. */
  paymentByOrderId(orderId: string): FakeTossPayment | undefined;
  /** Confirm requests received (replays and refusals included). */
  readonly confirmCalls: number;
  /** Every request received, oldest first. */
  readonly requests: readonly FakeTossRequest[];
  /** Forgets payments, authorisations, idempotency records and the request log; standing mode back to approve. */
  reset(): void;
  /** Stops listening and drops every connection, held ones included. */
  close(): Promise<void>;
}

const DEFAULT_SECRET_KEY = "test_sk_local";

/** Starts the fake and resolves once it listens. */
export async function startFakeTossGateway(options: FakeTossGatewayOptions = {}): Promise<FakeTossGateway> {
  const host = options.host ?? "127.0.0.1";
  const secretKey = options.secretKey ?? DEFAULT_SECRET_KEY;
  const log = options.log;
  const state = new FakeTossState(options.now ?? (() => new Date()));
  const faults = new FaultRules();
  const sockets = new Set<Socket>();
  const holds = new Set<() => void>();
  const api = new TossApi(state, faults, { secretKey, cancelCooldownMs: options.cancelCooldownMs ?? 1000, log, holds });

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const served = isControlPath(path) ? serveControl(req, res, path, state, faults) : api.serve(req, res);
    served.catch((error: unknown) => {
      log?.(`[fake-toss] internal error: ${error instanceof Error ? error.stack : String(error)}`);
      if (!res.headersSent && !res.destroyed) {
        send(res, tossError("FAILED_INTERNAL_SYSTEM_PROCESSING"));
      } else {
        res.destroy();
      }
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  state.baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  return {
    url: state.baseUrl,
    port,
    secretKey,
    setMode: (mode, opts) => faults.set(mode, opts),
    get mode() {
      return faults.mode;
    },
    authorize: (input) => state.authorize(input),
    authorizeBilling: (input) => state.authorizeBilling(input),
    billingKeys: state.billingKeys,
    payments: state.payments,
    paymentByOrderId: (orderId) => state.paymentByOrderId(orderId),
    get confirmCalls() {
      return state.confirmCalls;
    },
    requests: state.requests,
    reset() {
      state.reset();
      faults.reset();
    },
    async close() {
      for (const release of [...holds]) release();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

/** The environment that points the Toss adapter (`tossGatewayFromEnv`) at a running fake. */
export function fakeTossEnv(fake: Pick<FakeTossGateway, "url" | "secretKey">): {
  TOSS_API_BASE_URL: string;
  TOSS_SECRET_KEY: string;
} {
  return { TOSS_API_BASE_URL: fake.url, TOSS_SECRET_KEY: fake.secretKey };
}
