/**
 * A local Lambda fleet for the HTTP API: N child processes, each of which imported the
 * handler module itself (its own SDK clients and module state, like N Lambda instances
 * with no shared memory), behind one {@link HttpHandler} the gateway calls as it calls an
 * in-process handler. Each event goes to the least busy instance (ties in turn).
 *
 * A crashed instance is replaced; the invocations it had in flight fail, and the gateway
 * answers them 500 `Internal server error` in the API's error shape, as an HTTP API does
 * when its Lambda function errors (Runtime.ExitError is a function error; HTTP APIs answer
 * 500 `{"message":"Internal Server Error"}`, REST APIs 502).
 */
import { fork, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from "aws-lambda";
import type { HttpHandler } from "./http-gateway.ts";

/** Parent → worker. */
export type FleetRequest = { type: "invoke"; id: number; event: APIGatewayProxyEventV2; deadline: number; functionName: string };
/** Worker → parent. */
export type FleetReply =
  | { type: "ready" }
  | { type: "result"; id: number; result: APIGatewayProxyResultV2<object> }
  | { type: "error"; id: number; error: string };

/** Options for {@link startHttpFleet}. */
export interface HttpFleetOptions {
  /** Worker processes (≥ 1). */
  workers: number;
  /** The handler module: a package specifier (`@nyang/functions/http/handler`) or an absolute file path. */
  handlerModule: string;
  /** Its export (default `handler`). */
  handlerExport?: string;
  /** Added to this process's environment for every worker (taken once, as a Lambda's configuration is). */
  env?: NodeJS.ProcessEnv;
  /** Fleet diagnostics: crashes, restarts. */
  log?: (line: string) => void;
  /** How long a worker may take to import the handler (default 60 s: a loaded machine, a cold tsx cache). */
  startTimeoutMs?: number;
}

/** A running fleet. */
export interface HttpFleet {
  /** Hands one event to a worker: pass it to startHttpGateway as its handler. */
  handler: HttpHandler;
  /** The live workers' pids, one per slot. */
  pids(): number[];
  /** Invocations answered per worker pid since the start (replaced workers included). */
  invocations(): Map<number, number>;
  /** Invocations sent to a worker and not yet answered, over the whole fleet. */
  inFlight(): number;
  /** Stops every worker (SIGTERM, then SIGKILL after 2 s) and fails what they had in flight. */
  close(): Promise<void>;
}

interface Pending {
  resolve: (result: APIGatewayProxyResultV2<object>) => void;
  reject: (error: Error) => void;
}

/** One place in the fleet, held by one worker process at a time. */
interface Slot {
  index: number;
  child: ChildProcess;
  ready: Promise<void>;
  /** Set once the worker has loaded the handler, cleared when it exits. */
  live: boolean;
  inFlight: Map<number, Pending>;
}

/** An invocation the worker could not finish: it crashed, or the fleet closed. */
export class WorkerGoneError extends Error {
  override name = "WorkerGoneError";
}

const WORKER_FILE = fileURLToPath(new URL("./http-fleet-worker.ts", import.meta.url));
/** The workers run TypeScript as this process does (npm run dev and the bench run under tsx; vitest too needs it said). */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const RESTART_DELAY_MS = 1_000;

/** Forks the workers and resolves once every one has imported the handler. */
export async function startHttpFleet(options: HttpFleetOptions): Promise<HttpFleet> {
  if (!Number.isInteger(options.workers) || options.workers < 1) throw new RangeError(`workers must be a whole number ≥ 1, got ${options.workers}`);
  const log = options.log ?? ((line: string) => console.error(line));
  const env = { ...process.env, ...options.env };
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const counts = new Map<number, number>();
  const slots: Slot[] = [];
  /** Per slot, invocations routed to it and not yet answered, counted from the moment of choosing: what "busy" means. */
  const busy: number[] = Array.from({ length: options.workers }, () => 0);
  let closing = false;
  let nextId = 1;
  let turn = 0;

  function spawn(index: number): Slot {
    const child = fork(WORKER_FILE, [options.handlerModule, options.handlerExport ?? "handler"], {
      env,
      execArgv: ["--import", TSX_LOADER],
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const inFlight = new Map<number, Pending>();
    let settleReady: { resolve: () => void; reject: (error: Error) => void } | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      settleReady = { resolve, reject };
    });
    // A request waiting on a worker that never comes up fails with it; nobody else need hear.
    ready.catch(() => {});
    const timer = setTimeout(() => {
      settleReady?.reject(new WorkerGoneError(`worker ${child.pid} did not load ${options.handlerModule} within ${startTimeoutMs} ms`));
      child.kill("SIGKILL");
    }, startTimeoutMs);
    timer.unref();
    const slot: Slot = { index, child, ready, inFlight, live: false };

    child.on("message", (message: FleetReply) => {
      if (message.type === "ready") {
        clearTimeout(timer);
        slot.live = true;
        settleReady?.resolve();
        return;
      }
      const pending = inFlight.get(message.id);
      if (!pending) return;
      inFlight.delete(message.id);
      counts.set(child.pid ?? -1, (counts.get(child.pid ?? -1) ?? 0) + 1);
      if (message.type === "result") pending.resolve(message.result);
      // The handler threw: the gateway logs it and answers 500, as for an in-process handler.
      else pending.reject(new Error(message.error));
    });
    child.on("error", (error) => log(`[http-fleet] worker ${child.pid ?? "?"}: ${error.message}`));
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      slot.live = false;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      const gone = new WorkerGoneError(`worker ${child.pid} exited (${how}) with ${inFlight.size} invocation(s) in flight`);
      settleReady?.reject(gone);
      for (const pending of inFlight.values()) pending.reject(gone);
      inFlight.clear();
      if (closing) return;
      log(`[http-fleet] ${gone.message}; starting a new worker in its place`);
      // A worker that dies at once (a broken import) would otherwise be forked in a tight loop.
      slots[index] = respawnLater(index);
    });
    return slot;
  }

  /** A slot whose worker starts after a pause; requests routed to it wait for it. */
  function respawnLater(index: number): Slot {
    const ready = new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        if (closing) return reject(new WorkerGoneError("the fleet closed"));
        const replacement = spawn(index);
        slots[index] = replacement;
        replacement.ready.then(resolve, reject);
      }, RESTART_DELAY_MS).unref();
    });
    ready.catch(() => {});
    return { index, child: slots[index]!.child, ready, inFlight: new Map(), live: false };
  }

  for (let i = 0; i < options.workers; i++) slots.push(spawn(i));
  try {
    await Promise.all(slots.map((s) => s.ready));
  } catch (error) {
    closing = true;
    await Promise.all(slots.map((s) => stop(s.child)));
    throw error;
  }

  /** The least busy live slot (any slot while none is live); among equals, the next in turn. */
  function pick(): Slot {
    let best: Slot | undefined;
    for (let k = 0; k < slots.length; k++) {
      const slot = slots[(turn + k) % slots.length]!;
      const better = !best || (slot.live && !best.live) || (slot.live === best.live && busy[slot.index]! < busy[best.index]!);
      if (better) best = slot;
    }
    turn = (turn + 1) % slots.length;
    return best!;
  }

  const handler: HttpHandler = async (event, context) => {
    if (closing) throw new WorkerGoneError("the fleet is closed");
    const chosen = pick();
    // Counted at once, so requests arriving together spread before any reaches its worker.
    busy[chosen.index]!++;
    try {
      await chosen.ready;
      // A slot that was restarting holds its new worker by now.
      return await invoke(slots[chosen.index]!, event, context.functionName, Date.now() + context.getRemainingTimeInMillis());
    } finally {
      busy[chosen.index]!--;
    }
  };

  function invoke(slot: Slot, event: APIGatewayProxyEventV2, functionName: string, deadline: number): Promise<APIGatewayProxyResultV2<object>> {
    if (!slot.child.connected) return Promise.reject(new WorkerGoneError(`worker ${slot.child.pid} is gone`));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      slot.inFlight.set(id, { resolve, reject });
      const request: FleetRequest = { type: "invoke", id, event, deadline, functionName };
      slot.child.send(request, (error) => {
        if (!error || !slot.inFlight.delete(id)) return;
        reject(new WorkerGoneError(`worker ${slot.child.pid} could not be reached: ${error.message}`));
      });
    });
  }

  return {
    handler,
    pids: () => slots.map((s) => s.child.pid ?? -1),
    invocations: () => new Map(counts),
    inFlight: () => slots.reduce((sum, s) => sum + s.inFlight.size, 0),
    async close() {
      closing = true;
      await Promise.all(slots.map((s) => stop(s.child)));
    },
  };
}

/** SIGTERM, then SIGKILL if the worker is still there after 2 s; resolves once it has exited. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 2_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
