/**
 * The stream pump against DynamoDB Local's real stream: each test writes to a table of its
 * own (privateTable), so it sees only its own records.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient, ExpiredIteratorException } from "@aws-sdk/client-dynamodb-streams";
import { startStreamPump, type StreamConsumer, type StreamPump, type StreamPumpOptions } from "@nyang/local";
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { localDynamoClient, privateTable, testDynamoEndpoint } from "../support/index.ts";

const dynamo = localDynamoClient();
const pumps: StreamPump[] = [];
let endpoint: string;

beforeAll(() => {
  endpoint = testDynamoEndpoint();
});

afterEach(async () => {
  await Promise.all(pumps.splice(0).map((pump) => pump.stop()));
});

afterAll(() => {
  dynamo.destroy();
});

async function pump(tableName: string, consumers: StreamConsumer[], extra: Partial<StreamPumpOptions> = {}): Promise<StreamPump> {
  const started = await startStreamPump({
    endpoint,
    tableName,
    consumers,
    pollIntervalMs: 20,
    retryDelayMs: 1,
    log: () => {},
    ...extra,
  });
  pumps.push(started);
  return started;
}

/** Puts an item `pk`/`sk` with string attributes (and `poison` as a BOOL when asked). */
async function put(tableName: string, pk: string, sk: string, attributes: Record<string, string> = {}, extra: Record<string, AttributeValue> = {}) {
  const item: Record<string, AttributeValue> = { pk: { S: pk }, sk: { S: sk }, ...extra };
  for (const [name, value] of Object.entries(attributes)) item[name] = { S: value };
  await dynamo.send(new PutItemCommand({ TableName: tableName, Item: item }));
}

/** A handler that records every event it gets (copies) and succeeds. */
function recorder() {
  const events: DynamoDBStreamEvent[] = [];
  const contexts: Context[] = [];
  const handler = async (event: DynamoDBStreamEvent, context: Context) => {
    events.push(structuredClone(event));
    contexts.push(context);
  };
  return { events, contexts, handler, records: () => events.flatMap((e) => e.Records) };
}

const key = (r: DynamoDBRecord) => `${r.dynamodb?.Keys?.pk?.S}/${r.dynamodb?.Keys?.sk?.S}`;
const seq = (r: DynamoDBRecord) => BigInt(r.dynamodb?.SequenceNumber ?? "0");

