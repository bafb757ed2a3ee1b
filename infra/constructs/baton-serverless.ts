/**
 * The whole deployment, as `cdk deploy` of this repository makes it: the bucket (or yours), one
 * ConnectorSync per connector instance sharing one failed-runs queue and one dashboard, the
 * ConductorOne read role (when an external ID is configured), the provisioning endpoint (when
 * configured), the alarm topic (when an e-mail is configured), the VPC option, and the outputs a
 * user needs next: bucket, role ARN, secrets, object keys, function names, invoke commands,
 * provisioning URL, egress IPs.
 *
 * Its settings are cdk.json's context keys, validated the same way. Put it in a stack with the id
 * `Default` to keep the logical ids of a stack that holds the resources directly.
 */
import { Aws, CfnOutput, Duration, Stack, Tags, Validations } from 'aws-cdk-lib';
import { type ISecurityGroup, type IVpc, SecurityGroup, Subnet, type SubnetSelection, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { Code } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { z } from 'zod';
import {
  type Config,
  type ConnectorConfig,
  checkpointPrefix,
  type configSchema,
  functionName,
  type instanceSchema,
  jtiPrefix,
  LIVE_ALIAS,
  loadConfig,
  objectKey,
  pascal,
  SERVICE_NAME,
} from '../config.ts';
import { ConductorOneAccessRole } from './conductorone-access-role.ts';
import { acknowledgeFailureQueue, ConnectorSync, checkpointExpirationDays } from './connector-sync.ts';
import { EgressVpc } from './egress-vpc.ts';
import { ProvisioningEndpoint } from './provisioning-endpoint.ts';
import { SyncBucket } from './sync-bucket.ts';
import { SyncMonitoring } from './sync-monitoring.ts';

/** One entry of `connectors`: a registry name, or an instance (`{ id, connector, ... }` or `{ name, ... }`). */
export type ConnectorEntry = string | (Partial<z.input<typeof instanceSchema>> & { name?: string });

/** cdk.json's context keys (see docs/constructs.md); unset keys take the same defaults. */
export type BatonServerlessSettings = Omit<Partial<z.input<typeof configSchema>>, 'connectors'> & { connectors?: ConnectorEntry[] };

export interface BatonServerlessProps extends BatonServerlessSettings {
  /** Your bucket instead of one created (cdk.json's bucket.existingBucketName does the same by name). */
  readonly existingBucketObj?: IBucket;
  /** The customer KMS key of existingBucketObj, if it uses one. */
  readonly existingBucketKeyObj?: IKey;
  /** Every function in this VPC (instead of the `vpc` key); an instance's own `vpc` key still wins. */
  readonly existingVpcObj?: IVpc;
  readonly vpcSubnets?: SubnetSelection;
  readonly securityGroups?: ISecurityGroup[];
  /** Overrides each instance's code (tests). */
  readonly code?: (connector: ConnectorConfig) => Code;
  /** Overrides the provisioning function's code (tests). */
  readonly provisioningCode?: Code;
}

/** The exact command for an on-demand sync (`--cli-read-timeout 0`: a sync can take minutes). */
export function invokeCommand(name: string, region: string, payload = '{}'): string {
  return (
    `aws lambda invoke --region ${region} --function-name ${name} ` +
    `--cli-binary-format raw-in-base64-out --cli-read-timeout 0 --payload '${payload}' sync-result.json`
  );
}

interface Placement {
  vpc: IVpc;
  vpcSubnets?: SubnetSelection;
  securityGroups?: ISecurityGroup[];
}

export class BatonServerless extends Construct {
  readonly config: Config;
  readonly syncBucket: SyncBucket;
  readonly bucket: IBucket;
  readonly syncs: Record<string, ConnectorSync> = {};
  readonly failureQueue: Queue;
  readonly accessRole?: ConductorOneAccessRole;
  readonly monitoring: SyncMonitoring;
  readonly alarmTopic?: Topic;
  readonly provisioning?: ProvisioningEndpoint;
  /** The VPC made for fixed egress (`vpc: { create: true }`). */
  readonly egressVpc?: EgressVpc;

  constructor(scope: Construct, id: string, props: BatonServerlessProps = {}) {
    super(scope, id);
    const { existingBucketObj, existingBucketKeyObj, existingVpcObj, vpcSubnets, securityGroups, code, provisioningCode, ...settings } = props;
    const config = loadConfig({ stackName: Stack.of(this).stackName, ...settings });
    this.config = config;
    Tags.of(this).add('app', SERVICE_NAME);

    this.syncBucket = new SyncBucket(this, 'SyncBucket', {
      config: config.bucket,
      ...(existingBucketObj ? { existingBucket: existingBucketObj, ...(existingBucketKeyObj ? { existingKey: existingBucketKeyObj } : {}) } : {}),
      expiringPrefixes: [
        ...config.connectors.map((c) => ({
          id: `expire-checkpoints-${c.id}`,
          prefix: checkpointPrefix(config, c.id),
          days: checkpointExpirationDays(c.checkpointMaxAgeHours),
        })),
        // A token id only has to outlive the token (minutes); a day is S3's shortest expiration.
        ...(config.provisioning ? [{ id: 'expire-provisioning-jti', prefix: jtiPrefix(config), days: 1 }] : []),
      ],
    });
    this.bucket = this.syncBucket.bucket;
    const bucketKey = this.syncBucket.encryptionKey;

    this.failureQueue = new Queue(this, 'FailedRuns', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeFailureQueue(this.failureQueue);

    if (config.alarmEmail) {
      this.alarmTopic = new Topic(this, 'Alarms', {
        displayName: 'Baton sync alarms',
        enforceSSL: true,
      });
      this.alarmTopic.addSubscription(new EmailSubscription(config.alarmEmail));
      Validations.of(this.alarmTopic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason:
          'Alarm notifications carry alarm names and states only, no data; CloudWatch cannot publish to a topic ' +
          'encrypted with the AWS-managed SNS key, and a customer key costs more than the messages are worth.',
      });
    }
    this.monitoring = new SyncMonitoring(this, 'Monitoring', {
      dashboardName: config.stackName,
      alarmPrefix: config.stackName,
      namespace: config.metricsNamespace,
      ...(this.alarmTopic ? { alarmTopic: this.alarmTopic } : {}),
    });

    // --- network ------------------------------------------------------------------------------------
    let placement: Placement | undefined;
    if (existingVpcObj) {
      placement = { vpc: existingVpcObj, ...(vpcSubnets ? { vpcSubnets } : {}), ...(securityGroups ? { securityGroups } : {}) };
    } else if (config.vpc && 'create' in config.vpc) {
      this.egressVpc = new EgressVpc(this, 'Egress', { natGateways: config.vpc.natGateways, maxAzs: config.vpc.maxAzs });
      placement = { vpc: this.egressVpc.vpc, vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS } };
    } else if (config.vpc) {
      placement = this.importPlacement('Vpc', config.vpc);
    }

    // Construct ids come from the instance id alone: a short-form entry ("segment") keeps the logical
    // ids it had before instances existed.
    for (const connector of config.connectors) {
      const own = connector.vpc === false ? undefined : connector.vpc ? this.importPlacement(`${pascal(connector.id)}Vpc`, connector.vpc) : placement;
      const { id: instanceId, connector: type, secret, secretKmsKeyArn, vpc: _vpc, ...instanceSettings } = connector;
      this.syncs[instanceId] = new ConnectorSync(this, `${pascal(instanceId)}Sync`, {
        connector: type,
        instanceId,
        namePrefix: config.stackName,
        keyPrefix: config.keyPrefix,
        ...instanceSettings,
        existingBucketObj: this.bucket,
        ...(bucketKey ? { existingBucketKeyObj: bucketKey } : {}),
        ...(secret ? { existingSecretObj: this.importSecret(`${pascal(instanceId)}ExistingSecret`, secret) } : {}),
        ...(secretKmsKeyArn ? { existingSecretKeyObj: Key.fromKeyArn(this, `${pascal(instanceId)}SecretKey`, secretKmsKeyArn) } : {}),
        existingQueueObj: this.failureQueue,
        monitoring: this.monitoring,
        metricsNamespace: config.metricsNamespace,
        logLevel: config.logLevel,
        logRetentionDays: config.logRetentionDays,
        durableRetentionDays: config.durableRetentionDays,
        ...(own ? own : {}),
        ...(code ? { code: code(connector) } : {}),
      });
    }

    if (config.conductorOneExternalId) {
      this.accessRole = new ConductorOneAccessRole(this, 'ConductorOneAccess', {
        existingBucketObj: this.bucket,
        objectKeys: config.connectors.map((c) => objectKey(config, c.id)),
        externalId: config.conductorOneExternalId,
        principalArn: config.conductorOnePrincipalArn,
        ...(bucketKey ? { existingBucketKeyObj: bucketKey } : {}),
      });
    }

    if (config.provisioning) {
      this.provisioning = new ProvisioningEndpoint(this, 'Provisioning', {
        existingBucketObj: this.bucket,
        ...(bucketKey ? { existingBucketKeyObj: bucketKey } : {}),
        tenant: config.provisioning.tenant,
        syncs: config.provisioning.connectors.map((id) => this.syncs[id]!),
        jtiPrefix: jtiPrefix(config),
        metricsNamespace: config.metricsNamespace,
        logLevel: config.logLevel,
        logRetentionDays: config.logRetentionDays,
        ...(provisioningCode ? { code: provisioningCode } : {}),
      });
      this.monitoring.addProvisioning({
        function: this.provisioning.function,
        instances: config.provisioning.connectors.map((id) => ({ id, connector: this.syncs[id]!.settings.connector })),
      });
    }

    // --- outputs ----------------------------------------------------------------------------------
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName, description: 'The bucket holding the sync files' });
    if (this.accessRole) {
      new CfnOutput(this, 'ConductorOneRoleArn', {
        value: this.accessRole.role.roleArn,
        description: "Give this role ARN (and your external ID) to ConductorOne's S3 external data source",
      });
    }
    new CfnOutput(this, 'FailedRunsQueueUrl', {
      value: this.failureQueue.queueUrl,
      description: 'Failed scheduled runs (after retries) land here with their error',
    });
    if (this.provisioning) {
      new CfnOutput(this, 'ProvisioningUrl', {
        value: this.provisioning.url.url,
        description:
          "In ConductorOne, each app's provisioning URL is this URL followed by its instance id " +
          `(${config.provisioning!.connectors.join(', ')}), e.g. <this>${config.provisioning!.connectors[0]}`,
      });
    }
    this.egressVpc?.egressIps.forEach((ip, i) => {
      new CfnOutput(this, `EgressIp${i + 1}`, {
        value: ip.ref,
        description: 'The functions reach the SaaS APIs from this address: allow-list it in the app (e.g. Okta network zones, Slack IP restrictions)',
      });
    });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${config.stackName}`,
    });
    for (const sync of Object.values(this.syncs)) {
      const id = pascal(sync.instanceId);
      new CfnOutput(this, `${id}FunctionName`, { value: sync.function.functionName });
      new CfnOutput(this, `${id}ObjectKey`, {
        value: sync.objectKey,
        description: 'In ConductorOne: Import app data → From data source → this object key',
      });
      new CfnOutput(this, `${id}SecretId`, {
        value: sync.secretId,
        description: sync.secretCreated
          ? 'Put the BATON_* credentials here: aws secretsmanager put-secret-value --secret-id <this> --secret-string file://creds.json'
          : 'The existing secret this connector reads',
      });
      new CfnOutput(this, `${id}InvokeCommand`, {
        value: invokeCommand(`${functionName(config, sync.instanceId)}:${LIVE_ALIAS}`, Aws.REGION),
        description:
          `Runs a ${sync.instanceId} sync now and prints its result (add "dryRun": true to skip the upload; ` +
          'a sync longer than 15 minutes: add --invocation-type Event and follow the logs)',
      });
    }
  }

  /** A VPC given by ids: its subnets and security groups, imported (no lookup, so no account or region needed at synth). */
  private importPlacement(id: string, vpc: { vpcId: string; subnetIds: string[]; securityGroupIds?: string[] | undefined }): Placement {
    const scope = new Construct(this, id);
    // Zones are not known without a lookup and nothing here needs them: one placeholder per subnet.
    const imported = Vpc.fromVpcAttributes(scope, 'Vpc', {
      vpcId: vpc.vpcId,
      availabilityZones: vpc.subnetIds.map((_, i) => `zone-of-subnet-${i + 1}`),
      privateSubnetIds: vpc.subnetIds,
    });
    return {
      vpc: imported,
      vpcSubnets: { subnets: vpc.subnetIds.map((s) => Subnet.fromSubnetId(scope, s, s)) },
      ...(vpc.securityGroupIds ? { securityGroups: vpc.securityGroupIds.map((g) => SecurityGroup.fromSecurityGroupId(scope, g, g, { mutable: false })) } : {}),
    };
  }

  /** cdk.json's `secret`: a complete ARN, or a name. */
  private importSecret(id: string, secret: string): ISecret {
    return secret.startsWith('arn:') ? Secret.fromSecretCompleteArn(this, id, secret) : Secret.fromSecretNameV2(this, id, secret);
  }
}
