/** Fields of a log line beside its message: ids, counts, the error. */
export type LogFields = Record<string, unknown>;

/**
 * The domain's logger port: what core code that must say something (a sweep item that
 * failed, a gateway answer that needs an operator) writes to. The functions package adapts
 * Powertools Logger to it, so the lines carry the invocation's request id and account; core
 * never imports a logging library.
 */
export interface Log {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** For services built without a logger (unit tests, scripts): the console, unformatted. */
export const consoleLog: Log = {
  info: (message, fields = {}) => console.info(message, fields),
  warn: (message, fields = {}) => console.warn(message, fields),
  error: (message, fields = {}) => console.error(message, fields),
};

