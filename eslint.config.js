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
