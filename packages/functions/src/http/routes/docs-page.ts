import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { ApiError } from "../api-error.ts";
import type { AppEnv } from "../context.ts";
import { docsAssetPackage, docsAssets } from "../routes.ts";

/**
 * The interactive API reference at `GET /v1/docs`: Swagger UI rendering the document at
 * `GET /v1/openapi.json`. Swagger UI's script and style come from the `swagger-ui-dist`
 * package through `GET /v1/docs/{asset}`, never from a CDN, so the page works offline under
 * `npm run dev` and needs nothing but this API on AWS (stacks/api.ts copies the files into
 * the function's package, where the same module resolution finds them). The URLs are relative, so the page works under any host.
 */

type DocsAsset = keyof typeof docsAssets;
const isDocsAsset = (name: string): name is DocsAsset => Object.hasOwn(docsAssets, name);

const docsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Nyang coin API</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="docs"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: "openapi.json", dom_id: "#docs", deepLinking: true, tryItOutEnabled: false });
</script>
</body>
</html>
`;

const requireFromHere = createRequire(import.meta.url);
const loaded = new Map<DocsAsset, Promise<string>>();

/** Read once per cold start: the files never change while the function runs. */
function loadAsset(name: DocsAsset): Promise<string> {
  let text = loaded.get(name);
  if (!text) {
    text = readFile(requireFromHere.resolve(`${docsAssetPackage}/${name}`), "utf8");
    // A failed read is not cached: the next request tries again.
    text.catch(() => loaded.delete(name));
    loaded.set(name, text);
  }
  return text;
}

/** The docs page and its assets; they are not operations of the API, so the document does not list them. */
export function registerDocsPageRoutes(app: OpenAPIHono<AppEnv>): void {
  app.get("/v1/docs", (c) => c.html(docsPage));
  app.get("/v1/docs/:asset", async (c) => {
    const name = c.req.param("asset");
    if (!isDocsAsset(name)) throw new ApiError("not_found", "No such route");
    c.header("content-type", docsAssets[name]);
    c.header("cache-control", "public, max-age=86400");
    return c.body(await loadAsset(name));
  });
}
