/**
 * One instance of the local Lambda fleet (http-fleet.ts): a child process that imports the
 * HTTP handler module itself — so it builds its own SDK clients, as a Lambda instance does —
 * and answers the invocations its parent sends over IPC, any number at a time.
 */
import { pathToFileURL } from "node:url";
import { isAbsolute } from "node:path";
import { lambdaContext } from "./lambda-context.ts";
import type { HttpHandler } from "./http-gateway.ts";
import type { FleetReply, FleetRequest } from "./http-fleet.ts";

const send = (message: FleetReply) => {
  // The parent may be gone (it was killed): nothing to answer to.
  if (process.connected) process.send?.(message);
};

async function main(): Promise<void> {
  const [specifier, exportName = "handler"] = process.argv.slice(2);
  if (!specifier || !process.send) throw new Error("http-fleet-worker runs as a forked child: <module> [export]");
  // A terminal's Ctrl-C reaches the whole process group; the parent stops its workers itself, in order.
  process.on("SIGINT", () => {});
  // The parent died without stopping us (SIGKILL, a crash): a worker with nobody to answer exits.
  process.on("disconnect", () => process.exit(0));

  const url = isAbsolute(specifier) ? pathToFileURL(specifier).href : specifier;
  const mod = (await import(url)) as Record<string, unknown>;
  const handler = mod[exportName];
  if (typeof handler !== "function") throw new Error(`${specifier} exports no function "${exportName}"`);
  const invoke = handler as HttpHandler;

  process.on("message", (message: FleetRequest) => {
    if (message.type !== "invoke") return;
    const context = lambdaContext(message.functionName, message.deadline);
    invoke(message.event, context).then(
      (result) => send({ type: "result", id: message.id, result }),
      (error: unknown) => send({ type: "error", id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  send({ type: "ready" });
}

main().catch((error: unknown) => {
  console.error(`[http-fleet] worker ${process.pid} could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
