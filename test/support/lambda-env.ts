/**
 * The Lambda handlers from source, each invoke a cold start: functions/constants.ts reads the
 * environment once and functions/middleware/runtime.ts builds its clients once per container, so
 * a test sets the environment as the stack would, loads the handler in a fresh module registry
 * and mocks the SDK classes of THAT registry (a mock of the test file's own @aws-sdk classes would
 * not intercept the handler's). SNS is always mocked (no local server); S3 is s3rver.
 *
 *   const lambda = useLambdaEnv();                       // in a describe: saves/restores the env
 *   const l = lambda.coldStart({ PGSTEWARD_CONFIG: … });  // defaults: region, s3rver credentials
 *   const { handler } = l.load<typeof import('../../functions/health')>('functions/health');
 */
import { join } from 'node:path';
import type { AwsStub } from 'aws-sdk-client-mock';

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-require-imports */

const ROOT = join(__dirname, '..', '..');

/** Every variable a handler or the SDK reads: cleared before each cold start, restored after the file. */
export const LAMBDA_ENV_KEYS = [
  'PGSTEWARD_CONFIG', 'PGSTEWARD_CONFIG_FILE', 'PGSTEWARD_REPORTS_BUCKET', 'PGSTEWARD_STATE_BUCKET', 'PGSTEWARD_TOPIC_ARN',
  'PGSTEWARD_S3_ENDPOINT', 'PGSTEWARD_ARCHIVE_BUCKET', 'PGSTEWARD_CONCURRENCY', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_MAX_ATTEMPTS', 'POWERTOOLS_LOG_LEVEL', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
];

export interface ColdStart {
  /** The SNS stub of this registry (every Publish resolves). */
  sns: AwsStub<any, any, any>;
  PublishCommand: any;
  /** The inputs of every Publish so far. */
  published(): any[];
  /** A module of this registry, by its path from the repository root (`functions/health`). */
  load<T = any>(modulePath: string): T;
}

export interface LambdaEnv {
  /** setLambdaEnv(env), then a fresh registry with SNS mocked; `mock` adds stubs of that registry's classes. */
  coldStart(env: Record<string, string>, mock?: (req: NodeRequire) => AwsStub<any, any, any>[]): ColdStart;
}

/** Saves LAMBDA_ENV_KEYS before the file's tests and restores them after. */
export function useSavedEnv(): void {
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    for (const k of LAMBDA_ENV_KEYS) saved[k] = process.env[k];
  });
  afterAll(() => {
    for (const k of LAMBDA_ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });
}

/**
 * Clears LAMBDA_ENV_KEYS and sets `env` over what every invocation here shares: us-east-1,
 * s3rver's credentials (found by the default provider chain like a Lambda role's), Powertools
 * silent unless PGSTEWARD_TEST_VERBOSE.
 */
export function setLambdaEnv(env: Record<string, string>): void {
  for (const k of LAMBDA_ENV_KEYS) delete process.env[k];
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    POWERTOOLS_LOG_LEVEL: process.env.PGSTEWARD_TEST_VERBOSE ? 'DEBUG' : 'SILENT',
    // Each cold start loads the SDK afresh, and would print its Node 20 notice again.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...env,
  });
}

export function useLambdaEnv(): LambdaEnv {
  useSavedEnv();
  const stubs: AwsStub<any, any, any>[] = [];
  afterEach(() => {
    while (stubs.length) stubs.pop()!.restore();
  });
  return {
    coldStart(env, mock) {
      setLambdaEnv(env);
      jest.resetModules();
      const { SNSClient, PublishCommand } = require('@aws-sdk/client-sns');
      const { mockClient } = require('aws-sdk-client-mock');
      const sns = mockClient(SNSClient);
      sns.on(PublishCommand).resolves({ MessageId: 'test-message' });
      stubs.push(sns, ...(mock?.(require) ?? []));
      require(join(ROOT, 'functions/middleware/runtime')).resetRuntime();
      return {
        sns,
        PublishCommand,
        published: () => sns.commandCalls(PublishCommand).map((c: any) => c.args[0].input),
        load: (modulePath: string) => require(join(ROOT, modulePath)),
      };
    },
  };
}
