import { InternalServerError, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { createDynamoClients, type DynamoClients } from "@nyang/core";

/**
 * DynamoDB Local never raises TransactionConflict or throttles, and never loses a
 * response, so those paths are proven by an SDK middleware that injects them
 * (ARCHITECTURE.md, Facts). `internal_error` is DynamoDB's 500 (DynamoDB Local's lock
 * time-out under load) with nothing written; `internal_error_after_write` the same answer
 * to a write that did land, as a 500 allows. Both reach the caller as they would after
 * the SDK's own retries gave up (the middleware sits before them).
 */
export type Fault = "transaction_conflict" | "throttled" | "lost_response" | "internal_error" | "internal_error_after_write" | "none";

/**
 * DynamoDB clients whose next `TransactWriteItems` calls meet `faults`, one each, in order
 * (the array is consumed, so a test may push more later); `sent()` counts the calls.
 */
export function faultyClients(faults: Fault[]): { clients: DynamoClients; sent: () => number } {
  const clients = createDynamoClients(process.env);
  let sent = 0;
  clients.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== "TransactWriteItemsCommand") return next(args);
      sent++;
      const fault = faults.shift() ?? "none";
      if (fault === "transaction_conflict" || fault === "throttled") {
        throw new TransactionCanceledException({
          message: "Transaction cancelled (injected)",
          $metadata: {},
          CancellationReasons: [
            { Code: fault === "throttled" ? "ThrottlingError" : "TransactionConflict" },
            { Code: "None" },
          ],
        });
      }
      const internalError = () =>
        new InternalServerError({ message: "Too long waiting for a lock (injected)", $metadata: { httpStatusCode: 500 } });
      if (fault === "internal_error") throw internalError();
      const result = await next(args);
      if (fault === "internal_error_after_write") throw internalError();
      if (fault === "lost_response") throw Object.assign(new Error("socket hang up (injected)"), { name: "TimeoutError" });
      return result;
    },
    { step: "initialize", name: "faultInjection" },
  );
  return { clients, sent: () => sent };
}
