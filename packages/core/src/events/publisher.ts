import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";

/**
 * Domain events leave Nyang through this port, so that mail, push or CRM services can
 * subscribe on the bus without touching this code. Delivery is at least once: a stream
 * record that is retried publishes again, so subscribers dedupe on `detail.id`.
 * The schemas are documented in docs/events.md.
 */
export interface DomainEvent {
  source: "nyang.ledger" | "nyang.alerts" | "nyang.integrity";
  detailType: "LedgerEntryCreated" | "AlertRaised" | "IntegrityViolation";
  /** `userId` names the account an event is about; platform events (integrity) have none. */
  detail: { version: 1; id: string; userId?: string; [field: string]: unknown };
  /** When it happened (ISO); EventBridge's `time`. */
  time: string;
}

export interface EventPublisher {
  publish(events: DomainEvent[]): Promise<void>;
}

/** PutEvents takes at most 10 entries a call. */
const BATCH = 10;

/** Publishes to an EventBridge bus with the real SDK client (locally: pointed at the sink). */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(events: DomainEvent[]): Promise<void> {
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
export function eventPublisherFromEnv(env: NodeJS.ProcessEnv = process.env): EventPublisher {
  const endpoint = env.NYANG_EVENTBRIDGE_ENDPOINT;
  const client = new EventBridgeClient({
    ...(endpoint ? { endpoint } : {}),
    ...(env.AWS_REGION ? {} : { region: "us-east-1" }),
  });
  return new EventBridgePublisher(client, env.NYANG_EVENT_BUS ?? "default");
}
