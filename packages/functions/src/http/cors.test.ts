import { describe, expect, it } from "vitest";
import { corsOriginsFromEnv } from "./cors.ts";

describe("corsOriginsFromEnv", () => {
  it("reads comma-separated origins, trimming spaces and a trailing slash", () => {
    expect(corsOriginsFromEnv({ NYANG_CORS_ORIGINS: " https://a.example.com, http://127.0.0.1:3024/ ,," })).toEqual([
      "https://a.example.com",
      "http://127.0.0.1:3024",
    ]);
  });

  it("is empty when unset or blank", () => {
    expect(corsOriginsFromEnv({})).toEqual([]);
    expect(corsOriginsFromEnv({ NYANG_CORS_ORIGINS: "  " })).toEqual([]);
  });

  it("refuses a wildcard, a path and a non-http scheme, naming the variable", () => {
    for (const bad of ["*", "https://a.example.com/console", "ftp://a.example.com", "a.example.com"]) {
      expect(() => corsOriginsFromEnv({ NYANG_CORS_ORIGINS: bad }), bad).toThrow(/NYANG_CORS_ORIGINS/);
    }
  });
});
