import { GetCommand, PutCommand, QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { AccountItems, AuditPort, PartitionRead, ScanOptions, SegmentStep, StartKey } from "../audit/audit-port.ts";
import type { AuditReport } from "../audit/monitor.ts";
import type { HoldStatus } from "../ledger/types.ts";
import type { OrderStatus } from "../purchases/order.ts";
import type { ChargeStatus } from "../autocharge/model.ts";
import type { DynamoClients } from "./client.ts";
import { itemToAccount, itemToEntry } from "./codec.ts";
import { queryPages, readUnitsOf } from "./paging.ts";
import { accountKey, accountPk, ACCOUNT_SK, AUDIT_LATEST_SK, AUDIT_PK, AUDIT_RUN_SK_PREFIX, auditRunSk, isAccountPk, kinds, userIdOfAccountPk } from "./keys.ts";

/**
 * What the integrity monitor reads, and where it keeps its reports.
 *
 * Reading: a parallel, segmented `Scan` of the whole table (the one place Nyang scans, and
 * only from a schedule — never on a request path, ledger rule 7), handed back account by
 * account. Each segment is scanned page by page with `ExclusiveStartKey`; a page's
 * `LastEvaluatedKey` continues only the segment that returned it (AWS, Scan API: "In a
 * parallel scan, a Scan request that includes ExclusiveStartKey must specify the same
 * segment whose previous Scan returned the corresponding value of LastEvaluatedKey").
 * Within a segment, the items of one `ACCT#<userId>` partition key come together, in
 * sort-key order, but may span pages: a segment's items are grouped by `pk`, and a group is
 * handed out once the next `pk` begins or the segment ends.
 *
 * That one partition key's items never fall into two segments is how DynamoDB divides a
 * table (by a hash of the partition key; DynamoDB Local does the same), but AWS's
 * documentation only calls segments "a way to logically divide a table into equally sized
 * portions", so nothing here depends on it: a group read without its account item is
 * re-read whole by `readAccount` before anything is said about it, and the monitor judges
 * a partition once per run.
 *
 * Only what the audit needs is projected and only the item kinds it looks at are returned,
 * which keeps the pages small on the wire. It does not make them cheaper: a Scan consumes
 * read units for every item it reads, by item size, before projection and filter apply —
 * 0.5 read unit per 4 KB, eventually consistent, summed over the page and rounded up once
 * per page. Every page reports its `ConsumedCapacity`, so a run states its real cost.
 *
 * Reports: `AUDIT` / `LATEST` holds the newest report (as JSON text); every run is also kept as
 * `AUDIT` / `RUN#<finishedAt>#<id>`, with a TTL. Neither key begins `ACCT#`, so the scan skips
 * them, and `AUDIT` is no prefix of any other partition key (`ACCT#…`, `PLATFORM#…`, `USAGEDAY#…`).
 */

/** How long a run's history item is kept before DynamoDB's TTL may delete it (AWS only). */
const REPORT_RETENTION_SECONDS = 90 * 24 * 3600;

/** Item kinds the audit reads; refund tallies, day aggregates and the like are skipped. */
const KINDS = [kinds.account, kinds.entry, kinds.hold, kinds.order, kinds.autoCharge, kinds.autoChargeMonth, kinds.alert] as const;

/** The attributes the audit needs of any of those kinds (names aliased: several are reserved words). */
const PROJECTED = [
  "pk", "sk", "kind", "userId", "id", "status", "type", "createdAt", "updatedAt",
  // account
  "balance", "paidBalance", "bonusBalance", "holds", "lots", "used", "purchased", "version", "revision",
  // entry (a bonus_expiry names its lot in relatedTransactionId)
  "seq", "amount", "paidAmount", "bonusAmount", "balanceBefore", "balanceAfter", "quantity", "unitPrice", "relatedTransactionId",
  // hold and order
  "expiresAt", "paymentKey", "confirmAttemptAt", "gsi1sk",
  // auto-charge record and month counter
  "amountKrw", "capMonth", "leaseUntil", "month", "chargedKrw",
] as const;

const names: Record<string, string> = Object.fromEntries(PROJECTED.map((a, i) => [`#a${i}`, a]));
const alias = (attr: (typeof PROJECTED)[number]) => `#a${PROJECTED.indexOf(attr)}`;

/** Projection, filter and their names and values, shared by the scan and the partition read. */
function readExpressions(alertsSince: string) {
  const kindValues = Object.fromEntries(KINDS.map((k, i) => [`:k${i}`, k]));
  const filter =
    `${alias("kind")} IN (${Object.keys(kindValues).join(", ")}) AND ` +
    `(${alias("kind")} <> :alert OR (${alias("type")} = :unusual AND ${alias("createdAt")} >= :since))`;
  return {
    ProjectionExpression: Object.keys(names).join(", "),
    FilterExpression: filter,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ...kindValues, ":alert": kinds.alert, ":unusual": "unusual_activity", ":since": alertsSince },
  };
}


