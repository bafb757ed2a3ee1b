import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { actionsOf, cleanupOutdirs, functionOf, logicalId, policyStatements, resourcesOf, synth } from './helpers.ts';

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
      FunctionName: `BatonServerless-${name}-sync`,
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
      // The V8 sizing the benchmarks measured peak RSS with: old space capped at an eighth of the 1024 MB default.
      NODE_OPTIONS: '--max-semi-space-size=4 --max-old-space-size=128',
      CHECKPOINT_MAX_AGE_HOURS: '6',
      // The lease's expiry: a run that died without releasing it blocks the next ones this long.
      MAX_SYNC_HOURS: '6',
      // The shrink guard, on by default at 50 % of the principals or the grants.
      SHRINK_GUARD: 'on',
      SHRINK_MAX_PRINCIPAL_DROP_PERCENT: '50',
      SHRINK_MAX_GRANT_DROP_PERCENT: '50',
    });
  });

  it('the shrink guard: thresholds and the off switch per instance', () => {
    const { template: t } = synth({
      connectors: [
        { name: 'slack', shrinkGuard: { maxPrincipalDropPercent: 20, maxGrantDropPercent: 35 } },
        { name: 'segment', shrinkGuard: { enabled: false } },
      ],
    });
    expect(functionOf(t, 'Slack')['Environment'].Variables).toMatchObject({
      SHRINK_GUARD: 'on',
      SHRINK_MAX_PRINCIPAL_DROP_PERCENT: '20',
      SHRINK_MAX_GRANT_DROP_PERCENT: '35',
    });
    expect(functionOf(t, 'Segment')['Environment'].Variables).toMatchObject({ SHRINK_GUARD: 'off', SHRINK_MAX_PRINCIPAL_DROP_PERCENT: '50' });
  });

  it('logs to its own log group with the configured retention', () => {
    const fn = functionOf(template, 'Slack');
    const logsId = logicalId(template, 'AWS::Logs::LogGroup', 'SlackSyncLogs');
    expect(fn['LoggingConfig']).toEqual({ LogGroup: { Ref: logsId } });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    const { template: t } = synth({ connectors: ['slack'], logRetentionDays: 14 });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
  });

  it('retries failed async invokes of the live alias and records them in the SQS on-failure destination', () => {
    const fnId = logicalId(template, 'AWS::Lambda::Function', 'SlackSyncFunction');
    const aliasId = logicalId(template, 'AWS::Lambda::Alias', 'SlackSyncLive');
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 3);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      Qualifier: { 'Fn::Select': [7, { 'Fn::Split': [':', { Ref: aliasId }] }] },
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

  it('runs hourly from an EventBridge rule targeting the live alias, with a dead-letter queue for undeliverable events', () => {
    const aliasId = logicalId(template, 'AWS::Lambda::Alias', 'SlackSyncLive');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { Ref: aliasId },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        }),
      ],
    });
    // Only the alias may be invoked by the schedule: durable functions are invoked qualified.
    const permissions = Object.values(resourcesOf(template, 'AWS::Lambda::Permission')).map((p) => p.Properties!);
    expect(permissions).toHaveLength(3);
    expect(permissions).toContainEqual(
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', FunctionName: { Ref: aliasId } }),
    );
    template.resourceCountIs('AWS::Events::Rule', 3);
  });

  describe('durable execution', () => {
    it('each function is durable: execution timeout maxSyncHours (6 h), history kept 14 days, 900 s per invocation', () => {
      for (const pascal of ['Slack', 'Segment', 'Fullstory']) {
        expect(functionOf(template, pascal)).toMatchObject({
          DurableConfig: { ExecutionTimeout: 6 * 3600, RetentionPeriodInDays: 14 },
          Timeout: 900,
        });
      }
    });

    it('a live alias on the current version, which outlives a deploy (running executions stay on it)', () => {
      const fnId = logicalId(template, 'AWS::Lambda::Function', 'SlackSyncFunction');
      const versionId = logicalId(template, 'AWS::Lambda::Version', 'SlackSyncFunctionCurrentVersion');
      template.hasResourceProperties('AWS::Lambda::Alias', {
        Name: 'live',
        FunctionName: { Ref: fnId },
        FunctionVersion: { 'Fn::GetAtt': [versionId, 'Version'] },
      });
      template.hasResource('AWS::Lambda::Version', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      template.resourceCountIs('AWS::Lambda::Alias', 3);
    });

    it('maxSyncHours, checkpointMaxAgeHours and durableRetentionDays: top level, overridden per instance', () => {
      const { template: t } = synth({
        connectors: ['slack', { name: 'segment', maxSyncHours: 12, checkpointMaxAgeHours: 30 }],
        maxSyncHours: '3',
        checkpointMaxAgeHours: 2,
        durableRetentionDays: 30,
      });
      expect(functionOf(t, 'Slack')['DurableConfig']).toEqual({ ExecutionTimeout: 3 * 3600, RetentionPeriodInDays: 30 });
      expect(functionOf(t, 'Slack')['Environment'].Variables.CHECKPOINT_MAX_AGE_HOURS).toBe('2');
      expect(functionOf(t, 'Segment')['DurableConfig']).toEqual({ ExecutionTimeout: 12 * 3600, RetentionPeriodInDays: 30 });
      expect(functionOf(t, 'Segment')['Environment'].Variables.CHECKPOINT_MAX_AGE_HOURS).toBe('30');
    });
  });

  describe('least privilege', () => {
    it('the role may only write logs, read its own secret, use its own prefix, checkpoint its own executions, and report failures', () => {
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
      // sync.c1z, .lease.json and .checkpoint/<syncId>.c1z: this instance's prefix and nothing else.
      expect(statements.find((s) => s.Sid === 'OwnObjects')).toEqual({
        Sid: 'OwnObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/baton/slack/*']] },
      });
      expect(statements.find((s) => s.Sid === 'ListOwnCheckpoints')).toEqual({
        Sid: 'ListOwnCheckpoints',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] },
        // The live and quarantine keys: without list rights a missing one reads as 403 (a first sync has neither).
        Condition: {
          StringLike: {
            's3:prefix': [
              'baton/slack/.checkpoint/',
              'baton/slack/.checkpoint/*',
              'baton/slack/.lease.json',
              'baton/slack/sync.c1z',
              'baton/slack/.quarantine/sync.c1z',
            ],
          },
        },
      });
      // CDK adds AWSLambdaBasicDurableExecutionRolePolicy (Resource "*") only to roles it makes.
      expect(statements.find((s) => s.Sid === 'CheckpointOwnExecutions')).toEqual({
        Sid: 'CheckpointOwnExecutions',
        Effect: 'Allow',
        Action: ['lambda:CheckpointDurableExecution', 'lambda:GetDurableExecutionState'],
        Resource: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':lambda:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':function:BatonServerless-slack-sync:*'],
          ],
        },
      });
      expect(new Set(actionsOf(statements))).toEqual(
        new Set([
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'secretsmanager:GetSecretValue',
          's3:GetObject',
          's3:PutObject',
          's3:DeleteObject',
          's3:AbortMultipartUpload',
          's3:ListBucket',
          'lambda:CheckpointDurableExecution',
          'lambda:GetDurableExecutionState',
          'sqs:SendMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
        ]),
      );
      // The only wildcards: the instance's own prefix and its own function's qualifier. No managed policies.
      const wildcards = JSON.stringify(statements).match(/[^"]*\*[^"]*/g);
      expect(wildcards).toEqual(['/baton/slack/*', 'baton/slack/.checkpoint/*', ':function:BatonServerless-slack-sync:*']);
      const roleId = logicalId(template, 'AWS::IAM::Role', 'SlackSyncRole');
      expect(resourcesOf(template, 'AWS::IAM::Role')[roleId]!.Properties!['ManagedPolicyArns']).toBeUndefined();
    });

    it("no function can touch another connector's secret or object", () => {
      for (const [pascal, name] of [
        ['Slack', 'slack'],
        ['Segment', 'segment'],
        ['Fullstory', 'fullstory'],
      ] as const) {
        const text = JSON.stringify(policyStatements(template, `${pascal}SyncRole`));
        const others = ['Slack', 'Segment', 'Fullstory'].filter((p) => p !== pascal);
        for (const other of others) expect(text).not.toContain(`${other}SyncSecret`);
        expect(text.match(/baton\/[a-z]+\//g)?.every((k) => k === `baton/${name}/`)).toBe(true);
        expect(text.match(/function:[A-Za-z-]+:\*/g)).toEqual([`function:BatonServerless-${name}-sync:*`]);
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

    it("reads an existing secret by name: that name plus Secrets Manager's 6-character suffix", () => {
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
      // A bigger function, a bigger heap.
      NODE_OPTIONS: '--max-semi-space-size=4 --max-old-space-size=256',
    });
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(15 */2 * * ? *)', State: 'ENABLED' });
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)', State: 'DISABLED' });
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
  });
});
