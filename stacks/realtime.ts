import { wsRoutes, type WsRouteKey } from "../packages/functions/src/ws/routes";
import { nyangSettings } from "./settings";

/**
 * What each WebSocket route's Lambda may do on the table, and nothing more (not `link`ed,
 * for the reason given in stacks/api.ts). `$connect` stores a connection and its reverse
 * look-up in one BatchWriteItem, lists the user's connections (Query) and forgets the
 * oldest beyond the cap (DeleteItem), then checks its own is still there (GetItem);
 * `$disconnect` reads the reverse item and deletes both; `$default` admits each message
 * against the connection's rate on its reverse item (UpdateItem; GetItem when refused).
 */
export const wsTableActions = {
  $connect: ["dynamodb:BatchWriteItem", "dynamodb:Query", "dynamodb:DeleteItem", "dynamodb:GetItem"],
  $disconnect: ["dynamodb:GetItem", "dynamodb:DeleteItem"],
  $default: ["dynamodb:UpdateItem", "dynamodb:GetItem"],
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
  $connect: "WebSocket $connect: verifies the JWT (?token=), stores the connection, closes the user's oldest beyond the cap",
  $disconnect: "WebSocket $disconnect: forgets the connection",
  $default: "WebSocket $default: bounds the message rate, answers ping with pong, ignores the rest",
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
 * their items carry a TTL past that (packages/core/src/realtime/connections.ts). A user
 * keeps at most WS_MAX_CONNECTIONS_PER_USER (`$connect` closes the oldest through
 * DeleteConnection), and each connection's message rate is bounded in `$default` on the
 * connection's own item: API Gateway's stage and route throttling counts a route's
 * requests across every connection, so it cannot tell one flooding client from the rest.
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

  // $connect and $default read the WebSocket limits (WS_*) from the business settings.
  api.route(
    "$connect",
    fn(
      "$connect",
      {
        NYANG_TABLE: table.name,
        NYANG_JWT_ISSUER: jwt.issuer.value,
        NYANG_JWT_AUDIENCE: jwt.audience.value,
        NYANG_WS_MANAGEMENT_ENDPOINT: api.managementEndpoint,
        ...nyangSettings(),
      },
      [{ actions: [...wsTableActions.$connect], resources: [table.arn] }, manageConnections],
    ),
  );
  api.route("$disconnect", fn("$disconnect", { NYANG_TABLE: table.name }, [{ actions: [...wsTableActions.$disconnect], resources: [table.arn] }]));
  api.route(
    "$default",
    fn("$default", { NYANG_TABLE: table.name, NYANG_WS_MANAGEMENT_ENDPOINT: api.managementEndpoint, ...nyangSettings() }, [
      { actions: [...wsTableActions.$default], resources: [table.arn] },
      manageConnections,
    ]),
  );

  return { api, manageConnections };
}

export type Realtime = ReturnType<typeof realtime>;
