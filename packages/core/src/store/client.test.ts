import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createDynamoClients } from "./client.ts";

/** A shared AWS config file whose default profile names `region`, as `aws configure` writes it. */
function profileWithRegion(region: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "nyang-aws-")), "config");
  writeFileSync(file, `[default]\nregion = ${region}\n`);
  return file;
}

describe("createDynamoClients: the region", () => {
  afterEach(() => void vi.unstubAllEnvs());

  it("leaves the region to the SDK's provider chain (the profile's) when no endpoint is given", async () => {
    vi.stubEnv("AWS_REGION", undefined);
    vi.stubEnv("AWS_PROFILE", "default");
    vi.stubEnv("AWS_CONFIG_FILE", profileWithRegion("ap-northeast-2"));
    const { client } = createDynamoClients({});
    expect(await client.config.region()).toBe("ap-northeast-2");
  });

  it("uses AWS_REGION when it is set", async () => {
    vi.stubEnv("AWS_REGION", "eu-west-1");
    const { client } = createDynamoClients({ AWS_REGION: "eu-west-1" });
    expect(await client.config.region()).toBe("eu-west-1");
  });

  it("gives DynamoDB Local a placeholder region when none is set", async () => {
    vi.stubEnv("AWS_REGION", undefined);
    vi.stubEnv("AWS_CONFIG_FILE", join(tmpdir(), "nyang-no-such-aws-config"));
    const { client } = createDynamoClients({ DYNAMODB_ENDPOINT: "http://127.0.0.1:8000" });
    expect(await client.config.region()).toBe("us-east-1");
  });
});
