import { tableDefinition } from "../packages/core/src/store/table";

/** DynamoDB scalar type → the field type `sst.aws.Dynamo` spells. */
const fieldType = { S: "string", N: "number", B: "binary" } as const;

/** DynamoDB `StreamViewType` → the `stream` value `sst.aws.Dynamo` spells. */
const streamView = {
  KEYS_ONLY: "keys-only",
  NEW_IMAGE: "new-image",
  OLD_IMAGE: "old-image",
  NEW_AND_OLD_IMAGES: "new-and-old-images",
} as const;

/**
 * The one table, built from `tableDefinition` (packages/core/src/store/table.ts), the same
 * object DynamoDB Local and the tests create their table from.
 *
 * `sst.aws.Dynamo` always uses on-demand billing and turns point-in-time recovery on by
 * default; both are also set through `transform.table` so they follow the definition and
 * do not depend on a component default. Production keeps the table: deletion protection
 * here, plus `removal: "retain"` and `protect` in sst.config.ts.
 */
export function storage() {
  const def = tableDefinition;
  const production = $app.stage === "production";

  const table = new sst.aws.Dynamo("Ledger", {
    fields: Object.fromEntries(
      Object.entries(def.keyAttributes).map(([name, type]) => [name, fieldType[type]]),
    ),
    primaryIndex: { hashKey: def.partitionKey, rangeKey: def.sortKey },
    localIndexes: Object.fromEntries(
      Object.entries(def.localIndexes).map(([name, index]) => [name, { rangeKey: index.sortKey }]),
    ),
    globalIndexes: Object.fromEntries(
      Object.entries(def.globalIndexes).map(([name, index]) => [
        name,
        {
          hashKey: index.partitionKey,
          rangeKey: index.sortKey,
          projection: index.projection.length === 0 ? ("keys-only" as const) : [...index.projection],
        },
      ]),
    ),
    stream: streamView[def.stream],
    ttl: def.ttlAttribute,
    deletionProtection: production,
    transform: {
      table: {
        billingMode: def.billingMode,
        pointInTimeRecovery: { enabled: true },
      },
    },
  });

  return { table };
}
