import { createClient } from "@nyang/client";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { fileURLToPath } from "node:url";
import { signLocalToken } from "../../packages/local/src/local-token.ts";

/**
 * The widget and the console in a real Chromium against the real local stack (global-setup.ts):
 * the demo page's user `demo-user`, opened by dev with the 100 냥 signup bonus. The steps build
 * on each other (one account), so they run in order.
 */
const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: the global setup did not start the stack`);
  return v;
};
// Every run takes the screenshots; only `NYANG_UPDATE_SCREENSHOTS=1 npm run test:browser`
// writes them over the README's (docs/screenshots), so a plain `npm test` leaves the tree clean.
const shots = fileURLToPath(
  new URL(process.env.NYANG_UPDATE_SCREENSHOTS === "1" ? "../../docs/screenshots/" : "../../.playwright-results/screenshots/", import.meta.url),
);
const USER = "demo-user";

const backend = async () => createClient({ baseUrl: env("NYANG_API_URL"), token: await signLocalToken({ sub: "browser-test-backend", roles: ["service"] }) });
const admin = async () => createClient({ baseUrl: env("NYANG_API_URL"), token: await signLocalToken({ sub: "browser-test-admin", roles: ["admin"] }) });

const balanceOf = (page: Page) => page.getByRole("region", { name: /^잔액/ }).getByTestId("nyang-balance-amount");

test.describe.configure({ mode: "serial" });

test("the user sees the balance", async ({ page }) => {
  await page.goto(env("NYANG_DEMO_URL"));
  await expect(balanceOf(page)).toHaveText("100.00 냥");
  await expect(page.getByRole("heading", { name: "냥 충전" })).toBeVisible();
  // Live: the realtime subscription is open before the next test spends.
  await expect(page.getByRole("region", { name: /^잔액/ }).getByText("실시간")).toBeAttached();
});

test("a spend made by a backend shows on screen within 2 s, without a reload; then the low-balance state", async ({ page }) => {
  await page.goto(env("NYANG_DEMO_URL"));
  const region = page.getByRole("region", { name: /^잔액/ });
  await expect(balanceOf(page)).toHaveText("100.00 냥");
  await expect(region.getByText("실시간")).toBeAttached();
  const svc = await backend();

  await svc.usage.spend(USER, { serviceType: "ai_writing" });
  await expect(balanceOf(page)).toHaveText("97.00 냥", { timeout: 2_000 });
  await expect(region.getByRole("status")).toHaveCount(0);

  await svc.usage.spend(USER, { serviceType: "keyword_analysis", amount: "80.00" });
  await expect(balanceOf(page)).toHaveText("17.00 냥", { timeout: 2_000 });
  await expect(region.getByRole("status")).toHaveText("잔액이 얼마 남지 않았어요");
  await expect(region).toHaveAttribute("data-state", "low");
  await region.screenshot({ path: `${shots}widget-balance-low.png` });
});

test("buying a package through the fake checkout raises the balance by coins + bonus", async ({ page }) => {
  await page.goto(env("NYANG_DEMO_URL"));
  await expect(balanceOf(page)).toHaveText("17.00 냥");
  await page.getByRole("button", { name: "인기팩 구매" }).click();

  // The fake gateway's payment window, as Toss's would be.
  await expect(page).toHaveURL(/\/__fake\/checkout\?/);
  await expect(page.getByText("40,000원")).toBeVisible();
  await page.getByRole("button", { name: "결제하기" }).click();

  // Back on the product page: confirmed, 17 + 5,000 + 1,000 bonus.
  await expect(page.getByRole("status").filter({ hasText: "충전 완료" })).toHaveText("6,000.00 냥 충전 완료! 잔액 6,017.00 냥", { timeout: 15_000 });
  await expect(balanceOf(page)).toHaveText("6,017.00 냥");
  await expect(page).not.toHaveURL(/paymentKey=/);
  await expect(page.getByRole("region", { name: /^잔액/ })).toHaveAttribute("data-state", "ok");
  await page.screenshot({ path: `${shots}widget-demo-page.png`, fullPage: true });
});

test("a cancelled checkout says so and credits nothing", async ({ page }) => {
  await page.goto(env("NYANG_DEMO_URL"));
  await page.getByRole("button", { name: "기본팩 구매" }).click();
  await page.getByRole("button", { name: "취소" }).click();
  await expect(page.getByRole("status").filter({ hasText: "결제를 취소했어요" })).toBeVisible();
  await expect(balanceOf(page)).toHaveText("6,017.00 냥");
});

test("the console shows today's purchase in revenue", async ({ page }) => {
  // The revenue figures are stream-fed: they trail the purchase by the pump's delay.
  await expect(async () => {
    await page.goto(env("NYANG_CONSOLE_URL"));
    await expect(page.getByTestId("revenue-total")).toHaveText("40,000원", { timeout: 10_000 });
  }).toPass({ timeout: 45_000 });
  await expect(page.getByRole("table", { name: "많이 쓴 사용자" }).getByRole("link", { name: USER })).toBeVisible();
  await expect(page.getByRole("table", { name: "서비스별 사용량 표" }).getByRole("row", { name: /ai_writing/ })).toBeVisible();
  await page.screenshot({ path: `${shots}console-overview.png`, fullPage: true });
});

test("the console's charts take their card's width and follow it when the window narrows", async ({ page }) => {
  await page.goto(env("NYANG_CONSOLE_URL"));
  const card = page.getByRole("region", { name: "매출과 사용량" });
  const charts = ["일별 매출 (원)", "일별 냥 구매와 사용"].map((name) => card.getByRole("figure", { name }));
  charts.push(page.getByRole("region", { name: "서비스별 사용량" }).getByRole("figure", { name: "서비스별 사용량 (냥)" }));
  /** Each chart's drawing (recharts gives its svg the role application), its figure's and its card's width, in whole pixels. */
  const widths = () =>
    Promise.all(
      charts.map(async (figure) => {
        const box = async (l: Locator) => Math.round((await l.boundingBox())?.width ?? -1);
        return { chart: await box(figure.getByRole("application")), figure: await box(figure), card: await box(figure.locator("xpath=ancestor::section[1]")) };
      }),
    );
  // The card's padding (1.25rem each side) and border (1px) are all that lies between.
  const full = async () => (await widths()).every((w) => w.chart === w.figure && w.card - w.figure <= 44);
  // recharts measures its box after layout (a ResizeObserver): wait for the drawing to follow.
  await expect.poll(full).toBe(true);
  const wide = await widths();
  expect(wide[0]!.card).toBeGreaterThan(900);
  await page.setViewportSize({ width: 760, height: 900 });
  await expect.poll(full).toBe(true);
  expect((await widths())[0]!.chart).toBeLessThan(wide[0]!.chart);
});

test("the console's recent alerts come from every account: the demo user's and another account's low balance", async ({ page }) => {
  // Another account crossing the low-balance line (100 → 15) by an admin adjustment, not usage:
  // it is no top user, so only a cross-account feed shows its alert. The demo user crossed it above (→ 17).
  const other = `browser-feed-${Date.now().toString(36)}`;
  await (await backend()).accounts.open(other);
  await (await admin()).admin.adjust(other, { amount: "-85.00", reason: "browser test: low balance without usage" });
  // Alerts are raised by the stream's alerts consumer: they trail the spend by the pump's delay.
  const feed = page.getByRole("list", { name: "최근 알림 목록" });
  await expect(async () => {
    await page.goto(env("NYANG_CONSOLE_URL"));
    await expect(feed.getByRole("link", { name: other })).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 45_000 });
  await expect(feed.getByRole("listitem").filter({ has: page.getByRole("link", { name: USER, exact: true }) }).first()).toContainText("잔액 부족");
  await expect(feed.getByRole("listitem").filter({ has: page.getByRole("link", { name: other, exact: true }) }).first()).toContainText("잔액 부족");
  await expect(page.getByRole("table", { name: "많이 쓴 사용자" }).getByRole("link", { name: other })).toHaveCount(0);
});

test("the console adjusts the account and freezes it, each after a confirmation; the widget then shows the frozen state", async ({ page, context }) => {
  await page.goto(`${env("NYANG_CONSOLE_URL")}/#/accounts/${USER}`);
  await expect(page.getByRole("heading", { name: USER })).toBeVisible();

  const adjust = page.getByRole("form", { name: "잔액 조정" });
  await adjust.getByLabel("조정 금액 (냥, 음수는 차감)").fill("-17.00");
  await adjust.getByLabel("사유").fill("browser test: goodwill reversal");
  await adjust.getByRole("button", { name: "조정" }).click();
  const dialog = page.getByRole("dialog", { name: "잔액을 조정할까요?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "확인" }).click();
  await expect(page.getByRole("status").filter({ hasText: "처리했어요" })).toBeVisible();
  await expect(page.getByRole("definition").filter({ hasText: "6,000.00 냥" }).first()).toBeVisible();
  await expect(page.getByRole("cell", { name: "관리자 조정 · browser test: goodwill reversal" })).toBeVisible();

  // Cancelling the dialog changes nothing.
  await page.getByRole("button", { name: "계정 정지" }).click();
  await page.getByRole("dialog", { name: "계정을 정지할까요?" }).getByRole("button", { name: "취소" }).click();
  await expect(page.getByRole("heading", { name: USER })).not.toContainText("정지됨");

  await page.getByRole("button", { name: "계정 정지" }).click();
  await page.getByRole("dialog", { name: "계정을 정지할까요?" }).getByRole("button", { name: "확인" }).click();
  await expect(page.getByRole("heading", { name: USER })).toContainText("정지됨");
  await expect(page.getByRole("button", { name: "정지 해제" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "관리자 조정 · browser test: goodwill reversal" })).toBeVisible();
  await page.screenshot({ path: `${shots}console-account.png`, fullPage: true });
  expect((await (await admin()).accounts.get(USER)).status).toBe("frozen");

  const widget = await context.newPage();
  await widget.goto(env("NYANG_DEMO_URL"));
  const region = widget.getByRole("region", { name: /^잔액/ });
  await expect(region.getByRole("status")).toHaveText("이용이 정지된 계정이에요");
  await expect(region).toHaveAttribute("data-state", "frozen");
  await expect(region.getByRole("button", { name: "충전하기" })).toBeDisabled();
  await region.screenshot({ path: `${shots}widget-balance-frozen.png` });
});
