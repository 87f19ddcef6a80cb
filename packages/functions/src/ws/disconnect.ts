import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { runtime } from "../runtime.ts";

/**
 * `$disconnect`: forgets the connection (both its items). API Gateway sends it on a best
 * effort basis; a missed one is cleaned up by the next push that meets 410 Gone, or by TTL.
 */
const { connections } = runtime();

export const handler = async (event: APIGatewayProxyWebsocketEventV2): Promise<APIGatewayProxyResultV2> => {
  await connections.remove(event.requestContext.connectionId);
  return { statusCode: 200 };
};
