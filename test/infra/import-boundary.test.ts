/**
 * The domain's import boundary (eslint.config.js, `no-restricted-imports`): domain folders
 * reach storage and AWS only through their ports. Linted with the repository's own config,
 * on source text placed at domain and adapter paths, and on the real tree.
 */
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const eslint = new ESLint();
const restricted = async (code: string, filePath: string) =>
  (await eslint.lintText(code, { filePath }))[0]!.messages.filter((m) => m.ruleId === "no-restricted-imports").length;

const STORE_IMPORT = 'import { LedgerStore } from "../store/ledger-store.ts";\nexport const s = LedgerStore;\n';
const SDK_IMPORT = 'import { QueryCommand } from "@aws-sdk/lib-dynamodb";\nexport const q = QueryCommand;\n';

describe("the domain's import boundary", () => {
  it.each(["ledger", "purchases", "alerts", "analytics", "audit", "autocharge"])("a module in %s/ may import neither a store module nor the AWS SDK", async (folder) => {
    expect(await restricted(STORE_IMPORT, `packages/core/src/${folder}/probe.ts`)).toBe(1);
    expect(await restricted(SDK_IMPORT, `packages/core/src/${folder}/probe.ts`)).toBe(1);
  });

  it("adapters and the composition root may", async () => {
    expect(await restricted(SDK_IMPORT, "packages/core/src/store/probe.ts")).toBe(0);
    expect(await restricted(STORE_IMPORT, "packages/functions/src/probe.ts")).toBe(0);
  });

  it("no domain module imports one today", async () => {
    const results = await eslint.lintFiles(["packages/core/src/{ledger,purchases,alerts,analytics,audit,autocharge}/**/*.ts", "packages/core/src/due-queue.ts"]);
    const offences = results.flatMap((r) => r.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => `${r.filePath}: ${m.message}`));
    expect(offences).toEqual([]);
  });
});
