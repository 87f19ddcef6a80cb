import { AsyncLocalStorage } from "node:async_hooks";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Log, LogFields } from "@nyang/core";
import type { InfraEnv } from "./env.ts";

/**
 * The one logger of every function: Powertools Logger (JSON lines CloudWatch can query),
 * with each invocation's lines keyed by `requestId` and, once known, the account (`userId`).
 *
 * Each invocation (and each stream record) runs in a scope of its own (AsyncLocalStorage)
 * holding its keys, which every line written inside it carries: the keys of one never leak
 * into another's lines, even where one process serves several at once (`npm run dev`, a
 * batch's records). One Logger serves them all (a scope costs an object, not a Logger). Core
 * services get this as their {@link Log} port and so log with the keys of whatever invocation
 * runs them.
 */
export interface RuntimeLog extends Log {
  /** Runs `fn` in a scope of its own carrying `keys` (on top of the enclosing scope's). */
  within<T>(keys: LogFields, fn: () => T): T;
  /** Adds keys to the current scope's lines from here on (the account, once a route resolved it). */
  appendKeys(keys: LogFields): void;
}

export function createLog(vars: Pick<InfraEnv, "POWERTOOLS_SERVICE_NAME" | "POWERTOOLS_LOG_LEVEL">, defaultService = "nyang"): RuntimeLog {
  const logger = new Logger({
    serviceName: vars.POWERTOOLS_SERVICE_NAME ?? defaultService,
    ...(vars.POWERTOOLS_LOG_LEVEL ? { logLevel: vars.POWERTOOLS_LOG_LEVEL } : {}),
  });
  const scope = new AsyncLocalStorage<LogFields>();
  const keys = (fields: LogFields): LogFields => {
    const current = scope.getStore();
    return current ? { ...current, ...fields } : fields;
  };
  return {
    info: (message, fields = {}) => logger.info(message, keys(fields)),
    warn: (message, fields = {}) => logger.warn(message, keys(fields)),
    error: (message, fields = {}) => logger.error(message, keys(fields)),
    within: (more, fn) => scope.run(keys(definedOnly(more)), fn),
    appendKeys: (more) => {
      const current = scope.getStore();
      // Outside any invocation there is no scope to add to: the keys would belong to no one.
      if (current) Object.assign(current, definedOnly(more));
    },
  };
}

/** Keys whose value is unknown (no Lambda context locally) are left out rather than logged as null. */
const definedOnly = (fields: LogFields): LogFields => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
