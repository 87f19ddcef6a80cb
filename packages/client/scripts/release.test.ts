import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRelease } from "./release.ts";

const run = promisify(execFile);

/**
 * What a product backend installs is the release build, not this workspace's TypeScript
 * source: it must import on plain Node (no TypeScript loader) and carry its declarations.
 */
describe("the @nyang/client release build", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "nyang-client-release-"));
    await buildRelease(dir);
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("points its exports at compiled JavaScript and declarations, with no runtime dependency", async () => {
    const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as Record<string, unknown>;
    expect(manifest).toMatchObject({ name: "@nyang/client", type: "module", exports: { ".": { types: "./index.d.ts", default: "./index.js" } } });
    expect(manifest).not.toHaveProperty("dependencies");
    expect(manifest).not.toHaveProperty("private");
    const declarations = await readFile(join(dir, "index.d.ts"), "utf8");
    expect(declarations).toContain("createClient");
  });

  it("imports and works on plain Node, without tsx", async () => {
    const entry = pathToFileURL(join(dir, "index.js")).href;
    const script = `
      const m = await import(${JSON.stringify(entry)});
      const client = m.createClient({ baseUrl: "http://127.0.0.1:9", token: "t" });
      console.log(JSON.stringify({
        sum: m.coins.add("1.10", "2.25"),
        key: m.keyFor("ai-request", "r-1") === m.keyFor("ai-request", "r-1"),
        hasAccounts: typeof client.accounts.get === "function",
      }));`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { env: { ...process.env, NODE_OPTIONS: "" } });
    expect(JSON.parse(stdout.trim())).toEqual({ sum: "3.35", key: true, hasAccounts: true });
  });
});
