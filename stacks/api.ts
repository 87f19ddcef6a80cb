import { corsOriginsFromEnv } from "../packages/functions/src/http/cors";
import { corsPreflightRoute, docsAssetPackage, docsAssets, httpHandlerPath, httpRoutes } from "../packages/functions/src/http/routes";
import { paymentGatewayName } from "../packages/core/src/payments/choose";
import { nyangSettings } from "./settings";

/**
 * What the HTTP Lambda may do on the table and its indexes, and nothing more. The request
 * path queries the `byTime` local index and the `byDay` and `byAlertTime` global indexes
 * (top users, the admins' alert feed; `byDue` is the schedules'); the grant stays
 * `index/*` because DynamoDB Local checks no IAM, so a
 * per-index grant that missed a new query would first fail on AWS.
 * Transactions need no action of their own: each item in a `TransactWriteItems` is
 * authorized by its underlying action (PutItem / UpdateItem / ConditionCheckItem).
 * The table is deliberately not `link`ed: SST's Dynamo link grants `dynamodb:*` on the
 * table and everything under it. The handler reads the table name from NYANG_TABLE.
 */
export const httpTableActions = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:ConditionCheckItem",
  "dynamodb:Query",
];

/** The docs page's assets, copied from the installed package into the HTTP function's package. */
export const docsAssetFiles = Object.keys(docsAssets).map((name) => {
  const file = `node_modules/${docsAssetPackage}/${name}`;
  return { from: file, to: file };
});

/** Toss's API host; live and test keys share it (the key decides which). Same as core's TOSS_DEFAULT_BASE_URL. */
export const tossDefaultApiBaseUrl = "https://api.tosspayments.com";

/**
 * The Toss Payments settings, per stage, shared by every function that talks to the gateway
 * (the HTTP API confirms and cancels; the reconcile schedule looks orders up). Create once in
 * `run()` and pass to each stack: two `sst.Secret`s of one name would clash.
 *
 * - `TossSecretKey` (`test_sk_…` / `live_sk_…`): required, no placeholder, so a stage
 *   without it fails at deploy: `npx sst secret set TossSecretKey <key> --stage <stage>`.
 * - `TossApiBaseUrl`: optional; the placeholder is Toss's own host, which is right for every
 *   real stage. Set it only to point a stage at a stand-in gateway.
 */
export function tossSecrets() {
  return {
    secretKey: new sst.Secret("TossSecretKey"),
    apiBaseUrl: new sst.Secret("TossApiBaseUrl", tossDefaultApiBaseUrl),
  };
}

export type TossSecrets = ReturnType<typeof tossSecrets>;

/**
 * The environment the payment gateway is built from (packages/core's `paymentGatewayFromEnv`,
 * packages/functions' env.ts): the Toss secrets, and the {@link paymentSettings} set at deploy.
 */
export function tossEnvironment(toss: TossSecrets, env: NodeJS.ProcessEnv = process.env) {
  return {
    TOSS_SECRET_KEY: toss.secretKey.value,
    TOSS_API_BASE_URL: toss.apiBaseUrl.value,
    ...paymentSettings(env),
  };
}

/**
 * The payment settings of the deployer's environment that are not secrets: which adapter
 * takes payments (`PAYMENT_GATEWAY`) and one gateway call's time-out (`TOSS_TIMEOUT_MS`).
 * Forwarded only when set (unset, the functions use their defaults), and checked here so that
 * a bad value stops the deploy instead of every cold start (env.ts checks them again there).
 */
export function paymentSettings(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  const gateway = env.PAYMENT_GATEWAY?.trim();
  if (gateway) out.PAYMENT_GATEWAY = paymentGatewayName({ PAYMENT_GATEWAY: gateway });
  const timeout = env.TOSS_TIMEOUT_MS?.trim();
  if (timeout) {
    if (!/^[1-9]\d*$/.test(timeout)) throw new Error(`TOSS_TIMEOUT_MS must be a positive integer (milliseconds), got ${JSON.stringify(env.TOSS_TIMEOUT_MS)}`);
    out.TOSS_TIMEOUT_MS = timeout;
  }
  return out;
}