const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));

/** `<dueAt>#<userId>#<id>` → dueAt (ISO times hold no `#`). */
const dueAtOf = (gsi1sk: unknown) => (typeof gsi1sk === "string" ? (gsi1sk.split("#", 1)[0] ?? null) : null);

/** Collects one partition's items into what the audit reads. */
class Group {
  readonly items: AccountItems;
  constructor(readonly pk: string) {
    this.items = { userId: userIdOfAccountPk(pk), account: null, entries: [], holds: [], orders: [], charges: [], chargeMonths: [], alerts: [], lastKey: {} };
  }

  add(item: Record<string, unknown>): void {
    this.items.lastKey = { pk: item.pk, sk: item.sk };
    switch (item.kind) {
      case kinds.account:
        if (item.sk === ACCOUNT_SK) this.items.account = itemToAccount(item);
        break;
      case kinds.entry:
        // The audit reads amounts and chains only; the descriptive facts are not fetched (they decode as null).
        this.items.entries.push(itemToEntry(item));
        break;
      case kinds.hold:
        this.items.holds.push({ id: String(item.id), status: item.status as HoldStatus, amount: Number(item.amount), expiresAt: String(item.expiresAt) });
        break;
      case kinds.order:
        this.items.orders.push({
          id: String(item.id),
          status: item.status as OrderStatus,
          paymentKey: str(item.paymentKey),
          updatedAt: String(item.updatedAt),
          confirmAttemptAt: str(item.confirmAttemptAt),
          dueAt: dueAtOf(item.gsi1sk),
        });
        break;
      case kinds.autoCharge:
        this.items.charges.push({
          id: String(item.id),
          status: item.status as ChargeStatus,
          updatedAt: String(item.updatedAt),
          dueAt: dueAtOf(item.gsi1sk),
          amountKrw: Number(item.amountKrw),
          capMonth: str(item.capMonth),
          leaseUntil: str(item.leaseUntil),
        });
        break;
      case kinds.autoChargeMonth:
        this.items.chargeMonths.push({ month: String(item.month), chargedKrw: Number(item.chargedKrw ?? 0) });
        break;
      case kinds.alert:
        this.items.alerts.push({ id: String(item.id), type: String(item.type), createdAt: String(item.createdAt) });
        break;
    }
  }
}

/** The report as JSON text (exact, whatever it holds), with a few attributes to read it by. */
const reportAttributes = (r: AuditReport) => ({
  kind: kinds.auditReport,
  id: r.id,
  passId: r.passId,
  finishedAt: r.finishedAt,
  complete: r.complete,
  violations: r.violations,
  reportJson: JSON.stringify(r),
});


/** The integrity monitor's DynamoDB adapter: the scan, the partition re-read, and the reports. */
export class AuditStore implements AuditPort {
  constructor(
    private readonly clients: DynamoClients,
    readonly tableName: string,
  ) {}

