/**
 * `npm run token -- --sub u1 --roles admin,service --ttl 3600`: prints a local JWT for the
 * API running under `npm run dev` (add `-s` to npm to get the token alone on stdout).
 */
import { parseArgs } from "node:util";
import { ROLES, signLocalToken, type Role } from "./local-token.ts";

const USAGE = `Usage: npm run -s token -- --sub <userId> [--roles ${ROLES.join(",")}] [--ttl <seconds>]

Prints an HS256 JWT the local API accepts, signed with NYANG_JWT_SECRET (or the
documented dev secret). Adds iss/aud when NYANG_JWT_ISSUER/NYANG_JWT_AUDIENCE are set.

  --sub    the token's subject, a user id (letters, digits, _ . : @ -; at most 128)
  --roles  comma-separated roles: ${ROLES.join(", ")} (default: user)
  --ttl    lifetime in seconds (default: 3600)
  --help   show this help

Example:
  curl -H "Authorization: Bearer $(npm run -s token -- --sub u1)" http://127.0.0.1:3020/v1/accounts/me`;

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        sub: { type: "string" },
        roles: { type: "string" },
        ttl: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.sub === undefined) return fail("--sub is required");

  const roles = values.roles === undefined ? undefined : values.roles.split(",").map((r) => r.trim());
  let ttlSeconds: number | undefined;
  if (values.ttl !== undefined) {
    if (!/^\d+$/.test(values.ttl)) return fail(`--ttl must be a whole number of seconds, got ${JSON.stringify(values.ttl)}`);
    ttlSeconds = Number(values.ttl);
  }
  if (process.env.NYANG_JWT_ISSUER) {
    // The API switches to the issuer's JWKS when this is set, so an HS256 token cannot pass there.
    console.error("token: note: NYANG_JWT_ISSUER is set, so the API verifies tokens with the issuer's JWKS and will reject this HS256 token");
  }
  try {
    // Unknown roles are rejected inside signLocalToken, so the cast only defers that check.
    console.log(await signLocalToken({ sub: values.sub, roles: roles as Role[] | undefined, ttlSeconds }));
    return 0;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

function fail(message: string): number {
  console.error(`token: ${message}\n\n${USAGE}`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
