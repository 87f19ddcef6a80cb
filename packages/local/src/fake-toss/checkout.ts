/**
 * The customer's side of the fake Toss gateway: the payment window and the card-registration
 * window a browser is sent to, played as two small HTML pages. They keep Toss's redirect
 * contract (https://docs.tosspayments.com/guides/v2/payment-widget/integration — the success
 * URL gets `paymentKey`, `orderId` and `amount`; the fail URL gets `code`, `message` and
 * `orderId`; the billing window's success URL gets `customerKey` and `authKey`), so the web
 * components complete a purchase here exactly as they do after Toss's real window.
 *
 * - `GET /__fake/checkout?orderId&amount&orderName&successUrl&failUrl`: the payment window.
 * - `GET /__fake/billing/checkout?customerKey&successUrl&failUrl`: the card-registration window.
 * Each page's buttons POST back to the same path; the answer is a 303 to the success or fail URL.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** What the pages need from the gateway: the same authorisations its JSON control routes make. */
export interface CheckoutAuthority {
  authorize(input: { orderId: string; amount: number; orderName?: string }): string;
  authorizeBilling(input: { customerKey: string }): string;
}

export const checkoutPaths = ["/__fake/checkout", "/__fake/billing/checkout"] as const;

/** Serves one request to a path of {@link checkoutPaths}. */
export async function serveCheckout(req: IncomingMessage, res: ServerResponse, authority: CheckoutAuthority): Promise<void> {
  const url = new URL(req.url ?? "/", "http://fake");
  const billing = url.pathname === "/__fake/billing/checkout";
  const params = req.method === "POST" ? new URLSearchParams(await readForm(req)) : url.searchParams;
  const successUrl = redirectTarget(params.get("successUrl"));
  const failUrl = redirectTarget(params.get("failUrl"));
  if (!successUrl || !failUrl) return page(res, 400, "잘못된 요청", "<p>successUrl and failUrl must be http(s) URLs.</p>");

  if (req.method === "GET") {
    const hidden = [...params].map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join("");
    const what = billing
      ? `<p>카드 등록 (Fake card registration) · customerKey <code>${esc(params.get("customerKey") ?? "")}</code></p>`
      : `<p><strong>${esc(params.get("orderName") ?? "")}</strong></p><p class="amount">${esc(Number(params.get("amount")).toLocaleString("ko-KR"))}원</p>`;
    return page(
      res,
      200,
      billing ? "카드 등록 · Fake Toss" : "결제 · Fake Toss",
      `${what}<form method="post">${hidden}
        <button name="action" value="approve" type="submit">${billing ? "카드 등록하기" : "결제하기"}</button>
        <button name="action" value="cancel" type="submit">취소</button></form>
        <p class="note">Fake Toss Payments (npm run dev): no money moves.</p>`,
    );
  }

  if (req.method !== "POST") return page(res, 405, "Method not allowed", "");
  if (params.get("action") !== "approve") {
    failUrl.searchParams.set("code", "PAY_PROCESS_CANCELED");
    failUrl.searchParams.set("message", "사용자에 의해 결제가 취소되었습니다");
    if (params.get("orderId")) failUrl.searchParams.set("orderId", params.get("orderId")!);
    return redirect(res, failUrl);
  }
  try {
    if (billing) {
      const customerKey = params.get("customerKey") ?? "";
      successUrl.searchParams.set("customerKey", customerKey);
      successUrl.searchParams.set("authKey", authority.authorizeBilling({ customerKey }));
    } else {
      const orderId = params.get("orderId") ?? "";
      const amount = Number(params.get("amount"));
      const orderName = params.get("orderName") ?? undefined;
      successUrl.searchParams.set("paymentKey", authority.authorize({ orderId, amount, ...(orderName ? { orderName } : {}) }));
      successUrl.searchParams.set("orderId", orderId);
      successUrl.searchParams.set("amount", String(amount));
    }
    return redirect(res, successUrl);
  } catch (error) {
    failUrl.searchParams.set("code", "INVALID_REQUEST");
    failUrl.searchParams.set("message", (error as Error).message);
    if (params.get("orderId")) failUrl.searchParams.set("orderId", params.get("orderId")!);
    return redirect(res, failUrl);
  }
}

function redirectTarget(value: string | null): URL | undefined {
  if (!value || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
}

function redirect(res: ServerResponse, to: URL): void {
  res.writeHead(303, { Location: to.toString(), "Content-Length": 0 });
  res.end();
}

function page(res: ServerResponse, status: number, title: string, body: string): void {
  const html = `<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font-family:system-ui,"NanumGothic",sans-serif;max-width:28rem;margin:3rem auto;padding:1.5rem;border:1px solid #ddd;border-radius:12px}
h1{font-size:1.2rem;color:#0064ff}.amount{font-size:1.6rem;font-weight:700}button{font-size:1rem;padding:.6rem 1.2rem;margin-right:.5rem;border-radius:8px;border:1px solid #0064ff;background:#0064ff;color:#fff}
button[value=cancel]{background:#fff;color:#0064ff}.note{color:#888;font-size:.8rem}</style></head>
<body><h1>${esc(title)}</h1>${body}</body></html>`;
  res.writeHead(status, { "Content-Type": "text/html; charset=utf-8", "Content-Length": Buffer.byteLength(html) });
  res.end(html);
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readForm(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
