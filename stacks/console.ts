/**
 * The operators' console (packages/admin) as a static site on S3 + CloudFront, built at
 * deploy against the stage's API URL. Operators sign in with a token of the stage's
 * identity provider (admin role); the console keeps it for the browser session only.
 */
export function webConsole(apiUrl: $util.Output<string>) {
  return new sst.aws.StaticSite("Console", {
    path: "packages/admin",
    build: { command: "npm run build", output: "dist" },
    environment: { VITE_NYANG_API_URL: apiUrl },
  });
}
