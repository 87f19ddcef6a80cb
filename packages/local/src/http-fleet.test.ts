import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpFleet, type HttpFleet } from "./http-fleet.ts";
import { startHttpGateway, type HttpGateway } from "./http-gateway.ts";

/** The fleet behind the real gateway, with a stand-in handler (http-fleet.fixture.ts) that tells which process answered. */

const FIXTURE = fileURLToPath(new URL("./http-fleet.fixture.ts", import.meta.url));

interface Answer {
  status: number;
  body: { pid?: number; importedBy?: number; env?: string | null; remainingMs?: number; error?: { code: string; message: string } };
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting: ${what}`);
}

describe("local HTTP fleet", () => {
  let fleet: HttpFleet;
  let gateway: HttpGateway;
  const logs: string[] = [];
  const everyPid = new Set<number>();
  const get = async (path: string): Promise<Answer> => {
    const res = await fetch(`${gateway.url}${path}`);
    const answer = { status: res.status, body: (await res.json()) as Answer["body"] };
    if (answer.body.pid) everyPid.add(answer.body.pid);
    return answer;
  };

  beforeAll(async () => {
    fleet = await startHttpFleet({ workers: 2, handlerModule: FIXTURE, env: { FLEET_FIXTURE_VALUE: "from-options" }, log: (line) => logs.push(line) });
    gateway = await startHttpGateway({ port: 0, handler: fleet.handler, log: (line) => logs.push(line) });
    for (const pid of fleet.pids()) everyPid.add(pid);
  });
  afterAll(async () => {
    await gateway?.close();
    await fleet?.close();
  });

  it("runs the handler in separate processes, each of which imported it, with the given environment", async () => {
    expect(new Set(fleet.pids()).size).toBe(2);
    expect(fleet.pids()).not.toContain(process.pid);
    const answers = await Promise.all([get("/wait?ms=300"), get("/wait?ms=300"), get("/wait?ms=300"), get("/wait?ms=300")]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    // Requests that arrive together spread over both workers.
    expect(new Set(answers.map((a) => a.body.pid))).toEqual(new Set(fleet.pids()));
    for (const a of answers) {
      expect(a.body.importedBy).toBe(a.body.pid);
      expect(a.body.env).toBe("from-options");
      // The gateway's deadline reached the worker's Lambda context.
      expect(a.body.remainingMs).toBeGreaterThan(0);
    }
  });

  it("takes turns between idle workers", async () => {
    const pids = [];
    for (let i = 0; i < 4; i++) pids.push((await get("/")).body.pid);
    expect(new Set(pids).size).toBe(2);
  });

  it("answers a handler that throws with 500 in the API's error shape, and the worker stays", async () => {
    const before = fleet.pids();
    const thrown = await get("/throw");
    expect(thrown.status).toBe(500);
    expect(thrown.body).toEqual({ error: { code: "internal", message: "Internal server error" } });
    expect(logs.join("\n")).toMatch(/the fixture handler threw/);
    expect(fleet.pids()).toEqual(before);
  });

  it("replaces a worker killed mid-flight: its request is answered 500, the others and later ones as usual", async () => {
    const [victim, survivor] = fleet.pids() as [number, number];
    const inFlight = [get("/wait?ms=1500"), get("/wait?ms=1500")];
    // Both workers hold one request each (least busy first); wait until both are sent.
    await until(() => fleet.inFlight() === 2, "both requests to reach their workers");
    process.kill(victim, "SIGKILL");
    const answers = await Promise.all(inFlight);
    const failed = answers.filter((a) => a.status !== 200);
    expect(failed).toEqual([{ status: 500, body: { error: { code: "internal", message: "Internal server error" } } }]);
    expect(answers.find((a) => a.status === 200)?.body.pid).toBe(survivor);
    expect(logs.join("\n")).toMatch(new RegExp(`worker ${victim} exited \\(signal SIGKILL\\) with 1 invocation`));

    // Meanwhile the survivor answers alone; then the replacement joins.
    expect((await get("/")).status).toBe(200);
    await until(() => fleet.pids().every((pid) => pid !== victim && isAlive(pid)), "a replacement worker");
    const replacement = fleet.pids().find((pid) => pid !== survivor)!;
    // Idle workers take turns, so the replacement answers once it has loaded the handler.
    await until(async () => (await get("/")).body.pid === replacement, "the replacement to answer");
    expect(isAlive(victim)).toBe(false);
    const spread = await Promise.all([get("/wait?ms=200"), get("/wait?ms=200")]);
    expect(new Set(spread.map((a) => a.body.pid))).toEqual(new Set([survivor, replacement]));
  });

  it("stops every worker it ever started on close, and refuses work after", async () => {
    await gateway.close();
    await fleet.close();
    for (const pid of everyPid) expect(isAlive(pid)).toBe(false);
    await expect(fleet.handler({} as never, {} as never)).rejects.toThrow(/closed/);
  });
});
