import {
  ConditionalCheckFailedException,
  InternalServerError,
  ResourceNotFoundException,
  TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { writeLostRace } from "./auto-charge-store.ts";

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const canceled = (...codes: string[]) =>
  new TransactionCanceledException({ message: "canceled", CancellationReasons: codes.map((Code) => ({ Code })), ...meta(400) });

describe("writeLostRace (when an auto-charge write is decided again)", () => {
  it("decides again after a lost race: a failed condition or a conflicting transaction", () => {
    expect(writeLostRace(new ConditionalCheckFailedException({ message: "x", ...meta(400) }))).toBe(true);
    expect(writeLostRace(canceled("None", "ConditionalCheckFailed"))).toBe(true);
    expect(writeLostRace(canceled("TransactionConflict", "None"))).toBe(true);
  });

  it("decides again after DynamoDB failed for a passing reason (DynamoDB Local's lock wait under load)", () => {
    expect(writeLostRace(new InternalServerError({ message: "Too long waiting for a lock", ...meta(500) }))).toBe(true);
    expect(writeLostRace(Object.assign(new Error("Bad Gateway"), { name: "Unknown", ...meta(502) }))).toBe(true);
  });

  it("throws what the request itself caused", () => {
    expect(writeLostRace(Object.assign(new Error("bad item"), { name: "ValidationException", ...meta(400) }))).toBe(false);
    expect(writeLostRace(new ResourceNotFoundException({ message: "no table", ...meta(400) }))).toBe(false);
    expect(writeLostRace(canceled("ValidationError", "None"))).toBe(false);
    expect(writeLostRace(new Error("network down"))).toBe(false);
  });
});
