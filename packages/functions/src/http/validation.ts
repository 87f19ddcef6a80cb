import type { z } from "@hono/zod-openapi";
import { ApiError } from "./api-error.ts";
import { INVALID_AMOUNT } from "./schemas.ts";

/**
 * The validation hook every route shares: a zod failure becomes docs/api.md's
 * `validation_failed` listing the fields, or `invalid_amount` when an amount was the
 * problem.
 */
export function validationHook(
  result: { success: true } | { success: false; error: z.ZodError; target?: string },
): void {
  if (result.success) return;
  const issues = result.error.issues;
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const at = issue.path.map(String);
    // An unknown field is reported by its own name, not as its parent (or the body, `json`).
    const names = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...at, k].join(".")) : [at.join(".")];
    const message = issue.code === "unrecognized_keys" ? "unknown field" : issue.message;
    for (const name of names) fields[name || (result.target === "json" ? "body" : (result.target ?? "body"))] ??= message;
  }
  const amountIssue = issues.find(
    (i) => i.code === "custom" && (i as { params?: { code?: string } }).params?.code === INVALID_AMOUNT,
  );
  if (amountIssue) {
    throw new ApiError("invalid_amount", "Amounts are decimal strings with at most two fraction digits, like \"3.00\"", {
      fields,
    });
  }
  throw new ApiError("validation_failed", "The request does not match the schema", { fields });
}
