/**
 * DynamoDB item sizes and request units by AWS's documented rules, for checking (or
 * replacing) the ConsumedCapacity DynamoDB Local reports.
 *
 * Size: the sum over attributes of the UTF-8 name length plus the value size. Strings and
 * binaries: their byte length; numbers: about 1 byte per two significant digits + 1;
 * booleans and null: 1; lists and maps: 3 bytes + 1 byte per element + the elements (a map
 * element also counts its key's UTF-8 length); sets: the sum of their elements.
 *
 * Units: a strongly consistent read is 1 RRU per 4 KB (0.5 when eventually consistent,
 * 2 in a transaction), an item read that finds nothing still costs the minimum; a Query
 * rounds the sum of all returned items up to 4 KB; a write is 1 WRU per 1 KB, 2 in a
 * transaction, sized by the larger of the item before and after; a secondary index entry
 * write costs 1 WRU per 1 KB of the index entry, for items that have the index keys.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";

export type Item = Record<string, AttributeValue>;

const utf8 = (s: string) => Buffer.byteLength(s, "utf8");

function numberSize(text: string): number {
  const digits = text.replace(/^[-+]/, "").replace(/e.*$/i, "").replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

export function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return numberSize(v.N);
  if (v.B !== undefined) return v.B.byteLength;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS !== undefined) return v.SS.reduce((n, s) => n + utf8(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((n, s) => n + numberSize(s), 0);
  if (v.BS !== undefined) return v.BS.reduce((n, b) => n + b.byteLength, 0);
  if (v.L !== undefined) return 3 + v.L.reduce((n, e) => n + 1 + valueSize(e), 0);
  if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((n, [k, e]) => n + 1 + utf8(k) + valueSize(e), 0);
  return 0;
}

/** The size of an item in bytes, by AWS's rules (0 for a missing item). */
export function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce((n, [name, value]) => n + utf8(name) + valueSize(value), 0);
}

const KB = 1024;

/** Read units of one GetItem. */
export function getItemRru(item: Item | undefined, consistency: "strong" | "eventual" | "transactional"): number {
  const blocks = Math.max(1, Math.ceil(itemSize(item) / (4 * KB)));
  return blocks * (consistency === "strong" ? 1 : consistency === "eventual" ? 0.5 : 2);
}

/** Read units of one Query page: the summed size of what it returned, rounded up to 4 KB. */
export function queryRru(items: readonly Item[], consistency: "strong" | "eventual"): number {
  const total = items.reduce((n, i) => n + itemSize(i), 0);
  return Math.max(1, Math.ceil(total / (4 * KB))) * (consistency === "strong" ? 1 : 0.5);
}

/** Write units of one item written in a TransactWriteItems (table only). */
export function transactWriteWru(before: Item | undefined, after: Item): number {
  return 2 * Math.max(1, Math.ceil(Math.max(itemSize(before), itemSize(after)) / KB));
}

/**
 * Write units one secondary index costs for a table write, 1 per KB of index entry: a put
 * when the item gains the index keys, a delete when it loses them, both when they change,
 * an update when only projected attributes change. `entry` gives the index entry of an item
 * (the whole item for an ALL projection, its key attributes for KEYS_ONLY).
 */
export function indexWriteWru(
  before: Item | undefined,
  after: Item,
  keyAttributes: readonly string[],
  entry: (item: Item) => Item,
): number {
  const has = (item: Item | undefined): item is Item => !!item && keyAttributes.every((a) => a in item);
  const units = (item: Item) => Math.max(1, Math.ceil(itemSize(entry(item)) / KB));
  const same = (a: Item, b: Item) => JSON.stringify(a) === JSON.stringify(b);
  if (!has(before)) return has(after) ? units(after) : 0;
  if (!has(after)) return units(before);
  const keysMoved = keyAttributes.some((a) => !same({ v: before[a]! }, { v: after[a]! }));
  if (keysMoved) return units(before) + units(after);
  return same(entry(before), entry(after)) ? 0 : Math.max(units(before), units(after));
}
