import { randomUUID } from "node:crypto";
import { DEV_JWT_SECRET } from "@nyang/functions";
import { signLocalToken } from "@nyang/local";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import {
  adminToken,
  callApi,
  expectRefused,
  openAccount,
  serviceToken,
  tokenFor,
  uniqueUserId,
  type ApiCall,
  type ApiReply,
} from "../support/index.ts";

/**
 * docs/api.md's Auth rules through the Lambda handler: who may call which route on whose
 * account (route × caller → status), which tokens are refused (401), and that the
 * 401/403 decision comes before the body, query or Idempotency-Key is looked at.
 */

const key = () => `k-${randomUUID()}`;

// ------------------------------------------------------------------------------------
// Routes and callers

type Caller = "owner" | "owner via me" | "another user" | "service" | "admin";

interface Setup {
  /** The account the route acts on (already open, except for POST /v1/accounts). */
  u: string;
  /** A usage entry of `u`, for refunds. */
  usageTx: string;
  /** Any entry of `u` (its signup bonus), for GET …/transactions/{id}. */
  anyTx: string;
}

interface RouteSpec {
  route: string;
  method: "GET" | "POST";
  /** `who` is the path segment: the user id, or `me`. */
  path: (who: string, s: Setup) => string;
  body?: (s: Setup) => unknown;
  coinMoving?: boolean;
  /** POST /v1/accounts acts on an account that does not exist yet. */
  opensAccount?: boolean;
  needsUsage?: boolean;
  /** Expected status per caller. */
  expect: Record<Caller, number>;
}

const R = (owner: number, me: number, other: number, service: number, admin: number): Record<Caller, number> => ({
  owner,
  "owner via me": me,
  "another user": other,
  service,
  admin,
});

const routes: RouteSpec[] = [
  { route: "POST /v1/accounts", method: "POST", path: () => "/v1/accounts", body: (s) => ({ userId: s.u }), opensAccount: true, expect: R(403, 403, 403, 201, 201) },
  { route: "GET /v1/accounts/{userId}", method: "GET", path: (w) => `/v1/accounts/${w}`, expect: R(200, 200, 403, 200, 200) },
  { route: "POST …/usage", method: "POST", path: (w) => `/v1/accounts/${w}/usage`, body: () => ({ serviceType: "ai_writing" }), coinMoving: true, expect: R(403, 403, 403, 201, 201) },
  { route: "POST …/charges", method: "POST", path: (w) => `/v1/accounts/${w}/charges`, body: () => ({ amount: "10.00", paymentMethod: "card" }), coinMoving: true, expect: R(403, 403, 403, 403, 201) },
  { route: "POST …/adjustments", method: "POST", path: (w) => `/v1/accounts/${w}/adjustments`, body: () => ({ amount: "5.00", reason: "goodwill" }), coinMoving: true, expect: R(403, 403, 403, 403, 201) },
  { route: "POST …/refunds", method: "POST", path: (w) => `/v1/accounts/${w}/refunds`, body: (s) => ({ transactionId: s.usageTx, reason: "failed job" }), coinMoving: true, needsUsage: true, expect: R(403, 403, 403, 201, 201) },
  { route: "POST …/freeze", method: "POST", path: (w) => `/v1/accounts/${w}/freeze`, expect: R(403, 403, 403, 403, 200) },
  { route: "POST …/unfreeze", method: "POST", path: (w) => `/v1/accounts/${w}/unfreeze`, expect: R(403, 403, 403, 403, 200) },
  { route: "GET …/transactions", method: "GET", path: (w) => `/v1/accounts/${w}/transactions`, expect: R(200, 200, 403, 200, 200) },
  { route: "GET …/transactions/{id}", method: "GET", path: (w, s) => `/v1/accounts/${w}/transactions/${s.anyTx}`, expect: R(200, 200, 403, 200, 200) },
];

const callers: Caller[] = ["owner", "owner via me", "another user", "service", "admin"];

async function tokenOf(caller: Caller, u: string): Promise<string> {
  switch (caller) {
    case "owner":
    case "owner via me":
      return tokenFor(u);
    case "another user":
      return tokenFor(`${u}-other`);
    case "service":
      return serviceToken();
    case "admin":
      return adminToken();
  }
}

