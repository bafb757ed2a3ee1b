/**
 * The whole deployment: the bucket, one durable sync function (with its alias, secret, schedule and
 * log group) per connector instance, the failed-runs queue, the ConductorOne read role (when an
 * external ID is configured), the provisioning endpoint (when configured), the dashboard and alarms
 * (to an SNS e-mail when configured), and the outputs a user needs next: bucket, role ARN, secrets,
 * object keys, function names, invoke commands, provisioning URL.
 */
import { layoutOf } from '../shared/aws/bucket-layout.ts';
import { Aws, CfnOutput, Duration, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import type { Code } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  checkpointPrefix,
  type Config,
  type ConnectorConfig,
  functionName,
  instancePrefix,
  jtiPrefix,
  LIVE_ALIAS,
  objectKey,
  pascal,
  SERVICE_NAME,
} from './config.ts';
import { ConductorOneAccessRole } from './constructs/conductorone-access-role.ts';
import { ConnectorSyncFunction } from './constructs/connector-sync-function.ts';
import { ProvisioningEndpoint } from './constructs/provisioning-endpoint.ts';
import { SyncBucket } from './constructs/sync-bucket.ts';
import { SyncMonitoring } from './constructs/sync-monitoring.ts';

export interface BatonServerlessStackProps extends StackProps {
  config: Config;
  /** Overrides each instance's code asset (tests); default: bundled from lambdas/<connector>/handler.ts. */
  code?: (connector: ConnectorConfig) => Code;
  /** Overrides the provisioning function's code asset (tests); default: bundled from lambdas/provisioning.ts. */
  provisioningCode?: Code;
}

export { pascal };

/** The exact command for an on-demand sync (`--cli-read-timeout 0`: a sync can take minutes). */
export function invokeCommand(name: string, region: string, payload = '{}'): string {
  return (
    `aws lambda invoke --region ${region} --function-name ${name} ` +
    `--cli-binary-format raw-in-base64-out --cli-read-timeout 0 --payload '${payload}' sync-result.json`
  );
}

/**
 * Days before S3 expires a stray checkpoint: a day past the age at which the runtime would still
 * resume from it, so the lifecycle never deletes a checkpoint a running sync may need.
 */
export function checkpointExpirationDays(checkpointMaxAgeHours: number): number {
  return Math.ceil(checkpointMaxAgeHours / 24) + 1;
}

export class BatonServerlessStack extends Stack {
  readonly syncBucket: SyncBucket;
  readonly functions: Record<string, ConnectorSyncFunction> = {};
  readonly failureQueue: Queue;
  readonly accessRole?: ConductorOneAccessRole;
  readonly monitoring: SyncMonitoring;
  readonly alarmTopic?: Topic;
  readonly provisioning?: ProvisioningEndpoint;

