/**
 * A minimal Lambda context for invoking handlers in tests, shaped like the one the Node.js runtime
 * passes (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html). The remaining time
 * counts down from `timeoutMs` like a real invocation's.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export function lambdaContext(overrides: Partial<Context> & { timeoutMs?: number } = {}): Context {
  const { timeoutMs = 60_000, ...rest } = overrides;
  const functionName = rest.functionName ?? 'pgsteward-test-health';
  const deadline = Date.now() + timeoutMs;
  const fail = () => {
    throw new Error('the deprecated context.done/fail/succeed callbacks are not supported in tests');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2026/01/01/[$LATEST]${randomUUID().replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: fail,
    fail,
    succeed: fail,
    ...rest,
  };
}