  /**
   * Scans one segment of `totalSegments` from `startKey` (null: its beginning), one page per
   * step. Stop between steps (break out of the loop) and continue later from the last
   * step's `resumeKey`: the account whose items were still arriving is read again then.
   */
  async *scanSegment(segment: number, totalSegments: number, startKey: StartKey | null, opts: ScanOptions): AsyncGenerator<SegmentStep> {
    if (!Number.isInteger(totalSegments) || totalSegments < 1) throw new RangeError(`totalSegments ${totalSegments}`);
    if (!Number.isInteger(segment) || segment < 0 || segment >= totalSegments) throw new RangeError(`no segment ${segment} of ${totalSegments}`);
    let exclusiveStart: StartKey | undefined = startKey ?? undefined;
    let resumeKey = startKey;
    let progressed = false;
    let open: Group | null = null;
    const expressions = readExpressions(opts.alertsSince);
    for (;;) {
      const out = await this.clients.doc.send(
        new ScanCommand({
          TableName: this.tableName,
          Segment: segment,
          TotalSegments: totalSegments,
          ...expressions,
          ...(opts.pageSize ? { Limit: opts.pageSize } : {}),
          ExclusiveStartKey: exclusiveStart,
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      const accounts: AccountItems[] = [];
      for (const item of out.Items ?? []) {
        if (!isAccountPk(item.pk)) continue;
        if (open && open.pk !== item.pk) {
          accounts.push(open.items);
          resumeKey = open.items.lastKey;
          progressed = true;
          open = null;
        }
        open ??= new Group(item.pk);
        open.add(item);
      }
      exclusiveStart = out.LastEvaluatedKey;
      const done = exclusiveStart === undefined;
      if (done && open) {
        accounts.push(open.items);
        resumeKey = open.items.lastKey;
        progressed = true;
        open = null;
      }
      yield { accounts, readUnits: readUnitsOf(out.ConsumedCapacity), resumeKey, progressed, done };
      if (done) return;
    }
  }

  /**
   * One account's partition read strongly consistently (the account item first, so it is
   * the oldest thing read), for confirming what a scan suggested. Null items: nothing there.
   */
  async readAccount(userId: string, alertsSince: string): Promise<PartitionRead> {
    const { ProjectionExpression, FilterExpression, ExpressionAttributeNames, ExpressionAttributeValues } = readExpressions(alertsSince);
    const group = new Group(accountPk(userId));
    let readUnits = 0;
    let found = false;
    const pages = queryPages(this.clients, {
      TableName: this.tableName,
      KeyConditionExpression: "#pk = :pk",
      ProjectionExpression,
      FilterExpression,
      ExpressionAttributeNames: { ...ExpressionAttributeNames, "#pk": "pk" },
      ExpressionAttributeValues: { ...ExpressionAttributeValues, ":pk": accountPk(userId) },
      ConsistentRead: true,
    });
    for await (const page of pages) {
      readUnits += page.readUnits;
      for (const item of page.items) {
        found = true;
        group.add(item);
      }
    }
    return { items: found ? group.items : null, readUnits };
  }

  /** The account's revision (every write to the account moves it), read strongly consistently. */
  async accountRevision(userId: string): Promise<{ revision: number | null; readUnits: number }> {
    const out = await this.clients.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: accountKey(userId),
        ProjectionExpression: "#revision, #version",
        ExpressionAttributeNames: { "#revision": "revision", "#version": "version" },
        ConsistentRead: true,
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    const item = out.Item;
    return { revision: item ? Number(item.revision ?? item.version) : null, readUnits: readUnitsOf(out.ConsumedCapacity) };
  }

  /** Keeps a run's own report as a history item (TTL'd), whatever becomes of the latest. */
  async saveRun(run: AuditReport): Promise<void> {
    await this.clients.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: AUDIT_PK,
          sk: auditRunSk(run.finishedAt, run.id),
          ...reportAttributes(run),
          ttl: Math.floor(Date.parse(run.finishedAt) / 1000) + REPORT_RETENTION_SECONDS,
        },
      }),
    );
  }

  /**
   * Makes `report` the latest report. With `replacing` (the id of the latest report the run
   * started from, or null for "there was none") it is written only if the latest is still
   * that one, so that two overlapping runs continuing the same pass do not both advance it;
   * false when that condition failed (the other run's report stands).
   */
  async saveLatest(report: AuditReport, replacing?: string | null): Promise<boolean> {
    try {
      await this.clients.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: AUDIT_PK, sk: AUDIT_LATEST_SK, ...reportAttributes(report) },
          ...(replacing === undefined
            ? {}
            : replacing === null
              ? { ConditionExpression: "attribute_not_exists(pk)" }
              : { ConditionExpression: "#id = :previous", ExpressionAttributeNames: { "#id": "id" }, ExpressionAttributeValues: { ":previous": replacing } }),
        }),
      );
      return true;
    } catch (e) {
      if ((e as { name?: string }).name === "ConditionalCheckFailedException") return false;
      throw e;
    }
  }

  /** A single run's report as both its history item and the latest (see `saveLatest` for `replacing`). */
  async saveReport(report: AuditReport, replacing?: string | null): Promise<boolean> {
    await this.saveRun(report);
    return this.saveLatest(report, replacing);
  }

  /** The latest stored report, or null before the first run. */
  async latestReport(): Promise<AuditReport | null> {
    const out = await this.clients.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: AUDIT_PK, sk: AUDIT_LATEST_SK }, ConsistentRead: true }),
    );
    return typeof out.Item?.reportJson === "string" ? (JSON.parse(out.Item.reportJson) as AuditReport) : null;
  }

  /** Stored runs, newest first. */
  async reportHistory(limit = 20): Promise<AuditReport[]> {
    const out = await this.clients.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :run)",
        ExpressionAttributeValues: { ":pk": AUDIT_PK, ":run": AUDIT_RUN_SK_PREFIX },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((item) => JSON.parse(String(item.reportJson)) as AuditReport);
  }
}
