/**
 * Every IAM policy statement the stack creates, scanned: a wildcard in a resource or an action
 * is allowed only in the shapes listed here, each with the reason it is acknowledged to cdk-nag
 * (infra/nag.ts). A new wildcard fails this test until it is explained in both places.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { actionsOf, Doc, example, resourcesOf, Statement, synth, VPC, withDeploy } from './template';

/* eslint-disable @typescript-eslint/no-explicit-any */
interface Allowed { reason: string; resource: RegExp; actions: RegExp }

const ALLOWED: Allowed[] = [
  {
    reason: 'report, state and archive keys are made per run; the wildcard stops at a prefix of a bucket of this stack',
    resource: /^\{"Fn::Join":\["",\[\{"Fn::GetAtt":\["(ReportsBucket|ArchiveBucket)[A-Za-z0-9]+","Arn"\]\},"\/([a-z-]+\/)+\*"\]\]\}$/,
    actions: /^s3:(GetObject|PutObject)$/,
  },
  {
    reason: 'grantInvoke covers the versions and aliases of one function of this stack',
    resource: /^\{"Fn::Join":\["",\[\{"Fn::GetAtt":\["[A-Za-z]+Function[0-9A-F]{8}","Arn"\]\},":\*"\]\]\}$/,
    actions: /^lambda:InvokeFunction$/,
  },
  {
    reason: 'Step Functions log delivery and X-Ray take no resource-level permissions',
    resource: /^"\*"$/,
    actions: /^(logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)|xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets))$/,
  },
  {
    reason: 'a partial secret ARN matches its six random characters, as Secrets Manager documents',
    resource: /^"arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:[^*]+-\?\?\?\?\?\?"$/,
    actions: /^secretsmanager:GetSecretValue$/,
  },
];
/** The one action wildcard: SNS's documented kms:GenerateDataKey* on the topic's own key. */
const ALLOWED_ACTION_WILDCARDS = ['kms:GenerateDataKey*'];

/** Statements of every IAM policy: standalone policies, inline role policies, managed policies. */
function allStatements(t: Template): Statement[] {
  const docs: Doc[] = [
    ...Object.values(t.findResources('AWS::IAM::Policy')).map((p: any) => p.Properties.PolicyDocument),
    ...Object.values(t.findResources('AWS::IAM::ManagedPolicy')).map((p: any) => p.Properties.PolicyDocument),
    ...Object.values(t.findResources('AWS::IAM::Role')).flatMap((r: any) => (r.Properties.Policies ?? []).map((p: any) => p.PolicyDocument)),
  ];
  return docs.flatMap((d) => d.Statement);
}

const fleet = (n: number): Doc => ({
  targets: Array.from({ length: n }, (_, i) => ({ id: `db-${i}`, connection: { secretArn: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:pgsteward/db-${i}` } })),
});

test.each([
  ['the example config', example()],
  ['1 target with a partial secret ARN', fleet(1)],
  ['50 targets', fleet(50)],
  ['a VPC with every endpoint', withDeploy({ vpc: { ...VPC, routeTableIds: ['rtb-0123456789abcdef0'], endpoints: { s3: true, sns: true, secretsManager: true, stepFunctions: true } } })],
  ['IAM database users', { targets: [{ id: 'a', connection: { host: 'h', database: 'd', user: 'u', iam: { resourceId: 'db-ABC' } } }] }],
])('%s: every wildcard is one of the acknowledged shapes', (_name, config) => {
  const t = synth(config);
  const stmts = allStatements(t);
  expect(stmts.length).toBeGreaterThan(10);
  const unexplained: unknown[] = [];
  for (const s of stmts) {
    if (s.Effect !== 'Allow') continue;
    for (const action of actionsOf(s)) {
      if (action.includes('*') && !ALLOWED_ACTION_WILDCARDS.includes(action)) unexplained.push({ action });
    }
    for (const r of resourcesOf(s)) {
      const text = JSON.stringify(r);
      if (!text.includes('*') && !text.includes('?')) continue;
      const rule = ALLOWED.find((a) => a.resource.test(text) && actionsOf(s).every((x) => a.actions.test(x)));
      if (!rule) unexplained.push({ resource: r, actions: actionsOf(s) });
    }
  }
  expect(unexplained).toEqual([]);
});

test('the scan is live: a wildcard of a new shape is reported', () => {
  const stmt: Statement = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
  const matched = ALLOWED.find((a) => a.resource.test(JSON.stringify(stmt.Resource)) && actionsOf(stmt).every((x) => a.actions.test(x)));
  expect(matched).toBeUndefined();
  // A whole bucket, not a prefix of it, is not an allowed shape either.
  const bucket = JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['ReportsBucket95FE29A2', 'Arn'] }, '/*']] });
  expect(ALLOWED[0].resource.test(bucket)).toBe(false);
});
