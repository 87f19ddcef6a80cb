import { auditAccount, createDynamoClients, LedgerStore, type AuditFinding, type LedgerEntry } from "@nyang/core";
import { testTableName } from "./dynamo.ts";

let store: LedgerStore | undefined;

/** The ledger store on the run's DynamoDB Local, for reading what the API wrote. */
export function testStore(): LedgerStore {
  return (store ??= new LedgerStore(createDynamoClients(), testTableName()));
}

/** Reads an account and its whole ledger straight from the table and audits them. */
export async function auditFromTable(userId: string): Promise<{ findings: AuditFinding[]; entries: LedgerEntry[] }> {
  const s = testStore();
  const account = await s.getAccount(userId);
  if (!account) throw new Error(`no account ${userId}`);
  const entries = await s.readLedger(userId);
  return { findings: auditAccount(account, entries), entries };
}
