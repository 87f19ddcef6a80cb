import { scheduledJobs, scheduledJobsFor } from "../packages/functions/src/http/routes";
import { scheduleCadences } from "../packages/functions/src/schedule/cadence";
import { nyangSettings } from "./settings";
import { tossEnvironment, type TossSecrets } from "./api";

/**
 * What a scheduled Lambda may do on the table and its indexes, and nothing more: the sweeps
 * Query the `byDue` global index, read items with GetItem, and settle each one in a
 * `TransactWriteItems` (authorized item by item: PutItem / UpdateItem / ConditionCheckItem)
 * or a conditional UpdateItem. Not `link`ed, for the reason given in stacks/api.ts.
 */
export const scheduleTableActions = [
  "dynamodb:GetItem",
  "dynamodb:Query",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:ConditionCheckItem",
];

type JobKey = keyof typeof scheduledJobs;

/**
 * Per-job wiring that is not the job's business (its handler and cadence live in
 * `scheduledJobs`): how long one run may take, and whether it talks to the payment gateway.
 * A run's time-out is its cadence: a run still going when the next tick fires would only
 * race its successor over the same due items (harmless, the sweeps are idempotent, but wasted).
 */
const jobWiring = {
  expireHolds: { timeout: "1 minute", payments: false },
  expireBonusLots: { timeout: "5 minutes", payments: false },
  reconcileOrders: { timeout: "5 minutes", payments: true },
  // Lambda's longest run; the sweeps walk every auto-charge account or due charge and call the gateway.
  autoChargeDaily: { timeout: "15 minutes", payments: true },
  autoChargeHourly: { timeout: "15 minutes", payments: true },
  // The integrity audit scans the table (its one Scan) and publishes IntegrityViolation.
  audit: { timeout: "15 minutes", payments: false, audit: true },
} as const satisfies Record<JobKey, { timeout: `${number} ${"minute" | "minutes"}`; payments: boolean; audit?: boolean }>;

/**
 * The payload EventBridge Scheduler hands each run, in the `ScheduledEvent` shape the
 * handlers take. The `<aws.scheduler.…>` keywords are context attributes Scheduler fills in
 * at each invocation; the handlers log `time` as `scheduledAt`.
 */
export const scheduleEvent = {
  id: "<aws.scheduler.execution-id>",
  "detail-type": "Scheduled Event",
  source: "aws.scheduler",
  time: "<aws.scheduler.scheduled-time>",
  detail: { schedule: "<aws.scheduler.schedule-arn>", attempt: "<aws.scheduler.attempt-number>" },
};

/** Scheduler's own retries when it cannot hand a run to Lambda (throttled, Lambda unavailable). */
export const scheduleDeliveryRetries = 2;

/** `expireHolds` → `ExpireHolds`: SST component names start with a capital letter. */
const componentName = (key: string) => key.charAt(0).toUpperCase() + key.slice(1);

/**
 * The scheduled sweeps: one `sst.aws.CronV2` (EventBridge Scheduler, not an EventBridge
 * rule) per entry of `scheduledJobs`, each with its own Lambda.
 *
 * Failures, and where they go:
 * - Scheduler invokes Lambda asynchronously. If it cannot (throttling, a service error), it
 *   retries `scheduleDeliveryRetries` times and then drops the event into the
 *   `ScheduleFailures` SQS queue (its dead-letter queue; CronV2 grants its role
 *   sqs:SendMessage on it).
 * - A run that throws is not retried by Lambda (`retries: 0`, default 2): the next tick is
 *   the retry, and Lambda's retries would only stack runs on top of the next ticks. The failed
 *   invocation goes to the same queue as Lambda's on-failure destination, so one queue shows
 *   every tick that did not do its work. (A reconcile run that merely could not settle some
 *   orders does not throw; it counts them as `errors` in its report and log line.)
 * The queue keeps messages for 14 days; nothing consumes it — it is for an operator or an
 * alarm on its depth.
 */
export function schedules({ table, toss, bus }: { table: sst.aws.Dynamo; toss: TossSecrets; bus: sst.aws.Bus }) {
  // The cadence settings of the deployer's environment, as `npm run dev` reads them (env.ts).
  const jobs = scheduledJobsFor(scheduleCadences(process.env));
  const failures = new sst.aws.Queue("ScheduleFailures", {
    transform: { queue: { messageRetentionSeconds: 14 * 24 * 60 * 60 } },
  });

  const crons = Object.fromEntries(
    (Object.keys(jobs) as JobKey[]).map((key) => {
      const job = jobs[key];
      const wiring = jobWiring[key];
      const cron = new sst.aws.CronV2(componentName(key), {
        schedule: job.schedule,
        event: scheduleEvent,
        retries: scheduleDeliveryRetries,
        dlq: failures.arn,
        function: {
          handler: job.handler,
          description: job.description,
          runtime: "nodejs22.x",
          architecture: "arm64",
          memory: "256 MB",
          timeout: wiring.timeout,
          nodejs: { format: "esm", sourcemap: true },
          environment: {
            NYANG_TABLE: table.name,
            ...(wiring.payments ? tossEnvironment(toss) : {}),
            ...("audit" in wiring ? { NYANG_EVENT_BUS: bus.name } : {}),
            ...nyangSettings(),
            NODE_OPTIONS: "--enable-source-maps",
          },
          permissions: [
            { actions: scheduleTableActions, resources: [table.arn, $interpolate`${table.arn}/index/*`] },
            // Lambda's on-failure destination sends with the function's own role.
            { actions: ["sqs:SendMessage"], resources: [failures.arn] },
            ...("audit" in wiring
              ? [
                  { actions: ["dynamodb:Scan"], resources: [table.arn] },
                  { actions: ["events:PutEvents"], resources: [bus.arn] },
                ]
              : []),
          ],
          retries: 0,
          transform: {
            eventInvokeConfig: { destinationConfig: { onFailure: { destination: failures.arn } } },
          },
        },
      });
      return [key, cron];
    }),
  ) as Record<JobKey, sst.aws.CronV2>;

  return { crons, failures };
}
