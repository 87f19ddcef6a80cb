import { randomUUID } from "node:crypto";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { recordItemKey, type AutoCharge, type LedgerEntry, type LedgerStore, type PaymentGateway } from "@nyang/core";
import type { FakeTossGateway } from "@nyang/local";
import type { DynamoDBRecord } from "aws-lambda";
import { localDynamoClient } from "../support/index.ts";

/**
 * Registers a card for the account in the fake (the browser step, opened with the account's
 * customer key) and turns auto-charge on with the authKey it yields.
 */
export async function enableAutoCharge(
  autoCharge: AutoCharge,
  fake: FakeTossGateway,
  userId: string,
  settings: { threshold?: number; amount?: number; monthlyCapKrw?: number | null } = {},
) {
  const authKey = fake.authorizeBilling({ customerKey: autoCharge.customerKeyOf(userId) });
  return autoCharge.updateSettings(userId, { enabled: true, authKey, ...settings });
}

/** A gateway whose billing charge is followed, before Nyang credits it, by `then` (another credit to the account, say). */
export const chargeThen = (g: PaymentGateway, then: (orderId: string) => Promise<unknown>): PaymentGateway => ({
  confirm: (req) => g.confirm(req),
  findByOrderId: (id) => g.findByOrderId(id),
  findByPaymentKey: (key) => g.findByPaymentKey(key),
  cancel: (req) => g.cancel(req),
  issueBillingKey: (req) => g.issueBillingKey(req),
  chargeBillingKey: async (req) => {
    const payment = await g.chargeBillingKey(req);
    await then(req.orderId);
    return payment;
  },
});

/** The account's entries of one type, in seq order. */
export async function entriesOf(store: LedgerStore, userId: string, type?: LedgerEntry["type"]): Promise<LedgerEntry[]> {
  const all = await store.readLedger(userId);
  return type ? all.filter((e) => e.type === type) : all;
}

/** The fake's billing charge requests for one charge record (its attempts' idempotency keys name it). */
export const billingChargesFor = (fake: FakeTossGateway, chargeId: string) =>
  fake.requests.filter((r) => r.operation === "billing_charge" && r.idempotencyKey?.startsWith(`autocharge-${chargeId}-`));

/**
 * The stream record DynamoDB writes for a ledger entry's insert, built from the item as stored:
 * what Lambda hands the alerts consumer, for delivering it again by hand.
 */
export async function entryInsertRecord(tableName: string, userId: string, entryId: string): Promise<DynamoDBRecord> {
  const key = recordItemKey(userId, entryId, "entry");
  if (!key) throw new Error(`not an entry id: ${entryId}`);
  const client = localDynamoClient();
  try {
    const out = await client.send(new GetItemCommand({ TableName: tableName, Key: marshall(key), ConsistentRead: true }));
    if (!out.Item) throw new Error(`no entry ${entryId}`);
    return {
      eventID: randomUUID(),
      eventName: "INSERT",
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: "us-east-1",
      dynamodb: {
        ApproximateCreationDateTime: Date.now() / 1000,
        Keys: marshall(key) as never,
        NewImage: out.Item as never,
        SequenceNumber: String(Date.now()),
        SizeBytes: 1000,
        StreamViewType: "NEW_AND_OLD_IMAGES",
      },
    };
  } finally {
    client.destroy();
  }
}
