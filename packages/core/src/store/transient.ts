/**
 * DynamoDB failures that say nothing about the request itself: the service (or DynamoDB
 * Local, whose `InternalServerError: … too long waiting for a lock` comes under load) could
 * not finish it this time. DynamoDB's error-handling guide tells callers to retry them; the
 * SDK already has, a few times, before one reaches the ledger.
 *
 * A 500 leaves the outcome unknown (the write may have landed). The ledger may still
 * decide again on fresh state: every keyed write puts its record on `attribute_not_exists`,
 * so a write that did land meets its own record and is answered as a replay, never applied
 * twice.
 */
const TRANSIENT_ERROR_NAMES: ReadonlySet<string> = new Set([
  // HTTP 500: "DynamoDB could not process your request"; the request may or may not have succeeded.
  "InternalServerError",
  // HTTP 503 from the service front end.
  "ServiceUnavailable",
  // Throttling the SDK's own retries did not outlast.
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  // A single-item write that met a transaction in progress on the same item.
  "TransactionConflictException",
]);

/** Whether a DynamoDB call failed for a passing, server-side reason and the same decision may be tried again. */
export function isTransientFailure(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { name, $metadata } = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  if (typeof name === "string" && TRANSIENT_ERROR_NAMES.has(name)) return true;
  // An undeclared 5xx (a proxy's 502, say) is a server-side failure of the same kind.
  const status = $metadata?.httpStatusCode;
  return typeof status === "number" && status >= 500 && status <= 599;
}
