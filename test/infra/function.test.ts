import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import {
  actionsOf,
  cleanupOutdirs,
  functionOf,
  logicalId,
  policyStatements,
  resourcesOf,
  synth,
} from './helpers.ts';

afterAll(cleanupOutdirs);

describe('per-connector sync functions (cdk.json defaults)', () => {
  const { template } = synth();
  const bucketId = logicalId(template, 'AWS::S3::Bucket', 'SyncBucket');
  const queueId = logicalId(template, 'AWS::SQS::Queue', 'FailedRuns');

  it('deploys one function per configured connector', () => {
    template.resourceCountIs('AWS::Lambda::Function', 3);
  });

  it.each([
    ['Slack', 'slack'],
    ['Segment', 'segment'],
    ['Fullstory', 'fullstory'],
  ])('%s: Node.js 24 on arm64, bundled handler, sizes from config, reserved concurrency 1', (pascal, name) => {
    const fn = functionOf(template, pascal);
    expect(fn).toMatchObject({
      FunctionName: `BatonServerless-${name}`,
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 900,
      EphemeralStorage: { Size: 2048 },
      ReservedConcurrentExecutions: 1,
    });
  });

  it('sets the environment the handler reads', () => {
    const fn = functionOf(template, 'Slack');
    const secretId = logicalId(template, 'AWS::SecretsManager::Secret', 'SlackSyncSecret');
    expect(fn['Environment'].Variables).toEqual({
      CONNECTOR: 'slack',
      CONNECTOR_ID: 'slack',
      BUCKET: { Ref: bucketId },
      OBJECT_KEY: 'baton/slack/sync.c1z',
      SECRET_ID: { Ref: secretId },
      POWERTOOLS_SERVICE_NAME: 'baton-serverless',
      POWERTOOLS_METRICS_NAMESPACE: 'BatonServerless',
      LOG_LEVEL: 'INFO',
      // The V8 sizing the benchmarks measured peak RSS with.
      NODE_OPTIONS: '--max-semi-space-size=4',
    });
  });

  it('logs to its own log group with the configured retention', () => {
    const fn = functionOf(template, 'Slack');
    const logsId = logicalId(template, 'AWS::Logs::LogGroup', 'SlackSyncLogs');
    expect(fn['LoggingConfig']).toEqual({ LogGroup: { Ref: logsId } });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    const { template: t } = synth({ connectors: ['slack'], logRetentionDays: 14 });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
  });

  it('retries failed async invokes and records them in the SQS on-failure destination', () => {
    const fnId = logicalId(template, 'AWS::Lambda::Function', 'SlackSyncFunction');
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    const statements = policyStatements(template, 'SlackSyncRole');
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: expect.arrayContaining(['sqs:SendMessage']), Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } }),
    );
  });

  it('runs hourly from an EventBridge rule, with a dead-letter queue for undeliverable events', () => {
    const fnId = logicalId(template, 'AWS::Lambda::Function', 'SlackSyncFunction');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
    });
    template.resourceCountIs('AWS::Events::Rule', 3);
  });

  describe('least privilege', () => {
    it('the role may only write logs, read its own secret, write its own object key, and report failures', () => {
      const statements = policyStatements(template, 'SlackSyncRole');
      const secretId = logicalId(template, 'AWS::SecretsManager::Secret', 'SlackSyncSecret');
      const logsId = logicalId(template, 'AWS::Logs::LogGroup', 'SlackSyncLogs');
      expect(statements.find((s) => s.Sid === 'WriteLogs')).toEqual({
        Sid: 'WriteLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [logsId, 'Arn'] },
      });
      expect(statements.find((s) => s.Sid === 'ReadOwnSecret')).toEqual({
        Sid: 'ReadOwnSecret',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: { Ref: secretId },
      });
      expect(statements.find((s) => s.Sid === 'WriteOwnObject')).toEqual({
        Sid: 'WriteOwnObject',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/baton/slack/sync.c1z']] },
      });
      expect(new Set(actionsOf(statements))).toEqual(
        new Set([
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'secretsmanager:GetSecretValue',
          's3:PutObject',
          's3:AbortMultipartUpload',
          'sqs:SendMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
        ]),
      );
      // No wildcards anywhere, and no managed policies.
      expect(JSON.stringify(statements)).not.toContain('*');
      const roleId = logicalId(template, 'AWS::IAM::Role', 'SlackSyncRole');
      expect(resourcesOf(template, 'AWS::IAM::Role')[roleId]!.Properties!['ManagedPolicyArns']).toBeUndefined();
    });

    it('no function can touch another connector\'s secret or object', () => {
      for (const [pascal, name] of [
        ['Slack', 'slack'],
        ['Segment', 'segment'],
        ['Fullstory', 'fullstory'],
      ] as const) {
        const text = JSON.stringify(policyStatements(template, `${pascal}SyncRole`));
        const others = ['Slack', 'Segment', 'Fullstory'].filter((p) => p !== pascal);
        for (const other of others) expect(text).not.toContain(`${other}SyncSecret`);
        expect(text.match(/\/baton\/[a-z]+\/sync\.c1z/g)).toEqual([`/baton/${name}/sync.c1z`]);
      }
    });

    it('creates each connector an empty secret to fill in', () => {
      template.resourceCountIs('AWS::SecretsManager::Secret', 3);
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: 'BatonServerless/slack',
        SecretString: '{}',
      });
    });

    it('reads an existing secret by complete ARN: that ARN only, no secret created', () => {
      const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:baton/slack-AbCdEf';
      const { template: t } = synth({ connectors: [{ name: 'slack', secret: arn }] });
      t.resourceCountIs('AWS::SecretsManager::Secret', 0);
      expect(functionOf(t, 'Slack')['Environment'].Variables.SECRET_ID).toBe(arn);
      const read = policyStatements(t, 'SlackSyncRole').find((s) => s.Sid === 'ReadOwnSecret');
      expect(read).toMatchObject({ Action: 'secretsmanager:GetSecretValue', Resource: arn });
    });

    it('reads an existing secret by name: that name plus Secrets Manager\'s 6-character suffix', () => {
      const { template: t } = synth({
        connectors: [{ name: 'slack', secret: 'team/slack-token', secretKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k1' }],
      });
      expect(functionOf(t, 'Slack')['Environment'].Variables.SECRET_ID).toBe('team/slack-token');
      const statements = policyStatements(t, 'SlackSyncRole');
      const read = statements.find((s) => s.Sid === 'ReadOwnSecret');
      expect(JSON.stringify(read.Resource)).toMatch(/:secret:team\/slack-token-\?\?\?\?\?\?"/);
      expect(statements.find((s) => s.Sid === 'DecryptOwnSecret')).toMatchObject({
        Action: 'kms:Decrypt',
        Resource: 'arn:aws:kms:us-east-1:123456789012:key/k1',
      });
    });
  });

  it('takes architecture, sizes, schedule, retries and enabled per connector from config', () => {
    const { template: t } = synth({
      connectors: [
        {
          name: 'segment',
          architecture: 'x86_64',
          memoryMb: 2048,
          timeoutSeconds: 600,
          ephemeralStorageMb: 4096,
          schedule: 'cron(15 */2 * * ? *)',
          retryAttempts: 0,
        },
        { name: 'slack', enabled: false },
      ],
      logLevel: 'DEBUG',
      metricsNamespace: 'Acme/Baton',
    });
    expect(functionOf(t, 'Segment')).toMatchObject({
      Architectures: ['x86_64'],
      MemorySize: 2048,
      Timeout: 600,
      EphemeralStorage: { Size: 4096 },
      Runtime: 'nodejs24.x',
    });
    expect(functionOf(t, 'Segment')['Environment'].Variables).toMatchObject({
      LOG_LEVEL: 'DEBUG',
      POWERTOOLS_METRICS_NAMESPACE: 'Acme/Baton',
    });
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(15 */2 * * ? *)', State: 'ENABLED' });
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)', State: 'DISABLED' });
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
  });
});
