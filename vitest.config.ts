import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

/**
 * One run for every package's tests, in two projects:
 * - `backend` (node): a single DynamoDB Local serves the whole project (global setup) and
 *   every worker is pointed at it (setup file); tests isolate themselves by user id.
 * - `web` (jsdom): the widget's and the console's component tests, HTTP and WebSocket
 *   mocked with msw; no database.
 * The real-browser tests are Playwright's (playwright.config.ts), run after this by `npm test`.
 */
export default defineConfig({
  test: {
    globals: false,
    testTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "backend",
          include: ["packages/**/*.test.ts", "test/**/*.test.ts"],
          // The bench drives the API for minutes and reports numbers; it runs via `npm run bench`.
          exclude: ["**/node_modules/**", "**/.tsbuild/**", "test/bench/**", "test/browser/**", "packages/widget/**", "packages/admin/**"],
          globalSetup: ["test/setup/dynamodb.global.ts"],
          setupFiles: ["test/setup/env.ts"],
          // Child processes rather than threads: process.env set by the setup file stays per worker.
          pool: "forks",
          // One file at a time: every file shares the run's one DynamoDB Local, and the race tests
          // (50 spends, 100 holds on one account) measure contention on it — run beside another
          // file's load they only measure the neighbour, and on 2 cores parallel files barely
          // shorten the run anyway.
          fileParallelism: false,
          // Starting a JVM on a cold CI machine can take a while.
          hookTimeout: 120_000,
          // After the web project, never beside it: the race tests measure contention on
          // DynamoDB Local, and jsdom files running next to them would only add noise.
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        plugins: [react()],
        test: {
          name: "web",
          include: ["packages/widget/**/*.test.{ts,tsx}", "packages/admin/**/*.test.{ts,tsx}"],
          exclude: ["**/node_modules/**", "**/dist/**"],
          environment: "jsdom",
          setupFiles: ["test/setup/web.ts"],
          testTimeout: 20_000,
          sequence: { groupOrder: 0 },
        },
      },
    ],
  },
});
