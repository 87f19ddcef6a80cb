/**
 * The fake's own routes under `/__fake/` — not part of Toss's API: what the customer's browser
 * does in Toss's windows (the checkout pages, and their JSON twins for scripts and `curl`), the
 * fault switch, and a look at every payment. For `npm run dev` and browser demos.
 *
 * - `POST /__fake/authorize` `{ orderId, amount, orderName? }` → `{ paymentKey, orderId, amount }`
 * - `POST /__fake/billing/authorize` `{ customerKey }` → `{ authKey, customerKey }`
 * - `POST /__fake/mode` `{ mode, times?, operations?, code?, message?, status?, holdMs? }` → `{ mode, pending }`
 * - `GET /__fake/payments` → `{ mode, payments }`
 * - `GET|POST /__fake/checkout`, `/__fake/billing/checkout`: the HTML windows (checkout.ts)
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { checkoutPaths, serveCheckout } from "./checkout.ts";
import type { FakeTossMode, FakeTossModeOptions, FaultRules } from "./faults.ts";
import { parseObject, readBody, send } from "./http.ts";
import type { FakeTossState } from "./state.ts";
import { tossError, type Reply } from "./toss-errors.ts";

/** The prefix of every control route. */
export const isControlPath = (path: string): boolean => path.startsWith("/__fake/");

/** Serves one request to a control route. */
export async function serveControl(req: IncomingMessage, res: ServerResponse, path: string, state: FakeTossState, faults: FaultRules): Promise<void> {
  if ((checkoutPaths as readonly string[]).includes(path)) {
    await serveCheckout(req, res, state);
    return;
  }
  const method = req.method ?? "GET";
  const body = method === "POST" ? parseObject(await readBody(req)) : {};
  send(res, control(method, path, body ?? {}, state, faults));
}

function control(method: string, path: string, body: Record<string, unknown>, state: FakeTossState, faults: FaultRules): Reply {
  try {
    if (method === "POST" && path === "/__fake/authorize") {
      const paymentKey = state.authorize({
        orderId: String(body.orderId ?? ""),
        amount: Number(body.amount),
        orderName: typeof body.orderName === "string" ? body.orderName : undefined,
      });
      return { status: 200, body: { paymentKey, orderId: body.orderId, amount: body.amount } };
    }
    if (method === "POST" && path === "/__fake/mode") {
      const { mode, ...opts } = body;
      faults.set(mode as FakeTossMode, opts as FakeTossModeOptions);
      return { status: 200, body: { mode: faults.mode, pending: faults.pending } };
    }
    if (method === "POST" && path === "/__fake/billing/authorize") {
      const authKey = state.authorizeBilling({ customerKey: String(body.customerKey ?? "") });
      return { status: 200, body: { authKey, customerKey: body.customerKey } };
    }
  } catch (error) {
    // What the switch or the window refused (a bad order id, an unknown mode, …).
    return { status: 400, body: { code: "INVALID_REQUEST", message: (error as Error).message } };
  }
  if (method === "GET" && path === "/__fake/payments") {
    return { status: 200, body: { mode: faults.mode, payments: [...state.payments.values()] } };
  }
  return tossError("NOT_FOUND");
}
