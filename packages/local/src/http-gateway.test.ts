import { request as httpRequest, type OutgoingHttpHeaders } from "node:http";
import { connect } from "node:net";
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpGateway, type AccessLogEntry, type HttpGateway, type HttpHandler } from "./http-gateway.ts";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** node:http rather than fetch: fetch cannot send repeated headers or a Cookie header as written. */
function send(url: string, method: string, path: string, headers: OutgoingHttpHeaders = {}, body?: Buffer | string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("local HTTP API gateway", () => {
  let gateway: HttpGateway;
  let lastEvent: APIGatewayProxyEventV2 | undefined;
  let lastContext: Context | undefined;
  let nextResult: APIGatewayProxyResultV2<object> | Error | undefined;
  const logs: string[] = [];
  const access: AccessLogEntry[] = [];

  const handler: HttpHandler = async (event, context) => {
    lastEvent = event;
    lastContext = context;
    const planned = nextResult;
    nextResult = undefined;
    if (planned instanceof Error) throw planned;
    return (
      planned ?? {
        statusCode: 200,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(event),
      }
    );
  };

  beforeAll(async () => {
    gateway = await startHttpGateway({
      port: 0,
      handler,
      log: (line) => logs.push(line),
      accessLog: (entry) => access.push(entry),
      maxBodyBytes: 1024,
      timeoutMs: 500,
    });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it("listens on 127.0.0.1 by default", () => {
    expect(gateway.url).toBe(`http://127.0.0.1:${gateway.port}`);
  });

  it("builds a payload format 2.0 event from a GET", async () => {
    const reply = await send(gateway.url, "GET", "/v1/accounts/u1/transactions?limit=5&type=usage&type=refund&q=a%20b", {
      "X-Custom": ["one", "two"],
      "User-Agent": "vitest",
      Cookie: "a=1; b=2",
    });
    expect(reply.status).toBe(200);
    const event = lastEvent!;
    expect(event.version).toBe("2.0");
    expect(event.routeKey).toBe("$default");
    expect(event.rawPath).toBe("/v1/accounts/u1/transactions");
    expect(event.rawQueryString).toBe("limit=5&type=usage&type=refund&q=a%20b");
    expect(event.queryStringParameters).toEqual({ limit: "5", type: "usage,refund", q: "a b" });
    expect(event.headers["x-custom"]).toBe("one,two");
    expect(event.headers["user-agent"]).toBe("vitest");
    expect(event.headers.host).toBe(`127.0.0.1:${gateway.port}`);
    expect(event.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
    // Cookies move out of the headers, one entry each, as API Gateway does.
    expect(event.cookies).toEqual(["a=1", "b=2"]);
    expect(event.headers.cookie).toBeUndefined();
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.pathParameters).toBeUndefined();

    const ctx = event.requestContext;
    expect(ctx.http).toEqual({
      method: "GET",
      path: "/v1/accounts/u1/transactions",
      protocol: "HTTP/1.1",
      sourceIp: "127.0.0.1",
      userAgent: "vitest",
    });
    expect(ctx.routeKey).toBe("$default");
    expect(ctx.stage).toBe("$default");
    expect(ctx.domainName).toBe("127.0.0.1");
    expect(ctx.accountId).toMatch(/^\d{12}$/);
    expect(ctx.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(ctx.timeEpoch - Date.now())).toBeLessThan(5_000);
    expect(ctx.requestId).toBe(reply.headers["apigw-requestid"]);

    expect(lastContext!.functionName).toBe("nyang-http");
    expect(lastContext!.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lastContext!.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(lastContext!.getRemainingTimeInMillis()).toBeLessThanOrEqual(500);
  });

  it("leaves optional fields out when the request has none", async () => {
    await send(gateway.url, "GET", "/v1/health");
    expect(lastEvent!.rawQueryString).toBe("");
    expect("queryStringParameters" in lastEvent!).toBe(false);
    expect("cookies" in lastEvent!).toBe(false);
    expect("body" in lastEvent!).toBe(false);
  });

  it("passes a JSON body as text", async () => {
    const json = JSON.stringify({ userId: "u1", note: "냥" });
    await send(gateway.url, "POST", "/v1/accounts", { "content-type": "application/json; charset=utf-8" }, json);
    expect(lastEvent!.requestContext.http.method).toBe("POST");
    expect(lastEvent!.isBase64Encoded).toBe(false);
    expect(lastEvent!.body).toBe(json);
  });

  it("base64-encodes a binary body", async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    await send(gateway.url, "PUT", "/upload", { "content-type": "application/octet-stream" }, bytes);
    expect(lastEvent!.isBase64Encoded).toBe(true);
    expect(Buffer.from(lastEvent!.body!, "base64")).toEqual(bytes);
  });

  it("maps headers, cookies and a base64 body from the result", async () => {
    nextResult = {
      statusCode: 201,
      headers: { "Content-Type": "image/png", "X-Count": 3, "Idempotent-Replayed": true },
      cookies: ["s=1; Path=/", "t=2; HttpOnly"],
      body: Buffer.from([137, 80, 78, 71]).toString("base64"),
      isBase64Encoded: true,
    };
    const reply = await send(gateway.url, "GET", "/img");
    expect(reply.status).toBe(201);
    expect(reply.headers["content-type"]).toBe("image/png");
    expect(reply.headers["x-count"]).toBe("3");
    expect(reply.headers["idempotent-replayed"]).toBe("true");
    expect(reply.headers["set-cookie"]).toEqual(["s=1; Path=/", "t=2; HttpOnly"]);
    expect(reply.body).toEqual(Buffer.from([137, 80, 78, 71]));
  });

  it("infers a 200 JSON response from a result without statusCode", async () => {
    nextResult = { hello: "world" };
    const reply = await send(gateway.url, "GET", "/plain");
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(reply.body.toString())).toEqual({ hello: "world" });
  });

  it("answers 500 in the API's error shape when the handler throws, and logs the error", async () => {
    nextResult = new Error("kaboom at line 42");
    const reply = await send(gateway.url, "GET", "/boom");
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.body.toString())).toEqual({ error: { code: "internal", message: "Internal server error" } });
    expect(reply.body.toString()).not.toContain("kaboom");
    expect(logs.some((line) => line.includes("kaboom at line 42"))).toBe(true);
  });

  it("answers 500 when the result cannot be written (an invalid header value)", async () => {
    nextResult = { statusCode: 200, headers: { "x-bad": "line\nbreak" }, body: "x" };
    const reply = await send(gateway.url, "GET", "/bad-header");
    expect(reply.status).toBe(500);
    expect(reply.headers["x-bad"]).toBeUndefined();
  });

  it("answers 413 payload_too_large for a body over the cap", async () => {
    const reply = await send(gateway.url, "POST", "/v1/accounts", { "content-type": "application/json" }, "x".repeat(2048));
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body.toString()).error.code).toBe("payload_too_large");
  });

  it.each([
    ["a DEL byte", "a\x7fb"],
    ["a NUL byte", "a\x00b"],
  ])("answers a header value with %s with 400 in the API's error shape, without calling the handler", async (_, value) => {
    lastEvent = undefined;
    const { port } = new URL(gateway.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => socket.end(`GET /v1/health HTTP/1.1\r\nhost: x\r\nx-note: ${value}\r\n\r\n`));
      let text = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => (text += chunk));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    const [head, body] = raw.split("\r\n\r\n") as [string, string];
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head.toLowerCase()).toContain("content-type: application/json");
    expect(JSON.parse(body)).toEqual({ error: { code: "validation_failed", message: expect.any(String) } });
    expect(lastEvent).toBeUndefined();
  });

  it("answers 504 when the handler does not answer in time", async () => {
    const slow = startHttpGateway({
      port: 0,
      handler: () => new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200 }), 300)),
      timeoutMs: 50,
      log: () => {},
    });
    const g = await slow;
    try {
      const reply = await send(g.url, "GET", "/slow");
      expect(reply.status).toBe(504);
      expect(JSON.parse(reply.body.toString()).error.code).toBe("gateway_timeout");
    } finally {
      await g.close();
    }
  });

  it("writes one access log entry per request", async () => {
    const before = access.length;
    await send(gateway.url, "DELETE", "/v1/x?y=1");
    const entry = access.at(-1)!;
    expect(access.length).toBe(before + 1);
    expect(entry).toMatchObject({ method: "DELETE", path: "/v1/x", status: 200 });
    expect(entry.ms).toBeGreaterThanOrEqual(0);
  });

  it("serves many requests over one keep-alive connection", async () => {
    const replies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${gateway.url}/v1/health?i=${i}`);
      replies.push(res.status);
      await res.arrayBuffer();
    }
    expect(replies).toEqual([200, 200, 200, 200, 200]);
  });
});
