import { randomBytes } from "node:crypto";
import { auditAccount, createDynamoClients, Ledger, LedgerStore, loadConfig, type AuditFinding, type LedgerEntry, type RetryPolicy } from "@nyang/core";
import { ensureTable } from "@nyang/local";
import { localDynamoClient, testTableName } from "./dynamo.ts";

let store: LedgerStore | undefined;

/** The ledger store on the run's DynamoDB Local, for reading what the API wrote. */
export function testStore(): LedgerStore {
  return (store ??= new LedgerStore(createDynamoClients(process.env), testTableName()));
}

/** Reads an account and its whole ledger straight from the table and audits them. */
export async function auditFromTable(userId: string): Promise<{ findings: AuditFinding[]; entries: LedgerEntry[] }> {
  const s = testStore();
  const account = await s.getAccount(userId);
  if (!account) throw new Error(`no account ${userId}`);
  const entries = await s.readLedger(userId);
  return { findings: auditAccount(account, entries), entries };
}

/**
 * A table of the test's own, for tests that move the clock and sweep the whole table: a
 * sweep with a clock an hour ahead would otherwise expire other test files' holds.
 */
export async function privateTable(name: string): Promise<string> {
  const tableName = `${testTableName()}-${name}-${randomBytes(3).toString("hex")}`;
  const client = localDynamoClient();
  try {
    await ensureTable(client, tableName);
  } finally {
    client.destroy();
  }
  return tableName;
}

/** A clock a test moves by hand. */
export function manualClock(start = new Date()) {
  let t = start.getTime();
  const clock = () => new Date(t);
  return Object.assign(clock, { advance: (ms: number) => void (t += ms), set: (d: Date) => void (t = d.getTime()) });
}

/** A ledger on a given table with a given clock and the default configuration. */
export function ledgerOn(tableName: string, clock: () => Date = () => new Date(), retry: RetryPolicy = { attempts: 80, baseDelayMs: 2, maxDelayMs: 50 }) {
  const store = new LedgerStore(createDynamoClients(process.env), tableName);
  return { ledger: new Ledger(store, loadConfig({}), clock, retry), store };
}

/** Audits an account on any table. */
export async function auditOn(store: LedgerStore, userId: string) {
  const account = await store.getAccount(userId);
  if (!account) throw new Error(`no account ${userId}`);
  const entries = await store.readLedger(userId);
  return { account, entries, findings: auditAccount(account, entries) };
}
