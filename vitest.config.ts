import { defineConfig } from "vitest/config";

/**
 * One run for every package's tests. A single DynamoDB Local serves the whole run (global
 * setup) and every worker is pointed at it (setup file); tests isolate themselves by user id.
 */
export default defineConfig({
  test: {
    include: ["packages/**/*.test.ts", "test/**/*.test.ts"],
    // The bench drives the API for minutes and reports numbers; it runs via `npm run bench`.
    exclude: ["**/node_modules/**", "**/.tsbuild/**", "test/bench/**"],
    globalSetup: ["test/setup/dynamodb.global.ts"],
    setupFiles: ["test/setup/env.ts"],
    // Child processes rather than threads: process.env set by the setup file stays per worker.
    pool: "forks",
    // One file at a time: every file shares the run's one DynamoDB Local, and the race tests
    // (50 spends, 100 holds on one account) measure contention on it — run beside another
    // file's load they only measure the neighbour, and on 2 cores parallel files barely
    // shorten the run anyway.
    fileParallelism: false,
    globals: false,
    testTimeout: 60_000,
    // Starting a JVM on a cold CI machine can take a while.
    hookTimeout: 120_000,
  },
});
