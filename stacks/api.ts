import { httpHandlerPath, httpRoutes } from "../packages/functions/src/http/routes";

/**
 * What the HTTP Lambda may do on the table and its indexes, and nothing more.
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

/**
 * The HTTP API: API Gateway v2 (HTTP API) with every route in `httpRoutes` wired to one
 * Lambda. There is no `$default` route, so a path that is not in the list gets API
 * Gateway's own 404 and never reaches the function.
 *
 * JWT issuer and audience are per-stage settings kept as SST secrets (not secret values,
 * but stage-specific and required): a stage without them fails at deploy with SST's
 * "Set a value for NyangJwtIssuer" error instead of shipping an API that accepts nothing
 * or, worse, the local dev secret. Set them with `npx sst secret set <name> <value> --stage <stage>`.
 */
export function api({ table }: { table: sst.aws.Dynamo }) {
  const jwtIssuer = new sst.Secret("NyangJwtIssuer");
  const jwtAudience = new sst.Secret("NyangJwtAudience");

  const handler = new sst.aws.Function("HttpHandler", {
    handler: httpHandlerPath,
    runtime: "nodejs22.x",
    architecture: "arm64",
    memory: "512 MB",
    timeout: "10 seconds",
    nodejs: { format: "esm", sourcemap: true },
    environment: {
      NYANG_TABLE: table.name,
      NYANG_JWT_ISSUER: jwtIssuer.value,
      NYANG_JWT_AUDIENCE: jwtAudience.value,
      NODE_OPTIONS: "--enable-source-maps",
    },
    permissions: [
      {
        actions: httpTableActions,
        resources: [table.arn, $interpolate`${table.arn}/index/*`],
      },
    ],
  });

  const api = new sst.aws.ApiGatewayV2("Api");
  // `route` takes a handler path, function args or a function ARN; the ARN routes every
  // key to the one function above instead of building a function per route.
  const handlerArn = handler.arn.apply((arn) => arn as `arn:${string}`);
  for (const route of httpRoutes) {
    api.route(route, handlerArn);
  }

  return { api, handler };
}
