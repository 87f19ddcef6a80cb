import { newConnection } from "@nyang/core";
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { ApiError } from "../http/api-error.ts";
import { verifierFromEnv } from "../http/auth.ts";
import { runtime } from "../runtime.ts";

/**
 * `$connect` of the WebSocket API: the only moment a WebSocket is authenticated (API
 * Gateway checks nothing afterwards). The token is the API's own JWT, passed as
 * `?token=<JWT>` (browsers cannot set headers on a WebSocket). A valid token stores the
 * connection for the token's `sub` and answers 200; anything else answers 401, and API
 * Gateway refuses the upgrade. Nothing is posted from here: the connection is not open
 * until this returns.
 */
const verify = verifierFromEnv();
const { connections } = runtime();

export const handler = async (event: APIGatewayProxyWebsocketEventV2): Promise<APIGatewayProxyResultV2> => {
  const token = event.queryStringParameters?.token;
  if (!token) return refuse("a token is required: connect with ?token=<JWT>");
  let userId: string;
  try {
    userId = (await verify(token)).sub;
  } catch (e) {
    if (e instanceof ApiError && e.code === "unauthorized") return refuse(e.message);
    throw e;
  }
  const { connectionId, connectedAt } = event.requestContext;
  await connections.put(newConnection(connectionId, userId, new Date(connectedAt ?? Date.now())));
  return { statusCode: 200 };
};

const refuse = (message: string): APIGatewayProxyResultV2 => ({
  statusCode: 401,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ error: { code: "unauthorized", message } }),
});