  constructor(scope: Construct, id: string, props: BatonServerlessStackProps) {
    super(scope, id, {
      description: 'baton-serverless: scheduled Baton syncs writing sync.c1z to S3 for ConductorOne',
      ...props,
    });
    const { config } = props;
    Tags.of(this).add('app', SERVICE_NAME);

    this.syncBucket = new SyncBucket(this, 'SyncBucket', {
      config: config.bucket,
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
    const bucket = this.syncBucket.bucket;
    const bucketKey = this.syncBucket.encryptionKey;

    this.failureQueue = new Queue(this, 'FailedRuns', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the failure destination (Lambda on-failure destination and EventBridge ' +
        'dead-letter queue): it records failed runs for inspection and is never consumed.',
    });

    // Construct ids come from the instance id alone: a short-form entry ("segment") keeps the logical
    // ids it had before instances existed.
    for (const connector of config.connectors) {
      const key = objectKey(config, connector.id);
      this.functions[connector.id] = new ConnectorSyncFunction(this, `${pascal(connector.id)}Sync`, {
        connector,
        bucket,
        ...(bucketKey ? { bucketKey } : {}),
        objectKey: key,
        instancePrefix: instancePrefix(config, connector.id),
        checkpointPrefix: checkpointPrefix(config, connector.id),
        leaseKey: layoutOf(objectKey(config, connector.id)).lease,
        durableRetentionDays: config.durableRetentionDays,
        functionName: functionName(config, connector.id),
        secretName: `${config.stackName}/${connector.id}`,
        failureQueue: this.failureQueue,
        metricsNamespace: config.metricsNamespace,
        logLevel: config.logLevel,
        logRetentionDays: config.logRetentionDays,
        ...(props.code ? { code: props.code(connector) } : {}),
      });
    }

    if (config.conductorOneExternalId) {
      this.accessRole = new ConductorOneAccessRole(this, 'ConductorOneAccess', {
        bucket,
        objectKeys: config.connectors.map((c) => objectKey(config, c.id)),
        externalId: config.conductorOneExternalId,
        principalArn: config.conductorOnePrincipalArn,
        ...(bucketKey ? { bucketKey } : {}),
      });
    }

    if (config.provisioning) {
      const served = config.provisioning.connectors.map((id) => this.functions[id]!);
      this.provisioning = new ProvisioningEndpoint(this, 'Provisioning', {
        bucket,
        ...(bucketKey ? { bucketKey } : {}),
        tenant: config.provisioning.tenant,
        instances: served.map((f) => ({
          id: f.connector.id,
          connector: f.connector.connector,
          secretId: f.secretId,
          secretResource: f.secretResource,
          ...(f.connector.secretKmsKeyArn ? { secretKmsKeyArn: f.connector.secretKmsKeyArn } : {}),
          objectKey: objectKey(config, f.connector.id),
        })),
        jtiPrefix: jtiPrefix(config),
        metricsNamespace: config.metricsNamespace,
        logLevel: config.logLevel,
        logRetentionDays: config.logRetentionDays,
        ...(props.provisioningCode ? { code: props.provisioningCode } : {}),
      });
    }

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
      instances: Object.values(this.functions).map((f) => ({
        id: f.connector.id,
        connector: f.connector.connector,
        function: f.function,
        timeout: f.timeout,
        staleAfterHours: f.connector.staleAfterHours,
        maxSyncHours: f.connector.maxSyncHours,
        enabled: f.connector.enabled,
      })),
      ...(this.alarmTopic ? { alarmTopic: this.alarmTopic } : {}),
      ...(this.provisioning
        ? {
            provisioning: {
              function: this.provisioning.function,
              instances: config.provisioning!.connectors.map((id) => ({ id, connector: this.functions[id]!.connector.connector })),
            },
          }
        : {}),
    });

    // --- outputs ----------------------------------------------------------------------------------
    new CfnOutput(this, 'BucketName', { value: bucket.bucketName, description: 'The bucket holding the sync files' });
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
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${config.stackName}`,
    });
    for (const sync of Object.values(this.functions)) {
      const id = pascal(sync.connector.id);
      new CfnOutput(this, `${id}FunctionName`, { value: sync.function.functionName });
      new CfnOutput(this, `${id}ObjectKey`, {
        value: objectKey(config, sync.connector.id),
        description: 'In ConductorOne: Import app data → From data source → this object key',
      });
      new CfnOutput(this, `${id}SecretId`, {
        value: sync.secretId,
        description: sync.secretCreated
          ? 'Put the BATON_* credentials here: aws secretsmanager put-secret-value --secret-id <this> --secret-string file://creds.json'
          : 'The existing secret this connector reads',
      });
      new CfnOutput(this, `${id}InvokeCommand`, {
        value: invokeCommand(`${functionName(config, sync.connector.id)}:${LIVE_ALIAS}`, Aws.REGION),
        description:
          `Runs a ${sync.connector.id} sync now and prints its result (add "dryRun": true to skip the upload; ` +
          'a sync longer than 15 minutes: add --invocation-type Event and follow the logs)',
      });
    }
  }
}