describe("stream pump on DynamoDB Local", () => {
  it("hands records over in Lambda's DynamoDBStreamEvent shape, in order, with a Lambda context", async () => {
    const table = await privateTable("pump-shape");
    const seen = recorder();
    const p = await pump(table, [{ name: "analytics", handler: seen.handler }]);

    await put(table, "ACCT#a", "ACCOUNT", { kind: "account" }, {
      balance: { N: "100" },
      blob: { B: new Uint8Array([1, 2, 3]) },
      holds: { M: {} }, // the SDK reads an empty map back as {}; Lambda sends { M: {} }
      tags: { L: [] },
    });
    await dynamo.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: "ACCT#a" }, sk: { S: "ACCOUNT" } },
        UpdateExpression: "SET balance = :b",
        ExpressionAttributeValues: { ":b": { N: "40" } },
      }),
    );
    await put(table, "ACCT#b", "REC#1", { kind: "entry" });
    await dynamo.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: "ACCT#a" }, sk: { S: "ACCOUNT" } } }));
    await p.drain();

    const records = seen.records();
    expect(records.map((r) => `${r.eventName} ${key(r)}`)).toEqual([
      "INSERT ACCT#a/ACCOUNT",
      "MODIFY ACCT#a/ACCOUNT",
      "INSERT ACCT#b/REC#1",
      "REMOVE ACCT#a/ACCOUNT",
    ]);
    const sequence = records.map(seq);
    expect([...sequence].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequence);

    const [insert, modify, , remove] = records as [DynamoDBRecord, DynamoDBRecord, DynamoDBRecord, DynamoDBRecord];
    expect(insert).toMatchObject({
      eventName: "INSERT",
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      eventSourceARN: p.streamArn,
      dynamodb: {
        Keys: { pk: { S: "ACCT#a" }, sk: { S: "ACCOUNT" } },
        NewImage: { pk: { S: "ACCT#a" }, kind: { S: "account" }, balance: { N: "100" }, blob: { B: "AQID" }, holds: { M: {} }, tags: { L: [] } },
        StreamViewType: "NEW_AND_OLD_IMAGES",
      },
    });
    expect(typeof insert.eventID).toBe("string");
    expect(typeof insert.awsRegion).toBe("string");
    expect(insert.dynamodb?.OldImage).toBeUndefined();
    expect(insert.dynamodb?.SizeBytes).toBeGreaterThan(0);
    expect(insert.dynamodb?.SequenceNumber).toMatch(/^\d+$/);
    // Epoch seconds, as Lambda sends it (DynamoDB Local rounds it down to the minute).
    const created = insert.dynamodb?.ApproximateCreationDateTime ?? 0;
    expect(Number.isInteger(created)).toBe(true);
    expect(Math.abs(created - Date.now() / 1000)).toBeLessThan(120);
    expect(modify.dynamodb?.OldImage?.balance).toEqual({ N: "100" });
    expect(modify.dynamodb?.NewImage?.balance).toEqual({ N: "40" });
    expect(remove.dynamodb?.NewImage).toBeUndefined();
    expect(remove.dynamodb?.OldImage?.balance).toEqual({ N: "40" });
    expect(p.streamArn).toContain(`table/${table}/stream/`);

    const context = seen.contexts[0] as Context;
    expect(context.functionName).toBe("analytics");
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(p.stats.consumers.analytics).toMatchObject({ recordsDelivered: 4, recordsSucceeded: 4, recordsSkipped: 0, retries: 0 });
  });

  it("applies each consumer's filters, and two consumers each get every record they match", async () => {
    const table = await privateTable("pump-filters");
    const alerts = recorder();
    const analytics = recorder();
    const p = await pump(table, [
      {
        name: "alerts",
        handler: alerts.handler,
        filters: [{ dynamodb: { NewImage: { kind: { S: ["entry"] } } }, eventName: ["INSERT"] }],
      },
      { name: "analytics", handler: analytics.handler },
    ]);

    await put(table, "ACCT#a", "ACCOUNT", { kind: "account" });
    for (let i = 1; i <= 3; i++) await put(table, "ACCT#a", `REC#${i}`, { kind: "entry" });
    await put(table, "ACCT#a", "REC#h", { kind: "hold" });
    await put(table, "ACCT#a", "REC#1", { kind: "entry", note: "changed" }); // MODIFY of an entry
    await p.drain();

    expect(alerts.records().map((r) => `${r.eventName} ${key(r)}`)).toEqual(["INSERT ACCT#a/REC#1", "INSERT ACCT#a/REC#2", "INSERT ACCT#a/REC#3"]);
    expect(analytics.records()).toHaveLength(6);
    expect(p.stats.consumers.alerts).toMatchObject({ recordsSucceeded: 3, recordsSkipped: 3 });
    expect(p.stats.consumers.analytics).toMatchObject({ recordsSucceeded: 6, recordsSkipped: 0 });
  });

  it("re-delivers from the lowest failed record when the handler reports batchItemFailures", async () => {
    const table = await privateTable("pump-partial");
    // Written before the pump starts, so the five arrive as one batch.
    for (let i = 1; i <= 5; i++) await put(table, "ACCT#p", `REC#${i}`, { kind: "entry" });
    const calls: string[][] = [];
    const p = await pump(table, [
      {
        name: "alerts",
        batchSize: 10,
        handler: async (event) => {
          calls.push(event.Records.map((r) => key(r)));
          if (calls.length > 1) return { batchItemFailures: [] };
          // Report the 4th and the 3rd: the lower one decides where the retry starts.
          const [, , third, fourth] = event.Records;
          return { batchItemFailures: [{ itemIdentifier: fourth?.dynamodb?.SequenceNumber ?? "" }, { itemIdentifier: third?.dynamodb?.SequenceNumber ?? "" }] };
        },
      },
    ]);
    await p.drain();

    expect(calls).toEqual([
      ["ACCT#p/REC#1", "ACCT#p/REC#2", "ACCT#p/REC#3", "ACCT#p/REC#4", "ACCT#p/REC#5"],
      ["ACCT#p/REC#3", "ACCT#p/REC#4", "ACCT#p/REC#5"],
    ]);
    expect(p.stats.consumers.alerts).toMatchObject({ invocations: 2, partialFailures: 1, retries: 1, recordsSucceeded: 5, recordsFailed: 0 });
  });

  it("retries a throwing handler, bisects down to the poison record, sends it to onFailure and goes on", async () => {
    const table = await privateTable("pump-poison");
    for (let i = 1; i <= 8; i++) await put(table, "ACCT#q", `REC#${i}`, { kind: "entry" }, i === 5 ? { poison: { BOOL: true } } : {});

    const delivered: string[] = [];
    const failed: { consumer: string; keys: string[]; error: string; attempts: number }[] = [];
    const poisonous = async (event: DynamoDBStreamEvent) => {
      if (event.Records.some((r) => r.dynamodb?.NewImage?.poison?.BOOL)) throw new Error("poison");
      delivered.push(...event.Records.map(key));
    };
    const onFailure = (records: DynamoDBRecord[], error: unknown, info: { consumer: string; attempts: number }) => {
      failed.push({ consumer: info.consumer, keys: records.map(key), error: (error as Error).message, attempts: info.attempts });
    };
    const strictDelivered: string[] = [];
    const p = await pump(table, [
      { name: "bisecting", batchSize: 8, maximumRetryAttempts: 2, handler: poisonous, onFailure },
      {
        // Same poison without bisecting: the whole batch is given up on, and this consumer's
        // trouble does not hold the other one back.
        name: "whole-batch",
        batchSize: 8,
        maximumRetryAttempts: 1,
        bisectBatchOnFunctionError: false,
        handler: async (event) => {
          if (event.Records.some((r) => r.dynamodb?.NewImage?.poison?.BOOL)) throw new Error("poison");
          strictDelivered.push(...event.Records.map(key));
        },
        onFailure,
      },
    ]);
    await p.drain();

    const all = Array.from({ length: 8 }, (_, i) => `ACCT#q/REC#${i + 1}`);
    expect(delivered).toEqual(all.filter((k) => k !== "ACCT#q/REC#5"));
    expect(failed).toContainEqual({ consumer: "bisecting", keys: ["ACCT#q/REC#5"], error: "poison", attempts: 3 });
    expect(failed).toContainEqual({ consumer: "whole-batch", keys: all, error: "poison", attempts: 2 });
    expect(failed).toHaveLength(2);
    // 8 → 4+4 → 2+2 → 1+1: three splits; then the lone poison record is retried twice.
    expect(p.stats.consumers.bisecting).toMatchObject({ bisections: 3, retries: 2, recordsSucceeded: 7, recordsFailed: 1, invocations: 9 });
    expect(p.stats.consumers["whole-batch"]).toMatchObject({ bisections: 0, retries: 1, recordsSucceeded: 0, recordsFailed: 8, invocations: 2 });

    // The shard is not blocked: later records flow to both.
    await put(table, "ACCT#q", "REC#9", { kind: "entry" });
    await p.drain();
    expect(delivered.at(-1)).toBe("ACCT#q/REC#9");
    expect(strictDelivered).toEqual(["ACCT#q/REC#9"]);
  });

  it("fails an invocation that outlives its timeout, like a Lambda timeout", async () => {
    const table = await privateTable("pump-timeout");
    const failed: string[] = [];
    const p = await pump(table, [
      {
        name: "slow",
        timeoutMs: 50,
        maximumRetryAttempts: 0,
        handler: () => new Promise(() => {}),
        onFailure: (_records, error) => void failed.push((error as Error).message),
      },
    ]);
    await put(table, "ACCT#t", "REC#1");
    await p.drain();
    expect(failed).toEqual(["Task timed out after 50 ms"]);
  });

  it("startAt latest skips what was written before the pump started", async () => {
    const table = await privateTable("pump-latest");
    await put(table, "ACCT#l", "REC#old");
    const seen = recorder();
    const p = await pump(table, [{ name: "analytics", handler: seen.handler }], { startAt: "latest" });
    await put(table, "ACCT#l", "REC#new");
    await p.drain();
    expect(seen.records().map(key)).toEqual(["ACCT#l/REC#new"]);
  });

  it("survives an expired iterator: resumes after the last record read, nothing lost or repeated", async () => {
    const table = await privateTable("pump-expired");
    const streams = new DynamoDBStreamsClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    let expireNext = false;
    // DynamoDB Local only expires iterators after 15 minutes; the SDK middleware answers one read as it would then.
    streams.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "GetRecordsCommand" && expireNext) {
          expireNext = false;
          throw new ExpiredIteratorException({ message: "Iterator expired", $metadata: {} });
        }
        return next(args);
      },
      { step: "initialize", name: "expireOnce" },
    );
    try {
      const seen = recorder();
      const p = await pump(table, [{ name: "analytics", handler: seen.handler }], { streamsClient: streams });
      for (let i = 1; i <= 3; i++) await put(table, "ACCT#e", `REC#${i}`);
      await p.drain();
      expireNext = true;
      for (let i = 4; i <= 6; i++) await put(table, "ACCT#e", `REC#${i}`);
      await p.drain();

      expect(expireNext).toBe(false);
      expect(seen.records().map(key)).toEqual(Array.from({ length: 6 }, (_, i) => `ACCT#e/REC#${i + 1}`));
      expect(p.stats.iteratorRefreshes).toBeGreaterThanOrEqual(1);
      await p.stop();
    } finally {
      streams.destroy();
    }
  });

  it("drain() waits for retries to settle; stop() stops polling and leaves no timer behind", async () => {
    const table = await privateTable("pump-stop");
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    let attempts = 0;
    const p = await startStreamPump({
      endpoint,
      tableName: table,
      pollIntervalMs: 20,
      retryDelayMs: 30,
      log: () => {},
      consumers: [
        {
          name: "flaky",
          handler: async () => {
            attempts++;
            if (attempts < 3) throw new Error("not yet");
          },
        },
      ],
    });
    await put(table, "ACCT#s", "REC#1");
    await p.drain();
    expect(attempts).toBe(3);
    expect(p.stats.consumers.flaky).toMatchObject({ retries: 2, recordsSucceeded: 1 });

    await p.stop();
    await p.stop(); // idempotent
    const calls = p.stats.getRecordsCalls;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(p.stats.getRecordsCalls).toBe(calls);
    expect(process.getActiveResourcesInfo().filter((r) => r === "Timeout").length).toBeLessThanOrEqual(timersBefore);
    await expect(p.drain()).rejects.toThrow(/stopped/);
  });

  it("refuses a table without the stream and a malformed filter before reading anything", async () => {
    await expect(
      startStreamPump({ endpoint, tableName: "no-such-table-here", consumers: [{ name: "x", handler: async () => {} }], log: () => {} }),
    ).rejects.toThrow(/ResourceNotFound|not found|non-existent/i);
    const table = await privateTable("pump-badfilter");
    await expect(
      startStreamPump({
        endpoint,
        tableName: table,
        log: () => {},
        consumers: [{ name: "x", handler: async () => {}, filters: [{ eventName: "INSERT" }] }],
      }),
    ).rejects.toThrow(/must be a list of rules/);
  });
});

