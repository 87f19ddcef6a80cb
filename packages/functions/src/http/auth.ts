import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { ApiError } from "./api-error.ts";
import { DEV_JWT_SECRET } from "./dev-secret.ts";

export const roles = ["user", "service", "admin"] as const;
export type Role = (typeof roles)[number];

/** Who is calling, from a verified bearer token. */
export interface Principal {
  sub: string;
  roles: ReadonlySet<Role>;
}

export const userIdPattern = /^[A-Za-z0-9_.:@-]{1,128}$/;

const claimsSchema = z.object({
  sub: z.string().regex(userIdPattern),
  roles: z.array(z.enum(roles)).min(1).default(["user"]),
  exp: z.number(),
});

export type TokenVerifier = (token: string) => Promise<Principal>;

/**
 * How tokens are checked, decided once at cold start: an OIDC issuer's JWKS when
 * `NYANG_JWT_ISSUER` is set (AWS), else HS256 with `NYANG_JWT_SECRET` or the documented
 * local secret. Inside Lambda the local secret is refused, so a forgotten setting can
 * never open a deployed API with a public key.
 */
export function verifierFromEnv(env: {
  NYANG_JWT_ISSUER?: string | undefined;
  NYANG_JWT_AUDIENCE?: string | undefined;
  NYANG_JWT_JWKS_URL?: string | undefined;
  NYANG_JWT_SECRET?: string | undefined;
  AWS_LAMBDA_FUNCTION_NAME?: string | undefined;
}): TokenVerifier {
  const issuer = env.NYANG_JWT_ISSUER;
  const audience = env.NYANG_JWT_AUDIENCE;
  if (issuer) {
    const jwksUrl = env.NYANG_JWT_JWKS_URL ?? `${issuer.replace(/\/$/, "")}/.well-known/jwks.json`;
    const keys = createRemoteJWKSet(new URL(jwksUrl));
    return (token) => verify(token, keys, { issuer, ...(audience ? { audience } : {}) });
  }
  const secret = env.NYANG_JWT_SECRET;
  if (!secret && env.AWS_LAMBDA_FUNCTION_NAME) {
    throw new Error("NYANG_JWT_ISSUER (or NYANG_JWT_SECRET) must be set in AWS; refusing the local dev secret");
  }
  const key = new TextEncoder().encode(secret ?? DEV_JWT_SECRET);
  return (token) => verify(token, key, { algorithms: ["HS256"], ...(audience ? { audience } : {}) });
}

async function verify(
  token: string,
  key: Uint8Array | JWTVerifyGetKey,
  options: Parameters<typeof jwtVerify>[2],
): Promise<Principal> {
  let payload: JWTPayload;
  try {
    const result =
      key instanceof Uint8Array
        ? await jwtVerify(token, key, { ...options, requiredClaims: ["exp", "sub"] })
        : await jwtVerify(token, key, { ...options, requiredClaims: ["exp", "sub"] });
    payload = result.payload;
  } catch {
    throw new ApiError("unauthorized", "The bearer token is missing, invalid or expired");
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new ApiError("unauthorized", "The token's claims are not valid (sub, roles, exp)");
  return { sub: claims.data.sub, roles: new Set(claims.data.roles) };
}

/** Who may call a route: roles that may act on any account, and whether the owner may too. */
export interface Access {
  roles: readonly Role[];
  owner: boolean;
}

/**
 * docs/api.md's role and ownership rules. `me` means the caller's own id. Returns the account
 * the route acts on, or throws 403.
 */
export function authorize(p: Principal, access: Access, pathUserId?: string): string | undefined {
  const userId = pathUserId === "me" ? p.sub : pathUserId;
  if (access.roles.some((r) => p.roles.has(r))) return userId;
  if (access.owner && p.roles.has("user") && userId !== undefined && userId === p.sub) return userId;
  throw new ApiError("forbidden", forbiddenMessage(access, userId !== undefined), { requiredRoles: [...access.roles] });
}

/** Says what would have been allowed; an account is named only where the route acts on one. */
function forbiddenMessage(access: Access, onAccount: boolean): string {
  const roles = `the role${access.roles.length > 1 ? "s" : ""} ${access.roles.join(" or ")}`;
  if (!onAccount) return `This route needs ${roles}`;
  if (access.owner) return `A user token may act only on its own account; other accounts need ${roles}`;
  return `This action on an account needs ${roles}`;
}
