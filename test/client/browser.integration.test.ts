import { build } from "esbuild";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { HttpGateway } from "@nyang/local";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRealtime, type Realtime } from "../realtime/harness.ts";
import { clientFor, startHttpApi } from "../support/client-stack.ts";
import { serviceToken, tokenFor, uniqueUserId } from "../support/index.ts";

/**
 * Integration, in a real browser (Debian's Chromium through playwright-core): @nyang/client
 * bundled for the browser by esbuild (platform "browser": a Node-only import would fail the
 * build), loaded by a page whose origin also serves the API (as a product's own backend
 * would), calling the real handler on DynamoDB Local and subscribing to the local WebSocket
 * gateway with the browser's own WebSocket.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
let rt: Realtime;
let api: HttpGateway;
let site: Server;
let siteUrl: string;
let browser: Browser;
let bundleInputs: string[] = [];

beforeAll(async () => {
  rt = await startRealtime("client-browser");
  api = await startHttpApi(rt.vars);
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL("../../packages/client/src/index.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    metafile: true,
  });
  const js = bundle.outputFiles[0]!.text;
  bundleInputs = Object.keys(bundle.metafile.inputs);
  const upstream = new URL(api.url);
  site = createServer((req, res) => {
    if (req.url?.startsWith("/v1/")) {
      const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(out);
      return;
    }
    if (req.url === "/client.js") return void res.writeHead(200, { "content-type": "text/javascript" }).end(js);
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end("<!doctype html><title>nyang client</title>");
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (site ? site.close(resolve) : resolve(undefined)));
  await api?.close();
  await rt?.stop();
});

describe("@nyang/client in a browser", () => {
  it("bundles for the browser from its own source alone: no runtime dependency", () => {
    expect(bundleInputs.length).toBeGreaterThan(3);
    expect(bundleInputs.filter((f) => !f.startsWith("packages/client/src/"))).toEqual([]);
  });

  it("reads the account, refuses as a value, posts with a key, and follows the balance over the browser's WebSocket", async () => {
    const u = uniqueUserId("cbr");
    const service = clientFor(api.url, await serviceToken());
    await service.accounts.open(u);
    const page = await browser.newPage();
    try {
      await page.goto(siteUrl);
      // Loaded by the page itself: a function handed to evaluate() would be rewritten by vitest's transform.
      await page.addScriptTag({ type: "module", content: "import * as m from '/client.js'; globalThis.nyangClient = m;" });
      await page.waitForFunction(() => "nyangClient" in globalThis);
      const first = await page.evaluate(
        async ({ token, wsUrl }) => {
          const g = globalThis as unknown as Page;
          const m = g.nyangClient;
          const nyang = m.createClient({ baseUrl: g.location.origin, token, realtimeUrl: wsUrl });
          g.sub = nyang.realtime.subscribe({});
          const account = await nyang.accounts.get("me");
          const refused = await nyang.accounts.get("someone-else").catch((e: unknown) => ({ forbidden: m.isForbidden(e), code: (e as { code: string }).code }));
          const key = m.keyFor("checkout", "cart-1");
          const order = await nyang.purchases.create("me", { packageId: "basic" }, { idempotencyKey: key });
          const again = await nyang.purchases.create("me", { packageId: "basic" }, { idempotencyKey: key });
          return { balance: account.balance, formatted: m.coins.format(account.balance), refused, sameOrder: order.id === again.id, hasNodeGlobals: "process" in globalThis };
        },
        { token: await tokenFor(u), wsUrl: rt.gateway.url },
      );
      expect(first).toEqual({ balance: "100.00", formatted: "100.00 냥", refused: { forbidden: true, code: "forbidden" }, sameOrder: true, hasNodeGlobals: false });

      await page.waitForFunction(() => (globalThis as unknown as Page).sub?.balance?.seq === 1);
      await expectConnected(u);
      await service.usage.spend(u, { serviceType: "ai_writing" });
      await page.waitForFunction(() => (globalThis as unknown as Page).sub?.balance?.seq === 2);
      const pushed = await page.evaluate(() => {
        const sub = (globalThis as unknown as Page).sub!;
        return { status: sub.status, balance: sub.balance };
      });
      expect(pushed).toMatchObject({ status: "open", balance: { balance: "97.00", seq: 2, source: "push" } });
    } finally {
      await page.close();
    }
  });
});

/** What the page's globals hold (the test's view of them). */
interface Page {
  nyangClient: typeof import("@nyang/client");
  sub?: import("@nyang/client").Subscription;
  location: { origin: string };
}

async function expectConnected(userId: string) {
  for (let i = 0; i < 500 && (await rt.connectionsOf(userId)).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  expect((await rt.connectionsOf(userId)).length).toBe(1);
}
