import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { createApp, verifierFromEnv } from "@nyang/functions";
import { testRuntime } from "./runtime.ts";
import { lambdaContext } from "@nyang/local";
import { handle } from "hono/aws-lambda";
import { lambdaEvent, type ApiCall, type ApiReply } from "./http-api.ts";

type AppDeps = Parameters<typeof createApp>[0];
type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * The HTTP API through the Lambda adapter, like `callApi`, but built around services of the
 * test's own (a ledger on a moved clock, or on clients that inject faults).
 */
export function apiWith(overrides: Partial<AppDeps>) {
  const integrity = { latest: () => Promise.resolve(null), runFresh: () => Promise.reject(new Error("not in this test")) };
  const rt = testRuntime();
  const app = createApp({ ...rt, integrity, verifyToken: verifierFromEnv(rt.env.vars), ...overrides });
  const handler = handle(app) as unknown as Handler;
  return async <T = any>(method: string, path: string, call: ApiCall = {}): Promise<ApiReply<T>> => {
    const r = await handler(lambdaEvent(method, path, call), lambdaContext("nyang-http", Date.now() + 25_000));
    const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
    return { status: r.statusCode ?? 200, headers, body: r.body ? (JSON.parse(r.body) as T) : (undefined as T) };
  };
}
