/**
 * One connector instance's sync: the Node.js 24 function (bundled by infra/bundling.ts, no Docker), its
 * secret (an existing one, or an empty `{}` one created to be filled in), its log group, a role that
 * may only read that secret and write that one object key, reserved concurrency 1 (a scheduled run
 * and a manual invoke never overlap), async-invoke retries with an SQS on-failure destination, and
 * the EventBridge schedule.
 */
import { ArnFormat, AssetHashType, Aws, DockerImage, Duration, SecretValue, Size, Stack, Validations } from 'aws-cdk-lib';
import { SYNC_NODE_OPTIONS } from '../../shared/sync/node-options.ts';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Code, Function as LambdaFn, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { bundleConnector, HANDLER, REPO_ROOT } from '../bundling.ts';
import { type Config, type ConnectorConfig, SERVICE_NAME } from '../config.ts';

export interface ConnectorSyncFunctionProps {
  connector: ConnectorConfig;
  bucket: IBucket;
  /** The bucket's customer KMS key, if any. */
  bucketKey?: IKey;
  objectKey: string;
  functionName: string;
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
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly schedule: Rule;
  /** What the function's SECRET_ID holds: an ARN, or a name for a secret referenced by name. */
  readonly secretId: string;
  /** Whether this construct created the secret (it then holds `{}` until you put the credentials). */
  readonly secretCreated: boolean;
  readonly timeout: Duration;
  readonly connector: ConnectorConfig;

  constructor(scope: Construct, id: string, props: ConnectorSyncFunctionProps) {
    super(scope, id);
    const { connector } = props;
    const stack = Stack.of(this);
    this.connector = connector;
    this.timeout = Duration.seconds(connector.timeoutSeconds);

    // --- the secret: read only this one -------------------------------------------------------
    let secretResource: string;
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
      secretResource = secret.secretArn;
    } else if (connector.secret.startsWith('arn:')) {
      this.secretCreated = false;
      this.secretId = connector.secret;
      secretResource = connector.secret;
    } else {
      this.secretCreated = false;
      this.secretId = connector.secret;
      // Secrets Manager appends "-" and 6 random characters to a secret's name in its ARN.
      secretResource = stack.formatArn({
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
        resources: [secretResource],
      }),
    );
    if (connector.secret !== undefined && !connector.secret.startsWith('arn:')) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5',
        reason:
          `The secret is referenced by name ("${connector.secret}"); the only wildcard is "-??????", ` +
          'the 6-character suffix Secrets Manager appends to that one secret\'s ARN. Give the complete ARN to avoid it.',
      });
    }
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
    const objectArn = props.bucket.arnForObjects(props.objectKey);
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'WriteOwnObject',
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [objectArn],
      }),
    );
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
      timeout: this.timeout,
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
      },
    });

    // A failed asynchronous (scheduled) run is retried, then recorded in the queue with its error.
    this.function.configureAsyncInvoke({
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
        new LambdaFunction(this.function, {
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
          // Events EventBridge could not deliver at all land in the same queue.
          deadLetterQueue: props.failureQueue,
        }),
      ],
    });
  }
}
