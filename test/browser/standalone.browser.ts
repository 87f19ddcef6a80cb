import { createClient } from "@nyang/client";
import { expect, test } from "@playwright/test";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { signLocalToken } from "../../packages/local/src/local-token.ts";

/**
 * The widget's standalone bundle (`nyang-widget.iife.js`, React inside) in a plain HTML page
 * without React, in a real Chromium against the real local stack (global-setup.ts): built
 * here with the package's own Vite config and served by a small page server of the test's own.
 */
const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: the global setup did not start the stack`);
  return v;
};
const widgetRoot = fileURLToPath(new URL("../../packages/widget/", import.meta.url));
let outDir: string;
let bundle: string;

test.beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), "nyang-standalone-"));
  const { build } = await import("vite");
  await build({ root: widgetRoot, configFile: join(widgetRoot, "vite.standalone.config.ts"), logLevel: "error", build: { outDir, emptyOutDir: true } });
  bundle = await readFile(join(outDir, "nyang-widget.iife.js"), "utf8");
});
test.afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

test("Nyang.mount in a page without React shows the balance, and a backend's spend live", async ({ page }) => {
  const userId = `browser-standalone-${Date.now().toString(36)}`;
  const backend = createClient({ baseUrl: env("NYANG_API_URL"), token: await signLocalToken({ sub: "browser-test-backend", roles: ["service"] }) });
  await backend.accounts.open(userId);
  const token = await signLocalToken({ sub: userId });

  const page$ = await plainPage((origin) => {
    const options = { baseUrl: origin, realtimeUrl: env("NYANG_WS_URL"), token, components: ["balance"] };
    return `<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>plain page</title></head>
<body>
  <h1>A page without React</h1>
  <div id="coins"></div>
  <script src="/nyang-widget.iife.js"></script>
  <script>window.mounted = Nyang.mount(document.getElementById("coins"), ${JSON.stringify(options)});</script>
</body></html>`;
  });
  try {
    await page.goto(`${page$.origin}/`);
    // Nothing but the one script: no React on the page itself. (A string: this file is
    // type-checked without the DOM's types.)
    expect(await page.evaluate(`({ react: "React" in window, scripts: document.scripts.length, nyang: typeof window.Nyang?.mount })`)).toEqual({
      react: false,
      scripts: 2,
      nyang: "function",
    });
    const region = page.getByRole("region", { name: /^잔액/ });
    await expect(region.getByTestId("nyang-balance-amount")).toHaveText("100.00 냥");
    await expect(region.getByText("실시간")).toBeAttached();

    await backend.usage.spend(userId, { serviceType: "ai_writing" });
    await expect(region.getByTestId("nyang-balance-amount")).toHaveText("97.00 냥");
  } finally {
    await page$.close();
  }
});

/**
 * A product's own plain page on 127.0.0.1: the HTML, the bundle, and its backend's `/v1/*`
 * passed through to the API (same origin, as a product that proxies the API serves it). A
 * page fulfilled by Playwright's routing would not do: Chromium's local-network-access checks
 * treat it as public and refuse its calls to the loopback API.
 */
async function plainPage(html: (origin: string) => string): Promise<{ origin: string; close(): Promise<void> }> {
  const api = new URL(env("NYANG_API_URL"));
  let origin = "";
  const server = createServer((req, res) => {
    if (req.url === "/") return void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html(origin));
    if (req.url === "/nyang-widget.iife.js") return void res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(bundle);
    if (!req.url?.startsWith("/v1/")) return void res.writeHead(404).end();
    const upstream = request(new URL(req.url, api), { method: req.method, headers: { ...req.headers, host: api.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
