import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NyangError } from "@nyang/core";
import { ApiError, publicErrorStatuses, toErrorResponse } from "./api-error.ts";

/** `| 404 | `a`, `b` | … |` rows of docs/api.md's error table, as code → status. */
function documentedErrorStatuses(): Record<string, number> {
  const markdown = readFileSync(new URL("../../../../docs/api.md", import.meta.url), "utf8");
  const documented: Record<string, number> = {};
  for (const line of markdown.split("\n")) {
    const row = /^\|\s*(\d{3})\s*\|([^|]+)\|/.exec(line);
    if (!row) continue;
    for (const [, code] of row[2]!.matchAll(/`([a-z_]+)`/g)) documented[code!] = Number(row[1]);
  }
  return documented;
}

describe("the error mapping", () => {
  it("docs/api.md's error table lists every code the API answers with, at its status", () => {
    expect(documentedErrorStatuses()).toEqual(publicErrorStatuses());
  });

  it("answers contention as 429 account_busy with Retry-After, never a 5xx", () => {
    const r = toErrorResponse(new NyangError("contention", "busy", { userId: "u1" }));
    expect(r.status).toBe(429);
    expect(r.body.error).toMatchObject({ code: "account_busy", details: { userId: "u1" } });
    expect(Number(r.headers["Retry-After"])).toBeGreaterThanOrEqual(1);
    expect(publicErrorStatuses()).not.toHaveProperty("contention");
  });

  it("answers anything unexpected as 500 internal without details", () => {
    expect(toErrorResponse(new Error("boom"))).toEqual({ status: 500, headers: {}, body: { error: { code: "internal", message: "Internal server error" } } });
    expect(toErrorResponse(new ApiError("forbidden", "no")).headers).toEqual({});
  });
});
