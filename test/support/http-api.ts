import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { randomUUID } from "node:crypto";
import { makeHandler } from "@nyang/functions/http/handler";
import { apiGatewayTime, lambdaContext, signLocalToken, startHttpFleet, type Role } from "@nyang/local";
import { testRuntime } from "./runtime.ts";

/**
 * Calls the HTTP API the way AWS does: an API Gateway HTTP API (payload 2.0) event handed
 * to the Lambda handler (its `makeHandler`), not the Hono app, over a runtime built from
 * `test/setup/env.ts`'s environment and the file's own variables (`useApiEnv`).
 */

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
let handler: Handler | undefined;
const httpHandler = (vars: Record<string, string>) => makeHandler(testRuntime(vars)) as unknown as Handler;
/**
 * Points `callApi` at a runtime with these variables over the setup's (the fake Toss
 * gateway, CORS origins, …): what a test file used to set in `process.env` before the
 * handler loaded.
 */
export function useApiEnv(vars: Record<string, string>): void {
  handler = httpHandler(vars);
}
const loadHandler = async () => (handler ??= httpHandler({}));

export interface ApiCall {
  token?: string | undefined;
  body?: unknown;
  /** Sent as is instead of JSON.stringify(body). */
  rawBody?: string;
  headers?: Record<string, string>;
  idempotencyKey?: string;
}

export interface ApiReply<T = any> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

export function lambdaEvent(method: string, pathAndQuery: string, call: ApiCall = {}): APIGatewayProxyEventV2 {
  const [rawPath, rawQueryString = ""] = pathAndQuery.split("?", 2) as [string, string?];
  const headers: Record<string, string> = { host: "api.local", "user-agent": "nyang-tests" };
  const body = call.rawBody ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
  if (body !== undefined) headers["content-type"] = "application/json";
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  if (call.idempotencyKey !== undefined) headers["idempotency-key"] = call.idempotencyKey;
  for (const [k, v] of Object.entries(call.headers ?? {})) headers[k.toLowerCase()] = v;
  const query = new URLSearchParams(rawQueryString);
  const now = new Date();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString,
    headers,
    ...(rawQueryString ? { queryStringParameters: Object.fromEntries(query) } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: "api.local",
      domainPrefix: "api",
      http: { method, path: rawPath, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "nyang-tests" },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body !== undefined ? { body, isBase64Encoded: false } : { isBase64Encoded: false }),
  };
}


/** One HTTP request through the Lambda handler; the reply's body as text. */
export async function callApiText(method: string, path: string, call: ApiCall = {}): Promise<ApiReply<string>> {
  return invokeWith(await loadHandler(), method, path, call);
}

async function invokeWith(handler: Handler, method: string, path: string, call: ApiCall): Promise<ApiReply<string>> {
  const result = await handler(lambdaEvent(method, path, call), lambdaContext("nyang-http", Date.now() + 25_000));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const text = result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64").toString("utf8") : (result.body ?? "");
  return { status: result.statusCode ?? 200, headers, body: text };
}

/** One HTTP request through the Lambda handler; the reply's body parsed as JSON. */
export async function callApi<T = any>(method: string, path: string, call: ApiCall = {}): Promise<ApiReply<T>> {
  const reply = await callApiText(method, path, call);
  return { ...reply, body: reply.body ? JSON.parse(reply.body) : undefined };
}

/** The HTTP API in {@link fleetApi}: the same calls, each handled by one of the fleet's processes. */
export interface FleetApi {
  call<T = any>(method: string, path: string, call?: ApiCall): Promise<ApiReply<T>>;
  /** Invocations each worker process answered. */
  invocations(): Map<number, number>;
  close(): Promise<void>;
}

/**
 * The Lambda handler run in `workers` processes of its own (packages/local's fleet, the one
 * `npm run dev` runs), each with its own SDK clients and module state like a Lambda instance:
 * what a design for a busy account must hold on. They inherit this process's environment
 * (test/setup/env.ts points them at DynamoDB Local).
 */
export async function fleetApi(workers = 2): Promise<FleetApi> {
  const fleet = await startHttpFleet({ workers, handlerModule: "@nyang/functions/http/handler" });
  const handler = fleet.handler as unknown as Handler;
  return {
    async call<T>(method: string, path: string, call: ApiCall = {}) {
      const reply = await invokeWith(handler, method, path, call);
      return { ...reply, body: (reply.body ? JSON.parse(reply.body) : undefined) as T };
    },
    invocations: () => fleet.invocations(),
    close: () => fleet.close(),
  };
}

const tokenCache = new Map<string, Promise<string>>();

/** A signed local token for `sub` with `roles`, cached per test file. */
export function tokenFor(sub: string, ...roles: Role[]): Promise<string> {
  const key = `${sub}|${roles.join(",")}`;
  let t = tokenCache.get(key);
  if (!t) {
    t = signLocalToken({ sub, roles: roles.length ? roles : ["user"] });
    tokenCache.set(key, t);
  }
  return t;
}

export const adminToken = () => tokenFor("admin-1", "admin");
export const serviceToken = () => tokenFor("svc-writer", "service");

/** Opens an account through the API (as a service) and returns its user id. */
export async function openAccount(userId: string): Promise<void> {
  const r = await callApi("POST", "/v1/accounts", { token: await serviceToken(), body: { userId } });
  if (r.status !== 201 && r.status !== 200) throw new Error(`open ${userId}: ${r.status} ${JSON.stringify(r.body)}`);
}

/**
 * A coin-moving call as a careful client makes it: when the account was too busy (docs/api.md's
 * 429 `account_busy`), it retries with the same Idempotency-Key, which can never move coins
 * twice. It retries at once rather than after Retry-After: the race it lost is the test's own.
 */
export async function callApiRetryingContention<T = any>(method: string, path: string, call: ApiCall, retries = 10): Promise<ApiReply<T>> {
  for (let attempt = 0; ; attempt++) {
    const reply = await callApi<T>(method, path, call);
    const body = reply.body as { error?: { code?: string } } | undefined;
    if (reply.status !== 429 || body?.error?.code !== "account_busy" || attempt >= retries) return reply;
  }
}
