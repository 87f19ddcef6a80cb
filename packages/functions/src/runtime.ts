import {
  AggregatesStore,
  AlertsStore,
  AutoCharge,
  AutoChargeStore,
  ConnectionStore,
  createDynamoClients,
  defaultRetry,
  eventPublisherFromEnv,
  hmacCustomerKeys,
  Insights,
  Ledger,
  LedgerStore,
  paymentGatewayFromEnv,
  Purchases,
  purchaseSettings,
  pusherFromEnv,
  tossSecretKeyFromEnv,
  type Alert,
  type EventPublisher,
  type Payment,
  type PaymentGateway,
  type Pusher,
} from "@nyang/core";
import { processEnv, type RuntimeEnv } from "./env.ts";
import type { DomainEventPublisher } from "./events.ts";
import { createLog } from "./logger.ts";
import { alertRaiser } from "./raise-alert.ts";

/**
 * The composition root every handler shares: configuration, clients and services, built
 * from one parsed environment (env.ts). Handlers get it through their `makeHandler(runtime)`
 * factories; tests build one with `createRuntime(parseRuntimeEnv({...}))` instead of
 * changing `process.env`. The payment gateway is built on first use, so that a function that
 * never takes payments does not need the Toss secret.
 */
export const createRuntime = (env: RuntimeEnv): Runtime => buildRuntime(env);

function buildRuntime(env: RuntimeEnv) {
  const { vars, config } = env;
  const log = createLog(vars);
  const clients = createDynamoClients(vars);
  const table = vars.NYANG_TABLE;
  const store = new LedgerStore(clients, table);
  const ledger = new Ledger(store, config, () => new Date(), defaultRetry, log);
  const timeoutMs = vars.TOSS_TIMEOUT_MS;
  const gateway = lazyGateway(() => paymentGatewayFromEnv(vars, timeoutMs ? { timeoutMs } : {}));
  const purchases = new Purchases(ledger, store, gateway, config, purchaseSettings(config), () => new Date(), log);
  const aggregates = new AggregatesStore(clients, table);
  const alerts = new AlertsStore(clients, table);
  let publisher: EventPublisher | undefined;
  const events: DomainEventPublisher = { publish: (e) => (publisher ??= eventPublisherFromEnv(vars)).publish(e) };
  const raiser = alertRaiser(alerts, events);
  const autoChargeStore = new AutoChargeStore(clients, table);
  const insights = new Insights(ledger, aggregates, alerts, config, undefined, async (userId) => (await autoChargeStore.getSettings(userId))?.enabled === true);
  // WebSocket connections and PostToConnection / DeleteConnection; the pusher is built on
  // first use, so only a function that pushes or closes needs NYANG_WS_MANAGEMENT_ENDPOINT.
  const connections = new ConnectionStore(clients, table);
  let pusher: Pusher | undefined;
  const push: Pusher = {
    post: (connectionId, data) => (pusher ??= pusherFromEnv(vars)).post(connectionId, data),
    disconnect: (connectionId) => (pusher ??= pusherFromEnv(vars)).disconnect(connectionId),
  };
  // Auto-charge alerts follow the one redelivery rule of raise-alert.ts. A bus that fails is
  // logged, not thrown: the charge the alert reports is done, and the alert stays unmarked,
  // so the next look at the charge (a sweep, another trigger) publishes it.
  const alertSink = {
    async raise(alert: Alert) {
      await raiser.raise(alert, (e) => log.error("AlertRaised not published", { alertId: alert.id, userId: alert.userId, error: String(e) }));
    },
  };
  // Customer keys derive from the merchant's Toss secret (read on first use, like the gateway):
  // a secret every deployment that registers cards already keeps, so no second one to manage.
  // Rotating it changes the key only for cards registered afterwards; a registered card keeps
  // the customer key it was issued for.
  const customerKeyOf = hmacCustomerKeys(() => tossSecretKeyFromEnv(vars));
  const autoCharge = new AutoCharge(ledger, store, autoChargeStore, gateway, config, alertSink, customerKeyOf, () => new Date(), log);
  return { env, config, log, clients, store, ledger, purchases, aggregates, alerts, raiser, events, insights, connections, push, autoCharge };
}

/** Everything a handler can use (an interface, so that types built on it name it instead of spelling it out). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a named type is the point
export interface Runtime extends ReturnType<typeof buildRuntime> {}

function lazyGateway(build: () => PaymentGateway): PaymentGateway {
  let gateway: PaymentGateway | undefined;
  const get = () => (gateway ??= build());
  return {
    confirm: (req): Promise<Payment> => get().confirm(req),
    findByOrderId: (orderId) => get().findByOrderId(orderId),
    findByPaymentKey: (paymentKey) => get().findByPaymentKey(paymentKey),
    cancel: (req) => get().cancel(req),
    issueBillingKey: (req) => get().issueBillingKey(req),
    chargeBillingKey: (req) => get().chargeBillingKey(req),
  };
}

let shared: Runtime | undefined;

/**
 * The process's runtime from its environment, made on first call: what the Lambda entry
 * points (each module's exported `handler`) run with. Every handler module shares it.
 */
export const runtimeFromEnv = (): Runtime => (shared ??= createRuntime(processEnv()));

/**
 * A Lambda entry point from a handler factory: built from {@link runtimeFromEnv} on its first
 * invocation, so that importing a handler module (a test, the local runners wiring a factory
 * of their own) reads no environment.
 */
export function lazyHandler<A extends unknown[], R>(make: (rt: Runtime) => (...args: A) => R): (...args: A) => R {
  let built: ((...args: A) => R) | undefined;
  return (...args) => (built ??= make(runtimeFromEnv()))(...args);
}
