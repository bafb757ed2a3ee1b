/**
 * One connector instance's sync: a Lambda durable function on Node.js 24 (bundled by
 * infra/bundling.ts, no Docker) whose one sync may run for maxSyncHours in 15-minute slices, its
 * `live` alias (durable functions are invoked qualified: the schedule targets the alias), its
 * secret (an existing one, or an empty `{}` one created to be filled in), its log group, a role that
 * may only read that secret, read/write/delete under its own `<prefix>/<id>/` (the live file, its
 * checkpoints and its lease) and checkpoint its own durable executions, reserved concurrency 1 (a
 * scheduled run and a manual invoke never overlap), async-invoke retries with an SQS on-failure
 * destination, and the EventBridge schedule.
 */
import { ArnFormat, AssetHashType, Aws, DockerImage, Duration, RemovalPolicy, SecretValue, Size, Stack, Validations } from 'aws-cdk-lib';
import { layoutOf } from '../../shared/aws/bucket-layout.ts';
import { SYNC_NODE_OPTIONS } from '../../shared/sync/node-options.ts';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Alias, Architecture, Code, Function as LambdaFn, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { bundleConnector, HANDLER, REPO_ROOT } from '../bundling.ts';
import { acknowledgeWildcards } from '../nag.ts';
import { type Config, type ConnectorConfig, LIVE_ALIAS, SERVICE_NAME } from '../config.ts';

export interface ConnectorSyncFunctionProps {
  connector: ConnectorConfig;
  bucket: IBucket;
  /** The bucket's customer KMS key, if any. */
  bucketKey?: IKey;
  objectKey: string;
  /** `<prefix>/<id>/`: the live file, `.checkpoint/<syncId>.c1z` and `.lease.json` live here. */
  instancePrefix: string;
  /** `<prefix>/<id>/.checkpoint/`: the only prefix the function may list. */
  checkpointPrefix: string;
  /** `<prefix>/<id>/.lease.json`: one sync per instance at a time. */
  leaseKey: string;
  functionName: string;
  /** Days Lambda keeps a finished durable execution's history. */
  durableRetentionDays: number;
  /** Name for a secret this construct creates (when the connector names no existing one). */
  secretName: string;
  failureQueue: IQueue;
  metricsNamespace: Config['metricsNamespace'];
  logLevel: Config['logLevel'];
  logRetentionDays: Config['logRetentionDays'];
  /** Overrides the bundled asset (tests). */
  code?: Code;
}

/**
 * The connector's code asset: `lambdas/<name>/handler.ts` bundled locally by esbuild for the
 * function's architecture. The Docker image is never used (local bundling always succeeds or
 * throws). When the app skips bundling (`aws:cdk:bundling-stacks: []`, e.g. unit tests) the handler
 * need not exist. The hash is of the output, so any change in the connector or shared code deploys.
 */
export function connectorCode(connector: string, architecture: ConnectorConfig['architecture']): Code {
  return Code.fromAsset(REPO_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('baton-serverless/no-docker-bundling'),
      // Part of CDK's asset cache key (the local bundler, a function, is not): without it every
      // connector of one architecture would share the first one's bundle.
      environment: { BATON_CONNECTOR: connector, BATON_ARCHITECTURE: architecture },
      local: {
        tryBundle(outputDir: string): boolean {
          bundleConnector(connector, architecture, outputDir);
          return true;
        },
      },
    },
  });
}

export class ConnectorSyncFunction extends Construct {
  readonly function: LambdaFn;
  /** What the schedule invokes (a durable function cannot be invoked unqualified). */
  readonly alias: Alias;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly schedule: Rule;
  /** What the function's SECRET_ID holds: an ARN, or a name for a secret referenced by name. */
  readonly secretId: string;
  /** Whether this construct created the secret (it then holds `{}` until you put the credentials). */
  readonly secretCreated: boolean;
  /** The secret's ARN as an IAM resource (a name-only secret: its ARN with the `-??????` suffix). */
  readonly secretResource: string;
  readonly timeout: Duration;
  readonly connector: ConnectorConfig;

