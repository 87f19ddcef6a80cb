/**
 * Regenerates `src/generated/openapi.ts` from the API's OpenAPI document, built in-process
 * from the Hono app (no server): `npm run generate:client` at the repo root, or
 * `npm run generate -w @nyang/client`. `generate.test.ts` fails when the committed file is
 * stale and names this command.
 */
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript";
import { openApiDocument } from "@nyang/functions/http/openapi";

/** Where the generated types live (committed). */
export const generatedFile = fileURLToPath(new URL("../src/generated/openapi.ts", import.meta.url));

export const regenerateCommand = "npm run generate:client";

const header = `/**
 * Generated from the API's OpenAPI document (GET /v1/openapi.json) by openapi-typescript.
 * Do not edit: run \`${regenerateCommand}\` after changing a route or a schema.
 */
`;

/** The generated file's text for the app as it is now. */
export async function generateTypes(): Promise<string> {
  const doc = (await openApiDocument()) as unknown as OpenAPI3;
  const ast = await openapiTS(doc, { silent: true, alphabetize: true });
  return header + astToString(ast);
}

/** The committed file's text, or null when there is none. */
export async function committedTypes(): Promise<string | null> {
  return readFile(generatedFile, "utf8").catch(() => null);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const next = await generateTypes();
  const before = await committedTypes();
  if (before === next) console.log(`${generatedFile}: up to date`);
  else {
    await writeFile(generatedFile, next);
    console.log(`${generatedFile}: regenerated`);
  }
}