async function setUp(spec: RouteSpec): Promise<Setup> {
  const u = uniqueUserId("authz");
  if (spec.opensAccount) return { u, usageTx: "", anyTx: "" };
  await openAccount(u);
  const admin = await adminToken();
  const [usage, list] = await Promise.all([
    spec.needsUsage
      ? callApi("POST", `/v1/accounts/${u}/usage`, { token: await serviceToken(), body: { serviceType: "ai_writing" }, idempotencyKey: key() })
      : Promise.resolve(undefined),
    callApi("GET", `/v1/accounts/${u}/transactions`, { token: admin }),
  ]);
  if (usage) expect(usage.status).toBe(201);
  return { u, usageTx: usage?.body.transaction.id ?? "", anyTx: list.body.transactions.at(-1).id };
}

function request(spec: RouteSpec, s: Setup, who: string, token: string | undefined, extra: ApiCall = {}) {
  return callApi(spec.method, spec.path(who, s), {
    token,
    ...(spec.body ? { body: spec.body(s) } : {}),
    ...(spec.coinMoving ? { idempotencyKey: key() } : {}),
    ...extra,
  });
}

const matrix = routes.flatMap((spec) =>
  callers
    // `me` has no meaning without a path user id
    .filter((c) => !(spec.opensAccount && c === "owner via me"))
    .map((caller) => ({ spec, caller, status: spec.expect[caller], name: `${caller} → ${spec.route} → ${spec.expect[caller]}` })),
);

// ------------------------------------------------------------------------------------
// Tokens the API must refuse

const secret = new TextEncoder().encode(process.env.NYANG_JWT_SECRET ?? DEV_JWT_SECRET);
const nowS = () => Math.floor(Date.now() / 1000);
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");

/** An HS256 token with exactly these claims, signed with the API's own secret. */
const signed = (claims: Record<string, unknown>, alg = "HS256") => new SignJWT(claims).setProtectedHeader({ alg, typ: "JWT" }).sign(secret);
const adminClaims = () => ({ sub: "admin-1", roles: ["admin"], iat: nowS(), exp: nowS() + 600 });

/** Each yields the whole Authorization header value (or undefined for none). */
const badAuth: [string, () => Promise<string | undefined>][] = [
  ["no Authorization header", async () => undefined],
  ["an empty Authorization header", async () => ""],
  ["Basic credentials", async () => `Basic ${Buffer.from("admin:admin").toString("base64")}`],
  ["'Bearer' without a token", async () => "Bearer"],
  ["a valid token under another scheme", async () => `Token ${await adminToken()}`],
  ["a valid token followed by junk", async () => `Bearer ${await adminToken()} junk`],
  ["a token that is not a JWT", async () => "Bearer not-a-jwt"],
  ["a JWT with a truncated signature", async () => `Bearer ${(await adminToken()).slice(0, -5)}`],
  ["an expired token", async () => `Bearer ${await signLocalToken({ sub: "admin-1", roles: ["admin"], ttlSeconds: 60, now: new Date(Date.now() - 2 * 3600_000) })}`],
  ["a token signed with another secret", async () => `Bearer ${await signLocalToken({ sub: "admin-1", roles: ["admin"], secret: "some-other-secret-0123456789abcdef" })}`],
  ["a token with a role outside user|service|admin", async () => `Bearer ${await signed({ ...adminClaims(), roles: ["superuser"] })}`],
  ["a token with admin plus an unknown role", async () => `Bearer ${await signed({ ...adminClaims(), roles: ["admin", "root"] })}`],
  ["a token whose roles claim is a string", async () => `Bearer ${await signed({ ...adminClaims(), roles: "admin" })}`],
  ["a token with an empty roles list", async () => `Bearer ${await signed({ ...adminClaims(), roles: [] })}`],
  ["a token without exp", async () => { const { exp, ...c } = adminClaims(); void exp; return `Bearer ${await signed(c)}`; }],
  ["a token without sub", async () => { const { sub, ...c } = adminClaims(); void sub; return `Bearer ${await signed(c)}`; }],
  ["a token whose sub is not a user id", async () => `Bearer ${await signed({ ...adminClaims(), sub: "not a user id" })}`],
  ["a token not valid before a future time", async () => `Bearer ${await signed({ ...adminClaims(), nbf: nowS() + 3600 })}`],
  ["an unsigned token (alg none)", async () => `Bearer ${b64({ alg: "none", typ: "JWT" })}.${b64(adminClaims())}.`],
  ["a token signed HS512 with the right secret", async () => `Bearer ${await signed(adminClaims(), "HS512")}`],
];

