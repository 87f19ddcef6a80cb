// ESLint flat config: @eslint/js recommended + typescript-eslint recommended (syntax-only,
// no type information, so `npm run lint` stays fast; `tsc -b` and `typecheck:infra` do the
// type checking).
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  {
    ignores: [
      "**/node_modules/",
      ".sst/",
      ".sst-home/",
      ".tsbuild/",
      "**/coverage/",
      "**/dist/",
      ".dynamodb/",
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" },
      ],
    },
  },
  {
    // The domain never falls back to `any`, whatever the rest of the repo decides.
    files: ["packages/core/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
    },
  },
  {
    // The domain decides; adapters talk to AWS. Domain folders (and the pure top-level
    // modules: money, errors, config, intents, due queues and their walk, retry) reach
    // storage only through the ports beside them (ledger/ledger-port.ts,
    // purchases/purchases-port.ts, audit/audit-port.ts, analytics/insights-port.ts,
    // analytics/aggregates-port.ts, alerts/alerts-port.ts, autocharge/auto-charge-port.ts); only the adapters (store/, events/publisher.ts,
    // realtime/connections.ts, payments/toss-gateway.ts), the package barrel (index.ts) and
    // the composition root (packages/functions/src/runtime.ts) import the AWS SDK or a store module.
    files: [
      "packages/core/src/{ledger,purchases,alerts,analytics,audit,autocharge}/**/*.ts",
      "packages/core/src/{money,errors,config,intents,due-queue,retry}.ts",
    ],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@aws-sdk/*"], message: "The domain does not talk to AWS: take a port (see ledger/ledger-port.ts) and let an adapter implement it." },
            { regex: "(^|/)store/", message: "The domain reaches storage through its port (ledger/ledger-port.ts, purchases/purchases-port.ts, …); only adapters and the composition root import store modules." },
          ],
        },
      ],
    },
  },
  {
    // Tests read JSON replies by path (r.body.transaction.id); typing every reply buys nothing there.
    files: ["test/**/*.ts", "**/*.test.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  {
    // SST requires sst.config.ts to reference its generated platform types this way.
    files: ["sst.config.ts"],
    rules: {
      "@typescript-eslint/triple-slash-reference": "off",
    },
  },
);
