/**
 * Builds `@nyang/client` as a registry package: JavaScript and declarations compiled by tsc,
 * plus a package.json whose exports point at them, so a product backend on plain Node 20 (no
 * TypeScript loader) and a browser bundler can both import it. In this repository the
 * workspace package is used as TypeScript source; this is the one step that turns it into
 * what `npm publish` ships: `npm run release -w @nyang/client` writes `packages/client/release/`,
 * then `npm pack packages/client/release` (or `npm publish` from there).
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** Where `npm run release -w @nyang/client` writes the package by default. */
export const defaultReleaseDir = join(packageDir, "release");

/** Compiles the client into `outDir` and writes the package.json a registry release needs. */
export async function buildRelease(outDir: string = defaultReleaseDir): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  await run(process.execPath, [tsc, "-p", join(packageDir, "tsconfig.build.json"), "--outDir", outDir], { cwd: packageDir });
  const source = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")) as Record<string, unknown>;
  const manifest = {
    name: source.name,
    version: source.version,
    description: source.description,
    type: "module",
    sideEffects: false,
    engines: source.engines,
    exports: { ".": { types: "./index.d.ts", default: "./index.js" } },
    main: "./index.js",
    types: "./index.d.ts",
    // decimal.js is an input the caller may bring (anything with toFixed/decimalPlaces), never a dependency.
    peerDependencies: { "decimal.js": ">=10" },
    peerDependenciesMeta: { "decimal.js": { optional: true } },
  };
  await writeFile(join(outDir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await copyFile(join(packageDir, "..", "..", "docs", "client.md"), join(outDir, "README.md"));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outDir = process.argv[2] ?? defaultReleaseDir;
  await buildRelease(outDir);
  console.log(`@nyang/client built for release in ${outDir} (npm pack ${dirname(outDir) === packageDir ? "packages/client/release" : outDir})`);
}