describe("checkpoints: a restarted pump resumes where it stopped", () => {
  const keys = (r: ReturnType<typeof recorder>) => r.records().map(key);

  it("does not deliver processed records again, and delivers those written while it was down, per consumer and filter", async () => {
    const table = await privateTable("pump-resume");
    const checkpointFile = join(mkdtempSync(join(tmpdir(), "nyang-pump-")), "data", "stream-checkpoints.json");
    const consumers = () => {
      const all = recorder();
      const onlyEntries = recorder();
      return {
        all,
        onlyEntries,
        list: [
          { name: "all", handler: all.handler },
          { name: "entries", handler: onlyEntries.handler, filters: [{ dynamodb: { NewImage: { kind: { S: ["entry"] } } } }] },
        ],
      };
    };

    const first = consumers();
    const p1 = await pump(table, first.list, { checkpointFile });
    await put(table, "ACCT#r", "E#1", { kind: "entry" });
    await put(table, "ACCT#r", "X#1", { kind: "other" });
    await put(table, "ACCT#r", "E#2", { kind: "entry" });
    await put(table, "ACCT#r", "X#2", { kind: "other" }); // the last record: filtered out for "entries"
    await p1.drain();
    await p1.stop();
    expect(keys(first.all)).toEqual(["ACCT#r/E#1", "ACCT#r/X#1", "ACCT#r/E#2", "ACCT#r/X#2"]);
    expect(keys(first.onlyEntries)).toEqual(["ACCT#r/E#1", "ACCT#r/E#2"]);
    expect(existsSync(checkpointFile)).toBe(true);

    // Written while no pump runs.
    await put(table, "ACCT#r", "E#3", { kind: "entry" });
    await put(table, "ACCT#r", "X#3", { kind: "other" });

    const second = consumers();
    const p2 = await pump(table, second.list, { checkpointFile });
    await put(table, "ACCT#r", "E#4", { kind: "entry" });
    await p2.drain();
    expect(keys(second.all)).toEqual(["ACCT#r/E#3", "ACCT#r/X#3", "ACCT#r/E#4"]);
    expect(keys(second.onlyEntries)).toEqual(["ACCT#r/E#3", "ACCT#r/E#4"]);
    await p2.stop();

    // Without the file, the same start reads the stream from its oldest record again.
    const third = consumers();
    const p3 = await pump(table, third.list);
    await p3.drain();
    expect(keys(third.all)).toHaveLength(7);
  });

  it("a batch that failed and is being retried when the pump stops is delivered again after the restart", async () => {
    const table = await privateTable("pump-resume-retry");
    const checkpointFile = join(mkdtempSync(join(tmpdir(), "nyang-pump-")), "stream-checkpoints.json");
    let failing = true;
    const seen: string[] = [];
    const handler = async (event: DynamoDBStreamEvent) => {
      seen.push(...event.Records.map(key));
      if (failing) throw new Error("down");
    };
    const p1 = await pump(table, [{ name: "c", handler, maximumRetryAttempts: -1 }], { checkpointFile, retryDelayMs: 20 });
    await put(table, "ACCT#f", "E#1");
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 10));
    await p1.stop();
    failing = false;
    seen.length = 0;
    const p2 = await pump(table, [{ name: "c", handler }], { checkpointFile });
    await p2.drain();
    expect(seen).toEqual(["ACCT#f/E#1"]);
  });

  it("ignores checkpoints of another stream (a recreated table) and a file it cannot read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nyang-pump-"));
    const table = await privateTable("pump-resume-other");
    await put(table, "ACCT#o", "E#1");
    for (const content of [JSON.stringify({ version: 1, streamArn: "arn:aws:dynamodb:ddblocal:000000000000:table/gone/stream/x", consumers: { c: { "shardId-1": { sequenceNumber: "999" } } } }), "{not json"]) {
      const file = join(dir, "stream-checkpoints.json");
      writeFileSync(file, content);
      const seen = recorder();
      const lines: string[] = [];
      const p = await pump(table, [{ name: "c", handler: seen.handler }], { checkpointFile: file, log: (l) => lines.push(l) });
      await p.drain();
      await p.stop();
      expect(keys(seen)).toEqual(["ACCT#o/E#1"]);
      expect(lines.join("\n")).toMatch(/another stream|not readable/);
    }
  });
});
