import { connectionsOverCap, newConnection } from "@nyang/core";
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2, Context } from "aws-lambda";
import { ApiError } from "../http/api-error.ts";
import { verifierFromEnv } from "../http/auth.ts";
import { lazyHandler, type Runtime } from "../runtime.ts";

/**
 * `$connect` of the WebSocket API: the only moment a WebSocket is authenticated (API
 * Gateway checks nothing afterwards). The token is the API's own JWT, passed as
 * `?token=<JWT>` (browsers cannot set headers on a WebSocket). A valid token stores the
 * connection for the token's `sub` and answers 200; anything else answers 401, and API
 * Gateway refuses the upgrade. Nothing is posted from here: the connection is not open
 * until this returns.
 *
 * A user keeps at most `WS_MAX_CONNECTIONS_PER_USER` connections: past it, the oldest are
 * closed through the Management API's DeleteConnection (API Gateway then runs their
 * `$disconnect`) and forgotten at once. Each `$connect` stores itself before it counts, with
 * a strongly consistent read, so racing connects on many Lambda instances converge: the
 * last to count sees them all.
 */
export function makeHandler(rt: Runtime) {
  const verify = verifierFromEnv(rt.env.vars);
  const { connections, push, config, log } = rt;
  const connect = async (event: APIGatewayProxyWebsocketEventV2): Promise<APIGatewayProxyResultV2> => {
    const token = event.queryStringParameters?.token;
    if (!token) return refuse("a token is required: connect with ?token=<JWT>");
    let userId: string;
    try {
      userId = (await verify(token)).sub;
    } catch (e) {
      if (e instanceof ApiError && e.code === "unauthorized") return refuse(e.message);
      throw e;
    }
    log.appendKeys({ userId });
    const { connectionId, connectedAt } = event.requestContext;
    const now = new Date(connectedAt ?? Date.now());
    await connections.put(newConnection(connectionId, userId, now));
    const live = await connections.listForUser(userId, now, { consistent: true });
    let outranked = false;
    for (const old of connectionsOverCap(live, config.realtime.maxConnectionsPerUser)) {
      if (old.connectionId === connectionId) {
        // Newer connects of the same user raced this one: it is itself among the oldest.
        outranked = true;
        continue;
      }
      // Gone already (410) is as good as closed.
      await push.disconnect(old.connectionId);
      await connections.removeFor(userId, old.connectionId);
    }
    // Outranked here, or closed as the oldest by a newer connect that counted while this one
    // was still connecting (its DeleteConnection met a connection not open yet, 410, and only
    // removed the items): refuse the upgrade rather than open a socket nothing pushes to.
    // (Were it removed after this read, its first message finds it unknown and closes it.)
    if (outranked || (await connections.owner(connectionId)) === null) {
      await connections.removeFor(userId, connectionId);
      return tooMany();
    }
    return { statusCode: 200 };
  };
  return (event: APIGatewayProxyWebsocketEventV2, context?: Context) =>
    log.within({ requestId: context?.awsRequestId, connectionId: event.requestContext.connectionId }, () => connect(event));
}

/** The Lambda entry point (the runtime from the environment, built at the first invocation). */
export const handler = lazyHandler(makeHandler);

const tooMany = (): APIGatewayProxyResultV2 => ({
  statusCode: 429,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ error: { code: "too_many_connections", message: "this user opened newer connections while this one was connecting" } }),
});

const refuse = (message: string): APIGatewayProxyResultV2 => ({
  statusCode: 401,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ error: { code: "unauthorized", message } }),
});
