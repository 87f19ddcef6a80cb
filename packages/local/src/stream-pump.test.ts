/**
 * The pump's shard handling against a scripted DynamoDB Streams API: shard rollover,
 * DescribeStream pages, closed shards and lost iterators — cases DynamoDB Local only shows
 * after hours (it rolls shards every 4 h, expires iterators after 15 min). Reading the real
 * stream is covered by test/local/stream-pump.integration.test.ts.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamsRecord,
  type DynamoDBStreamsClient,
} from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { startStreamPump, toLambdaRecord, type StreamConsumer, type StreamPump, type StreamPumpOptions } from "./stream-pump.ts";

const ARN = "arn:aws:dynamodb:ddblocal:000000000000:table/fake/stream/2026-11-25T00:00:00.000";

interface FakeShard {
  id: string;
  parent?: string;
  records: StreamsRecord[];
  closed: boolean;
}

/** Just enough of DynamoDB Streams: DescribeStream one shard per page, iterators as JSON positions. */
class FakeStreams {
  shards: FakeShard[] = [];
  calls: string[] = [];
  /** Answer the next GetRecords without NextShardIterator although the shard is open. */
  dropNextIterator = false;
  /** Throw ExpiredIteratorException on the next GetRecords. */
  expireNext = false;
  private seq = 0;

  shard(id: string, parent?: string): FakeShard {
    const shard: FakeShard = { id, parent, records: [], closed: false };
    this.shards.push(shard);
    return shard;
  }

  write(shard: FakeShard, key: string): void {
    this.seq++;
    shard.records.push({
      eventID: `e${this.seq}`,
      eventName: "INSERT",
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: "ddblocal",
      dynamodb: {
        ApproximateCreationDateTime: new Date("2026-11-25T12:00:00Z"),
        Keys: { pk: { S: key } },
        NewImage: { pk: { S: key } },
        SequenceNumber: String(this.seq).padStart(21, "0"),
        SizeBytes: 10,
        StreamViewType: "NEW_AND_OLD_IMAGES",
      },
    });
  }

  async send(command: unknown): Promise<unknown> {
    await Promise.resolve();
    if (command instanceof DescribeStreamCommand) return this.describe(command.input.ExclusiveStartShardId);
    if (command instanceof GetShardIteratorCommand) {
      const { ShardId, ShardIteratorType: type, SequenceNumber } = command.input;
      this.calls.push(`GetShardIterator ${ShardId} ${type}${SequenceNumber ? ` ${Number(SequenceNumber)}` : ""}`);
      const shard = this.find(ShardId);
      const index = shard.records.findIndex((r) => r.dynamodb?.SequenceNumber === SequenceNumber);
      const pos = type === "TRIM_HORIZON" ? 0 : type === "LATEST" ? shard.records.length : type === "AFTER_SEQUENCE_NUMBER" ? index + 1 : index;
      return { ShardIterator: JSON.stringify({ shard: ShardId, pos }) };
    }
    if (command instanceof GetRecordsCommand) {
      if (this.expireNext) {
        this.expireNext = false;
        throw new ExpiredIteratorException({ message: "expired", $metadata: {} });
      }
      const { shard: id, pos } = JSON.parse(command.input.ShardIterator ?? "") as { shard: string; pos: number };
      const shard = this.find(id);
      const records = shard.records.slice(pos, pos + (command.input.Limit ?? 1000));
      const next = pos + records.length;
      const end = shard.closed && next >= shard.records.length;
      const drop = this.dropNextIterator && records.length > 0;
      if (drop) this.dropNextIterator = false;
      return { Records: records, ...(end || drop ? {} : { NextShardIterator: JSON.stringify({ shard: id, pos: next }) }) };
    }
    throw new Error(`unexpected command ${(command as object).constructor.name}`);
  }

  destroy(): void {}

