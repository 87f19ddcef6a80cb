import { streamSubscriptions } from "../packages/functions/src/stream/subscriptions";
import { nyangSettings } from "./settings";
import { tossEnvironment, type TossSecrets } from "./api";
import { pushTableActions, type Realtime } from "./realtime";

/**
 * What a stream consumer may do on the table and its indexes, and nothing more. The
 * consumers read account days and alerts (GetItem, Query), store alerts once (conditional
 * PutItem) and add entries to the daily aggregates in a `TransactWriteItems` (authorized
 * item by item: UpdateItem / PutItem / ConditionCheckItem). One list for both consumers, and
 * `index/*`, for the reason given in stacks/api.ts: DynamoDB Local checks no IAM, so a grant
 * that missed a new call would first fail on AWS — and a stream record that fails there is
 * retried and then given up on. Not `link`ed (SST's Dynamo link grants `dynamodb:*`).
 * SST adds the stream-read actions (DescribeStream, GetRecords, GetShardIterator,
 * ListStreams) on the stream's ARN to each subscriber itself.
 */
export const streamTableActions = [
  "dynamodb:GetItem",
  "dynamodb:Query",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:ConditionCheckItem",
];

/** Lambda reports per-record failures instead of failing the whole batch (Powertools' `processPartialResponse`). */
export const streamFunctionResponseTypes = ["ReportBatchItemFailures"];

/**
 * Where a new event source mapping starts reading: `TRIM_HORIZON`, the oldest record the
 * stream still holds (24 h), not `LATEST` (SST's default).
 *
 * On the deploy that creates table and consumers together both are the same (the stream is
 * empty). They differ when a mapping is created on a table that already has traffic: these
 * consumers added to a running stage, or a mapping replaced (a renamed subscriber, a changed
 * start position). `LATEST` silently skips every entry written before the mapping exists —
 * a gap in the daily aggregates and missed alerts that no later record repairs.
 * `TRIM_HORIZON` reads those entries too; reading some of them twice is harmless because
 * both consumers are redelivery-safe by construction (ARCHITECTURE.md, rule 6: aggregates
 * dedupe by entry seq, alerts have ids fixed by their trigger). The price: on such a deploy,
 * alerts for up to a day of past entries arrive late (each carries its trigger's time).
 */
export const streamStartingPosition = "TRIM_HORIZON";

type ConsumerKey = keyof typeof streamSubscriptions;

/** `analytics` → `Analytics`: SST component names start with a capital letter. */
const componentName = (key: string) => key.charAt(0).toUpperCase() + key.slice(1);

/**
 * The consumer that also pushes WebSocket messages (balance_update, alert) to the user's
 * connections: it alone gets the realtime API's management endpoint, ManageConnections on
 * it and DeleteItem (a connection whose post met 410 Gone). See stacks/realtime.ts.
 */
export const pushingConsumer: ConsumerKey = "alerts";

/**
 * The consumer that carries the auto-charge trigger (a crossing seen on the stream is charged
 * at once): it alone gets the Toss settings, to charge the registered card.
 */
export const chargingConsumer: ConsumerKey = "alerts";

/**
 * The table's two stream consumers (`streamSubscriptions`): analytics (daily aggregates,
 * `LedgerEntryCreated`) and alerts (`AlertRaised`). AWS advises at most two readers per
 * shard, so there are exactly these two subscribers; anything else that reacts to a coin
 * movement rides inside one of them or downstream of the bus.
 *
 * Each is an event source mapping with the subscription's own filters (so a consumer is
 * only invoked for its records), batch size, bisect-on-error and bounded retries, reporting
 * partial failures. Failures, and where they go:
 * - A record the handler reports as failed (or a batch whose invocation fails) is retried
 *   from that record on; with bisect, a failing batch is split to corner the bad record.
 * - After `maximumRetryAttempts` Lambda gives up on the records and sends a description of
 *   them (shard, first/last sequence number, not the records themselves) to the
 *   `StreamFailures` SQS queue (the mapping's on-failure destination; sent with the
 *   function's role, hence its sqs:SendMessage grant), and the shard moves on. The records
 *   stay readable from the stream for 24 h by those sequence numbers; the queue keeps the
 *   notes for 14 days. Nothing consumes it — it is for an operator or an alarm on its depth.
 */
export function streams({
  table,
  bus,
  realtime,
  toss,
}: {
  table: sst.aws.Dynamo;
  bus: sst.aws.Bus;
  realtime: Realtime;
  toss: TossSecrets;
}) {
  const failures = new sst.aws.Queue("StreamFailures", {
    transform: { queue: { messageRetentionSeconds: 14 * 24 * 60 * 60 } },
  });

  const subscribers = Object.fromEntries(
    (Object.keys(streamSubscriptions) as ConsumerKey[]).map((key) => {
      const sub = streamSubscriptions[key];
      const subscriber = table.subscribe(
        componentName(key),
        {
          handler: sub.handler,
          description: sub.description,
          runtime: "nodejs22.x",
          architecture: "arm64",
          memory: "256 MB",
          // A batch of 100 records, taken one at a time (a few DynamoDB calls and a PutEvents
          // each), and for the alerts consumer possibly an auto-charge waiting on Toss (10 s a
          // call, a look-up after no answer): room for both.
          timeout: "60 seconds",
          nodejs: { format: "esm", sourcemap: true },
          environment: {
            NYANG_TABLE: table.name,
            NYANG_EVENT_BUS: bus.name,
            ...(key === pushingConsumer ? { NYANG_WS_MANAGEMENT_ENDPOINT: realtime.api.managementEndpoint } : {}),
            ...(key === chargingConsumer ? tossEnvironment(toss) : {}),
            ...nyangSettings(),
            NODE_OPTIONS: "--enable-source-maps",
          },
          permissions: [
            { actions: streamTableActions, resources: [table.arn, $interpolate`${table.arn}/index/*`] },
            { actions: ["events:PutEvents"], resources: [bus.arn] },
            // The mapping's on-failure destination sends with the function's own role.
            { actions: ["sqs:SendMessage"], resources: [failures.arn] },
            ...(key === pushingConsumer ? [{ actions: pushTableActions, resources: [table.arn] }, realtime.manageConnections] : []),
          ],
        },
        {
          filters: [...sub.filters],
          transform: {
            eventSourceMapping: {
              startingPosition: streamStartingPosition,
              batchSize: sub.batchSize,
              bisectBatchOnFunctionError: sub.bisectBatchOnFunctionError,
              maximumRetryAttempts: sub.maximumRetryAttempts,
              functionResponseTypes: streamFunctionResponseTypes,
              destinationConfig: { onFailure: { destinationArn: failures.arn } },
            },
          },
        },
      );
      return [key, subscriber];
    }),
  ) as Record<ConsumerKey, ReturnType<sst.aws.Dynamo["subscribe"]>>;

  return { subscribers, failures };
}
