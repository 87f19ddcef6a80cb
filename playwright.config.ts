import { defineConfig } from "@playwright/test";

/**
 * Real-browser tests of the widget and the console against the real local stack (the same
 * `npm run dev`, started by the global setup on free 127.0.0.1 ports). Debian's Chromium
 * through its executable path — never `playwright install` or `channel` (offline; .ci/run
 * installs it with apt). One browser, one worker: the tests share one demo account.
 */
export default defineConfig({
  testDir: "test/browser",
  testMatch: "**/*.browser.ts",
  globalSetup: "./test/browser/global-setup.ts",
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  outputDir: ".playwright-results",
  use: {
    viewport: { width: 1100, height: 900 },
    locale: "ko-KR",
    timezoneId: "Asia/Seoul",
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
});
