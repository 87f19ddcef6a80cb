/**
 * Counts the AWS SDK calls made inside a scope, with the ConsumedCapacity DynamoDB
 * returned for each: how the bench sees what the stream handlers really do without
 * touching packages/. The handlers' runtime builds its own clients (core's
 * createDynamoClients); every SDK v3 client's `send` is the one method of the shared
 * smithy `Client` base class, so wrapping it there sees them all. Only calls made inside
 * `meter.run(scope, …)` (AsyncLocalStorage) are counted; the wrapper is removed on cleanup.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { onCleanup } from "./lifecycle.ts";

export interface CallTally {
  calls: number;
  failed: number;
  /** Calls whose reply carried ConsumedCapacity (the caller asked for it). */
  reported: number;
  /** Capacity units DynamoDB reported, read/write by the kind of call. */
  read: number;
  write: number;
}

/** Per scope, per operation (GetItem, TransactWriteItems, PutEvents, …). */
export type Tallies = Map<string, Map<string, CallTally>>;

export interface SdkMeter {
  run<T>(scope: string, fn: () => Promise<T>): Promise<T>;
  /** A deep copy of the counts so far. */
  snapshot(): Tallies;
}

/** Document-client and low-level command names → the DynamoDB (or EventBridge) operation. */
const OPERATIONS: Record<string, string> = {
  Get: "GetItem",
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  TransactWrite: "TransactWriteItems",
  TransactGet: "TransactGetItems",
  BatchGet: "BatchGetItem",
  BatchWrite: "BatchWriteItem",
};
const READS = new Set(["GetItem", "Query", "Scan", "TransactGetItems", "BatchGetItem"]);

function operationOf(command: unknown): string {
  const name = (command as { constructor?: { name?: string } })?.constructor?.name ?? "unknown";
  const bare = name.replace(/Command$/, "");
  return OPERATIONS[bare] ?? bare;
}

type Consumed = { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };

type Send = (this: unknown, command: unknown, ...rest: unknown[]) => unknown;

export function installSdkMeter(): SdkMeter {
  const als = new AsyncLocalStorage<string>();
  const tallies: Tallies = new Map();
  const tally = (scope: string, operation: string): CallTally => {
    let byOp = tallies.get(scope);
    if (!byOp) tallies.set(scope, (byOp = new Map()));
    let t = byOp.get(operation);
    if (!t) byOp.set(operation, (t = { calls: 0, failed: 0, reported: 0, read: 0, write: 0 }));
    return t;
  };

  // One copy of @smithy/core normally serves every client; patch each distinct base class.
  const bases = new Set<{ send: Send }>(
    [DynamoDBClient, DynamoDBDocumentClient, EventBridgeClient].map((c) => Object.getPrototypeOf(c.prototype) as { send: Send }),
  );
  for (const base of bases) {
    const original = base.send;
    base.send = function (this: unknown, command: unknown, ...rest: unknown[]) {
      const scope = als.getStore();
      const result = original.call(this, command, ...rest);
      if (scope === undefined || !(result instanceof Promise)) return result;
      const t = tally(scope, operationOf(command));
      t.calls++;
      return result.then(
        (out: { ConsumedCapacity?: Consumed | Consumed[] } | undefined) => {
          const consumed = out?.ConsumedCapacity;
          if (consumed) {
            t.reported++;
            for (const c of Array.isArray(consumed) ? consumed : [consumed]) {
              const total = c.CapacityUnits ?? (c.ReadCapacityUnits ?? 0) + (c.WriteCapacityUnits ?? 0);
              if (READS.has(operationOf(command))) t.read += total;
              else t.write += total;
            }
          }
          return out;
        },
        (error: unknown) => {
          t.failed++;
          throw error;
        },
      );
    };
    onCleanup("SDK call meter", () => {
      base.send = original;
    });
  }

  return {
    run: (scope, fn) => als.run(scope, fn),
    snapshot: () => new Map([...tallies].map(([scope, byOp]) => [scope, new Map([...byOp].map(([op, t]) => [op, { ...t }]))])),
  };
}

/** `after − before`, per scope and operation. */
export function tallyDelta(after: Tallies, before: Tallies): Tallies {
  const out: Tallies = new Map();
  for (const [scope, byOp] of after) {
    const delta = new Map<string, CallTally>();
    for (const [op, t] of byOp) {
      const b = before.get(scope)?.get(op);
      const d = {
        calls: t.calls - (b?.calls ?? 0),
        failed: t.failed - (b?.failed ?? 0),
        reported: t.reported - (b?.reported ?? 0),
        read: t.read - (b?.read ?? 0),
        write: t.write - (b?.write ?? 0),
      };
      if (d.calls > 0) delta.set(op, d);
    }
    out.set(scope, delta);
  }
  return out;
}
