/**
 * The WebSocket API's routes and the handler behind each (SST handler paths: a file from
 * the repository root, then its export). `stacks/realtime.ts` wires exactly these, and
 * `npm run dev` serves the same handlers on the local WebSocket gateway.
 */
export const wsRoutes = {
  $connect: "packages/functions/src/ws/connect.handler",
  $disconnect: "packages/functions/src/ws/disconnect.handler",
  $default: "packages/functions/src/ws/default.handler",
} as const;

export type WsRouteKey = keyof typeof wsRoutes;
