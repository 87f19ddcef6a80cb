import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { docsAssets } from "@nyang/functions";
import { beforeAll, describe, expect, it } from "vitest";
import { callApi, callApiText, documentedOperations, servedOpenApiDocument, type OpenApiDocument } from "../support/index.ts";

/**
 * The published contract: the OpenAPI document the API serves is complete enough to
 * generate a client from (an operationId, summary, tags and declared security on every
 * operation; servers), passes `redocly lint` with the repository's redocly.yaml, and the
 * interactive docs page renders it from files the API serves itself.
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const publicOperations = ["GET /v1/health", "GET /v1/prices", "GET /v1/packages", "GET /v1/settings"];

let doc: OpenApiDocument;
beforeAll(async () => {
  doc = await servedOpenApiDocument();
});

const operations = () =>
  Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${p}`, op })));

describe("the OpenAPI document", () => {
  it("names every operation once, summarises and tags it with a declared tag, and says where the API is", () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.filter((id) => !id), "operations without an operationId").toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    const declaredTags = new Set((doc.tags ?? []).map((t) => t.name));
    for (const { key, op } of operations()) {
      expect(op.summary?.trim(), `${key}: summary`).toBeTruthy();
      expect(op.tags?.length, `${key}: tags`).toBeGreaterThan(0);
      for (const tag of op.tags ?? []) expect(declaredTags.has(tag), `${key}: tag ${tag} is declared`).toBe(true);
    }
    expect(doc.servers?.length).toBeGreaterThan(0);
  });

  it("declares security on every operation: bearer JWT, and `[]` on the public catalog only", () => {
    expect(doc.components.securitySchemes?.bearerAuth).toEqual({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
    for (const { key, op } of operations()) {
      expect(op.security, `${key}: security declared`).toBeDefined();
      if (publicOperations.includes(key)) expect(op.security, key).toEqual([]);
      else {
        expect(op.security, key).toEqual([{ bearerAuth: [] }]);
        expect(Object.keys(op.responses), `${key}: 401 and 403 documented`).toEqual(expect.arrayContaining(["401", "403"]));
      }
    }
    expect(documentedOperations(doc)).toEqual(expect.arrayContaining(publicOperations));
  });

  it("documents 429 account_busy with Retry-After on every operation that takes an Idempotency-Key", () => {
    const keyed = operations().filter(({ op }) => op.parameters?.some((p) => p.in === "header" && p.name === "Idempotency-Key"));
    expect(keyed.map(({ key }) => key)).toEqual(expect.arrayContaining(["POST /v1/accounts/{userId}/usage", "POST /v1/accounts/{userId}/holds"]));
    for (const { key, op } of keyed) {
      expect(op.responses["429"], `${key}: 429`).toBeDefined();
      expect(op.responses["429"]?.headers?.["Retry-After"], `${key}: Retry-After`).toBeDefined();
    }
  });

  it("passes redocly lint (recommended rules, redocly.yaml) with no error and no warning", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "nyang-openapi-"));
    try {
      const file = path.join(dir, "openapi.json");
      await writeFile(file, JSON.stringify(doc));
      const cli = path.join(path.dirname(createRequire(import.meta.url).resolve("@redocly/cli/package.json")), "bin/cli.js");
      const run = promisify(execFile);
      const args = [cli, "lint", file, "--config", path.join(repoRoot, "redocly.yaml"), "--format=json"];
      const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" };
      // Exit code 1 means problems were found; the JSON report says which.
      const { stdout } = await run(process.execPath, args, { env, cwd: dir }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? "" }));
      const report = JSON.parse(stdout.slice(stdout.indexOf("{"))) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };
      expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("GET /v1/docs", () => {
  it("serves an HTML page that renders /v1/openapi.json with scripts the API serves itself, no CDN", async () => {
    const page = await callApiText("GET", "/v1/docs");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.body).toContain('url: "openapi.json"');
    const sources = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(sources.sort()).toEqual(Object.keys(docsAssets).map((name) => `docs/${name}`).sort());
    expect(page.body).not.toMatch(/https?:\/\//);
  });

  it("serves Swagger UI's files from the installed package, and 404 for anything else", async () => {
    for (const [name, type] of Object.entries(docsAssets)) {
      const asset = await callApiText("GET", `/v1/docs/${name}`);
      expect(asset.status, name).toBe(200);
      expect(asset.headers["content-type"], name).toBe(type);
      const file = await readFile(createRequire(import.meta.url).resolve(`swagger-ui-dist/${name}`), "utf8");
      expect(asset.body === file, `${name}: the package's file`).toBe(true);
    }
    const missing = await callApi("GET", "/v1/docs/..%2Fpackage.json");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");
  });
});

