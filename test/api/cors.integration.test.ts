import { beforeAll, describe, expect, it } from "vitest";
import { callApi, openAccount, tokenFor, useApiEnv } from "../support/http-api";
import { uniqueUserId } from "../support/ids";

/**
 * CORS as a browser meets it, through the Lambda handler (the same app answers on AWS, where
 * stacks/api.ts routes OPTIONS to it), made over a runtime whose NYANG_CORS_ORIGINS names
 * the two origins.
 */
const CONSOLE = "http://127.0.0.1:3024";
const SHOP = "https://shop.example.com";
useApiEnv({ NYANG_CORS_ORIGINS: `${CONSOLE}, ${SHOP}` });

describe("CORS for the configured origins", () => {
  const user = uniqueUserId("cors");
  let token: string;
  beforeAll(async () => {
    await openAccount(user);
    token = await tokenFor(user);
  });

  it("answers a preflight from an allowed origin with the methods and headers the API takes", async () => {
    const r = await callApi("OPTIONS", `/v1/accounts/${user}/usage`, {
      headers: {
        origin: SHOP,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type,idempotency-key",
      },
    });
    expect(r.status).toBe(204);
    expect(r.headers["access-control-allow-origin"]).toBe(SHOP);
    expect(r.headers["access-control-allow-methods"]?.split(",")).toEqual(expect.arrayContaining(["GET", "POST", "PUT", "DELETE"]));
    expect(r.headers["access-control-allow-headers"]?.toLowerCase().split(",")).toEqual(
      expect.arrayContaining(["authorization", "content-type", "idempotency-key"]),
    );
    expect(Number(r.headers["access-control-max-age"])).toBeGreaterThan(0);
  });

  it("gives no CORS grant to an origin that is not configured", async () => {
    const r = await callApi("OPTIONS", `/v1/accounts/${user}`, {
      headers: { origin: "https://evil.example.com", "access-control-request-method": "GET" },
    });
    expect(r.headers["access-control-allow-origin"]).toBeUndefined();
    const get = await callApi("GET", `/v1/accounts/${user}`, { token, headers: { origin: "https://evil.example.com" } });
    expect(get.status).toBe(200);
    expect(get.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("lets an allowed page read answers, errors included, and the replay and retry headers", async () => {
    const ok = await callApi("GET", `/v1/accounts/${user}`, { token, headers: { origin: CONSOLE } });
    expect(ok.status).toBe(200);
    expect(ok.headers["access-control-allow-origin"]).toBe(CONSOLE);
    expect(ok.headers["access-control-expose-headers"]?.toLowerCase().split(",")).toEqual(
      expect.arrayContaining(["idempotent-replayed", "retry-after"]),
    );
    expect(ok.headers.vary?.toLowerCase()).toContain("origin");

    const refused = await callApi("GET", `/v1/accounts/${user}`, { headers: { origin: CONSOLE } });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe("unauthorized");
    expect(refused.headers["access-control-allow-origin"]).toBe(CONSOLE);
  });
});
