import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";

/**
 * Events leave Nyang through this port, so that mail, push or CRM services can subscribe on
 * the bus without touching this code. The port carries any event of this shape; the
 * catalogue of the events Nyang publishes, with one builder each, is
 * packages/functions/src/events.ts (documented in docs/events.md). Delivery is at least once:
 * subscribers dedupe on `detail.id`.
 */
export interface BusEvent {
  source: string;
  detailType: string;
  /** `userId` names the account an event is about; platform events (integrity) have none. */
  detail: { version: number; id: string; userId?: string; [field: string]: unknown };
  /** When it happened (ISO); EventBridge's `time`. */
  time: string;
}

export interface EventPublisher {
  publish(events: readonly BusEvent[]): Promise<void>;
}

/** PutEvents takes at most 10 entries a call. */
const BATCH = 10;

/** Publishes to an EventBridge bus with the real SDK client (locally: pointed at the sink). */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(events: readonly BusEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += BATCH) {
      const chunk = events.slice(i, i + BATCH);
      const out = await this.client.send(
        new PutEventsCommand({
          Entries: chunk.map((e) => ({
            EventBusName: this.eventBusName,
            Source: e.source,
            DetailType: e.detailType,
            Detail: JSON.stringify(e.detail),
            Time: new Date(e.time),
          })),
        }),
      );
      if (out.FailedEntryCount) {
        const failed = (out.Entries ?? []).filter((x) => x.ErrorCode).map((x) => `${x.ErrorCode}: ${x.ErrorMessage}`);
        // Thrown so the stream record is retried: its effects are idempotent, its events at-least-once.
        throw new Error(`EventBridge refused ${out.FailedEntryCount} of ${chunk.length} events: ${failed.join("; ")}`);
      }
    }
  }
}

/**
 * The publisher from the environment: `NYANG_EVENT_BUS` (default `default`), and
 * `NYANG_EVENTBRIDGE_ENDPOINT` to point the client at a local stand-in.
 */
export function eventPublisherFromEnv(env: { NYANG_EVENTBRIDGE_ENDPOINT?: string | undefined; NYANG_EVENT_BUS?: string | undefined; AWS_REGION?: string | undefined }): EventPublisher {
  const endpoint = env.NYANG_EVENTBRIDGE_ENDPOINT;
  const client = new EventBridgeClient({
    ...(endpoint ? { endpoint } : {}),
    ...(env.AWS_REGION ? {} : { region: "us-east-1" }),
  });
  return new EventBridgePublisher(client, env.NYANG_EVENT_BUS ?? "default");
}
