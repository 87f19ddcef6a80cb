import { createDynamoClients, Ledger, LedgerStore, loadConfig, tableNameFromEnv } from "@nyang/core";
import { handle } from "hono/aws-lambda";
import { createApp } from "./app.ts";
import { verifierFromEnv } from "./auth.ts";

/**
 * The HTTP API's Lambda handler. Configuration, clients and the app are built once at
 * cold start; a bad configuration fails the cold start with a message naming the field.
 */
const config = loadConfig();
const store = new LedgerStore(createDynamoClients(), tableNameFromEnv());
const app = createApp({ ledger: new Ledger(store, config), config, verifyToken: verifierFromEnv() });

export const handler = handle(app);
