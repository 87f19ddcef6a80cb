import { randomBytes, randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";

/**
 * The `Context` Lambda hands a handler, for one local invocation: the same fields, a
 * deadline the handler can read, and the callback-style methods refused (Nyang's
 * handlers are async; a call to one of them is a bug worth hearing about).
 */
export function lambdaContext(functionName: string, deadline: number): Context {
  const region = process.env.AWS_REGION ?? "us-east-1";
  const day = new Date().toISOString().slice(0, 10).replaceAll("-", "/");
  const unsupported = (name: string) => () => {
    throw new Error(`context.${name}() is not supported locally: return (or throw) from the async handler instead`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: "1024",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString("hex")}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported("done"),
    fail: unsupported("fail"),
    succeed: unsupported("succeed"),
  };
}
