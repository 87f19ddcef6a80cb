import type { HttpGateway } from "@nyang/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runImageRequest, stubModel, type ImageModel } from "../../examples/ai-image-request.ts";
import { clientFor, startHttpApi } from "../support/client-stack.ts";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy.ts";
import { auditFromTable, serviceToken, uniqueUserId } from "../support/index.ts";

/**
 * Integration (DynamoDB Local, the local API Gateway emulator, the real Lambda handler):
 * the README's worked example, examples/ai-image-request.ts, run as a product backend
 * would run it, including a crash and re-run and answers lost on the way.
 */
let api: HttpGateway;
let proxy: FaultProxy;

beforeAll(async () => {
  api = await startHttpApi();
  proxy = await startFaultProxy(api.url);
});
afterAll(async () => {
  await proxy?.close();
  await api?.close();
});

async function setup(prefix: string) {
  const nyang = clientFor(proxy.url, await serviceToken());
  const userId = uniqueUserId(prefix);
  await nyang.accounts.open(userId);
  return { nyang, userId };
}

describe("examples/ai-image-request.ts", () => {
  it("holds the tier's price, captures the model's actual cost, frees the rest", async () => {
    const { nyang, userId } = await setup("ex-ok");
    const r = await runImageRequest(nyang, stubModel, { requestId: `r-${userId}`, userId, prompt: "cat", tier: "max" });
    expect(r).toMatchObject({ status: "done", charged: "1.80", balance: "98.20" });
    const { entries, findings } = await auditFromTable(userId);
    expect(findings).toEqual([]);
    expect(entries.map((e) => [e.type, e.amount])).toEqual([["signup_bonus", 10_000], ["hold_capture", -180]]);
  });

  it("run again with the same request id (a crash and restart), through lost answers: charged once", async () => {
    const { nyang, userId } = await setup("ex-rerun");
    const req = { requestId: `r-${userId}`, userId, prompt: "cat", tier: "pro" as const };
    proxy.script("drop", "pass", "drop");
    const first = await runImageRequest(nyang, stubModel, req);
    const second = await runImageRequest(nyang, stubModel, req);
    expect(second).toEqual(first);
    expect(first).toMatchObject({ status: "done", charged: "1.30", balance: "98.70" });
    const { entries, findings } = await auditFromTable(userId);
    expect(findings).toEqual([]);
    expect(entries.filter((e) => e.type === "hold_capture")).toHaveLength(1);
  });

  it("releases the hold when the model fails: the user pays nothing", async () => {
    const { nyang, userId } = await setup("ex-fail");
    const r = await runImageRequest(nyang, stubModel, { requestId: `r-${userId}`, userId, prompt: "please fail", tier: "max" });
    expect(r).toEqual({ status: "model_failed", error: "the model refused the prompt", balance: "100.00" });
    expect((await nyang.accounts.get(userId)).available).toBe("100.00");
    expect((await auditFromTable(userId)).entries).toHaveLength(1);
  });

  it("never captures more than the hold, and answers insufficient coins as a value", async () => {
    const { nyang, userId } = await setup("ex-cap");
    const greedy: ImageModel = { generate: async () => ({ url: "u", cost: "9.99" }) };
    expect(await runImageRequest(nyang, greedy, { requestId: `a-${userId}`, userId, prompt: "x", tier: "dev" })).toMatchObject({ charged: "1.00" });
    await nyang.usage.spend(userId, { serviceType: "ai_writing", amount: "98.50" });
    const r = await runImageRequest(nyang, stubModel, { requestId: `b-${userId}`, userId, prompt: "x", tier: "max" });
    expect(r).toEqual({ status: "insufficient_coins", required: "2.10", available: "0.50" });
    expect((await auditFromTable(userId)).findings).toEqual([]);
  });
});
