/**
 * A VPC for the sync functions with a fixed egress address: private subnets whose traffic leaves
 * through NAT gateways with Elastic IPs made here, so the addresses are known at deploy time and
 * can be allow-listed in Okta, Slack and the like before the first sync. Each NAT gateway costs
 * by the hour and per GB processed; one is enough unless you want egress to survive the loss of
 * an availability zone.
 */
import { Validations } from 'aws-cdk-lib';
import { CfnEIP, NatProvider, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export interface EgressVpcProps {
  /** NAT gateways, one per zone up to maxAzs (default 1): one Elastic IP each. */
  readonly natGateways?: number;
  /** Availability zones for the private subnets (default 2). */
  readonly maxAzs?: number;
}

export class EgressVpc extends Construct {
  readonly vpc: Vpc;
  /** The NAT gateways' Elastic IPs: the functions' only egress addresses. */
  readonly egressIps: CfnEIP[];

  constructor(scope: Construct, id: string, props: EgressVpcProps = {}) {
    super(scope, id);
    const natGateways = props.natGateways ?? 1;
    this.egressIps = Array.from({ length: natGateways }, (_, i) => new CfnEIP(this, `EgressIp${i + 1}`, { domain: 'vpc' }));
    this.vpc = new Vpc(this, 'Vpc', {
      maxAzs: props.maxAzs ?? 2,
      natGateways,
      natGatewayProvider: NatProvider.gateway({ eipAllocationIds: this.egressIps.map((ip) => ip.attrAllocationId) }),
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
      // Would add a custom-resource function to empty the default security group, which nothing uses.
      restrictDefaultSecurityGroup: false,
    });
    Validations.of(this.vpc).acknowledge({
      id: 'AwsSolutions-VPC7',
      reason:
        "The VPC carries only the sync functions' HTTPS calls to the SaaS APIs and AWS services, nothing inbound; " +
        'flow logs would cost more than the syncs. Add them with vpc.addFlowLog() if your policy requires them.',
    });
  }
}
