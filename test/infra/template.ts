/**
 * Shared by the assertion tests on the synthesized stack: building it (bundling skipped unless
 * asked), and finding one advisor's function, role, policies, schedule and queue in the template.
 * The stack holds one function per advisor, so tests name the advisor instead of assuming one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PgstewardStack } from '../../infra/stack';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Doc = Record<string, any>;
export type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
export type AdvisorName = 'health' | 'advise' | 'partitions';
export const ADVISORS: AdvisorName[] = ['health', 'advise', 'partitions'];

export const ROOT = join(__dirname, '..', '..');
export const CONTEXT = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context;
export const example = (): Doc => JSON.parse(readFileSync(join(ROOT, 'config', 'example.json'), 'utf8'));
export const withDeploy = (deploy: Doc): Doc => ({ ...example(), deploy: { ...example().deploy, ...deploy } });
export const target = (connection: Doc) => ({ targets: [{ id: 'db', connection }] });
export const VPC = {
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
  securityGroupIds: ['sg-0123456789abcdef0'],
};

export function stackFor(config: unknown, bundle = false, outdir?: string): PgstewardStack {
  const context = bundle ? CONTEXT : { ...CONTEXT, 'aws:cdk:bundling-stacks': [] };
  return new PgstewardStack(new App({ context, outdir }), 'Test', { config, configSource: 'test config' });
}
export const synth = (config: unknown) => Template.fromStack(stackFor(config));

export const actionsOf = (s: Statement) => ([] as string[]).concat(s.Action);
export const resourcesOf = (s: Statement) => ([] as unknown[]).concat(s.Resource);

export function statements(t: Template): Statement[] {
  return Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

/** The one resource of a type matching `props`, as [logical id, resource]. */
export function onlyOf(t: Template, type: string, props: Doc = {}): [string, any] {
  const all = Object.entries(t.findResources(type, props));
  expect(all).toHaveLength(1);
  return all[0];
}

/** The logical id of the archive bucket (the only versioned one). */
export const archiveBucketId = (t: Template): string =>
  onlyOf(t, 'AWS::S3::Bucket', { Properties: { VersioningConfiguration: { Status: 'Enabled' } } })[0];

/** The logical id of the reports bucket (the only one with a lifecycle rule on the reports prefix). */
export const reportsBucketId = (t: Template): string => {
  const found = Object.entries(t.findResources('AWS::S3::Bucket'))
    .filter(([, b]: [string, any]) => JSON.stringify(b.Properties.LifecycleConfiguration ?? {}).includes('expire-reports'));
  expect(found).toHaveLength(1);
  return found[0][0];
};

/** The advisor's function, found by the description AdvisorFunction gives it. */
export const advisorFunction = (t: Template, advisor: AdvisorName) =>
  onlyOf(t, 'AWS::Lambda::Function', { Properties: { Description: `pgsteward ${advisor} advisor` } });

export function functionRole(t: Template, advisor: AdvisorName): [string, any] {
  const ref = advisorFunction(t, advisor)[1].Properties.Role['Fn::GetAtt'][0];
  return [ref, t.toJSON().Resources[ref]];
}

/** Statements of the policies attached to the advisor's function role. */
export function roleStatements(t: Template, advisor: AdvisorName): Statement[] {
  const [role] = functionRole(t, advisor);
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === role))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

/** The fleet summary function, shared by the three state machines. */
export const summaryFunction = (t: Template) =>
  onlyOf(t, 'AWS::Lambda::Function', { Properties: { Description: 'pgsteward fleet summary' } });

/** The state machine that fans the advisor out over the targets (its definition names the advisor's function). */
export function advisorStateMachine(t: Template, advisor: AdvisorName): [string, any] {
  const [fn] = advisorFunction(t, advisor);
  const found = Object.entries(t.findResources('AWS::StepFunctions::StateMachine'))
    .filter(([, m]: [string, any]) => JSON.stringify(m.Properties.DefinitionString).includes(`"${fn}"`));
  expect(found).toHaveLength(1);
  return found[0];
}

/**
 * A state machine's definition as an object: the CloudFormation references inside it (function
 * ARNs) become "<ref>" so the joined text parses.
 */
export function definitionOf(machine: any): Doc {
  const def = machine.Properties.DefinitionString;
  const text = typeof def === 'string' ? def : def['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : '<ref>')).join('');
  return JSON.parse(text);
}

/** The schedule whose target is the advisor's state machine. */
export function advisorSchedule(t: Template, advisor: AdvisorName): any {
  const [machine] = advisorStateMachine(t, advisor);
  const found = Object.values(t.findResources('AWS::Scheduler::Schedule'))
    .filter((s: any) => JSON.stringify(s.Properties.Target.Arn) === JSON.stringify({ Ref: machine }));
  expect(found).toHaveLength(1);
  return found[0];
}

/** The asynchronous-invocation settings of the advisor's function. */
export function invokeConfig(t: Template, advisor: AdvisorName): any {
  const [fn] = advisorFunction(t, advisor);
  const found = Object.values(t.findResources('AWS::Lambda::EventInvokeConfig'))
    .filter((c: any) => c.Properties.FunctionName.Ref === fn);
  expect(found).toHaveLength(1);
  return found[0];
}
