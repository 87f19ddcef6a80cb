import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Starts the whole local stack as `npm run dev` does — DynamoDB Local, the HTTP and WebSocket
 * gateways, the stream pump, the fake Toss gateway, the console and the demo page — on free
 * 127.0.0.1 ports, reads their URLs from the banner into the environment the tests inherit,
 * and returns the teardown that stops it all.
 */
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** Banner line label → the environment variable the tests read. */
const banner = {
  API: "NYANG_API_URL",
  Toss: "NYANG_FAKE_TOSS_URL",
  Console: "NYANG_CONSOLE_URL",
  "Demo page": "NYANG_DEMO_URL",
  WebSocket: "NYANG_WS_URL",
} as const;

export default async function globalSetup(): Promise<() => Promise<void>> {
  const child = spawn(process.execPath, ["--import", "tsx", "packages/local/src/dev.ts", "--no-cron"], {
    cwd: repoRoot,
    env: { ...process.env, PORT: "0", WS_PORT: "0", TOSS_FAKE_PORT: "0", EVENTS_PORT: "0", ADMIN_PORT: "0", DEMO_PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log: string[] = [];
  const found = await new Promise<Record<string, string>>((resolve, reject) => {
    const urls: Record<string, string> = {};
    const timer = setTimeout(() => reject(new Error(`npm run dev did not come up in 120 s:\n${log.join("")}`)), 120_000);
    const read = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      log.push(text);
      for (const line of text.split("\n")) {
        const m = /^ {2}(API|Toss|Console|Demo page|WebSocket)\s+(\S+)/.exec(line);
        if (m) urls[banner[m[1] as keyof typeof banner]] = m[2]!.replace(/\?token=.*$/, "");
      }
      if (Object.keys(urls).length === Object.keys(banner).length) {
        clearTimeout(timer);
        resolve(urls);
      }
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", (chunk: Buffer) => log.push(chunk.toString("utf8")));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm run dev exited (${code}) before it was ready:\n${log.join("")}`));
    });
  });
  Object.assign(process.env, found);
  return () => stop(child);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(timer);
}