  private describe(exclusiveStart: string | undefined) {
    const from = exclusiveStart ? this.shards.findIndex((s) => s.id === exclusiveStart) + 1 : 0;
    const page = this.shards.slice(from, from + 1);
    const more = from + 1 < this.shards.length;
    return {
      StreamDescription: {
        StreamArn: ARN,
        Shards: page.map((s) => ({
          ShardId: s.id,
          ...(s.parent ? { ParentShardId: s.parent } : {}),
          SequenceNumberRange: {
            StartingSequenceNumber: s.records[0]?.dynamodb?.SequenceNumber ?? "0",
            ...(s.closed ? { EndingSequenceNumber: s.records.at(-1)?.dynamodb?.SequenceNumber ?? "0" } : {}),
          },
        })),
        ...(more ? { LastEvaluatedShardId: page[0]?.id } : {}),
      },
    };
  }

  private find(id: string | undefined): FakeShard {
    const shard = this.shards.find((s) => s.id === id);
    if (!shard) throw Object.assign(new Error("Shard does not exist"), { name: "ResourceNotFoundException" });
    return shard;
  }
}

const fakeDynamo = {
  send: async () => ({ Table: { LatestStreamArn: ARN, StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" } } }),
  destroy: () => {},
} as unknown as DynamoDBClient;

const pumps: StreamPump[] = [];
afterEach(async () => {
  await Promise.all(pumps.splice(0).map((p) => p.stop()));
});

async function pumpOn(streams: FakeStreams, consumers: StreamConsumer[], extra: Partial<StreamPumpOptions> = {}) {
  const lines: string[] = [];
  const pump = await startStreamPump({
    endpoint: "http://127.0.0.1:1",
    tableName: "fake",
    consumers,
    pollIntervalMs: 5,
    shardRefreshMs: 20,
    retryDelayMs: 1,
    streamsClient: streams as unknown as DynamoDBStreamsClient,
    dynamoClient: fakeDynamo,
    log: (line) => lines.push(line),
    ...extra,
  });
  pumps.push(pump);
  return { pump, lines };
}

function collector(batchSize = 1) {
  const keys: string[] = [];
  const consumer: StreamConsumer = {
    name: "analytics",
    batchSize,
    handler: async (event: DynamoDBStreamEvent) => {
      keys.push(...event.Records.map((r) => r.dynamodb?.Keys?.pk?.S ?? "?"));
    },
  };
  return { keys, consumer };
}

describe("stream pump: shards", () => {
  it("pages through DescribeStream and reads a closed parent to its end before its child", async () => {
    const streams = new FakeStreams();
    const parent = streams.shard("shard-parent");
    const child = streams.shard("shard-child", "shard-parent");
    const other = streams.shard("shard-other");
    for (const key of ["x1", "x2", "x3"]) streams.write(parent, key);
    parent.closed = true;
    for (const key of ["x4", "x5"]) streams.write(child, key);
    streams.write(other, "y1");

    const { keys, consumer } = collector(1);
    const { pump } = await pumpOn(streams, [consumer]);
    await pump.drain();

    expect(keys.filter((k) => k.startsWith("x"))).toEqual(["x1", "x2", "x3", "x4", "x5"]);
    expect(keys).toContain("y1");
    expect(pump.stats.shards).toBe(3);
  });

  it("follows a rollover: the open shard closes, its child appears, reading goes on there", async () => {
    const streams = new FakeStreams();
    const first = streams.shard("shard-1");
    streams.write(first, "a1");
    const { keys, consumer } = collector(10);
    const { pump, lines } = await pumpOn(streams, [consumer]);
    await pump.drain();
    expect(keys).toEqual(["a1"]);

    // DynamoDB closes the shard (every ~4 h) and opens a child that takes the new writes.
    streams.write(first, "a2");
    first.closed = true;
    const second = streams.shard("shard-2", "shard-1");
    streams.write(second, "b1");
    await pump.drain();
    streams.write(second, "b2");
    await pump.drain();

    expect(keys).toEqual(["a1", "a2", "b1", "b2"]);
    expect(lines.join("\n")).toMatch(/new shard shard-2 \(child of shard-1\)/);
    expect(lines.join("\n")).toMatch(/finished closed shard shard-1/);
  });

  it("startAt latest: skips closed shards and the past of open ones", async () => {
    const streams = new FakeStreams();
    const parent = streams.shard("p");
    streams.write(parent, "old1");
    parent.closed = true;
    const child = streams.shard("c", "p");
    streams.write(child, "old2");
    const { keys, consumer } = collector();
    const { pump } = await pumpOn(streams, [consumer], { startAt: "latest" });
    streams.write(child, "new1");
    await pump.drain();
    expect(keys).toEqual(["new1"]);
    expect(streams.calls).toContain("GetShardIterator c LATEST");
    expect(streams.calls.some((c) => c.startsWith("GetShardIterator p"))).toBe(false);
  });

  it("re-gets the iterator after the last record when an open shard answers without NextShardIterator", async () => {
    const streams = new FakeStreams();
    const shard = streams.shard("s");
    const { keys, consumer } = collector(10);
    const { pump } = await pumpOn(streams, [consumer]);
    streams.dropNextIterator = true;
    streams.write(shard, "k1");
    streams.write(shard, "k2");
    await pump.drain();
    streams.write(shard, "k3");
    await pump.drain();
    expect(keys).toEqual(["k1", "k2", "k3"]);
    expect(streams.calls).toContain("GetShardIterator s AFTER_SEQUENCE_NUMBER 2");
    expect(pump.stats.iteratorRefreshes).toBe(1);
  });

  it("an iterator that expires before anything was read is re-got at the starting position", async () => {
    const streams = new FakeStreams();
    const shard = streams.shard("s");
    streams.write(shard, "k1");
    streams.expireNext = true;
    const { keys, consumer } = collector();
    const { pump } = await pumpOn(streams, [consumer]);
    await pump.drain();
    expect(keys).toEqual(["k1"]);
    expect(streams.calls.filter((c) => c === "GetShardIterator s TRIM_HORIZON")).toHaveLength(2);
  });
});

describe("stream pump: what a handler's reply means", () => {
  async function replies(answers: unknown[], extra: Partial<StreamConsumer> = {}) {
    const streams = new FakeStreams();
    const shard = streams.shard("s");
    for (const key of ["r1", "r2", "r3"]) streams.write(shard, key);
    const calls: string[][] = [];
    const failed: string[][] = [];
    const { pump } = await pumpOn(streams, [
      {
        name: "alerts",
        batchSize: 3,
        maximumRetryAttempts: 1,
        bisectBatchOnFunctionError: false,
        handler: async (event) => {
          calls.push(event.Records.map((r) => r.dynamodb?.Keys?.pk?.S ?? "?"));
          const answer = answers[calls.length - 1];
          return typeof answer === "function" ? answer(event) : answer;
        },
        onFailure: (records) => void failed.push(records.map((r) => r.dynamodb?.Keys?.pk?.S ?? "?")),
        ...extra,
      },
    ]);
    await pump.drain();
    return { calls, failed, stats: pump.stats.consumers.alerts };
  }
  const seqOf = (i: number) => (event: DynamoDBStreamEvent) => ({ batchItemFailures: [{ itemIdentifier: event.Records[i]?.dynamodb?.SequenceNumber }] });

  it("nothing, {}, null or an empty list is success", async () => {
    for (const answer of [undefined, null, {}, { batchItemFailures: [] }, { batchItemFailures: null }, "ok"]) {
      const { calls, stats } = await replies([answer]);
      expect(calls).toHaveLength(1);
      expect(stats).toMatchObject({ recordsSucceeded: 3, retries: 0 });
    }
  });

  it("a reported record is retried with everything after it; retries exhausted go to onFailure", async () => {
    const { calls, failed, stats } = await replies([seqOf(1), seqOf(0)]);
    expect(calls).toEqual([
      ["r1", "r2", "r3"],
      ["r2", "r3"],
    ]);
    expect(failed).toEqual([["r2", "r3"]]);
    expect(stats).toMatchObject({ partialFailures: 2, retries: 1, recordsSucceeded: 1, recordsFailed: 2 });
  });

  it("an empty, missing or foreign itemIdentifier fails the whole batch", async () => {
    for (const bad of [{ batchItemFailures: [{ itemIdentifier: "" }] }, { batchItemFailures: [{ id: "x" }] }, { batchItemFailures: [{ itemIdentifier: "999" }] }]) {
      const { calls, failed, stats } = await replies([bad, bad]);
      expect(calls).toEqual([
        ["r1", "r2", "r3"],
        ["r1", "r2", "r3"],
      ]);
      expect(failed).toEqual([["r1", "r2", "r3"]]);
      expect(stats).toMatchObject({ functionErrors: 2, partialFailures: 0 });
    }
  });

  it("without ReportBatchItemFailures a failure report is ignored, as Lambda ignores it", async () => {
    const { calls, stats } = await replies([seqOf(0)], { reportBatchItemFailures: false });
    expect(calls).toHaveLength(1);
    expect(stats).toMatchObject({ recordsSucceeded: 3, partialFailures: 0 });
  });

  it("maxBatchingWindowMs gathers records that arrive within the window into one batch", async () => {
    const streams = new FakeStreams();
    const shard = streams.shard("s");
    const batches: number[] = [];
    const { pump } = await pumpOn(streams, [
      { name: "analytics", maxBatchingWindowMs: 300, handler: async (event) => void batches.push(event.Records.length) },
    ]);
    streams.write(shard, "w1");
    await new Promise((resolve) => setTimeout(resolve, 40));
    streams.write(shard, "w2");
    await pump.drain();
    expect(batches).toEqual([2]);
  });
});

describe("stream pump: configuration", () => {
  it("refuses bad settings before reading", async () => {
    const streams = new FakeStreams();
    const handler = async () => {};
    await expect(pumpOn(streams, [])).rejects.toThrow(/at least one consumer/);
    await expect(pumpOn(streams, [{ name: "a", handler, batchSize: 0 }])).rejects.toThrow(/batchSize/);
    await expect(pumpOn(streams, [{ name: "a", handler, maximumRetryAttempts: -2 }])).rejects.toThrow(/maximumRetryAttempts/);
    await expect(
      pumpOn(streams, [
        { name: "a", handler },
        { name: "a", handler },
      ]),
    ).rejects.toThrow(/two stream consumers are named a/);
  });

  it("warns when more than two consumers read every shard", async () => {
    const streams = new FakeStreams();
    const handler = async () => {};
    const { lines } = await pumpOn(streams, ["a", "b", "c"].map((name) => ({ name, handler })));
    expect(lines.join("\n")).toMatch(/at most two readers per shard/);
  });
});

describe("toLambdaRecord", () => {
  it("turns the SDK's record into Lambda's JSON: base64 binaries, epoch seconds, service identity", () => {
    const record: StreamsRecord = {
      eventID: "id",
      eventName: "REMOVE",
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: "ddblocal",
      userIdentity: { Type: "Service", PrincipalId: "dynamodb.amazonaws.com" },
      dynamodb: {
        ApproximateCreationDateTime: new Date("2026-11-25T12:34:56.789Z"),
        Keys: { pk: { S: "k" } },
        OldImage: {
          pk: { S: "k" },
          b: { B: new Uint8Array([255, 0]) },
          bs: { BS: [new Uint8Array([1])] },
          m: { M: { n: { N: "1.5" }, l: { L: [{ NULL: true }, { BOOL: false }, { SS: ["a"] }, { NS: ["1"] }] } } },
          // What the SDK makes of an empty map { M: {} }.
          empty: {} as never,
        },
        SequenceNumber: "7",
        SizeBytes: 42,
        StreamViewType: "NEW_AND_OLD_IMAGES",
      },
    };
    const lambda: DynamoDBRecord = toLambdaRecord(record, ARN);
    expect(lambda).toEqual({
      eventID: "id",
      eventName: "REMOVE",
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: "ddblocal",
      userIdentity: { type: "Service", principalId: "dynamodb.amazonaws.com" },
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(Date.parse("2026-11-25T12:34:56Z") / 1000),
        Keys: { pk: { S: "k" } },
        OldImage: {
          pk: { S: "k" },
          b: { B: "/wA=" },
          bs: { BS: ["AQ=="] },
          m: { M: { n: { N: "1.5" }, l: { L: [{ NULL: true }, { BOOL: false }, { SS: ["a"] }, { NS: ["1"] }] } } },
          empty: { M: {} },
        },
        SequenceNumber: "7",
        SizeBytes: 42,
        StreamViewType: "NEW_AND_OLD_IMAGES",
      },
      eventSourceARN: ARN,
    });
    expect(JSON.parse(JSON.stringify(lambda))).toEqual(lambda);
  });
});
