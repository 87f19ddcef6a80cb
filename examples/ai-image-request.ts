/**
 * A worked example for a product backend: an AI image request paid in 냥.
 *
 * 1. Reserve the tier's price with a hold (nothing is spent yet; the coins are set aside).
 * 2. Call the model (stubbed here).
 * 3. The model worked: capture what it actually cost (at most the hold), and the rest is
 *    freed. The model failed: release the hold, and the user pays nothing.
 *
 * Every step's Idempotency-Key derives from the request's own id (`keyFor`), so if this
 * process crashes and the request is run again, each step it already did replays its
 * first answer instead of moving coins a second time. The client retries lost answers,
 * 429 and 5xx with the same key by itself.
 *
 * Run against `npm run dev` (in another terminal):
 *   NYANG_TOKEN=$(npm run -s token -- --sub my-backend --roles service) npx tsx examples/ai-image-request.ts
 */
import { coins, createClient, isHoldNotPending, isInsufficientCoins, keyFor, type NyangClient } from "@nyang/client";

export type Tier = "dev" | "pro" | "max";

/** The model as this backend sees it: it answers what the generation actually cost, in coins. */
export interface ImageModel {
  generate(prompt: string, tier: Tier): Promise<{ url: string; cost: string }>;
}

export interface ImageRequest {
  /** Your own id for the request: the keys derive from it. */
  requestId: string;
  userId: string;
  prompt: string;
  tier: Tier;
}

export type ImageResult =
  | { status: "done"; url: string; charged: string; balance: string }
  | { status: "insufficient_coins"; required: string; available: string }
  | { status: "model_failed"; error: string; balance: string }
  | { status: "hold_expired" };

export async function runImageRequest(nyang: NyangClient, model: ImageModel, req: ImageRequest): Promise<ImageResult> {
  const key = (step: string) => keyFor("ai-image", req.requestId, step);

  let holdId: string;
  let reserved: string;
  try {
    const { hold } = await nyang.holds.create(
      req.userId,
      { serviceType: `image_generation_${req.tier}`, details: { requestId: req.requestId }, ttlSeconds: 300 },
      { idempotencyKey: key("hold") },
    );
    holdId = hold.id;
    reserved = hold.amount;
  } catch (e) {
    // Errors are values: a 402 is an answer to show the user, not a crash.
    if (isInsufficientCoins(e)) return { status: "insufficient_coins", required: e.details.required, available: e.details.available };
    throw e;
  }

  let output: { url: string; cost: string };
  try {
    output = await model.generate(req.prompt, req.tier);
  } catch (e) {
    const { account } = await nyang.holds.release(req.userId, holdId, { idempotencyKey: key("release") });
    return { status: "model_failed", error: e instanceof Error ? e.message : String(e), balance: account.balance };
  }

  try {
    // Never more than was reserved; exact decimal arithmetic, no floats.
    const amount = coins.min(output.cost, reserved);
    const { transaction, account } = await nyang.holds.capture(req.userId, holdId, { amount }, { idempotencyKey: key("capture") });
    return { status: "done", url: output.url, charged: coins.sub("0", transaction.amount), balance: account.balance };
  } catch (e) {
    // The hold ran out (or was released by an earlier run) before the capture: nothing was charged.
    if (isHoldNotPending(e)) return { status: "hold_expired" };
    throw e;
  }
}

/** A stand-in for the model: "max" renders cost a little less than the tier's price. */
export const stubModel: ImageModel = {
  async generate(prompt, tier) {
    if (prompt.includes("fail")) throw new Error("the model refused the prompt");
    return { url: `https://images.example/${encodeURIComponent(prompt)}.png`, cost: tier === "max" ? "1.80" : tier === "pro" ? "1.30" : "1.00" };
  },
};

async function main() {
  const token = process.env.NYANG_TOKEN;
  if (!token) throw new Error("set NYANG_TOKEN to a service token: npm run -s token -- --sub my-backend --roles service");
  const nyang = createClient({ baseUrl: process.env.NYANG_API_URL ?? "http://127.0.0.1:3020", token });
  const userId = process.env.NYANG_USER ?? "example-user";
  await nyang.accounts.open(userId);
  const requestId = `req-${Date.now()}`;
  console.log(await runImageRequest(nyang, stubModel, { requestId, userId, prompt: "a cat made of coins", tier: "max" }));
  // Run again with the same request id, as after a crash: every step replays, nothing more is charged.
  console.log(await runImageRequest(nyang, stubModel, { requestId, userId, prompt: "a cat made of coins", tier: "max" }));
  console.log(await runImageRequest(nyang, stubModel, { requestId: `${requestId}-b`, userId, prompt: "please fail", tier: "pro" }));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
