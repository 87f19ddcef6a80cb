/**
 * The HTTP Lambda as it would ship: esbuild bundles of the handler (platform node, target
 * node22, ESM, minified), once with `@aws-sdk/*` left to the runtime's copy and once fully
 * bundled, and the cold import time of each in a fresh `node` (median of N).
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { NOISY_CORES, waitForQuiet } from "./cpu.ts";
import { abortSignal, onCleanup, progress, throwIfAborted } from "./lifecycle.ts";
import { median } from "./stats.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const ENTRY = "packages/functions/src/http/handler.ts";

export interface BundleVariant {
  name: string;
  external: string[];
  bytes: number;
  gzipBytes: number;
  /** Largest contributors (package → bytes in the output). */
  top: { name: string; bytes: number }[];
  /** Bytes of zod's error-message locales (every language; `z` re-exports them all, so none tree-shake away). */
  zodLocalesBytes: number;
  /** `await import()` of the bundle, ms, each run. */
  importMs: number[];
  /** Spawn to exit of the whole `node` process, ms, each run. */
  processMs: number[];
  medianImportMs: number;
  medianProcessMs: number;
}

export interface BundleResult {
  esbuildVersion: string;
  entry: string;
  variants: BundleVariant[];
}

export async function measureBundles(coldRuns: number, settleSeconds: number): Promise<BundleResult> {
  // Inside the repository so the external variant resolves @aws-sdk/* from node_modules, as
  // Lambda's nodejs22.x resolves them from the runtime's own copy. node_modules is git-ignored.
  const outDir = join(ROOT, "node_modules", ".cache", "nyang-bench");
  mkdirSync(outDir, { recursive: true });
  onCleanup("bundle output", () => rmSync(outDir, { recursive: true, force: true }));
  onCleanup("esbuild service", () => esbuild.stop());

  const variants: BundleVariant[] = [];
  for (const v of [
    { name: "@aws-sdk/* external (nodejs22.x runtime SDK)", file: "handler-sdk-external.mjs", external: ["@aws-sdk/*"] },
    { name: "fully bundled", file: "handler-bundled.mjs", external: [] as string[] },
  ]) {
    throwIfAborted();
    const outfile = join(outDir, v.file);
    const t0 = performance.now();
    const result = await esbuild.build({
      entryPoints: [join(ROOT, ENTRY)],
      outfile,
      bundle: true,
      minify: true,
      platform: "node",
      target: "node22",
      format: "esm",
      // ESM first, as Lambda bundlers (SST, CDK) do; CJS-only packages still work through the banner's require.
      mainFields: ["module", "main"],
      external: v.external,
      metafile: true,
      logLevel: "silent",
      // Some bundled CommonJS still calls require() for node built-ins.
      banner: { js: 'import { createRequire as __nyangCreateRequire } from "node:module"; const require = __nyangCreateRequire(import.meta.url);' },
    });
    const code = readFileSync(outfile);
    const top = topContributors(result.metafile, relative(ROOT, outfile));
    const zodLocalesBytes = bytesMatching(result.metafile, relative(ROOT, outfile), /node_modules\/zod\/.*\/locales\//);
    progress(`bundle ${v.name}: ${code.length} B (gzip ${gzipSync(code, { level: 9 }).length} B) in ${Math.round(performance.now() - t0)} ms`);

    const importMs: number[] = [];
    const processMs: number[] = [];
    for (let i = 0; i < coldRuns; i++) {
      throwIfAborted();
      // Cold imports are short: a shorter wait per run keeps the phase's length bounded.
      if (settleSeconds > 0) await waitForQuiet(undefined, Math.min(settleSeconds, 2) * 1000, NOISY_CORES, abortSignal);
      const run = await coldImport(outfile);
      importMs.push(run.importMs);
      processMs.push(run.processMs);
    }
    progress(`  cold import ×${coldRuns}: ${importMs.map((m) => m.toFixed(0)).join(", ")} ms (median ${median(importMs).toFixed(0)} ms; whole process median ${median(processMs).toFixed(0)} ms)`);
    variants.push({
      name: v.name,
      external: v.external,
      bytes: code.length,
      gzipBytes: gzipSync(code, { level: 9 }).length,
      top,
      zodLocalesBytes,
      importMs,
      processMs,
      medianImportMs: median(importMs),
      medianProcessMs: median(processMs),
    });
  }
  return { esbuildVersion: esbuild.version, entry: ENTRY, variants };
}

function outputOf(meta: esbuild.Metafile, outputPath: string) {
  return Object.entries(meta.outputs).find(([path]) => path.endsWith(outputPath) || outputPath.endsWith(path))?.[1];
}

function bytesMatching(meta: esbuild.Metafile, outputPath: string, pattern: RegExp): number {
  return Object.entries(outputOf(meta, outputPath)?.inputs ?? {}).reduce((n, [path, i]) => n + (pattern.test(path) ? i.bytesInOutput : 0), 0);
}

/** Bytes per package in one output, biggest first. */
function topContributors(meta: esbuild.Metafile, outputPath: string): { name: string; bytes: number }[] {
  const output = outputOf(meta, outputPath);
  const byPackage = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const name = m ? m[1]! : path.startsWith("packages/") ? `@nyang/${path.split("/")[1]}` : "(other)";
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  return [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, 6);
}

const PROBE = `
const t0 = performance.now();
await import(process.env.NYANG_BENCH_MODULE);
const t1 = performance.now();
process.stdout.write(JSON.stringify({ importMs: t1 - t0 }));
`;

/** Imports the bundle in a fresh node with a Lambda-like environment that keeps it off the network. */
function coldImport(file: string): Promise<{ importMs: number; processMs: number }> {
  const probe = join(dirname(file), "cold-import-probe.mjs");
  writeFileSync(probe, PROBE);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NYANG_BENCH_MODULE: pathToFileURL(file).href,
    NYANG_TABLE: "nyang-bench",
    // A closed port: the import only builds clients, and nothing may reach a real endpoint.
    DYNAMODB_ENDPOINT: "http://127.0.0.1:9",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    AWS_EC2_METADATA_DISABLED: "true",
    NODE_ENV: "production",
  };
  return new Promise((resolveRun, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [probe], { env, stdio: ["ignore", "pipe", "pipe"] });
    const stop = onCleanup("cold-import child", () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.once("error", (e) => {
      void stop();
      reject(e);
    });
    child.once("exit", (code) => {
      const processMs = performance.now() - t0;
      void stop();
      if (code !== 0) return reject(new Error(`cold import of ${file} exited ${code}:\n${err}`));
      try {
        resolveRun({ importMs: (JSON.parse(out) as { importMs: number }).importMs, processMs });
      } catch {
        reject(new Error(`cold import printed no timing: ${out}\n${err}`));
      }
    });
  });
}
