import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "./api-error.ts";
import { authorize, verifierFromEnv, type Principal } from "./auth.ts";
import { DEV_JWT_SECRET } from "./dev-secret.ts";

const now = () => Math.floor(Date.now() / 1000);

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return e instanceof ApiError ? e.code : String(e);
  }
}

describe("token verification with an OIDC issuer's JWKS", () => {
  let server: Server;
  let issuer: string;
  type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  let privateKey: PrivateKey;
  let otherKey: PrivateKey;

  beforeAll(async () => {
    const pair = await generateKeyPair("RS256");
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair("RS256")).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    server = createServer((req, res) => {
      if (req.url === "/.well-known/jwks.json") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const sign = (claims: Record<string, unknown>, key = privateKey, iss = issuer, aud = "nyang-api") =>
    new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "k1" }).setIssuer(iss).setAudience(aud).setExpirationTime(now() + 60).setSubject("u1").sign(key);

  it("accepts a token the issuer signed, with its roles", async () => {
    const verify = verifierFromEnv({ NYANG_JWT_ISSUER: issuer, NYANG_JWT_AUDIENCE: "nyang-api" });
    const p = await verify(await sign({ roles: ["service"] }));
    expect(p.sub).toBe("u1");
    expect([...p.roles]).toEqual(["service"]);
  });

  it("defaults roles to user", async () => {
    const verify = verifierFromEnv({ NYANG_JWT_ISSUER: issuer, NYANG_JWT_AUDIENCE: "nyang-api" });
    expect([...(await verify(await sign({}))).roles]).toEqual(["user"]);
  });

  it("refuses another key, another issuer, another audience, and an HS256 token", async () => {
    const verify = verifierFromEnv({ NYANG_JWT_ISSUER: issuer, NYANG_JWT_AUDIENCE: "nyang-api" });
    expect(await code(verify(await sign({}, otherKey)))).toBe("unauthorized");
    expect(await code(verify(await sign({}, privateKey, "https://evil.example")))).toBe("unauthorized");
    expect(await code(verify(await sign({}, privateKey, issuer, "other-api")))).toBe("unauthorized");
    const hs = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("u1").setIssuer(issuer).setAudience("nyang-api").setExpirationTime(now() + 60).sign(new TextEncoder().encode(DEV_JWT_SECRET));
    expect(await code(verify(hs))).toBe("unauthorized");
  });
});

describe("local HS256 tokens", () => {
  const key = new TextEncoder().encode(DEV_JWT_SECRET);
  const verify = verifierFromEnv({});

  it("refuses a token without exp, with a bad sub, or with an unknown role", async () => {
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("u1").sign(key);
    expect(await code(verify(noExp))).toBe("unauthorized");
    const badSub = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("u 1").setExpirationTime(now() + 60).sign(key);
    expect(await code(verify(badSub))).toBe("unauthorized");
    const badRole = await new SignJWT({ roles: ["root"] }).setProtectedHeader({ alg: "HS256" }).setSubject("u1").setExpirationTime(now() + 60).sign(key);
    expect(await code(verify(badRole))).toBe("unauthorized");
  });

  it("refuses the public dev secret inside Lambda when nothing else is configured", () => {
    expect(() => verifierFromEnv({ AWS_LAMBDA_FUNCTION_NAME: "nyang-http" })).toThrow(/NYANG_JWT_ISSUER/);
  });
});

describe("authorize", () => {
  const p = (sub: string, ...roles: Principal["roles"] extends ReadonlySet<infer R> ? R[] : never): Principal => ({ sub, roles: new Set(roles) });
  const ownerRoute = { roles: ["service", "admin"] as const, owner: true };
  const serviceRoute = { roles: ["service", "admin"] as const, owner: false };

  it("resolves me to the caller and lets owners read their own account", () => {
    expect(authorize(p("u1", "user"), ownerRoute, "me")).toBe("u1");
    expect(authorize(p("u1", "user"), ownerRoute, "u1")).toBe("u1");
  });

  it("forbids users on other accounts and on service routes", () => {
    expect(() => authorize(p("u1", "user"), ownerRoute, "u2")).toThrow(ApiError);
    expect(() => authorize(p("u1", "user"), serviceRoute, "u1")).toThrow(ApiError);
  });

  it("lets service and admin act on any account", () => {
    expect(authorize(p("svc", "service"), serviceRoute, "u9")).toBe("u9");
    expect(authorize(p("root", "admin"), { roles: ["admin"], owner: false }, "u9")).toBe("u9");
    expect(() => authorize(p("svc", "service"), { roles: ["admin"], owner: false }, "u9")).toThrow(ApiError);
  });

  it("says what was needed, and names an account only where the route acts on one", () => {
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        if (e instanceof ApiError) return { code: e.code, message: e.message, details: e.details };
      }
      return undefined;
    };
    const adminRoute = refusal(() => authorize(p("svc", "service"), { roles: ["admin"], owner: false }));
    expect(adminRoute).toEqual({ code: "forbidden", message: "This route needs the role admin", details: { requiredRoles: ["admin"] } });
    expect(adminRoute?.message).not.toMatch(/account/);
    expect(refusal(() => authorize(p("u1", "user"), ownerRoute, "u2"))?.message).toBe(
      "A user token may act only on its own account; other accounts need the roles service or admin",
    );
    expect(refusal(() => authorize(p("svc", "service"), { roles: ["admin"], owner: false }, "u9"))?.message).toBe("This action on an account needs the role admin");
  });
});
