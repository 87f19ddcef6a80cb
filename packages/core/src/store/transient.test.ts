import {
  ConditionalCheckFailedException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ResourceNotFoundException,
  ThrottlingException,
  TransactionCanceledException,
  TransactionConflictException,
} from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { isTransientFailure } from "./transient.ts";

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe("isTransientFailure", () => {
  it("retries the server-side failures DynamoDB documents as retryable", () => {
    // What DynamoDB Local answers a TransactWriteItems under load.
    expect(isTransientFailure(new InternalServerError({ message: "Too long waiting for a lock", ...meta(500) }))).toBe(true);
    expect(isTransientFailure(new ThrottlingException({ message: "slow down", ...meta(400) }))).toBe(true);
    expect(isTransientFailure(new ProvisionedThroughputExceededException({ message: "x", ...meta(400) }))).toBe(true);
    expect(isTransientFailure(new RequestLimitExceeded({ message: "x", ...meta(400) }))).toBe(true);
    expect(isTransientFailure(new TransactionConflictException({ message: "x", ...meta(400) }))).toBe(true);
    expect(isTransientFailure(Object.assign(new Error("unavailable"), { name: "ServiceUnavailable", ...meta(503) }))).toBe(true);
    // An undeclared 5xx, by its status alone.
    expect(isTransientFailure(Object.assign(new Error("Bad Gateway"), { name: "Unknown", ...meta(502) }))).toBe(true);
  });

  it("does not retry what the request itself caused, or a failure whose cause is unknown on the client", () => {
    expect(isTransientFailure(new ConditionalCheckFailedException({ message: "x", ...meta(400) }))).toBe(false);
    expect(isTransientFailure(new ResourceNotFoundException({ message: "no table", ...meta(400) }))).toBe(false);
    // Cancellations are read reason by reason by the store, not classified here.
    expect(isTransientFailure(new TransactionCanceledException({ message: "x", ...meta(400), CancellationReasons: [{ Code: "ValidationError" }] }))).toBe(false);
    expect(isTransientFailure(Object.assign(new Error("socket hang up"), { name: "TimeoutError" }))).toBe(false);
    expect(isTransientFailure(Object.assign(new Error("bad"), { name: "ValidationException", ...meta(400) }))).toBe(false);
    expect(isTransientFailure(new Error("plain"))).toBe(false);
    expect(isTransientFailure("InternalServerError")).toBe(false);
    expect(isTransientFailure(null)).toBe(false);
  });
});
