/**
 * Network and database access as synthesized: VPC endpoints only when asked (S3 gateway on the
 * given route tables; SNS, Secrets Manager, Step Functions as private-DNS interface endpoints
 * behind a security group open to the functions' groups on 443), and RDS IAM authentication
 * granted on exactly the configured database users, to the advisors only.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { deploySettings } from '../../infra/deploy-settings';
import { actionsOf, ADVISORS, example, resourcesOf, roleStatements, stackFor, Statement, summaryFunction, synth, VPC, withDeploy } from './template';

/* eslint-disable @typescript-eslint/no-explicit-any */
const ROUTES = ['rtb-0123456789abcdef0', 'rtb-0fedcba9876543210'];
const ALL = { s3: true, sns: true, secretsManager: true, stepFunctions: true };
const endpoints = (t: Template) => Object.values(t.findResources('AWS::EC2::VPCEndpoint')).map((e: any) => e.Properties);
const service = (e: any) => JSON.stringify(e.ServiceName).replace(/.*\.([a-z0-9]+)"\]\]\}$/, '$1');

describe('VPC endpoints', () => {
  test('none without deploy.vpc.endpoints, with or without a VPC', () => {
    for (const config of [example(), withDeploy({ vpc: VPC }), withDeploy({ vpc: { ...VPC, routeTableIds: ROUTES } })]) {
      const t = synth(config);
      t.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
      t.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    }
  });

  test('all four when asked: S3 as a gateway on the route tables, the rest as private-DNS interfaces in the functions\' subnets', () => {
    const t = synth(withDeploy({ vpc: { ...VPC, routeTableIds: ROUTES, endpoints: ALL } }));
    const found = endpoints(t);
    expect(found.map(service).sort()).toEqual(['s3', 'secretsmanager', 'sns', 'states']);
    const s3 = found.find((e) => service(e) === 's3')!;
    expect(s3).toMatchObject({ VpcEndpointType: 'Gateway', VpcId: VPC.vpcId, RouteTableIds: ROUTES });
    for (const e of found.filter((x) => service(x) !== 's3')) {
      expect(e).toMatchObject({ VpcEndpointType: 'Interface', VpcId: VPC.vpcId, SubnetIds: VPC.subnetIds, PrivateDnsEnabled: true });
    }
  });

  test('only the ones asked for', () => {
    const t = synth(withDeploy({ vpc: { ...VPC, endpoints: { sns: true, secretsManager: false } } }));
    expect(endpoints(t).map(service)).toEqual(['sns']);
  });

  test('their security group admits HTTPS from the functions\' security groups only, and sends nothing', () => {
    const groups = ['sg-0123456789abcdef0', 'sg-0fedcba9876543210'];
    const t = synth(withDeploy({ vpc: { ...VPC, securityGroupIds: groups, endpoints: { sns: true } } }));
    const [, sg] = Object.entries(t.findResources('AWS::EC2::SecurityGroup'))[0] as [string, any];
    const ingress = [
      ...(sg.Properties.SecurityGroupIngress ?? []),
      ...Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')).map((r: any) => r.Properties),
    ];
    expect(ingress.map((r) => [r.SourceSecurityGroupId, r.IpProtocol, r.FromPort, r.ToPort]).sort()).toEqual(groups.map((g) => [g, 'tcp', 443, 443]));
    expect(JSON.stringify(ingress)).not.toContain('0.0.0.0/0');
    // CDK's "no egress" placeholder: a rule to 255.255.255.255/32 that matches no traffic.
    expect(sg.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
  });

  test('S3 without route tables is refused, naming the field', () => {
    expect(() => stackFor(withDeploy({ vpc: { ...VPC, endpoints: { s3: true } } }))).toThrow(/deploy\.vpc\.routeTableIds: required when deploy\.vpc\.endpoints\.s3/);
  });

  test.each([
    [{ endpoints: { sts: true } }, /deploy\.vpc\.endpoints.*sts/],
    [{ routeTableIds: ['table-1'] }, /deploy\.vpc\.routeTableIds/],
  ])('refuses %j', (extra, message) => {
    expect(() => deploySettings(withDeploy({ vpc: { ...VPC, ...extra } }))).toThrow(message);
  });
});

describe('RDS IAM authentication', () => {
  const iamTarget = (id: string, iam: object, user = 'pgsteward') => ({ id, connection: { host: `${id}.internal`, database: 'app', user, iam } });
  const connect = (t: Template, who: Statement[]) => who.filter((s) => actionsOf(s).includes('rds-db:connect'));

  test('grants rds-db:connect on exactly each configured user, to the three advisors and not the summary', () => {
    const t = synth({
      targets: [
        iamTarget('a', { resourceId: 'db-ABCDEFGHIJKL' }),
        iamTarget('b', { resourceId: 'cluster-XYZ123', region: 'eu-central-1' }, 'monitor'),
        // The same user through a second target is granted once.
        iamTarget('c', { resourceId: 'db-ABCDEFGHIJKL' }),
      ],
    });
    for (const a of ADVISORS) {
      const found = connect(t, roleStatements(t, a));
      expect(found).toHaveLength(1);
      expect(resourcesOf(found[0])).toEqual([
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds-db:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':dbuser:db-ABCDEFGHIJKL/pgsteward']] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds-db:eu-central-1:', { Ref: 'AWS::AccountId' }, ':dbuser:cluster-XYZ123/monitor']] },
      ]);
    }
    const summaryRole = summaryFunction(t)[1].Properties.Role['Fn::GetAtt'][0];
    const summaryStatements = Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === summaryRole))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(connect(t, summaryStatements)).toEqual([]);
  });

  test('no rds-db statement at all without an IAM target', () => {
    expect(JSON.stringify(synth(example()).toJSON())).not.toContain('rds-db');
  });

  test('an IAM target without iam.resourceId is refused at synth, naming the field', () => {
    const doc = { targets: [{ id: 'ok', connection: { url: 'postgres://pgsteward@h/app' } }, iamTarget('b', {})] };
    expect(() => stackFor(doc)).toThrow(/targets\[1\]\.connection\.iam\.resourceId: required to deploy/);
  });
});
