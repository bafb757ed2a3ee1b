/**
 * One connector instance's sync: a Lambda durable function on Node.js 24 whose one sync may run
 * for maxSyncHours in 15-minute slices, its `live` alias (durable functions are invoked qualified:
 * the schedule targets the alias), its secret (yours, or an empty `{}` one created to be filled
 * in), its log group, a role that may only read that secret, read/write/delete under its own
 * `<prefix>/<id>/` (the live file, its checkpoints and its lease) and checkpoint its own durable
 * executions, reserved concurrency 1 (a scheduled run and a manual invoke never overlap),
 * async-invoke retries with an SQS on-failure destination, the EventBridge schedule, and its
 * alarms and dashboard rows (on a SyncMonitoring you pass, or its own).
 *
 * Bring your own bucket (existingBucketObj, with existingBucketKeyObj for a customer KMS key),
 * secret (existingSecretObj, existingSecretKeyObj) and failed-runs queue (existingQueueObj), or let
 * it create them (bucketProps, secretProps). Optionally in a VPC: the function's ENIs in your
 * private subnets, egress through their NAT.
 */
import { ArnFormat, Aws, Duration, RemovalPolicy, SecretValue, Size, Stack, Validations } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Alias, Architecture, type Code, Function as LambdaFn, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { z } from 'zod';
import { instanceLayout } from '../../shared/aws/bucket-layout.ts';
import { syncNodeOptions } from '../../shared/sync/node-options.ts';
import { HANDLER } from '../asset-layout.ts';
import { connectorCode } from '../code.ts';
import {
  type BucketConfig,
  type Config,
  contextError,
  DEFAULT_CHECKPOINT_MAX_AGE_HOURS,
  DEFAULT_MAX_SYNC_HOURS,
  formatKey,
  instanceSchema,
  LIVE_ALIAS,
  MAX_FUNCTION_NAME,
  SERVICE_NAME,
} from '../config.ts';
import { acknowledgeWildcards } from '../nag.ts';
import { SyncBucket } from './sync-bucket.ts';
import { type ConnectorAlarms, SyncMonitoring } from './sync-monitoring.ts';
import { vpcInterfaceStatements } from './vpc-access.ts';

/** The schedule and sizing of one instance: cdk.json's per-connector keys (defaults as there). */
export type ConnectorSyncSettings = Omit<z.input<typeof instanceSchema>, 'id' | 'connector' | 'secret' | 'secretKmsKeyArn' | 'vpc'>;

export interface ConnectorSyncProps extends ConnectorSyncSettings {
  /** The connector type, a name from the registry (e.g. `slack`, `segment`). */
  readonly connector: string;
  /** The instance id (default: the connector's name): in resource names, S3 keys and metric dimensions. */
  readonly instanceId?: string;
  /** Resource names start with this (default: the stack name): `<prefix>-<id>-sync`, secret `<prefix>/<id>`, alarms `<prefix>-<id>-…`. */
  readonly namePrefix?: string;

  /** Your bucket; otherwise one is created (bucketProps). */
  readonly existingBucketObj?: IBucket;
  /** The settings of a bucket this construct creates (cdk.json's `bucket` keys). */
  readonly bucketProps?: Partial<BucketConfig>;
  /** The customer KMS key of existingBucketObj, if it uses one (the role gets GenerateDataKey/Decrypt through S3 only). */
  readonly existingBucketKeyObj?: IKey;
  /** The objects' key prefix (default `baton`): the instance writes `<keyPrefix>/<id>/sync.c1z`. */
  readonly keyPrefix?: string;

  /** Your secret holding the BATON_* map; otherwise an empty `{}` one is created (secretProps). */
  readonly existingSecretObj?: ISecret;
  readonly secretProps?: { readonly secretName?: string; readonly encryptionKey?: IKey };
  /** The customer KMS key of existingSecretObj, if it uses one (Decrypt through Secrets Manager only). */
  readonly existingSecretKeyObj?: IKey;

  /** Where failed scheduled runs land; otherwise a queue is created. */
  readonly existingQueueObj?: IQueue;

  /** A shared dashboard and alarm set to join; otherwise the instance gets its own (`<prefix>-<id>` dashboard). */
  readonly monitoring?: SyncMonitoring;
  /** Alarm notifications for the instance's own monitoring (ignored with `monitoring`, which has its topic). */
  readonly alarmTopic?: ITopic;

  /** Runs the function in this VPC (its private subnets; see vpcSubnets and securityGroups). */
  readonly vpc?: IVpc;
  /** Default: the VPC's private subnets with egress. */
  readonly vpcSubnets?: SubnetSelection;
  /** Default: a security group with all outbound allowed and no inbound. */
  readonly securityGroups?: ISecurityGroup[];

