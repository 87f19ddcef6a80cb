import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEventBridgeSink, type EventBridgeSink } from "./eventbridge-sink.ts";

let sink: EventBridgeSink;
let client: EventBridgeClient;
const logged: string[] = [];

beforeAll(async () => {
  sink = await startEventBridgeSink({ log: (line) => logged.push(line) });
  // The real client, as the stream consumers will build it, with dummy credentials.
  client = new EventBridgeClient({
    endpoint: sink.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await sink.close();
});

beforeEach(() => {
  sink.clear();
  logged.length = 0;
});

const entry = (over: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  Source: "nyang.ledger",
  DetailType: "LedgerEntryCreated",
  Detail: JSON.stringify({ userId: "u1", amount: "-3.00" }),
  EventBusName: "nyang-dev",
  ...over,
});

describe("EventBridge sink with the real @aws-sdk/client-eventbridge", () => {
  it("accepts PutEvents and keeps the events in order, one EventId per entry", async () => {
    const time = new Date("2026-11-25T10:00:00.000Z");
    const out = await client.send(
      new PutEventsCommand({
        Entries: [entry(), entry({ DetailType: "AlertRaised", Detail: '{"type":"low_balance"}', Time: time, Resources: ["arn:aws:x:::y"] })],
      }),
    );
    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries).toHaveLength(2);
    const ids = out.Entries?.map((e) => e.EventId);
    expect(ids?.every((id) => typeof id === "string" && id.length > 0)).toBe(true);

    expect(sink.events).toHaveLength(2);
    expect(sink.events[0]).toMatchObject({
      id: ids?.[0],
      source: "nyang.ledger",
      detailType: "LedgerEntryCreated",
      detail: { userId: "u1", amount: "-3.00" },
      eventBusName: "nyang-dev",
      resources: [],
    });
    expect(sink.events[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(sink.events[1]).toMatchObject({ detailType: "AlertRaised", time: "2026-11-25T10:00:00Z", resources: ["arn:aws:x:::y"] });
    expect(logged.some((line) => line.includes("nyang-dev nyang.ledger LedgerEntryCreated"))).toBe(true);
  });

  it("defaults the bus to `default` and reduces a bus ARN to its name", async () => {
    await client.send(
      new PutEventsCommand({
        Entries: [entry({ EventBusName: undefined }), entry({ EventBusName: "arn:aws:events:us-east-1:123456789012:event-bus/nyang-prod" })],
      }),
    );
    expect(sink.events.map((e) => e.eventBusName)).toEqual(["default", "nyang-prod"]);
  });

  it("fails single entries the way EventBridge does and accepts the rest", async () => {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          entry({ Detail: "{not json" }),
          entry({ Detail: "[1,2]" }),
          entry({ Source: "aws.events" }),
          entry({ DetailType: undefined }),
          entry({ DetailType: "x".repeat(129) }),
          entry(),
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(5);
    expect(out.Entries?.map((e) => e.ErrorCode ?? "ok")).toEqual([
      "MalformedDetail",
      "MalformedDetail",
      "NotAuthorizedForSourceException",
      "InvalidArgument",
      "InvalidArgument",
      "ok",
    ]);
    expect(out.Entries?.[3]?.ErrorMessage).toMatch(/DetailType/);
    expect(sink.events).toHaveLength(1);
  });

  it("refuses the whole request: more than 10 entries, over 256 KB, a bad bus name, no complete entry", async () => {
    const refused = async (entries: PutEventsRequestEntry[]) => {
      try {
        await client.send(new PutEventsCommand({ Entries: entries }));
      } catch (error) {
        return error as Error & { $metadata?: { httpStatusCode?: number } };
      }
      throw new Error("PutEvents was accepted");
    };
    const tooMany = await refused(Array.from({ length: 11 }, () => entry()));
    expect(tooMany.name).toBe("ValidationException");
    expect(tooMany.message).toMatch(/less than or equal to 10/);
    expect(tooMany.$metadata?.httpStatusCode).toBe(400);

    // 256 KB is the limit of the entries together, not of each one.
    const big = (kb: number) => entry({ Detail: JSON.stringify({ pad: "x".repeat(kb * 1024) }) });
    expect((await refused([big(257)])).message).toMatch(/over the limit/);
    expect((await refused([big(130), big(130)])).message).toMatch(/over the limit/);
    const justFits = await client.send(new PutEventsCommand({ Entries: [big(200)] }));
    expect(justFits.FailedEntryCount).toBe(0);

    expect((await refused([entry({ EventBusName: "bad bus name!" })])).name).toBe("ValidationException");
    expect((await refused([entry({ Detail: undefined }), entry({ Source: undefined })])).name).toBe("ValidationException");
    expect((await refused([])).name).toBe("ValidationException");
    expect(sink.events).toHaveLength(1);
  });

  it("waitFor finds past and future events, and times out with a count", async () => {
    await client.send(new PutEventsCommand({ Entries: [entry({ DetailType: "First" })] }));
    await expect(sink.waitFor((e) => e.detailType === "First")).resolves.toMatchObject({ detailType: "First" });

    const later = sink.waitFor((e) => e.detailType === "Later", 2_000);
    await client.send(new PutEventsCommand({ Entries: [entry({ DetailType: "Later" })] }));
    await expect(later).resolves.toMatchObject({ detailType: "Later" });

    await expect(sink.waitFor((e) => e.detailType === "Never", 50)).rejects.toThrow(/no matching event within 50 ms \(2 event/);
  });

  it("answers other operations and non-JSON bodies with AWS-style errors", async () => {
    const other = await fetch(sink.endpoint, {
      method: "POST",
      headers: { "x-amz-target": "AWSEvents.PutRule", "content-type": "application/x-amz-json-1.1" },
      body: "{}",
    });
    expect(other.status).toBe(400);
    expect(other.headers.get("x-amzn-errortype")).toBe("UnknownOperationException");

    const garbage = await fetch(sink.endpoint, {
      method: "POST",
      headers: { "x-amz-target": "AWSEvents.PutEvents", "content-type": "application/x-amz-json-1.1" },
      body: "{nope",
    });
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toMatchObject({ __type: "SerializationException" });
  });

  it("close() rejects pending waits and stops listening", async () => {
    const other = await startEventBridgeSink();
    const waiting = other.waitFor(() => false, 10_000);
    await other.close();
    await expect(waiting).rejects.toThrow(/closed/);
    await expect(fetch(other.endpoint, { method: "POST" })).rejects.toThrow();
    await other.close(); // idempotent
  });
});
