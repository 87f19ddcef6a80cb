/// <reference path="./.sst/platform/config.d.ts" />

/**
 * The Nyang AWS app (SST v4). SST 3+ has no stacks of its own: the modules in `stacks/`
 * are plain infra modules, imported inside `run()` as SST requires, and hold no logic
 * beyond wiring. Type-checked against SST's real component types by
 * `npm run typecheck:infra`; wiring is tested without the SST CLI by test/infra.
 *
 * Before the first deploy of a stage, set the JWT settings the API verifies tokens with
 * (see stacks/api.ts):
 *   npx sst secret set NyangJwtIssuer <issuer-url> --stage <stage>
 *   npx sst secret set NyangJwtAudience <audience> --stage <stage>
 * and the Toss Payments secret key the API and the reconcile schedule use (stacks/api.ts):
 *   npx sst secret set TossSecretKey <test_sk_… or live_sk_…> --stage <stage>
 */
export default $config({
  app(input) {
    const production = input?.stage === "production";
    return {
      name: "nyang",
      removal: production ? "retain" : "remove",
      protect: production,
      home: "aws",
    };
  },
  async run() {
    const { storage } = await import("./stacks/storage");
    const { api, tossSecrets } = await import("./stacks/api");
    const { schedules } = await import("./stacks/schedules");
    const { events } = await import("./stacks/events");
    const { streams } = await import("./stacks/streams");
    const { realtime } = await import("./stacks/realtime");
    const { webConsole } = await import("./stacks/console");

    const { table } = storage();
    const toss = tossSecrets();
    const http = api({ table, toss, webConsole });
    const { bus } = events();
    const jobs = schedules({ table, toss, bus });
    const ws = realtime({ table, jwt: http.jwt });
    const consumers = streams({ table, bus, realtime: ws, toss });

    return {
      apiUrl: http.api.url,
      tableName: table.name,
      httpFunctionName: http.handler.name,
      scheduleFailuresQueueUrl: jobs.failures.url,
      eventBusName: bus.name,
      streamFailuresQueueUrl: consumers.failures.url,
      realtimeUrl: ws.api.url,
      consoleUrl: http.site?.url,
    };
  },
});
