/**
 * What a function's role needs to run in a VPC, and no more: Lambda creates, describes and deletes
 * the function's network interfaces with the execution role's permissions. Describing cannot be
 * limited to resources in IAM; creating is limited to the function's own subnets and security
 * groups, and every change to network interfaces in this account and region (their ids are made
 * at run time). This replaces AWSLambdaVPCAccessExecutionRole, whose every action is on "*".
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFn } from 'aws-cdk-lib/aws-lambda';

export function vpcInterfaceStatements(
  fn: LambdaFn,
  vpc: IVpc,
  vpcSubnets?: SubnetSelection,
): { statements: PolicyStatement[]; wildcards: { resource: string; reason: string }[] } {
  const stack = Stack.of(fn);
  const ec2Arn = (resource: string, resourceName: string) =>
    stack.formatArn({ service: 'ec2', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  const interfaces = ec2Arn('network-interface', '*');
  const subnets = vpc.selectSubnets(vpcSubnets).subnetIds.map((id) => ec2Arn('subnet', id));
  const groups = fn.connections.securityGroups.map((g) => ec2Arn('security-group', g.securityGroupId));
  return {
    statements: [
      new PolicyStatement({
        sid: 'DescribeNetworkInterfaces',
        actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
        resources: ['*'],
      }),
      new PolicyStatement({
        sid: 'CreateOwnNetworkInterfaces',
        actions: ['ec2:CreateNetworkInterface'],
        resources: [interfaces, ...subnets, ...groups],
      }),
      new PolicyStatement({
        sid: 'ManageNetworkInterfaces',
        actions: ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
        resources: [interfaces],
      }),
    ],
    wildcards: [
      {
        resource: '*',
        reason:
          'ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets support no resource-level permissions; Lambda needs them to attach the function to its subnets.',
      },
      {
        resource: interfaces,
        reason:
          "Network interfaces Lambda creates for this function (ids made at run time), in the function's own subnets " +
          'and security groups only; deleting and re-addressing them is what Lambda does when it scales or updates the function.',
      },
    ],
  };
}