  readonly metricsNamespace?: Config['metricsNamespace'];
  readonly logLevel?: Config['logLevel'];
  readonly logRetentionDays?: Config['logRetentionDays'];
  /** Days Lambda keeps a finished durable execution's history (default 14). */
  readonly durableRetentionDays?: number;
  /** Overrides the function's code (default: the connector's bundle for its architecture). */
  readonly code?: Code;
}

export class ConnectorSync extends Construct {
  readonly function: LambdaFn;
  /** What the schedule invokes (a durable function cannot be invoked unqualified). */
  readonly alias: Alias;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly schedule: Rule;
  readonly bucket: IBucket;
  /** The bucket's customer KMS key, if any. */
  readonly bucketKey?: IKey;
  /** The bucket this construct created (no existingBucketObj). */
  readonly createdBucket?: SyncBucket;
  readonly secret: ISecret;
  /** What the function's SECRET_ID holds: the complete ARN, or the name of a secret imported by name. */
  readonly secretId: string;
  /** Whether this construct created the secret (it then holds `{}` until you put the credentials). */
  readonly secretCreated: boolean;
  /** The secret as an IAM resource (a secret imported by name: its ARN with the `-??????` suffix). */
  readonly secretResource: string;
  /** The secret's customer KMS key, if any. */
  readonly secretKey?: IKey;
  readonly failureQueue: IQueue;
  readonly monitoring: SyncMonitoring;
  readonly alarms: ConnectorAlarms;
  readonly timeout: Duration;
  /** The validated settings, defaults filled in. */
  readonly settings: z.output<typeof instanceSchema> & { maxSyncHours: number; checkpointMaxAgeHours: number };
  readonly instanceId: string;
  readonly functionName: string;
  /** `<keyPrefix>/<id>/sync.c1z`: the object ConductorOne reads. */
  readonly objectKey: string;
  /** `<keyPrefix>/<id>/`: everything the function may read, write and delete. */
  readonly instancePrefix: string;
  /** `<keyPrefix>/<id>/.checkpoint/`: give it a short S3 expiration on a bucket of your own (checkpointExpirationDays). */
  readonly checkpointPrefix: string;

  constructor(scope: Construct, id: string, props: ConnectorSyncProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { connector, instanceId, namePrefix, existingBucketObj, bucketProps, existingBucketKeyObj, keyPrefix = 'baton', ...rest } = props;
    const {
      existingSecretObj,
      secretProps,
      existingSecretKeyObj,
      existingQueueObj,
      monitoring,
      alarmTopic,
      vpc,
      vpcSubnets,
      securityGroups,
      metricsNamespace = 'BatonServerless',
      logLevel = 'INFO',
      logRetentionDays = 90,
      durableRetentionDays = 14,
      code,
      ...settings
    } = rest;
    this.instanceId = instanceId ?? connector;
    const parsed = instanceSchema.safeParse({ id: this.instanceId, connector, ...settings });
    if (!parsed.success) {
      throw contextError(parsed.error.issues.map((i) => ({ key: `${this.node.path}.${formatKey(i.path)}`, message: i.message })));
    }
    this.settings = {
      ...parsed.data,
      maxSyncHours: parsed.data.maxSyncHours ?? DEFAULT_MAX_SYNC_HOURS,
      checkpointMaxAgeHours: parsed.data.checkpointMaxAgeHours ?? DEFAULT_CHECKPOINT_MAX_AGE_HOURS,
    };
    const s = this.settings;
    const prefix = namePrefix ?? stack.stackName;
    this.functionName = `${prefix}-${this.instanceId}-sync`;
    if (this.functionName.length > MAX_FUNCTION_NAME) {
      throw contextError([
        { key: `${this.node.path}.instanceId`, message: `the function name "${this.functionName}" is over ${MAX_FUNCTION_NAME} characters: shorten it` },
      ]);
    }
    const layout = instanceLayout(keyPrefix, this.instanceId);
    this.instancePrefix = layout.dir;
    this.objectKey = layout.live;
    this.checkpointPrefix = layout.checkpoints;
    const lease = layout.lease;
    this.timeout = Duration.seconds(s.timeoutSeconds);

    // --- the bucket --------------------------------------------------------------------------------
    if (existingBucketObj) {
      this.bucket = existingBucketObj;
      if (existingBucketKeyObj) this.bucketKey = existingBucketKeyObj;
    } else {
      this.createdBucket = new SyncBucket(this, 'Bucket', {
        config: { encryption: 'S3', noncurrentVersionExpirationDays: 30, ...bucketProps },
        expiringPrefixes: [{ id: 'expire-checkpoints', prefix: this.checkpointPrefix, days: checkpointExpirationDays(s.checkpointMaxAgeHours) }],
      });
      this.bucket = this.createdBucket.bucket;
      if (this.createdBucket.encryptionKey) this.bucketKey = this.createdBucket.encryptionKey;
    }

    // --- the secret: read only this one -------------------------------------------------------
    if (existingSecretObj) {
      this.secretCreated = false;
      this.secret = existingSecretObj;
      // Imported by name, the ARN lacks Secrets Manager's "-" and 6 random characters.
      this.secretId = existingSecretObj.secretFullArn ?? existingSecretObj.secretName;
      this.secretResource = existingSecretObj.secretFullArn ?? `${existingSecretObj.secretArn}-??????`;
    } else {
      const secret = new Secret(this, 'Secret', {
        secretName: secretProps?.secretName ?? `${prefix}/${this.instanceId}`,
        description: `Credentials for the ${this.instanceId} Baton sync (${connector}): a JSON map of BATON_* keys`,
        // An empty map to fill in with `aws secretsmanager put-secret-value`; CloudFormation does
        // not overwrite what you put there as long as this value is unchanged.
        secretStringValue: SecretValue.unsafePlainText('{}'),
        ...(secretProps?.encryptionKey ? { encryptionKey: secretProps.encryptionKey } : {}),
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The secret holds a third-party API token issued by the SaaS app; it is rotated in that app ' +
          '(then put-secret-value), which a Secrets Manager rotation function cannot do.',
      });
      this.secretCreated = true;
      this.secret = secret;
      this.secretId = secret.secretArn;
      this.secretResource = secret.secretArn;
    }
    const secretKey = existingSecretObj ? existingSecretKeyObj : secretProps?.encryptionKey;
    if (secretKey) this.secretKey = secretKey;

    // --- failed runs --------------------------------------------------------------------------------
    if (existingQueueObj) {
      this.failureQueue = existingQueueObj;
    } else {
      const queue = new Queue(this, 'FailedRuns', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
      acknowledgeFailureQueue(queue);
      this.failureQueue = queue;
    }

    // --- logs ---------------------------------------------------------------------------------
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: logRetentionDays as RetentionDays,
    });

