import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2, Context } from "aws-lambda";
import { lazyHandler, type Runtime } from "../runtime.ts";

/**
 * `$disconnect`: forgets the connection (both its items). API Gateway sends it on a best
 * effort basis; a missed one is cleaned up by the next push that meets 410 Gone, or by TTL.
 */
export function makeHandler(rt: Runtime) {
  const { connections, log } = rt;
  return (event: APIGatewayProxyWebsocketEventV2, context?: Context): Promise<APIGatewayProxyResultV2> =>
    log.within({ requestId: context?.awsRequestId, connectionId: event.requestContext.connectionId }, async () => {
      await connections.remove(event.requestContext.connectionId);
      return { statusCode: 200 };
    });
}

/** The Lambda entry point (the runtime from the environment, built at the first invocation). */
export const handler = lazyHandler(makeHandler);
