import { wsRoutes, type WsRouteKey } from "../packages/functions/src/ws/routes";

/**
 * What each WebSocket route's Lambda may do on the table, and nothing more (not `link`ed,
 * for the reason given in stacks/api.ts). `$connect` stores a connection and its reverse
 * look-up in one BatchWriteItem; `$disconnect` reads the reverse item and deletes both;
 * `$default` touches no table (it only answers ping through PostToConnection).
 */
export const wsTableActions = {
  $connect: ["dynamodb:BatchWriteItem"],
  $disconnect: ["dynamodb:GetItem", "dynamodb:DeleteItem"],
  $default: [],
} as const satisfies Record<WsRouteKey, readonly string[]>;

/**
 * What the pushing stream consumer (alerts) needs on the table beyond the consumers' own
 * grant (stacks/streams.ts, which already has Query for listing a user's connections and
 * the entry behind a balance change): deleting a connection whose post met 410 Gone.
 */
export const pushTableActions = ["dynamodb:DeleteItem"];

/** The API Gateway Management API action that PostToConnection (and Get/DeleteConnection) need. */
export const manageConnectionsAction = "execute-api:ManageConnections";

const descriptions: Record<WsRouteKey, string> = {
  $connect: "WebSocket $connect: verifies the JWT (?token=) and stores the connection",
  $disconnect: "WebSocket $disconnect: forgets the connection",
  $default: "WebSocket $default: answers ping with pong, ignores the rest",
};

/**
 * The realtime API: API Gateway WebSocket with `$connect`, `$disconnect` and `$default`
 * (wsRoutes), one small function each with its own least-privilege grant. Clients connect
 * with `?token=<JWT>`; the token is checked only there, with the same issuer and audience
 * the HTTP API verifies (the stage secrets stacks/api.ts makes, passed in). Pushes are
 * posted by the alerts stream consumer (stacks/streams.ts) through the management
 * endpoint, with `manageConnections` — the ARN pattern SST's own link would grant:
 * `<executionArn>/*\/*\/@connections/*` (any stage, any method).
 *
 * Connections live at most 2 hours and idle out after 10 minutes (API Gateway's limits);
 * their items carry a TTL past that (packages/core/src/realtime/connections.ts).
 */
export function realtime({ table, jwt }: { table: sst.aws.Dynamo; jwt: { issuer: sst.Secret; audience: sst.Secret } }) {
  const api = new sst.aws.ApiGatewayWebSocket("Realtime");
  const manageConnections = {
    actions: [manageConnectionsAction],
    resources: [$interpolate`${api.nodes.api.executionArn}/*/*/@connections/*`],
  };

  const fn = (route: WsRouteKey, environment: Record<string, $util.Input<string>>, permissions: { actions: string[]; resources: $util.Input<string>[] }[]) => ({
    handler: wsRoutes[route],
    description: descriptions[route],
    runtime: "nodejs22.x" as const,
    architecture: "arm64" as const,
    memory: "256 MB" as const,
    // A JWKS fetch on a cold $connect plus one DynamoDB write; API Gateway waits 29 s at most.
    timeout: "10 seconds" as const,
    nodejs: { format: "esm" as const, sourcemap: true },
    environment: { ...environment, NODE_OPTIONS: "--enable-source-maps" },
    permissions,
  });

  api.route(
    "$connect",
    fn("$connect", { NYANG_TABLE: table.name, NYANG_JWT_ISSUER: jwt.issuer.value, NYANG_JWT_AUDIENCE: jwt.audience.value }, [
      { actions: [...wsTableActions.$connect], resources: [table.arn] },
    ]),
  );
  api.route("$disconnect", fn("$disconnect", { NYANG_TABLE: table.name }, [{ actions: [...wsTableActions.$disconnect], resources: [table.arn] }]));
  api.route("$default", fn("$default", { NYANG_WS_MANAGEMENT_ENDPOINT: api.managementEndpoint }, [manageConnections]));

  return { api, manageConnections };
}

export type Realtime = ReturnType<typeof realtime>;
