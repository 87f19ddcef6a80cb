import {
  AggregatesStore,
  AlertsStore,
  AutoCharge,
  AutoChargeStore,
  ConnectionStore,
  createDynamoClients,
  eventPublisherFromEnv,
  hmacCustomerKeys,
  Insights,
  Ledger,
  LedgerStore,
  loadConfig,
  paymentGatewayFromEnv,
  Purchases,
  pusherFromEnv,
  tableNameFromEnv,
  tossSecretKeyFromEnv,
  type Alert,
  type Payment,
  type PaymentGateway,
  type Pusher,
} from "@nyang/core";
import { presentAlert } from "./presenters.ts";

/**
 * The composition root every handler shares: configuration, clients and services, built
 * once per cold start from the environment. A bad configuration fails the cold start
 * with a message naming the field. The payment gateway is built on first use, so that a
 * function that never takes payments does not need the Toss secret.
 */
export function createRuntime(env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(env);
  const clients = createDynamoClients(env);
  const table = tableNameFromEnv(env);
  const store = new LedgerStore(clients, table);
  const ledger = new Ledger(store, config);
  const timeoutMs = env.TOSS_TIMEOUT_MS ? Number(env.TOSS_TIMEOUT_MS) : undefined;
  const gateway = lazyGateway(() => paymentGatewayFromEnv(env, timeoutMs ? { timeoutMs } : {}));
  const purchases = new Purchases(ledger, store, gateway, config);
  const aggregates = new AggregatesStore(clients, table);
  const alerts = new AlertsStore(clients, table);
  let publisher: ReturnType<typeof eventPublisherFromEnv> | undefined;
  const events = { publish: (e: Parameters<ReturnType<typeof eventPublisherFromEnv>["publish"]>[0]) => (publisher ??= eventPublisherFromEnv(env)).publish(e) };
  const autoChargeStore = new AutoChargeStore(clients, table);
  const insights = new Insights(ledger, aggregates, alerts, config, undefined, async (userId) => (await autoChargeStore.getSettings(userId))?.enabled === true);
  // WebSocket connections and PostToConnection / DeleteConnection; the pusher is built on
  // first use, so only a function that pushes or closes needs NYANG_WS_MANAGEMENT_ENDPOINT.
  const connections = new ConnectionStore(clients, table);
  let pusher: Pusher | undefined;
  const push: Pusher = {
    post: (connectionId, data) => (pusher ??= pusherFromEnv(env)).post(connectionId, data),
    disconnect: (connectionId) => (pusher ??= pusherFromEnv(env)).disconnect(connectionId),
  };
  // Auto-charge alerts are stored once by id and published as AlertRaised when first stored.
  // A bus that fails is logged, not thrown: the charge it reports is done, and a retry of the
  // trigger would find the alert stored and publish nothing anyway.
  const alertSink = {
    async raise(alert: Alert) {
      if (!(await alerts.raise(alert))) return;
      try {
        await events.publish([
          {
            source: "nyang.alerts" as const,
            detailType: "AlertRaised" as const,
            time: alert.createdAt,
            detail: { version: 1 as const, id: alert.id, userId: alert.userId, alert: presentAlert(alert) },
          },
        ]);
      } catch (e) {
        console.error(JSON.stringify({ level: "ERROR", message: "AlertRaised not published", alertId: alert.id, userId: alert.userId, error: String(e) }));
      }
    },
  };
  // Customer keys derive from the merchant's Toss secret (read on first use, like the gateway):
  // a secret every deployment that registers cards already keeps, so no second one to manage.
  // Rotating it changes the key only for cards registered afterwards; a registered card keeps
  // the customer key it was issued for.
  const customerKeyOf = hmacCustomerKeys(() => tossSecretKeyFromEnv(env));
  const autoCharge = new AutoCharge(ledger, store, autoChargeStore, gateway, config, alertSink, customerKeyOf);
  return { config, store, ledger, purchases, aggregates, alerts, events, insights, connections, push, autoCharge };
}

export type Runtime = ReturnType<typeof createRuntime>;

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

/** The process's runtime, made on first call (at cold start for the handler modules). */
export const runtime = (): Runtime => (shared ??= createRuntime());
