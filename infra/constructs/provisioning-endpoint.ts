/**
 * The provisioning endpoint (in the deployment, off unless the `provisioning` context key is set): one
 * Node.js 24 function (`lambdas/provisioning.ts`) behind a Lambda function URL. ConductorOne calls
 * `<url>/<instance id>` with a JWT; the function verifies it itself (tenant, signature, expiry) and
 * records each token id under `<prefix>/.provisioning/jti/` with a conditional put, so a replayed
 * token is refused. Its role may read exactly the served instances' secrets and live files and
 * write token ids, nothing else.
 */

import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type Code, type FunctionUrl, FunctionUrlAuthType, Function as LambdaFn, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { replayPrefix } from '../../shared/aws/bucket-layout.ts';
import { FROM_SOURCE, HANDLER, PACKAGE_ROOT } from '../asset-layout.ts';
import { provisioningCode } from '../code.ts';
import { type Config, contextError, SERVICE_NAME } from '../config.ts';
import { acknowledgeWildcards } from '../nag.ts';
import type { ConnectorSync } from './connector-sync.ts';

/** One instance the endpoint serves, as the function's INSTANCES variable describes it. */
export interface ProvisionedInstance {
  id: string;
  connector: string;
  /** What the sync function's SECRET_ID holds (ARN or name). */
  secretId: string;
  /** The secret as an IAM resource. */
  secretResource: string;
  secretKmsKeyArn?: string;
  objectKey: string;
}

export interface ProvisioningEndpointProps {
  /** Your ConductorOne tenant's host name, e.g. `acme.conductor.one`: tokens must come from it. */
  readonly tenant: string;
  /** The sync instances it serves (their secrets and live files); `instances` for others. */
  readonly syncs?: ConnectorSync[];
  readonly instances?: ProvisionedInstance[];
  /** The bucket of the live files and token ids (default: the first sync's). */
  readonly existingBucketObj?: IBucket;
  readonly existingBucketKeyObj?: IKey;
  /** `<keyPrefix>/.provisioning/jti/` (default `baton/.provisioning/jti/`). */
  readonly jtiPrefix?: string;
  readonly metricsNamespace?: Config['metricsNamespace'];
  readonly logLevel?: Config['logLevel'];
  readonly logRetentionDays?: Config['logRetentionDays'];
  /** Overrides the function's code (default: the provisioning bundle). */
  readonly code?: Code;
  /** The handler to bundle, from source only (default lambdas/provisioning.ts). */
  readonly entry?: string;
}

export class ProvisioningEndpoint extends Construct {
  readonly function: LambdaFn;
  readonly url: FunctionUrl;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly instances: ProvisionedInstance[];

  constructor(scope: Construct, id: string, props: ProvisioningEndpointProps) {
    super(scope, id);
    // Checked here rather than left to the bundler, whose failure is a construct tree and a stack trace.
    const entry = props.entry;
    if (entry && FROM_SOURCE && !props.code && Stack.of(this).bundlingRequired && !existsSync(entry)) {
      throw contextError([
        {
          key: 'provisioning',
          message: `the provisioning endpoint's handler ${relative(PACKAGE_ROOT, entry)} does not exist: remove "provisioning" or add the handler`,
        },
      ]);
    }
    const syncs = props.syncs ?? [];
    this.instances = [
      ...syncs.map((sync) => ({
        id: sync.instanceId,
        connector: sync.settings.connector,
        secretId: sync.secretId,
        secretResource: sync.secretResource,
        ...(sync.secretKey ? { secretKmsKeyArn: sync.secretKey.keyArn } : {}),
        objectKey: sync.objectKey,
      })),
      ...(props.instances ?? []),
    ];
    const bucket = props.existingBucketObj ?? syncs[0]?.bucket;
    if (!bucket) throw new Error(`${this.node.path}: give existingBucketObj or at least one sync`);
    const bucketKey = props.existingBucketKeyObj ?? (props.existingBucketObj ? undefined : syncs[0]?.bucketKey);
    const jtiPrefix = props.jtiPrefix ?? replayPrefix('baton');
    const served = this.instances;
    this.logGroup = new LogGroup(this, 'Logs', { retention: (props.logRetentionDays ?? 90) as RetentionDays });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Answers ConductorOne provisioning calls for ${served.map((i) => i.id).join(', ')}`,
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
        sid: 'ReadInstanceSecrets',
        actions: ['secretsmanager:GetSecretValue'],
        resources: served.map((i) => i.secretResource),
      }),
    );
    const secretKeys = [...new Set(served.flatMap((i) => (i.secretKmsKeyArn ? [i.secretKmsKeyArn] : [])))];
    if (secretKeys.length > 0) {
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'DecryptInstanceSecrets',
          actions: ['kms:Decrypt'],
          resources: secretKeys,
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } },
        }),
      );
    }
    // The live file, to answer with the state ConductorOne last read; never a checkpoint or lease.
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'ReadLiveFiles',
        actions: ['s3:GetObject'],
        resources: served.map((i) => bucket.arnForObjects(i.objectKey)),
      }),
    );
    const jtiObjects = bucket.arnForObjects(`${jtiPrefix}*`);
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'RecordTokenIds',
        actions: ['s3:PutObject'],
        resources: [jtiObjects],
      }),
    );
    acknowledgeWildcards(this.role, [
      {
        resource: jtiObjects,
        reason:
          `Put only, under "${jtiPrefix}": one object per accepted token id (its name is the JWT's jti, ` +
          'known only at run time), written with If-None-Match so a replayed token is refused.',
      },
    ]);
    if (bucketKey) {
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'BucketKey',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [bucketKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
        }),
      );
    }

    const instances: Record<string, { connector: string; secretId: string; objectKey: string }> = {};
    for (const i of served) instances[i.id] = { connector: i.connector, secretId: i.secretId, objectKey: i.objectKey };

    this.function = new LambdaFn(this, 'Function', {
      description: `ConductorOne provisioning for ${served.map((i) => i.id).join(', ')}`,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      handler: HANDLER,
      code: props.code ?? provisioningCode(entry),
      memorySize: 512,
      // A provisioning call is one or two API requests; ConductorOne does not wait minutes.
      timeout: Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        BUCKET: bucket.bucketName,
        TENANT: props.tenant,
        // toJsonString: a created secret's ARN is a CloudFormation reference inside the JSON.
        INSTANCES: Stack.of(this).toJsonString(instances),
        JTI_PREFIX: jtiPrefix,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace ?? 'BatonServerless',
        LOG_LEVEL: props.logLevel ?? 'INFO',
      },
    });

    this.url = this.function.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
    // Not in the AwsSolutions pack; the Serverless pack flags it.
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaFunctionUrlAuth',
      reason:
        'ConductorOne calls the URL with its own JWT, not AWS credentials: the function verifies the token ' +
        "(signature from the tenant's keys, audience, expiry) and refuses a replayed token id before doing anything.",
    });
  }
}
