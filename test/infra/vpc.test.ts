// The vpc option: your VPC by ids (per deployment, overridden per instance) or one created with NAT
// gateways whose Elastic IPs are outputs; only the network-interface permissions Lambda needs; cdk-nag clean.
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupOutdirs, policyStatements, resourcesOf, synth } from './helpers.ts';

afterAll(cleanupOutdirs);

const EXISTING = {
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
  securityGroupIds: ['sg-0cccccccccccccccc'],
};

describe('vpc', () => {
  it('created: NAT gateways on Elastic IPs made with the stack, whose addresses are outputs; functions in the private subnets', () => {
    const { template } = synth({ connectors: ['slack', 'segment'], vpc: { create: true, natGateways: 2 } }, { nag: true });
    const eips = resourcesOf(template, 'AWS::EC2::EIP');
    expect(Object.keys(eips)).toHaveLength(2);
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(
      Object.keys(outputs)
        .filter((k) => k.startsWith('EgressIp'))
        .sort(),
    ).toEqual(['EgressIp1', 'EgressIp2']);
    expect(Object.keys(eips).map((id) => ({ Ref: id }))).toEqual(expect.arrayContaining([outputs['EgressIp1']!.Value, outputs['EgressIp2']!.Value]));
    for (const fn of Object.values(resourcesOf(template, 'AWS::Lambda::Function'))) {
      expect(fn.Properties!['VpcConfig']['SubnetIds']).toHaveLength(2);
      expect(JSON.stringify(fn.Properties!['VpcConfig']['SubnetIds'])).toContain('privateSubnet');
    }
  });

  it('existing, by ids: those subnets and security groups; an instance can opt out', () => {
    const { template } = synth({ connectors: ['slack', { name: 'segment', vpc: false }], vpc: EXISTING }, { nag: true });
    const fns = Object.values(resourcesOf(template, 'AWS::Lambda::Function'));
    const slack = fns.find((f) => f.Properties!['FunctionName'] === 'BatonServerless-slack-sync')!;
    const segment = fns.find((f) => f.Properties!['FunctionName'] === 'BatonServerless-segment-sync')!;
    expect(slack.Properties!['VpcConfig']).toEqual({ SubnetIds: EXISTING.subnetIds, SecurityGroupIds: EXISTING.securityGroupIds });
    expect(segment.Properties!['VpcConfig']).toBeUndefined();
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
  });

  it('the role gains only the network-interface actions, creating only in its own subnets and security groups', () => {
    const { template } = synth({ connectors: ['slack'], vpc: EXISTING });
    const statements = policyStatements(template, 'SlackSyncRole');
    const eni = statements.filter((s) => JSON.stringify(s.Action).includes('ec2:'));
    expect(eni.map((s) => s.Sid).sort()).toEqual(['CreateOwnNetworkInterfaces', 'DescribeNetworkInterfaces', 'ManageNetworkInterfaces']);
    expect(eni.find((s) => s.Sid === 'DescribeNetworkInterfaces').Resource).toBe('*');
    const create = JSON.stringify(eni.find((s) => s.Sid === 'CreateOwnNetworkInterfaces').Resource);
    for (const id of [...EXISTING.subnetIds, ...EXISTING.securityGroupIds]) expect(create).toContain(id);
    expect(create).toContain('network-interface/*');
    template.resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: expect.anything() }, 0);
  });

  it('rejects a VPC without subnets, and more NAT gateways than zones, naming the key', () => {
    expect(() => synth({ connectors: ['slack'], vpc: { vpcId: EXISTING.vpcId, subnetIds: [] } })).toThrow(/"vpc.subnetIds": list at least one subnet|"vpc"/);
    expect(() => synth({ connectors: ['slack'], vpc: { create: true, natGateways: 3, maxAzs: 2 } })).toThrow(
      /"vpc.natGateways": at most one NAT gateway per availability zone/,
    );
  });
});