    // --- the role: logs, this secret, this object key ------------------------------------------
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${this.instanceId} Baton sync: reads its secret, writes ${this.objectKey}`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'WriteLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'ReadOwnSecret',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.secretResource],
      }),
    );
    // cdk-nag flags "*" only, not the "-??????" of a secret named without its ARN suffix.
    const wildcards: { resource: string; reason: string }[] = [];
    if (secretKey) {
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'DecryptOwnSecret',
          actions: ['kms:Decrypt'],
          resources: [secretKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } },
        }),
      );
    }
    // PutObject also authorizes CreateMultipartUpload, UploadPart and CompleteMultipartUpload:
    // everything @aws-sdk/lib-storage's Upload does, besides aborting a failed multipart upload.
    // Get and Delete: a sliced sync resumes from, then removes, its checkpoint; the lease is read
    // and released.
    const ownObjects = this.bucket.arnForObjects(`${this.instancePrefix}*`);
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'OwnObjects',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: [ownObjects],
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'ListOwnCheckpoints',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        // The lease key too: without list rights a missing object reads as 403, not 404.
        // The live and quarantine keys too: the shrink guard reads both, and the first sync finds neither.
        conditions: { StringLike: { 's3:prefix': [this.checkpointPrefix, `${this.checkpointPrefix}*`, lease, this.objectKey, layout.quarantine] } },
      }),
    );
    wildcards.push({
      resource: ownObjects,
      reason:
        `Objects under "${this.instancePrefix}" only, this instance's own: the live file, its lease and its ` +
        'checkpoints, whose names (<syncId>.c1z) are made at run time. Listing is limited to the checkpoint prefix.',
    });

    // CDK attaches AWSLambdaBasicDurableExecutionRolePolicy (Resource "*") only to a role it
    // creates; this role gets the same two actions on this function's executions alone. Lambda
    // authorizes them on the execution ARN (<function>:<version>/durable-execution/...), which a
    // policy can only match through the qualifier wildcard; the name is literal, so the role does
    // not depend on the function it runs.
    const ownExecutions = stack.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: `${this.functionName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'CheckpointOwnExecutions',
        actions: ['lambda:CheckpointDurableExecution', 'lambda:GetDurableExecutionState'],
        resources: [ownExecutions],
      }),
    );
    wildcards.push({
      resource: ownExecutions,
      reason:
        `The durable executions of ${this.functionName} only: Lambda authorizes checkpointing on the execution ` +
        'ARN (<function>:<version>/durable-execution/<name>/<id>), which only the qualifier wildcard matches.',
    });
    if (this.bucketKey) {
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'EncryptOwnObject',
          // Decrypt is needed to complete a multipart upload with SSE-KMS.
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [this.bucketKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
        }),
      );
    }

    // --- the function ---------------------------------------------------------------------------
    const architecture = s.architecture === 'x86_64' ? Architecture.X86_64 : Architecture.ARM_64;
    this.function = new LambdaFn(this, 'Function', {
      functionName: this.functionName,
      description: `Baton sync for ${this.instanceId}: writes s3://.../${this.objectKey} for ConductorOne`,
      runtime: Runtime.NODEJS_24_X,
      architecture,
      handler: HANDLER,
      code: code ?? connectorCode(connector, s.architecture),
      memorySize: s.memoryMb,
      // Per invocation: each one is a slice of the sync, which the durable execution resumes.
      timeout: this.timeout,
      durableConfig: {
        executionTimeout: Duration.hours(s.maxSyncHours),
        retentionPeriod: Duration.days(durableRetentionDays),
      },
      // A running execution stays on the version it started on: old versions must outlive a deploy.
      currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN },
      ephemeralStorageSize: Size.mebibytes(s.ephemeralStorageMb),
      reservedConcurrentExecutions: 1,
      role: this.role,
      logGroup: this.logGroup,
      ...(vpc ? { vpc, ...(vpcSubnets ? { vpcSubnets } : {}), ...(securityGroups ? { securityGroups } : {}) } : {}),
      environment: {
        CONNECTOR: connector,
        CONNECTOR_ID: this.instanceId,
        BUCKET: this.bucket.bucketName,
        OBJECT_KEY: this.objectKey,
        SECRET_ID: this.secretId,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
        LOG_LEVEL: logLevel,
        NODE_OPTIONS: syncNodeOptions(s.memoryMb).join(' '),
        CHECKPOINT_MAX_AGE_HOURS: String(s.checkpointMaxAgeHours),
        MAX_SYNC_HOURS: String(s.maxSyncHours),
        SHRINK_GUARD: s.shrinkGuard.enabled ? 'on' : 'off',
        SHRINK_MAX_PRINCIPAL_DROP_PERCENT: String(s.shrinkGuard.maxPrincipalDropPercent),
        SHRINK_MAX_GRANT_DROP_PERCENT: String(s.shrinkGuard.maxGrantDropPercent),
      },
    });
    if (vpc) {
      const { statements, wildcards: eniWildcards } = vpcInterfaceStatements(this.function, vpc, vpcSubnets);
      for (const statement of statements) this.role.addToPolicy(statement);
      wildcards.push(...eniWildcards);
    }
    acknowledgeWildcards(this.role, wildcards);

    this.alias = new Alias(this, 'Live', { aliasName: LIVE_ALIAS, version: this.function.currentVersion });

    // A failed asynchronous (scheduled) run is retried, then recorded in the queue with its error.
    // On the alias: that is the qualifier the schedule invokes.
    this.alias.configureAsyncInvoke({
      retryAttempts: s.retryAttempts,
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(this.failureQueue),
    });

    // --- the schedule -----------------------------------------------------------------------------
    this.schedule = new Rule(this, 'Schedule', {
      description: `Runs the ${this.instanceId} Baton sync (${s.schedule})`,
      schedule: Schedule.expression(s.schedule),
      enabled: s.enabled,
      targets: [
        new LambdaFunction(this.alias, {
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
          // Events EventBridge could not deliver at all land in the same queue.
          deadLetterQueue: this.failureQueue,
        }),
      ],
    });

    // --- alarms and dashboard rows ------------------------------------------------------------------
    this.monitoring =
      monitoring ??
      new SyncMonitoring(this, 'Monitoring', {
        dashboardName: `${prefix}-${this.instanceId}`,
        alarmPrefix: prefix,
        namespace: metricsNamespace,
        ...(alarmTopic ? { alarmTopic } : {}),
      });
    this.alarms = this.monitoring.addInstance({
      id: this.instanceId,
      connector,
      function: this.function,
      timeout: this.timeout,
      staleAfterHours: s.staleAfterHours,
      maxSyncHours: s.maxSyncHours,
      enabled: s.enabled,
    });
  }
}

/**
 * Days before S3 expires a stray checkpoint: a day past the age at which the runtime would still
 * resume from it, so the lifecycle never deletes a checkpoint a running sync may need.
 */
export function checkpointExpirationDays(checkpointMaxAgeHours: number): number {
  return Math.ceil(checkpointMaxAgeHours / 24) + 1;
}

/** The failed-runs queue is a destination only: cdk-nag's dead-letter-queue rule does not apply. */
export function acknowledgeFailureQueue(queue: Queue): void {
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself the failure destination (Lambda on-failure destination and EventBridge ' +
      'dead-letter queue): it records failed runs for inspection and is never consumed.',
  });
}
