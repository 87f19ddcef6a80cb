/**
 * Request units per ledger operation, run through core with the store's capacity listener
 * (what DynamoDB Local reports as ConsumedCapacity), next to the units computed by AWS's
 * rules from the real items. The items an operation wrote are found by diffing the
 * account's partition before and after it, so this follows the table layout as it changes.
 */
import { QueryCommand, TransactWriteItemsCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { accountPk, coinsToMinor, MAX_PENDING_HOLDS, tableDefinition } from "@nyang/core";
import { BENCH_TABLE, coreLedger } from "./environment.ts";
import { getItemRru, indexWriteWru, itemSize, queryRru, transactWriteWru, type Item } from "./item-size.ts";
import { progress } from "./lifecycle.ts";

/** On-demand, us-east-1, since November 2024. */
export const PRICE_PER_MILLION = { write: 0.625, read: 0.125 };

const INDEX = Object.keys(tableDefinition.localIndexes)[0] ?? "byTime";
const INDEX_SK = Object.values(tableDefinition.localIndexes)[0]?.sortKey ?? "lsi1sk";
const TABLE_KEYS = [tableDefinition.partitionKey, tableDefinition.sortKey];

/** Every secondary index of the table, with its key attributes and what its entries hold. */
const INDEXES: { name: string; kind: "LSI" | "GSI"; keys: string[]; entry: (item: Item) => Item }[] = [
  // byTime projects ALL: its entry is the whole item.
  ...Object.entries(tableDefinition.localIndexes).map(([name, i]) => ({
    name,
    kind: "LSI" as const,
    keys: [tableDefinition.partitionKey, i.sortKey],
    entry: (item: Item) => item,
  })),
  // Global indexes project their keys, the table keys and any INCLUDE attributes.
  ...Object.entries(tableDefinition.globalIndexes).map(([name, i]) => {
    const keys: string[] = [i.partitionKey, i.sortKey];
    const projected: readonly string[] = "projection" in i ? (i as { projection: readonly string[] }).projection : [];
    return {
      name,
      kind: "GSI" as const,
      keys,
      entry: (item: Item) => Object.fromEntries([...TABLE_KEYS, ...keys, ...projected].filter((k) => k in item).map((k) => [k, item[k]!])),
    };
  }),
];

export interface Units {
  read: number;
  write: number;
}

export interface OperationUnits {
  operation: string;
  /** The DynamoDB calls it made, with the units DynamoDB Local reported for each. */
  calls: { name: string; units: Units }[];
  /** Summed ConsumedCapacity, or undefined when DynamoDB Local reported none. */
  measured: Units | undefined;
  computed: Units;
  /** The part of computed.write that is LSI entry writes (charged 1× here; DynamoDB Local charges 2×). */
  lsiWrite: number;
  /** How the computed figure is made up, for the report. */
  computedFrom: string;
}

export interface RequestUnitsResult {
  operations: OperationUnits[];
  /** Whether DynamoDB Local returned non-zero ConsumedCapacity. */
  capacityReported: boolean;
  /** What DynamoDB Local reports for two probe transactions whose AWS figure is known. */
  localAccounting: LocalAccounting;
  itemSizes: Record<string, number>;
}

export interface LocalAccounting {
  /** Two small (< 1 KB) puts in one transaction: AWS charges 2 + 2 = 4 WRU. */
  twoEqualPuts: number | undefined;
  /** One small put carrying the LSI sort key, in a transaction: table 2, LSI as reported. */
  lsiEntry: number | undefined;
}

/** Probes how DynamoDB Local accounts transactional writes, with items of known size. */
async function probeLocalAccounting(raw: DynamoDBClient): Promise<LocalAccounting> {
  const put = (sk: string, indexed: boolean) => ({
    Put: {
      TableName: BENCH_TABLE,
      Item: { pk: { S: "BENCH#probe" }, sk: { S: sk }, ...(indexed ? { [INDEX_SK]: { S: sk } } : {}), pad: { S: "x".repeat(100) } },
    },
  });
  const two = await raw.send(new TransactWriteItemsCommand({ TransactItems: [put("a", false), put("b", false)], ReturnConsumedCapacity: "TOTAL" }));
  const lsi = await raw.send(new TransactWriteItemsCommand({ TransactItems: [put("c", true)], ReturnConsumedCapacity: "INDEXES" }));
  return {
    twoEqualPuts: two.ConsumedCapacity?.[0]?.CapacityUnits,
    lsiEntry: lsi.ConsumedCapacity?.[0]?.LocalSecondaryIndexes?.[INDEX]?.CapacityUnits,
  };
}

export function costPerMillion(u: Units): number {
  return u.write * PRICE_PER_MILLION.write + u.read * PRICE_PER_MILLION.read;
}

type Partition = Map<string, Item>;
interface Written {
  before: Item | undefined;
  after: Item;
}

async function readPartition(raw: DynamoDBClient, userId: string): Promise<Partition> {
  const items: Partition = new Map();
  let start: Record<string, import("@aws-sdk/client-dynamodb").AttributeValue> | undefined;
  do {
    const out = await raw.send(
      new QueryCommand({
        TableName: BENCH_TABLE,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": { S: accountPk(userId) } },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) items.set(item.sk!.S!, item);
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Items that are new or changed between two snapshots of a partition. */
function writtenBetween(before: Partition, after: Partition): Written[] {
  const out: Written[] = [];
  for (const [sk, item] of after) {
    const old = before.get(sk);
    if (!old || JSON.stringify(old) !== JSON.stringify(item)) out.push({ before: old, after: item });
  }
  return out;
}

const kindOf = (item: Item) => item.kind?.S ?? (item.sk?.S === "ACCOUNT" ? "account" : "item");
const label = (item: Item) => (kindOf(item) === "entry" ? `${item.type?.S ?? "?"} entry` : kindOf(item).replace("_", " "));

/** Transactional write units for what an operation wrote, plus the index entries it touched. */
function writeUnits(written: Written[]): { units: number; lsi: number; from: string } {
  let units = 0;
  let lsiTotal = 0;
  const parts: string[] = [];
  for (const w of written) {
    const table = transactWriteWru(w.before, w.after);
    let part = `${label(w.after)} ${table}`;
    units += table;
    for (const index of INDEXES) {
      const u = indexWriteWru(w.before, w.after, index.keys, index.entry);
      if (u === 0) continue;
      units += u;
      if (index.kind === "LSI") lsiTotal += u;
      part += ` + ${index.kind} ${u}`;
    }
    parts.push(part);
  }
  return { units, lsi: lsiTotal, from: `txn: ${parts.join(" + ")} W` };
}

/** One operation's DynamoDB calls (as the capacity listener saw them) and the items it wrote. */
interface Step<T> {
  result: T;
  calls: { name: string; units: Units }[];
  /** The account's partition before the operation. */
  before: Partition;
  written: Written[];
}

/**
 * A core Ledger whose store reports every call's ConsumedCapacity, and a way to run one
 * operation on `userId` and learn its calls and the items it wrote (a diff of the
 * account's partition before and after).
 */
function operationMeter(raw: DynamoDBClient, userId: string) {
  let calls: { name: string; units: Units }[] = [];
  let reported = false;
  const { ledger } = coreLedger((name, units) => {
    calls.push({ name, units });
    if (units.read > 0 || units.write > 0) reported = true;
  });
  let snapshot: Partition = new Map();
  return {
    ledger,
    /** Whether DynamoDB Local has returned any non-zero ConsumedCapacity so far. */
    reported: () => reported,
    /** Runs one operation, returning the calls it made and the items it wrote. */
    async measure<T>(fn: () => Promise<T>): Promise<Step<T>> {
      const before = snapshot;
      calls = [];
      const result = await fn();
      const taken = calls;
      calls = [];
      snapshot = await readPartition(raw, userId);
      return { result, calls: taken, before, written: writtenBetween(before, snapshot) };
    },
    /** Re-reads the partition after unmeasured operations. */
    async resync(): Promise<void> {
      snapshot = await readPartition(raw, userId);
    },
  };
}

/** An operation's measured and computed units, from its step and the reads it made by rule. */
function operationUnits(operation: string, step: Step<unknown>, reads: { what: string; rru: number }[], reported: boolean): OperationUnits {
  const w = writeUnits(step.written);
  const read = reads.reduce((n, r) => n + r.rru, 0);
  return {
    operation,
    calls: step.calls,
    measured: reported
      ? step.calls.reduce((u, x) => ({ read: u.read + x.units.read, write: u.write + x.units.write }), { read: 0, write: 0 })
      : undefined,
    computed: { read, write: w.units },
    lsiWrite: w.lsi,
    computedFrom: `${reads.map((r) => `${r.what} ${r.rru}`).join(" + ")} R${step.written.length ? `; ${w.from}` : ""}`,
  };
}

const accountIn = (p: Partition) => [...p.values()].find((i) => kindOf(i) === "account");
const strong = (item: Item | undefined) => getItemRru(item, "strong");

export async function measureRequestUnits(raw: DynamoDBClient): Promise<RequestUnitsResult> {
  const userId = `bench-ru-${Date.now().toString(36)}`;
  const meter = operationMeter(raw, userId);
  const { ledger, measure } = meter;

  const open = await measure(() => ledger.openAccount(userId));
  const charge = await measure(() =>
    ledger.charge(userId, { amount: coinsToMinor("1000"), type: "purchase", paymentMethod: "card" }, { key: "ru-charge" }),
  );
  const spend = await measure(() => ledger.spend(userId, { serviceType: "ai_writing" }, { key: "ru-spend" }));
  const spendEntry = spend.written.find((w) => !w.before && kindOf(w.after) === "entry")?.after;
  const refund = await measure(() =>
    ledger.refund(userId, { transactionId: spend.result.entry.id, reason: "bench refund" }, { key: "ru-refund" }),
  );
  // Enough history for a full page of 50 and the 51st item the store reads to know there is more.
  for (let i = 0; i < 60; i++) await ledger.spend(userId, { serviceType: "ai_writing" }, { key: `ru-fill-${i}` });
  await meter.resync();
  const history = await measure(() => ledger.listTransactions(userId, { limit: 50 }));
  if (history.result.entries.length !== 50) throw new Error(`history page held ${history.result.entries.length} entries, expected 50`);
  const page =
    (
      await raw.send(
        new QueryCommand({
          TableName: BENCH_TABLE,
          IndexName: INDEX,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": { S: accountPk(userId) } },
          ScanIndexForward: false,
          Limit: 51,
        }),
      )
    ).Items ?? [];
  if (!spendEntry) throw new Error("the spend wrote no entry item");

  const sizes: Record<string, number> = {};
  for (const step of [open, charge, spend, refund]) for (const w of step.written) sizes[label(w.after)] ??= itemSize(w.after);
  sizes["history page (51 items read)"] = page.reduce((n, i) => n + itemSize(i), 0);

  const reported = meter.reported();
  const op = (operation: string, step: Step<unknown>, reads: { what: string; rru: number }[]) => operationUnits(operation, step, reads, reported);
  const refundTallyBefore = [...refund.before.values()].find((i) => kindOf(i) === "refund_tally");
  const operations = [
    op("spend", spend, [{ what: "get account", rru: strong(accountIn(spend.before)) }]),
    op("charge", charge, [{ what: "get account", rru: strong(accountIn(charge.before)) }]),
    op("refund", refund, [
      { what: "get account", rru: strong(accountIn(refund.before)) },
      { what: "get original entry", rru: strong(spendEntry) },
      { what: "get refund tally (none yet)", rru: strong(refundTallyBefore) },
    ]),
    op("open account", open, [{ what: "get account (none yet)", rru: strong(undefined) }]),
    op("history page of 50", history, [
      { what: "get account", rru: strong(accountIn(history.before)) },
      { what: `${INDEX} query, eventually consistent, 51 items of ${sizes["history page (51 items read)"]} B`, rru: queryRru(page, "eventual") },
    ]),
  ];
  const localAccounting = await probeLocalAccounting(raw);
  progress(`request units: DynamoDB Local ${reported ? "DOES" : "does NOT"} return ConsumedCapacity; item sizes (B) ${JSON.stringify(sizes)}`);
  progress(
    `  DynamoDB Local self-check: two small puts in one transaction → ${localAccounting.twoEqualPuts ?? "nothing"} WRU (AWS: 4); ` +
      `a transactional put's LSI entry → ${localAccounting.lsiEntry ?? "nothing"} WRU (AWS rule used here: 1 per KB)`,
  );
  return { operations, capacityReported: reported, localAccounting, itemSizes: sizes };
}

export interface HoldUnitsResult {
  /** reserve, capture, release and a plain spend for scale; then the same on an account carrying many pending holds. */
  operations: OperationUnits[];
  capacityReported: boolean;
  itemSizes: Record<string, number>;
  /** Bytes one pending hold adds to the account item (its entry in `holds`). */
  bytesPerPendingHold: number;
  /** Pending holds on the account in the "crowded" rows. */
  crowdedHolds: number;
}

/**
 * Request units of a reserve, a capture and a release through core (the HTTP routes call
 * exactly these), and of a spend on the same account for scale; then a spend, a reserve
 * and a capture on an account that already carries `crowded` pending holds: each one sits
 * in the account item's `holds` map, and every entry and hold item keeps a copy of the
 * account (`accountAfter`) for replays.
 */
export async function measureHoldUnits(raw: DynamoDBClient, service: string, crowded = MAX_PENDING_HOLDS - 1): Promise<HoldUnitsResult> {
  const userId = `bench-ru-holds-${Date.now().toString(36)}`;
  const meter = operationMeter(raw, userId);
  const { ledger, measure } = meter;
  const hold = (key: string) => ledger.reserve(userId, { serviceType: service, ttlSeconds: 900 }, { key });

  await measure(() => ledger.openAccount(userId));
  await measure(() => ledger.charge(userId, { amount: coinsToMinor("1000"), type: "purchase", paymentMethod: "card" }, { key: "ru-charge" }));
  const reserve = await measure(() => hold("ru-hold-1"));
  const capture = await measure(() => ledger.capture(userId, reserve.result.hold.id, {}, { key: "ru-capture-1" }));
  const reserve2 = await measure(() => hold("ru-hold-2"));
  const release = await measure(() => ledger.release(userId, reserve2.result.hold.id, { key: "ru-release-2" }));
  const spend = await measure(() => ledger.spend(userId, { serviceType: service }, { key: "ru-spend" }));

  // The same operations with the account carrying `crowded` other pending holds.
  for (let i = 0; i < crowded; i++) await hold(`ru-crowd-${i}`);
  await meter.resync();
  const crowdedSpend = await measure(() => ledger.spend(userId, { serviceType: service }, { key: "ru-crowded-spend" }));
  const crowdedReserve = await measure(() => hold("ru-crowded-hold"));
  const crowdedCapture = await measure(() => ledger.capture(userId, crowdedReserve.result.hold.id, {}, { key: "ru-crowded-capture" }));

  const holdIn = (p: Partition, id: string) => [...p.values()].find((i) => kindOf(i) === "hold" && i.id?.S === id);
  const reported = meter.reported();
  const op = (operation: string, step: Step<unknown>, reads: { what: string; rru: number }[]) => operationUnits(operation, step, reads, reported);
  const getAccount = (s: Step<unknown>) => ({ what: "get account", rru: strong(accountIn(s.before)) });
  const getHold = (s: Step<unknown>, id: string) => ({ what: "get hold", rru: strong(holdIn(s.before, id)) });
  const operations = [
    op("reserve", reserve, [getAccount(reserve)]),
    op("capture", capture, [getAccount(capture), getHold(capture, reserve.result.hold.id)]),
    op("release", release, [getAccount(release), getHold(release, reserve2.result.hold.id)]),
    op("spend (same account)", spend, [getAccount(spend)]),
    op(`spend, ${crowded} holds pending`, crowdedSpend, [getAccount(crowdedSpend)]),
    op(`reserve, ${crowded} holds pending`, crowdedReserve, [getAccount(crowdedReserve)]),
    op(`capture, ${crowded} others pending`, crowdedCapture, [getAccount(crowdedCapture), getHold(crowdedCapture, crowdedReserve.result.hold.id)]),
  ];

  const sizes: Record<string, number> = {};
  sizes["account, no hold"] = itemSize(accountIn(reserve.before));
  sizes["account, 1 hold pending"] = itemSize(accountIn(capture.before));
  sizes["hold pending"] = itemSize(holdIn(capture.before, reserve.result.hold.id));
  sizes["hold captured"] = itemSize(capture.written.find((w) => kindOf(w.after) === "hold")?.after);
  sizes["hold released"] = itemSize(release.written.find((w) => kindOf(w.after) === "hold")?.after);
  sizes["hold_capture entry"] = itemSize(capture.written.find((w) => kindOf(w.after) === "entry")?.after);
  sizes[`account, ${crowded} holds pending`] = itemSize(accountIn(crowdedSpend.before));
  sizes[`usage entry, ${crowded} holds pending`] = itemSize(crowdedSpend.written.find((w) => kindOf(w.after) === "entry")?.after);
  const bytesPerPendingHold = Math.round((sizes[`account, ${crowded} holds pending`]! - sizes["account, no hold"]!) / crowded);
  progress(`hold request units measured; item sizes (B) ${JSON.stringify(sizes)}`);
  return { operations, capacityReported: reported, itemSizes: sizes, bytesPerPendingHold, crowdedHolds: crowded };
}
