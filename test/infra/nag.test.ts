/**
 * cdk-nag's AWS Solutions checks run in their own App: with the plugin registered, synth throws
 * on any finding that is not acknowledged, so "synth does not throw" is the assertion.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledgeNagFindings, registerNag } from '../../infra/nag';
import { PgstewardStack } from '../../infra/stack';

/* eslint-disable @typescript-eslint/no-explicit-any */
const ROOT = join(__dirname, '..', '..');
const CONTEXT = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context;
const example = (): Record<string, any> => JSON.parse(readFileSync(join(ROOT, 'config', 'example.json'), 'utf8'));

function nagged(config: unknown, tamper?: (stack: PgstewardStack) => void, outdir?: string): App {
  const app = new App({ context: { ...CONTEXT, 'aws:cdk:bundling-stacks': [] }, outdir });
  const stack = new PgstewardStack(app, 'Nagged', { config });
  acknowledgeNagFindings(stack);
  tamper?.(stack);
  registerNag(app);
  return app;
}

const VPC = {
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0'],
  securityGroupIds: ['sg-0123456789abcdef0'],
};

test.each([
  ['the example config', example()],
  ['a config with a VPC', { ...example(), deploy: { vpc: VPC } }],
  ['a config without secrets', { targets: [{ id: 'db', connection: { url: 'postgres://pgsteward@db.internal/app' } }] }],
  ['a VPC with every endpoint', { ...example(), deploy: { vpc: { ...VPC, routeTableIds: ['rtb-0123456789abcdef0'], endpoints: { s3: true, sns: true, secretsManager: true, stepFunctions: true } } } }],
  ['50 targets, some with IAM authentication', {
    targets: Array.from({ length: 50 }, (_, i) => ({
      id: `db-${i}`,
      connection: i % 2 ? { url: `postgres://pgsteward@db-${i}.internal/app` } : { host: `db-${i}.internal`, database: 'app', user: 'pgsteward', iam: { resourceId: `db-ABC${i}` } },
    })),
    deploy: { fanOut: { maxConcurrency: 20 } },
  }],
])('%s synthesizes with no unacknowledged finding', (_name, config) => {
  expect(() => nagged(config).synth()).not.toThrow();
});

test.each(['health', 'advise', 'partitions'] as const)('the checks are live: an unexplained wildcard on the %s function fails synth, and it is the only finding', (advisor) => {
  const outdir = mkdtempSync(join(tmpdir(), 'pgsteward-nag-'));
  try {
    const app = nagged(example(), (stack) => {
      stack[advisor].fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    }, outdir);
    expect(() => app.synth()).toThrow();
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    const rules = report.pluginReports.flatMap((p: any) => p.violations.map((v: any) => v.ruleName));
    expect(rules).toEqual(['AwsSolutions-IAM5[Resource::*]']);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});

test('every acknowledgement names one finding and gives a real reason', () => {
  const app = nagged({ ...example(), deploy: { vpc: VPC } });
  const acknowledgements = app.node.findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
    .flatMap((m) => Object.entries(m.data as Record<string, string>));
  const ours = acknowledgements.filter(([id]) => id.includes('AwsSolutions-'));
  expect(ours.length).toBeGreaterThan(0);
  // One rule on one construct, never a whole family: ids look like AwsSolutions-IAM5[Resource::…] or AwsSolutions-SQS3.
  for (const [id] of ours) expect(id).toMatch(/AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
  // Ours and any aws-cdk-lib makes itself (e.g. CloudFormation-Validate::W3010 for stack AZs): a sentence, not a shrug.
  for (const [, reason] of acknowledgements) expect(reason.split(/\s+/).length).toBeGreaterThanOrEqual(8);
});
