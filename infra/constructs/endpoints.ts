/**
 * VPC endpoints for functions in isolated subnets, so they reach AWS without a NAT gateway:
 * S3 as a gateway endpoint (a route in each given route table, free), and SNS, Secrets Manager
 * and Step Functions as interface endpoints with private DNS, so the SDK's default hostnames
 * resolve to them with no client change. One security group admits HTTPS from the functions'
 * security groups only.
 *
 * Not needed, so not offered: RDS IAM tokens are signed locally by @aws-sdk/rds-signer (no call
 * to STS or RDS, https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Connecting.html);
 * Lambda ships function logs itself, outside the function's network; KMS is called by SNS and
 * Secrets Manager on the function's behalf, not by the function.
 *
 * Built from CloudFormation resources directly: the imported subnets carry no availability
 * zone, which the L2 interface endpoint needs to pick one subnet per zone.
 */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { VpcEndpointChoice, VpcIds } from '../deploy-settings';

const INTERFACE_SERVICES: [keyof VpcEndpointChoice, string, string][] = [
  ['sns', 'Sns', 'sns'],
  ['secretsManager', 'SecretsManager', 'secretsmanager'],
  ['stepFunctions', 'StepFunctions', 'states'],
];

export class Endpoints extends Construct {
  readonly securityGroup?: ec2.SecurityGroup;
  readonly endpoints: ec2.CfnVPCEndpoint[] = [];

  constructor(scope: Construct, id: string, ids: VpcIds) {
    super(scope, id);
    const choice = ids.endpoints ?? {};
    const region = Stack.of(this).region;

    if (choice.s3) {
      // deploy-settings refuses s3 without routeTableIds, naming the field.
      this.endpoints.push(new ec2.CfnVPCEndpoint(this, 'S3', {
        vpcId: ids.vpcId,
        serviceName: `com.amazonaws.${region}.s3`,
        vpcEndpointType: 'Gateway',
        routeTableIds: ids.routeTableIds!,
      }));
    }

    const wanted = INTERFACE_SERVICES.filter(([key]) => choice[key]);
    if (wanted.length === 0) return;
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: ids.vpcId,
      availabilityZones: ids.availabilityZones ?? Stack.of(this).availabilityZones,
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'pgsteward VPC endpoints: HTTPS from the pgsteward functions only',
      allowAllOutbound: false,
    });
    ids.securityGroupIds.forEach((sg) => {
      this.securityGroup!.addIngressRule(ec2.Peer.securityGroupId(sg), ec2.Port.tcp(443), `HTTPS from the functions' ${sg}`);
    });
    for (const [, name, service] of wanted) {
      this.endpoints.push(new ec2.CfnVPCEndpoint(this, name, {
        vpcId: ids.vpcId,
        serviceName: `com.amazonaws.${region}.${service}`,
        vpcEndpointType: 'Interface',
        subnetIds: ids.subnetIds,
        securityGroupIds: [this.securityGroup.securityGroupId],
        privateDnsEnabled: true,
      }));
    }
  }
}
