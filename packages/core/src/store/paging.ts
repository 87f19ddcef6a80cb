import type { ConsumedCapacity } from "@aws-sdk/client-dynamodb";
import { QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type { DynamoClients } from "./client.ts";

type Item = Record<string, unknown>;

/** Request units one DynamoDB call consumed, reported to whoever measures them. */
export type CapacityListener = (operation: string, units: { read: number; write: number }) => void;

/** The read units a Query or Scan page reports (`ReturnConsumedCapacity: "TOTAL"` gives the total only). */
export function readUnitsOf(consumed: ConsumedCapacity | undefined): number {
  if (!consumed) return 0;
  return consumed.CapacityUnits ?? consumed.ReadCapacityUnits ?? 0;
}

/** One page of a Query, with what it cost. */
export interface QueryPage {
  items: Item[];
  readUnits: number;
}

/**
 * A Query read page by page (each `LastEvaluatedKey` continues it), every page asked to
 * report its consumed capacity and, with a listener, metered as `operation`. The one
 * paging loop of the store adapters: stop early by breaking out of the loop.
 */
export async function* queryPages(
  clients: DynamoClients,
  input: QueryCommandInput,
  meter: { operation: string; onCapacity?: CapacityListener | undefined } | null = null,
): AsyncGenerator<QueryPage> {
  let startKey = input.ExclusiveStartKey;
  do {
    const out = await clients.doc.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey, ReturnConsumedCapacity: "TOTAL" }));
    const readUnits = readUnitsOf(out.ConsumedCapacity);
    meter?.onCapacity?.(meter.operation, { read: readUnits, write: 0 });
    yield { items: out.Items ?? [], readUnits };
    startKey = out.LastEvaluatedKey;
  } while (startKey);
}

/** Every item a Query matches, read with {@link queryPages}. */
export async function queryAll(
  clients: DynamoClients,
  input: QueryCommandInput,
  meter: { operation: string; onCapacity?: CapacityListener | undefined } | null = null,
): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of queryPages(clients, input, meter)) items.push(...page.items);
  return items;
}
