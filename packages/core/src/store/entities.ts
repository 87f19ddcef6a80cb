import type { Alert } from "../alerts/alert.ts";
import type { AutoChargeSettings, ChargeRecord } from "../autocharge/model.ts";
import type { StoredEntry, StoredHold, StoredOrder } from "../ledger/ledger-port.ts";
import type { RefundTally } from "../ledger/rules.ts";
import type { Account } from "../ledger/types.ts";
import {
  itemToAccount,
  itemToAlert,
  itemToCharge,
  itemToRefundTally,
  itemToSettings,
  itemToStoredEntry,
  itemToStoredHold,
  itemToStoredOrder,
} from "./codec.ts";
import { kinds, type ItemKind } from "./keys.ts";

type Item = Record<string, unknown>;
type StreamEvent = "INSERT" | "MODIFY" | "REMOVE";

/**
 * One kind of item in the table, defined once: its `kind` tag, its key shape (built by
 * keys.ts, the one home of key prefixes), how an item decodes (codec.ts), and what a stream
 * filter matches for it. Stream consumers, the local stream pump and the stacks take their
 * filters from here (packages/functions/src/stream/subscriptions.ts), readers tell items
 * apart with `is`, and table.ts's catalogue is this list.
 */
export interface EntityDefinition<T> {
  kind: ItemKind;
  /** `<pk> / <sk>` as written by keys.ts. */
  key: string;
  /** What the item is, in a line. */
  about: string;
  /** The item → its domain value (null: no domain value; the item is read in place). */
  decode: ((item: Item) => T) | null;
  /** Whether a stored item (or a stream image) is of this kind. */
  is(item: Item | null | undefined): boolean;
  /**
   * A Lambda `FilterCriteria` pattern for this kind's stream records: new images of this
   * kind, on the given events, with optional extra string attributes matched exactly.
   */
  streamFilter(events: readonly StreamEvent[], attributes?: Record<string, string>): Record<string, unknown>;
}

function entity<T>(kind: ItemKind, key: string, about: string, decode: ((item: Item) => T) | null): EntityDefinition<T> {
  return {
    kind,
    key,
    about,
    decode,
    is: (item) => item?.kind === kind,
    streamFilter: (events, attributes = {}) => ({
      eventName: [...events],
      dynamodb: {
        NewImage: {
          // DynamoDB's typed JSON: a string attribute is `{ "S": … }` (see packages/local/src/stream-filter.ts).
          kind: { S: [kind] },
          ...Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { S: [value] }])),
        },
      },
    }),
  };
}

/** Every item kind the table holds. */
export const entities = {
  account: entity<Account>(kinds.account, "ACCT#<userId> / ACCOUNT", "the account: balances, version, revision, pending holds", itemToAccount),
  entry: entity<StoredEntry>(
    kinds.entry, "ACCT#<userId> / REC#<recordKey>",
    "an immutable ledger entry, keyed by its idempotency key (ledger rule 4); on byTime as <createdAt>#<seq>",
    itemToStoredEntry,
  ),
  hold: entity<StoredHold>(
    kinds.hold, "ACCT#<userId> / REC#<recordKey>",
    "a hold, keyed by its idempotency key; on byTime as HOLD#<createdAt>#<id>, on byDue (HOLDS) while pending",
    itemToStoredHold,
  ),
  order: entity<StoredOrder>(
    kinds.order, "ACCT#<userId> / REC#<recordKey>",
    "a payment order, keyed by its idempotency key; on byTime as ORDER#<createdAt>#<id>, on byDue (ORDERS) while the gateway's answer is awaited",
    itemToStoredOrder,
  ),
  releaseKey: entity<null>(
    kinds.releaseKey, "ACCT#<userId> / REC#<recordKey>",
    "a keyed hold release's key record: its fingerprint and answer, so the key is taken like any other (read through the record codec)",
    null,
  ),
  purchaseKey: entity<null>(
    kinds.purchaseKey, "ACCT#<userId> / REC#<recordKey>",
    "a purchase confirm's or cancel's key record: the request's fingerprint and order, taken before the gateway is asked (read through the record codec)",
    null,
  ),
  refundTally: entity<RefundTally | null>(kinds.refundTally, "ACCT#<userId> / REFUNDED#<entryId>", "how much of an entry has been refunded so far", itemToRefundTally),
  pendingRequest: entity<null>(
    kinds.pendingRequest, "ACCT#<userId> / ACCOUNT#Q#<queueKey>",
    "a busy account's queued request, right after the account item, applied by the next group commit (TTL'd)",
    null,
  ),
  autoChargeSettings: entity<AutoChargeSettings>(
    kinds.autoChargeSettings, "ACCT#<userId> / AUTOCHARGE",
    "auto-charge settings and the registered card; on byDue (AUTOCHARGE_ON) while on",
    itemToSettings,
  ),
  autoCharge: entity<ChargeRecord>(
    kinds.autoCharge, "ACCT#<userId> / AUTOCHARGE#<chargeId>",
    "one auto-charge per threshold crossing; on byDue (AUTOCHARGE) while a sweep must come back to it",
    itemToCharge,
  ),
  autoChargeMonth: entity<null>(
    kinds.autoChargeMonth, "ACCT#<userId> / AUTOCHARGE_MONTH#<YYYY-MM>",
    "the KRW auto-charged in a Korea-time month (chargedKrw), moved with the charge records: the monthly cap's counter",
    null,
  ),
  alert: entity<Alert>(kinds.alert, "ACCT#<userId> / ALERT#<alertId>", "an alert of the account (TTL'd)", itemToAlert),
  accountDay: entity<null>(
    kinds.accountDay, "ACCT#<userId> / DAY#<day>",
    "an account's usage counters for a business day; on byDay (USAGEDAY#<day>#<shard>) once it used or was refunded coins",
    null,
  ),
  platformDay: entity<null>(kinds.platformDay, "PLATFORM#<month>#<shard> / DAY#<day>", "the platform's counters for a business day, sharded", null),
  auditReport: entity<null>(kinds.auditReport, "AUDIT / LATEST, AUDIT / RUN#<finishedAt>#<id>", "the integrity monitor's newest report, and one per run (TTL'd)", null),
  wsConnection: entity<null>(kinds.wsConnection, "CONN#<userId> / WS#<connectionId>", "a WebSocket connection of the user (TTL'd)", null),
  lotDue: entity<null>(kinds.lotDue, "ACCT#<userId> / LOT#<lotId>", "an expiring bonus lot's place on byDue (LOTS) until its bonus_expiry entry is written", null),
  wsConnectionRef: entity<null>(kinds.wsConnectionRef, "WS#<connectionId> / CONNECTION", "the reverse look-up of a connection for $disconnect (TTL'd)", null),
} as const satisfies Record<keyof typeof kinds, EntityDefinition<unknown>>;

/** The table's item catalogue (table.ts): `kind`, key shape and what each item is. */
export const tableItems = Object.values(entities).map(({ kind, key, about }) => ({ kind, key, about }));
