/**
 * The two web apps `npm run dev` serves beside the API: the operators' console
 * (packages/admin) and a demo product page embedding the widget (packages/widget/demo),
 * each on its own port through Vite's dev server (HMR included). Each answers
 * `/nyang-config.json` with where the API is and a token dev minted — a dev-only endpoint;
 * a deployed console is built with its API URL and asks the operator for a token.
 */
import { fileURLToPath } from "node:url";
import type { Plugin, ViteDevServer } from "vite";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export interface WebApp {
  url: string;
  close(): Promise<void>;
}

export interface WebAppsOptions {
  host?: string;
  adminPort: number;
  demoPort: number;
  /** Read on every request, so the servers can start before the API knows its own URL. */
  adminConfig: () => Record<string, unknown>;
  demoConfig: () => Record<string, unknown>;
}

/** Serves `/nyang-config.json` from `config()` (never cached: tokens). */
function configEndpoint(config: () => Record<string, unknown>): Plugin {
  return {
    name: "nyang-dev-config",
    configureServer(server) {
      server.middlewares.use("/nyang-config.json", (_req, res) => {
        const body = JSON.stringify(config());
        res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
        res.end(body);
      });
    },
  };
}

async function serve(root: string, port: number, host: string, config: () => Record<string, unknown>, configFile: string | false): Promise<WebApp> {
  const { createServer } = await import("vite");
  const react = (await import("@vitejs/plugin-react")).default;
  const server: ViteDevServer = await createServer({
    root,
    configFile,
    // Merged with the config file's plugins (the console's has React already).
    plugins: [...(configFile === false ? [react()] : []), configEndpoint(config)],
    server: { port, host, strictPort: true },
    logLevel: "warn",
    clearScreen: false,
  });
  await server.listen();
  const address = server.httpServer?.address();
  const actual = typeof address === "object" && address ? address.port : port;
  return { url: `http://${host}:${actual}`, close: () => server.close() };
}

/** Starts the console and the demo page; stop them with each `close()`. */
export async function startWebApps(options: WebAppsOptions): Promise<{ admin: WebApp; demo: WebApp }> {
  const host = options.host ?? "127.0.0.1";
  const admin = await serve(`${repoRoot}packages/admin`, options.adminPort, host, options.adminConfig, `${repoRoot}packages/admin/vite.config.ts`);
  try {
    const demo = await serve(`${repoRoot}packages/widget/demo`, options.demoPort, host, options.demoConfig, false);
    return { admin, demo };
  } catch (error) {
    await admin.close();
    throw error;
  }
}

