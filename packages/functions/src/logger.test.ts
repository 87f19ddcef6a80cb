import { afterEach, describe, expect, it, vi } from "vitest";
import { createLog } from "./logger.ts";

/** The JSON lines Powertools Logger writes (to stdout for info, stderr for warn/error here). */
function captureLines() {
  const lines: Record<string, unknown>[] = [];
  const grab = (chunk: unknown) => {
    for (const text of String(chunk).split("\n")) if (text.trim().startsWith("{")) lines.push(JSON.parse(text) as Record<string, unknown>);
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(grab);
  vi.spyOn(process.stderr, "write").mockImplementation(grab);
  return lines;
}

afterEach(() => vi.restoreAllMocks());

describe("the runtime's logger (Powertools Logger)", () => {
  it("keys each invocation's lines by its request id and, once known, its account; nothing leaks to the next", async () => {
    const lines = captureLines();
    const log = createLog({ POWERTOOLS_SERVICE_NAME: "nyang-test", POWERTOOLS_LOG_LEVEL: "INFO" });
    await log.within({ requestId: "req-1" }, async () => {
      log.info("before the account is known");
      log.appendKeys({ userId: "u1" });
      log.error("order reconciliation failed", { orderId: "o1", error: "Error: boom" });
    });
    log.warn("outside any invocation");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ level: "INFO", message: "before the account is known", service: "nyang-test", requestId: "req-1" });
    expect(lines[0]).not.toHaveProperty("userId");
    expect(lines[1]).toMatchObject({ level: "ERROR", message: "order reconciliation failed", requestId: "req-1", userId: "u1", orderId: "o1", error: "Error: boom" });
    expect(lines[2]).toMatchObject({ level: "WARN", message: "outside any invocation" });
    expect(lines[2]).not.toHaveProperty("requestId");
    expect(lines[2]).not.toHaveProperty("userId");
  });

  it("invocations running at once in one process (npm run dev, a batch's records) keep their own keys", async () => {
    const lines = captureLines();
    const log = createLog({ POWERTOOLS_SERVICE_NAME: "nyang-test", POWERTOOLS_LOG_LEVEL: "INFO" });
    const tick = () => new Promise((r) => setTimeout(r, 1));
    await Promise.all(
      ["a", "b", "c"].map((id) =>
        log.within({ requestId: `req-${id}` }, async () => {
          await tick();
          log.appendKeys({ userId: `user-${id}` });
          await tick();
          await log.within({ recordId: `rec-${id}` }, async () => {
            await tick();
            log.info("record done");
          });
        }),
      ),
    );
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const id = String(line.requestId).slice(4);
      expect(line).toMatchObject({ userId: `user-${id}`, recordId: `rec-${id}` });
    }
  });
});
