import { AsyncLocalStorage } from "node:async_hooks";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Log, LogFields } from "@nyang/core";
import type { InfraEnv } from "./env.ts";

/**
 * The one logger of every function: Powertools Logger (JSON lines CloudWatch can query),
 * with each invocation's lines keyed by `requestId` and, once known, the account (`userId`).
 *
 * Each invocation (and each stream record) logs through a child logger of its own, kept in
 * an AsyncLocalStorage scope: the keys of one never leak into another's lines, even where
 * one process serves several at once (`npm run dev`, a batch's records). Core services get
 * this as their {@link Log} port and so log with the keys of whatever invocation runs them.
 */
export interface RuntimeLog extends Log {
  /** Runs `fn` with a scope of its own carrying `keys` (on top of the enclosing scope's). */
  within<T>(keys: LogFields, fn: () => T): T;
  /** Adds keys to the current scope's lines from here on (the account, once a route resolved it). */
  appendKeys(keys: LogFields): void;
}

export function createLog(vars: Pick<InfraEnv, "POWERTOOLS_SERVICE_NAME" | "POWERTOOLS_LOG_LEVEL">, defaultService = "nyang"): RuntimeLog {
  const root = new Logger({
    serviceName: vars.POWERTOOLS_SERVICE_NAME ?? defaultService,
    ...(vars.POWERTOOLS_LOG_LEVEL ? { logLevel: vars.POWERTOOLS_LOG_LEVEL } : {}),
  });
  const scope = new AsyncLocalStorage<Logger>();
  const current = () => scope.getStore() ?? root;
  return {
    info: (message, fields = {}) => current().info(message, fields),
    warn: (message, fields = {}) => current().warn(message, fields),
    error: (message, fields = {}) => current().error(message, fields),
    within: (keys, fn) => {
      const child = current().createChild();
      child.appendPersistentKeys(keys);
      return scope.run(child, fn);
    },
    appendKeys: (keys) => current().appendPersistentKeys(keys),
  };
}
