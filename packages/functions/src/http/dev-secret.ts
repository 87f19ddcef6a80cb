/**
 * The HS256 secret local tokens are signed with when `NYANG_JWT_SECRET` is not set.
 * Public on purpose: it only ever guards DynamoDB Local on 127.0.0.1. In AWS the API
 * verifies tokens against the OIDC issuer's JWKS instead and never reads this.
 */
export const DEV_JWT_SECRET = "nyang-local-dev-secret-do-not-use-in-aws";