const unauthorizedMatrix = badAuth.flatMap(([what, header]) => routes.map((spec) => ({ what, header, spec })));

// ------------------------------------------------------------------------------------

describe.concurrent("authz", () => {
  describe("route × caller", () => {
    it.each(matrix)("$name", async ({ spec, caller, status }) => {
      const s = await setUp(spec);
      const who = caller === "owner via me" ? "me" : s.u;
      const token = await tokenOf(caller, s.u);
      if (status === 403) {
        await expectRefused(s.u, () => request(spec, s, who, token), 403, "forbidden");
        return;
      }
      const r = await request(spec, s, who, token);
      expect({ status: r.status, body: r.body }).toMatchObject({ status });
      // The 2xx answer is about the account in the path (with `me` resolved to the caller).
      if (r.body.account) expect(r.body.account.userId).toBe(s.u);
      if (r.body.transaction) expect(r.body.transaction.userId).toBe(s.u);
      if (r.body.transactions) expect(r.body.transactions.every((t: { userId: string }) => t.userId === s.u)).toBe(true);
    });
  });

  describe("401 unauthorized", () => {
    it.each(unauthorizedMatrix)("$what → $spec.route → 401", async ({ header, spec }) => {
      const s = spec.opensAccount
        ? { u: uniqueUserId("unauth"), usageTx: "", anyTx: "" }
        : { u: uniqueUserId("unauth"), usageTx: "tx_00000000000000000000000000", anyTx: "tx_00000000000000000000000000" };
      // Never opened: were the token accepted as admin, these would answer 2xx or 404, never 401.
      const value = await header();
      await expectRefused(
        s.u,
        () => request(spec, s, s.u, undefined, value === undefined ? {} : { headers: { authorization: value } }),
        401,
        "unauthorized",
      );
    });

    it("the same token refused for a bad role is fine once its roles are valid", async () => {
      const u = uniqueUserId("authz");
      await openAccount(u);
      const ok = await callApi("GET", `/v1/accounts/${u}`, { headers: { authorization: `Bearer ${await signed({ ...adminClaims(), roles: ["admin"] })}` } });
      expect(ok.status).toBe(200);
    });

    it("the Bearer scheme is case-insensitive", async () => {
      const u = uniqueUserId("authz");
      await openAccount(u);
      const r = await callApi("GET", `/v1/accounts/${u}`, { headers: { authorization: `bearer ${await adminToken()}` } });
      expect(r.status).toBe(200);
    });
  });

  describe("a token without a roles claim is a user", () => {
    const userToken = (sub: string) => signed({ sub, iat: nowS(), exp: nowS() + 600 });

    it("reads its own account → 200", async () => {
      const u = uniqueUserId("authz");
      await openAccount(u);
      const r = await callApi("GET", "/v1/accounts/me", { token: await userToken(u) });
      expect(r.status).toBe(200);
      expect(r.body.account.userId).toBe(u);
    });

    it("reads another account → 403, spends → 403", async () => {
      const u = uniqueUserId("authz");
      await openAccount(u);
      const token = await userToken(`${u}-other`);
      await expectRefused(u, () => callApi("GET", `/v1/accounts/${u}`, { token }), 403, "forbidden");
      const own = await userToken(u);
      await expectRefused(u, () => callApi("POST", `/v1/accounts/${u}/usage`, { token: own, body: { serviceType: "ai_writing" }, idempotencyKey: key() }), 403, "forbidden");
    });
  });

  describe("401/403 come before body, query, header and existence checks", () => {
    const garbage = { nonsense: true, amount: "1e2" };
    const cases: [string, number, string, (u: string) => Promise<ApiReply>][] = [
      // 401
      ["no token + malformed JSON on usage", 401, "unauthorized", (u) => callApi("POST", `/v1/accounts/${u}/usage`, { rawBody: "{oops", idempotencyKey: key() })],
      ["no token + no Idempotency-Key + garbage body on charges", 401, "unauthorized", (u) => callApi("POST", `/v1/accounts/${u}/charges`, { body: garbage })],
      ["no token + non-JSON content type on POST /v1/accounts", 401, "unauthorized", (u) => callApi("POST", "/v1/accounts", { rawBody: `userId=${u}`, headers: { "content-type": "text/plain" } })],
      ["no token + bad query on transactions", 401, "unauthorized", (u) => callApi("GET", `/v1/accounts/${u}/transactions?limit=0&type=bogus`)],
      ["no token + bad transaction id", 401, "unauthorized", (u) => callApi("GET", `/v1/accounts/${u}/transactions/nope`)],
      ["no token + bad userId in the path", 401, "unauthorized", () => callApi("GET", "/v1/accounts/bad!id")],
      ["expired token + garbage body on adjustments", 401, "unauthorized", async (u) =>
        callApi("POST", `/v1/accounts/${u}/adjustments`, { token: await signLocalToken({ sub: "admin-1", roles: ["admin"], ttlSeconds: 1, now: new Date(Date.now() - 60_000) }), body: garbage })],
      // 403
      ["owner spending with a garbage body and no Idempotency-Key", 403, "forbidden", async (u) => callApi("POST", `/v1/accounts/${u}/usage`, { token: await tokenFor(u), body: garbage })],
      ["owner spending with malformed JSON", 403, "forbidden", async (u) => callApi("POST", `/v1/accounts/me/usage`, { token: await tokenFor(u), rawBody: "{oops", idempotencyKey: key() })],
      ["user opening an account with malformed JSON", 403, "forbidden", async (u) => callApi("POST", "/v1/accounts", { token: await tokenFor(u), rawBody: "{oops" })],
      ["user opening an account with a non-JSON body", 403, "forbidden", async (u) => callApi("POST", "/v1/accounts", { token: await tokenFor(u), rawBody: "hello", headers: { "content-type": "text/plain" } })],
      ["service charging with an invalid amount and no Idempotency-Key", 403, "forbidden", async (u) => callApi("POST", `/v1/accounts/${u}/charges`, { token: await serviceToken(), body: { amount: "1.005", paymentMethod: "card" } })],
      ["service adjusting with malformed JSON", 403, "forbidden", async (u) => callApi("POST", `/v1/accounts/${u}/adjustments`, { token: await serviceToken(), rawBody: "{oops", idempotencyKey: key() })],
      ["service freezing with a bad userId in the path", 403, "forbidden", async () => callApi("POST", "/v1/accounts/bad!id/freeze", { token: await serviceToken() })],
      ["owner refunding with an unknown field", 403, "forbidden", async (u) => callApi("POST", `/v1/accounts/${u}/refunds`, { token: await tokenFor(u), body: { transactionId: "x", reason: "r", extra: 1 }, idempotencyKey: key() })],
      ["another user listing with a bad query", 403, "forbidden", async (u) => callApi("GET", `/v1/accounts/${u}/transactions?limit=0&cursor=!!`, { token: await tokenFor(`${u}-other`) })],
      ["another user reading a malformed transaction id", 403, "forbidden", async (u) => callApi("GET", `/v1/accounts/${u}/transactions/nope`, { token: await tokenFor(`${u}-other`) })],
      ["a user reading a bad userId in the path", 403, "forbidden", async (u) => callApi("GET", "/v1/accounts/bad!id", { token: await tokenFor(u) })],
    ];

    it.each(cases)("%s → %i %s", async (_, status, code, run) => {
      const u = uniqueUserId("authz");
      await openAccount(u);
      await expectRefused(u, () => run(u), status, code);
    });

    it("another user's never-opened account → 403, not 404 (no existence leak)", async () => {
      const u = uniqueUserId("authz");
      await expectRefused(u, async () => callApi("GET", `/v1/accounts/${u}`, { token: await tokenFor(`${u}-other`) }), 403, "forbidden");
      await expectRefused(u, async () => callApi("GET", `/v1/accounts/${u}/transactions`, { token: await tokenFor(`${u}-other`) }), 403, "forbidden");
    });

    it("a service freezing a never-opened account → 403, not 404", async () => {
      const u = uniqueUserId("authz");
      await expectRefused(u, async () => callApi("POST", `/v1/accounts/${u}/freeze`, { token: await serviceToken() }), 403, "forbidden");
    });

    it("no token on a never-opened account → 401, not 404", async () => {
      const u = uniqueUserId("authz");
      await expectRefused(u, () => callApi("GET", `/v1/accounts/${u}`), 401, "unauthorized");
    });
  });
});
