export { createApp, MAX_BODY_BYTES, type NyangApp } from "./http/app.ts";
export { verifierFromEnv, type Principal, type Role } from "./http/auth.ts";
export { DEV_JWT_SECRET } from "./http/dev-secret.ts";
export { docsAssets, documentationRoutes, httpRoutes, httpHandlerPath } from "./http/routes.ts";