  constructor(scope: Construct, id: string, props: ConnectorSyncFunctionProps) {
    super(scope, id);
    const { connector } = props;
    const stack = Stack.of(this);
    this.connector = connector;
    this.timeout = Duration.seconds(connector.timeoutSeconds);

    // --- the secret: read only this one -------------------------------------------------------
    if (connector.secret === undefined) {
      const secret = new Secret(this, 'Secret', {
        secretName: props.secretName,
        description: `Credentials for the ${connector.id} Baton sync (${connector.connector}): a JSON map of BATON_* keys`,
        // An empty map to fill in with `aws secretsmanager put-secret-value`; CloudFormation does
        // not overwrite what you put there as long as this value is unchanged.
        secretStringValue: SecretValue.unsafePlainText('{}'),
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The secret holds a third-party API token issued by the SaaS app; it is rotated in that app ' +
          '(then put-secret-value), which a Secrets Manager rotation function cannot do.',
      });
      this.secretCreated = true;
      this.secretId = secret.secretArn;
      this.secretResource = secret.secretArn;
    } else if (connector.secret.startsWith('arn:')) {
      this.secretCreated = false;
      this.secretId = connector.secret;
      this.secretResource = connector.secret;
    } else {
      this.secretCreated = false;
      this.secretId = connector.secret;
      // Secrets Manager appends "-" and 6 random characters to a secret's name in its ARN.
      this.secretResource = stack.formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${connector.secret}-??????`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    }

    // --- logs ---------------------------------------------------------------------------------
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as RetentionDays,
    });

    // --- the role: logs, this secret, this object key ------------------------------------------
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${connector.id} Baton sync: reads its secret, writes ${props.objectKey}`,
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
    if (connector.secretKmsKeyArn) {
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'DecryptOwnSecret',
          actions: ['kms:Decrypt'],
          resources: [connector.secretKmsKeyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } },
        }),
      );
    }
    // PutObject also authorizes CreateMultipartUpload, UploadPart and CompleteMultipartUpload:
    // everything @aws-sdk/lib-storage's Upload does, besides aborting a failed multipart upload.
    // Get and Delete: a sliced sync resumes from, then removes, its checkpoint; the lease is read
    // and released.
    const ownObjects = props.bucket.arnForObjects(`${props.instancePrefix}*`);
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
        resources: [props.bucket.bucketArn],
        // The lease key too: without list rights a missing object reads as 403, not 404.
        // The live and quarantine keys too: the shrink guard reads both, and the first sync finds neither.
        conditions: {
          StringLike: {
            's3:prefix': [props.checkpointPrefix, `${props.checkpointPrefix}*`, props.leaseKey, props.objectKey, layoutOf(props.objectKey).quarantine],
          },
        },
      }),
    );
    wildcards.push({
      resource: ownObjects,
      reason:
        `Objects under "${props.instancePrefix}" only, this instance's own: the live file, its lease and its ` +
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
      resourceName: `${props.functionName}:*`,
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
        `The durable executions of ${props.functionName} only: Lambda authorizes checkpointing on the execution ` +
        'ARN (<function>:<version>/durable-execution/<name>/<id>), which only the qualifier wildcard matches.',
    });
    if (props.bucketKey) {
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'EncryptOwnObject',
          // Decrypt is needed to complete a multipart upload with SSE-KMS.
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.bucketKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
        }),
      );
    }

    acknowledgeWildcards(this.role, wildcards);

    // --- the function ---------------------------------------------------------------------------
    const architecture = connector.architecture === 'x86_64' ? Architecture.X86_64 : Architecture.ARM_64;
    this.function = new LambdaFn(this, 'Function', {
      functionName: props.functionName,
      description: `Baton sync for ${connector.id}: writes s3://.../${props.objectKey} for ConductorOne`,
      runtime: Runtime.NODEJS_24_X,
      architecture,
      handler: HANDLER,
      code: props.code ?? connectorCode(connector.connector, connector.architecture),
      memorySize: connector.memoryMb,
      // Per invocation: each one is a slice of the sync, which the durable execution resumes.
      timeout: this.timeout,
      durableConfig: {
        executionTimeout: Duration.hours(connector.maxSyncHours),
        retentionPeriod: Duration.days(props.durableRetentionDays),
      },
      // A running execution stays on the version it started on: old versions must outlive a deploy.
      currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN },
      ephemeralStorageSize: Size.mebibytes(connector.ephemeralStorageMb),
      reservedConcurrentExecutions: 1,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        CONNECTOR: connector.connector,
        CONNECTOR_ID: connector.id,
        BUCKET: props.bucket.bucketName,
        OBJECT_KEY: props.objectKey,
        SECRET_ID: this.secretId,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
        LOG_LEVEL: props.logLevel,
        NODE_OPTIONS: SYNC_NODE_OPTIONS.join(' '),
        CHECKPOINT_MAX_AGE_HOURS: String(connector.checkpointMaxAgeHours),
        MAX_SYNC_HOURS: String(connector.maxSyncHours),
        SHRINK_GUARD: connector.shrinkGuard.enabled ? 'on' : 'off',
        SHRINK_MAX_PRINCIPAL_DROP_PERCENT: String(connector.shrinkGuard.maxPrincipalDropPercent),
        SHRINK_MAX_GRANT_DROP_PERCENT: String(connector.shrinkGuard.maxGrantDropPercent),
      },
    });
    this.alias = new Alias(this, 'Live', { aliasName: LIVE_ALIAS, version: this.function.currentVersion });

    // A failed asynchronous (scheduled) run is retried, then recorded in the queue with its error.
    // On the alias: that is the qualifier the schedule invokes.
    this.alias.configureAsyncInvoke({
      retryAttempts: connector.retryAttempts,
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(props.failureQueue),
    });

    // --- the schedule -----------------------------------------------------------------------------
    this.schedule = new Rule(this, 'Schedule', {
      description: `Runs the ${connector.id} Baton sync (${connector.schedule})`,
      schedule: Schedule.expression(connector.schedule),
      enabled: connector.enabled,
      targets: [
        new LambdaFunction(this.alias, {
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
          // Events EventBridge could not deliver at all land in the same queue.
          deadLetterQueue: props.failureQueue,
        }),
      ],
    });
  }
}
