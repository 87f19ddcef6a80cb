import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2, Context } from "aws-lambda";
import { lazyHandler, type Runtime } from "../runtime.ts";

/**
 * `$default`: every message a client sends. The socket is push-only; the one thing a client
 * may say is `ping` (the text, or JSON `{ "type": "ping" }` / `{ "action": "ping" }`),
 * answered with `{ "type": "pong", "at": … }` through PostToConnection (the route has no
 * route response, so a return value would reach no one). Any message also resets API
 * Gateway's 10-minute idle timer. Everything else is ignored.
 *
 * Each message first passes the connection's rate (`WS_MESSAGES_PER_MINUTE` sustained,
 * `WS_MESSAGE_BURST` at once), kept on the connection's own item so that it holds across
 * Lambda instances. A connection past it, or one the table does not know, is closed
 * (DeleteConnection) and its message dropped: a flood costs its sender the connection,
 * and stops invoking this function.
 */
export function isPing(body: string | undefined): boolean {
  if (body === undefined) return false;
  const text = body.trim();
  if (text === "ping") return true;
  if (!text.startsWith("{")) return false;
  try {
    const msg = JSON.parse(text) as { type?: unknown; action?: unknown };
    return msg.type === "ping" || msg.action === "ping";
  } catch {
    return false;
  }
}

export function makeHandler(rt: Runtime) {
  const { push, connections, config, log } = rt;
  const onMessage = async (event: APIGatewayProxyWebsocketEventV2): Promise<APIGatewayProxyResultV2> => {
    const { connectionId } = event.requestContext;
    const now = new Date();
    const admission = await connections.admitMessage(connectionId, now, config.realtime);
    if (admission !== "admitted") {
      log.warn("WebSocket connection closed", { reason: admission === "throttled" ? "message rate exceeded" : "unknown connection" });
      await push.disconnect(connectionId);
      return { statusCode: 200 };
    }
    const body = event.isBase64Encoded && event.body ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
    if (isPing(body)) await push.post(connectionId, JSON.stringify({ type: "pong", at: now.toISOString() }));
    return { statusCode: 200 };
  };
  return (event: APIGatewayProxyWebsocketEventV2, context?: Context) =>
    log.within({ requestId: context?.awsRequestId, connectionId: event.requestContext.connectionId }, () => onMessage(event));
}

/** The Lambda entry point (the runtime from the environment, built at the first invocation). */
export const handler = lazyHandler(makeHandler);
