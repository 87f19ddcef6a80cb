import { describe, expect, it } from "vitest";
import { committedTypes, generateTypes, generatedFile, regenerateCommand } from "../scripts/generate.ts";

// Unit (no database): the API's OpenAPI document is built in-process from the Hono app.
describe("generated OpenAPI types", () => {
  it("are up to date with the app's OpenAPI document", async () => {
    const [fresh, committed] = await Promise.all([generateTypes(), committedTypes()]);
    expect(committed, `${generatedFile} is missing: run \`${regenerateCommand}\``).not.toBeNull();
    // A diff of 3000 lines helps nobody: say what to do.
    expect(committed === fresh, `${generatedFile} is stale (a route or schema changed): run \`${regenerateCommand}\` and commit the result`).toBe(true);
  });

  it("type the analytics routes with real schemas, not open records", async () => {
    const text = await generateTypes();
    for (const name of ["Alert", "DailyUsage", "AccountAnalytics", "Revenue", "TopUsers", "Recommendation"]) {
      expect(text).toMatch(new RegExp(`\\n        ${name}: \\{\\n`));
    }
    // The old open record for a read alert is gone: it is an Alert now.
    expect(text).not.toMatch(/\n {8}AlertRead: \{/);
  });
});
