/**
 * Local JWTs: HS256 tokens signed with the secret the API verifies locally, so the dev
 * server, tests and the bench can call the API as any user and role without an OIDC issuer.
 */
import { DEV_JWT_SECRET } from "@nyang/functions/http/dev-secret";
import { SignJWT } from "jose";

/** The roles the API knows (see docs/api.md, Auth). */
export const ROLES = ["user", "service", "admin"] as const;

/** A role from the token's `roles` claim. */
export type Role = (typeof ROLES)[number];

/** The user id rule of the API; `sub` must follow it because the API treats `sub` as a user id. */
export const USER_ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,128}$/;

/** Longest token lifetime we sign: a long-lived local token is one that leaks into a paste somewhere. */
export const MAX_TTL_SECONDS = 30 * 24 * 3600;

/** Options for {@link signLocalToken}. */
export interface SignLocalTokenOptions {
  sub: string;
  /** Default `["user"]`. */
  roles?: readonly Role[];
  /** Lifetime in seconds (default 3600). */
  ttlSeconds?: number;
  /** HS256 secret (default `NYANG_JWT_SECRET`, else the documented `DEV_JWT_SECRET`). */
  secret?: string;
  /** `iss` claim (default `NYANG_JWT_ISSUER` when set). */
  issuer?: string;
  /** `aud` claim (default `NYANG_JWT_AUDIENCE` when set). */
  audience?: string;
  /** Clock, for tests of expiry. */
  now?: Date;
}

/** The secret local tokens are signed with: `NYANG_JWT_SECRET`, else `DEV_JWT_SECRET`, the same rule the API verifies with. */
export function localJwtSecret(env: NodeJS.ProcessEnv = process.env): string {
  return env.NYANG_JWT_SECRET ?? DEV_JWT_SECRET;
}

/** Signs an HS256 JWT with `sub`, `roles`, `iat`, `exp` (and `iss`/`aud` when configured); throws a clear Error on bad input. */
export async function signLocalToken(options: SignLocalTokenOptions): Promise<string> {
  const roles = options.roles ?? ["user"];
  const ttl = options.ttlSeconds ?? 3600;
  if (!USER_ID_PATTERN.test(options.sub)) {
    throw new Error(`sub must match ${USER_ID_PATTERN.source}, got ${JSON.stringify(options.sub)}`);
  }
  if (roles.length === 0) throw new Error(`roles must name at least one of ${ROLES.join(", ")}`);
  for (const role of roles) {
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new Error(`unknown role ${JSON.stringify(role)}; roles must be ${ROLES.join(", ")}`);
    }
  }
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
    throw new Error(`ttl must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}, got ${ttl}`);
  }

  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const jwt = new SignJWT({ roles: [...new Set(roles)] })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttl);
  const issuer = options.issuer ?? (process.env.NYANG_JWT_ISSUER || undefined);
  const audience = options.audience ?? (process.env.NYANG_JWT_AUDIENCE || undefined);
  if (issuer) jwt.setIssuer(issuer);
  if (audience) jwt.setAudience(audience);
  return jwt.sign(new TextEncoder().encode(options.secret ?? localJwtSecret()));
}