/**
 * The HTTP API: API Gateway v2 (HTTP API) with every route in `httpRoutes` wired to one
 * Lambda. There is no `$default` route, so a path that is not in the list gets API
 * Gateway's own 404 and never reaches the function.
 *
 * JWT issuer and audience are per-stage settings kept as SST secrets (not secret values,
 * but stage-specific and required): a stage without them fails at deploy with SST's
 * "Set a value for NyangJwtIssuer" error instead of shipping an API that accepts nothing
 * or, worse, the local dev secret. Set them with `npx sst secret set <name> <value> --stage <stage>`.
 * The Toss settings come from `tossSecrets()` (purchases confirm and cancel at the gateway).
 */
export function api({ table, toss, webConsole }: { table: sst.aws.Dynamo; toss: TossSecrets; webConsole?: WebConsoleFactory }) {
  const jwtIssuer = new sst.Secret("NyangJwtIssuer");
  const jwtAudience = new sst.Secret("NyangJwtAudience");

  // CORS is the function's (packages/functions/src/http/cors.ts), so API Gateway's own is off:
  // with it on, API Gateway would answer preflights itself and override the function's headers.
  const api = new sst.aws.ApiGatewayV2("Api", { cors: false });
  // The console is built against this API's URL, and its URL is an allowed origin of the
  // API: the gateway exists before either, so the two link without a cycle.
  const site = webConsole?.(api.url);

  const handler = new sst.aws.Function("HttpHandler", {
    handler: httpHandlerPath,
    runtime: "nodejs22.x",
    architecture: "arm64",
    memory: "512 MB",
    // A purchase confirm may wait on Toss twice (confirm, then the look-up that settles an
    // unanswered confirm), each bounded by the adapter's 10 s time-out, plus its DynamoDB
    // writes: 10 s would cut it off before it can answer "pending". HTTP API integrations
    // give up at 30 s, so the function stops first.
    timeout: "25 seconds",
    nodejs: { format: "esm", sourcemap: true },
    // Swagger UI for GET /v1/docs, served by the function itself (no CDN): the files land where
    // the handler's module resolution looks for the package (/var/task/node_modules).
    copyFiles: docsAssetFiles,
    environment: {
      NYANG_TABLE: table.name,
      NYANG_JWT_ISSUER: jwtIssuer.value,
      NYANG_JWT_AUDIENCE: jwtAudience.value,
      ...tossEnvironment(toss),
      ...nyangSettings(),
      NYANG_CORS_ORIGINS: corsOrigins(site?.url),
      NODE_OPTIONS: "--enable-source-maps",
    },
    permissions: [
      {
        actions: httpTableActions,
        resources: [table.arn, $interpolate`${table.arn}/index/*`],
      },
    ],
  });

  // `route` takes a handler path, function args or a function ARN; the ARN routes every
  // key to the one function above instead of building a function per route.
  const handlerArn = handler.arn.apply((arn) => arn as `arn:${string}`);
  for (const route of [...httpRoutes, corsPreflightRoute]) {
    api.route(route, handlerArn);
  }

  // The same JWT settings verify WebSocket connects (stacks/realtime.ts): a secret is made once.
  return { api, handler, site, jwt: { issuer: jwtIssuer, audience: jwtAudience } };
}

/** Builds the operators' console against the API's URL (stacks/console.ts) and returns it. */
export type WebConsoleFactory = (apiUrl: $util.Output<string>) => { url: $util.Output<string> };

/**
 * The browser origins the API answers CORS for: those set in `NYANG_CORS_ORIGINS` at deploy
 * (product pages that embed the widget; validated as the function will read them) and the
 * console's own URL.
 */
export function corsOrigins(consoleUrl: $util.Output<string> | undefined, env: NodeJS.ProcessEnv = process.env) {
  const configured = corsOriginsFromEnv({ NYANG_CORS_ORIGINS: env.NYANG_CORS_ORIGINS }).join(",");
  if (!consoleUrl) return configured;
  return configured ? $interpolate`${configured},${consoleUrl}` : consoleUrl;
}
