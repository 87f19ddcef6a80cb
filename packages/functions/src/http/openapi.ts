import { createApp } from "./app.ts";
import type { AppDeps } from "./context.ts";

/**
 * The OpenAPI document exactly as `GET /v1/openapi.json` serves it, built in-process (no
 * server, no table): the typed client generates its types from this. Building the document
 * touches no dependency, so every one of them refuses to be used.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const unused = new Proxy({} as AppDeps, {
    get(_target, name) {
      if (typeof name === "symbol") return undefined;
      // The routes capture their dependencies at registration and call them only per request.
      return new Proxy(() => undefined, {
        apply: () => {
          throw new Error(`openApiDocument(): ${String(name)} was called while building the document`);
        },
        get: () => undefined,
      });
    },
  });
  const res = await createApp(unused).request("/v1/openapi.json");
  if (res.status !== 200) throw new Error(`openApiDocument(): GET /v1/openapi.json answered ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}
