import { apiWith } from "./custom-api.ts";

/** An operation of the OpenAPI document, as far as the tests read it. */
export interface OpenApiOperation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean }[];
  responses: Record<string, { description?: string; headers?: Record<string, unknown> }>;
}

/** The OpenAPI document, as far as the tests read it. */
export interface OpenApiDocument {
  openapi: string;
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { securitySchemes?: Record<string, unknown> };
}

/**
 * The document the app serves at `GET /v1/openapi.json`, fetched from the app itself (no
 * table is touched: the services it is built with only connect when a route uses them).
 */
export async function servedOpenApiDocument(): Promise<OpenApiDocument> {
  const reply = await apiWith({})<OpenApiDocument>("GET", "/v1/openapi.json");
  if (reply.status !== 200) throw new Error(`GET /v1/openapi.json answered ${reply.status}`);
  return reply.body;
}

/** `METHOD /path` for every operation of the document. */
export const documentedOperations = (doc: OpenApiDocument): string[] =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
