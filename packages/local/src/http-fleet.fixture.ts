/**
 * A stand-in HTTP handler for http-fleet.test.ts: answers with the pid of the process that
 * imported it, waits, throws or reads its environment on request, so the test sees which
 * worker answered without a database.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";

/** Set when this module is imported: each worker imports it for itself. */
const importedBy = process.pid;

export async function handler(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
  const query = event.queryStringParameters ?? {};
  if (event.rawPath === "/throw") throw new Error("the fixture handler threw");
  if (event.rawPath === "/wait") await new Promise((r) => setTimeout(r, Number(query.ms ?? 0)));
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ pid: process.pid, importedBy, env: process.env.FLEET_FIXTURE_VALUE ?? null, remainingMs: context.getRemainingTimeInMillis(), path: event.rawPath }),
  };
}
