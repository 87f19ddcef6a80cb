import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * The DynamoDB clients, made once per process. `DYNAMODB_ENDPOINT` points them at
 * DynamoDB Local; unset, the SDK's own region and credential chain (Lambda's) apply.
 */
export function createDynamoClients(env: { DYNAMODB_ENDPOINT?: string | undefined; AWS_REGION?: string | undefined }) {
  const endpoint = env.DYNAMODB_ENDPOINT;
  const client = new DynamoDBClient({
    // DynamoDB Local ignores the region but the SDK will not sign without one: a placeholder only
    // there. Against AWS the SDK's provider chain (AWS_REGION, the profile's region) decides.
    ...(endpoint ? { endpoint, ...(env.AWS_REGION ? {} : { region: "us-east-1" }) } : {}),
  });
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
  return { client, doc };
}

export type DynamoClients = ReturnType<typeof createDynamoClients>;
