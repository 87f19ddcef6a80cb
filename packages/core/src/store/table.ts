/**
 * The one DynamoDB table Nyang keeps everything in, defined once: `stacks/storage.ts`
 * builds the AWS table from it and `packages/local` and the tests create the same table
 * in DynamoDB Local from it.
 *
 * Items: every kind is defined once in entities.ts (its `kind` tag, key shape, codec and
 * stream filter; `tableItems` lists them), its key built by keys.ts. Everything of an
 * account lives in its `ACCT#<userId>` partition: the account, what a keyed request made
 * (entry, hold, order under `REC#<recordKey>`, the key deriving from the caller's
 * idempotency key, ledger rule 4), refund tallies, auto-charge settings and charges, alerts
 * and daily usage. The platform's day counters, the audit's reports and WebSocket
 * connections have partitions of their own.
 *
 * The local secondary index `byTime` orders an account's entries by `<createdAt>#<seq>`:
 * `createdAt` never goes backwards within an account (the write clamps it to the
 * account's `updatedAt`), so that order is the `seq` order and a time range is a key
 * condition, not a filter. Holds (`HOLD#<createdAt>#<id>`) and orders (`ORDER#…`) are on
 * it too, after every entry key, so that each kind lists newest first in one query; entry
 * reads stay below `BY_TIME_RECORDS_START` (keys.ts).
 *
 * The global index `byDue` (gsi1pk / gsi1sk) holds only what a schedule must come back
 * to — pending holds by expiry, orders awaiting the gateway by settle time, auto-charges
 * awaiting a retry or a stalled attempt, and every account with auto-charge on — sharded, so
 * the sweeps find them without a scan (see keys.ts, dueKeys). The global index `byDay`
 * (gsi2pk / gsi2sk) lists, per business day and shard, the accounts that used coins (or
 * were refunded some) that day with their gross usage and refunds: what top-user and
 * active-account figures are read from. The global index `byAlertTime` (gsi3pk / gsi3sk)
 * holds every alert (`ACCT#<userId>` / `ALERT#<alertId>`), sharded by account like byDay,
 * newest last: the admins' cross-account feed (keys.ts, alertFeedKeys; alerts-store.ts).
 * `projection` lists the attributes an index carries beyond its keys ([] = keys only).
 */
export const tableDefinition = {
  partitionKey: "pk",
  sortKey: "sk",
  /** Attributes that keys and indexes use, with their DynamoDB scalar type. */
  keyAttributes: { pk: "S", sk: "S", lsi1sk: "S", gsi1pk: "S", gsi1sk: "S", gsi2pk: "S", gsi2sk: "S", gsi3pk: "S", gsi3sk: "S" },
  localIndexes: {
    byTime: { sortKey: "lsi1sk" },
  },
  globalIndexes: {
    byDue: { partitionKey: "gsi1pk", sortKey: "gsi1sk", projection: [] as readonly string[] },
    byDay: { partitionKey: "gsi2pk", sortKey: "gsi2sk", projection: ["userId", "day", "usageCoins", "usageCount", "refundCoins"] as readonly string[] },
    byAlertTime: { partitionKey: "gsi3pk", sortKey: "gsi3sk", projection: ["id", "userId", "type", "severity", "title", "message", "data", "read", "readAt", "createdAt"] as readonly string[] },
  },
  stream: "NEW_AND_OLD_IMAGES",
  /** Epoch seconds; only a storage clean-up on AWS, never relied on for expiry logic. */
  ttlAttribute: "ttl",
  billingMode: "PAY_PER_REQUEST",
} as const;

export type TableDefinition = typeof tableDefinition;

/** Table name from the environment (`NYANG_TABLE`), `nyang` by default. */
export function tableNameFromEnv(env: { NYANG_TABLE?: string | undefined }): string {
  return env.NYANG_TABLE ?? "nyang";
}

/** The CreateTable request for this table, as DynamoDB Local and tests need it. */
export function createTableInput(tableName: string) {
  const d = tableDefinition;
  return {
    TableName: tableName,
    BillingMode: d.billingMode,
    AttributeDefinitions: Object.entries(d.keyAttributes).map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: [
      { AttributeName: d.partitionKey, KeyType: "HASH" as const },
      { AttributeName: d.sortKey, KeyType: "RANGE" as const },
    ],
    LocalSecondaryIndexes: Object.entries(d.localIndexes).map(([IndexName, index]) => ({
      IndexName,
      KeySchema: [
        { AttributeName: d.partitionKey, KeyType: "HASH" as const },
        { AttributeName: index.sortKey, KeyType: "RANGE" as const },
      ],
      Projection: { ProjectionType: "ALL" as const },
    })),
    GlobalSecondaryIndexes: Object.entries(d.globalIndexes).map(([IndexName, index]) => ({
      IndexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: "HASH" as const },
        { AttributeName: index.sortKey, KeyType: "RANGE" as const },
      ],
      Projection:
        index.projection.length === 0
          ? { ProjectionType: "KEYS_ONLY" as const }
          : { ProjectionType: "INCLUDE" as const, NonKeyAttributes: [...index.projection] },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: d.stream },
  };
}
