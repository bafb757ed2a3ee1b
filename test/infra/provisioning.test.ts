// The provisioning endpoint: off by default; when enabled, one function behind a
// function URL whose role reaches exactly the served instances' secrets and live files, plus
// token ids under the JTI prefix.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { bundleHandler, REPO_ROOT } from '../../infra/bundling.ts';
import { loadConfig } from '../../infra/config.ts';
import { ProvisioningEndpoint } from '../../infra/constructs/provisioning-endpoint.ts';
import { errorOf, lineFor } from './config-errors.ts';
import { actionsOf, cleanupOutdirs, logicalId, policyStatements, resourcesOf, synth, TEST_CONTEXT, tempOutdir } from './helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'baton-provisioning-'));
afterAll(() => {
  cleanupOutdirs();
  rmSync(work, { recursive: true, force: true });
});

const PROVISIONING = { tenant: 'acme.conductor.one', connectors: ['segment', 'slack'] };

const rulesOf = (template: ReturnType<typeof synth>['template']) =>
  Object.values(resourcesOf(template, 'AWS::S3::Bucket'))[0]!.Properties!['LifecycleConfiguration'].Rules as any[];

describe('off by default', () => {
  const { template } = synth();
  it('no function URL, no provisioning function, output, alarm or token lifecycle', () => {
    template.resourceCountIs('AWS::Lambda::Url', 0);
    expect(Object.keys(resourcesOf(template, 'AWS::Lambda::Function')).filter((id) => id.startsWith('Provisioning'))).toEqual([]);
    expect(template.findOutputs('ProvisioningUrl')).toEqual({});
    expect(rulesOf(template).map((r) => r.Id)).not.toContain('expire-provisioning-jti');
    expect(JSON.stringify(template.toJSON())).not.toContain('provisioning');
  });
});

describe('enabled for segment and slack', () => {
  const { template } = synth({ provisioning: PROVISIONING, alarmEmail: 'ops@example.com' });
  const bucketId = logicalId(template, 'AWS::S3::Bucket', 'SyncBucket');
  const fnId = logicalId(template, 'AWS::Lambda::Function', 'ProvisioningFunction');
  const fn = resourcesOf(template, 'AWS::Lambda::Function')[fnId]!.Properties!;
  const objectArn = (key: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${key}`]] });

  it("a function URL without AWS auth (the function verifies ConductorOne's JWT), as the ProvisioningUrl output", () => {
    const urlId = logicalId(template, 'AWS::Lambda::Url', 'ProvisioningFunctionFunctionUrl');
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [fnId, 'Arn'] } });
    const output = template.toJSON().Outputs['ProvisioningUrl'];
    expect(output.Value).toEqual({ 'Fn::GetAtt': [urlId, 'FunctionUrl'] });
    expect(output.Description).toContain('(segment, slack)');
  });

  it('Node.js 24 on arm64, its own log group, the environment the handler reads', () => {
    expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', Timeout: 30 });
    expect(fn['LoggingConfig']).toEqual({ LogGroup: { Ref: logicalId(template, 'AWS::Logs::LogGroup', 'ProvisioningLogs') } });
    const env = fn['Environment'].Variables;
    expect(Object.keys(env).sort()).toEqual(
      ['BUCKET', 'INSTANCES', 'JTI_PREFIX', 'LOG_LEVEL', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME', 'TENANT'].sort(),
    );
    expect(env).toMatchObject({
      BUCKET: { Ref: bucketId },
      TENANT: 'acme.conductor.one',
      JTI_PREFIX: 'baton/.provisioning/jti/',
      POWERTOOLS_METRICS_NAMESPACE: 'BatonServerless',
      LOG_LEVEL: 'INFO',
    });
    // INSTANCES is JSON with each created secret's ARN as a reference: render the references to check it.
    const parts = env.INSTANCES['Fn::Join'][1] as unknown[];
    const text = parts.map((p) => (typeof p === 'string' ? p : `<${(p as { Ref: string }).Ref}>`)).join('');
    const secret = (p: string) => `<${logicalId(template, 'AWS::SecretsManager::Secret', `${p}SyncSecret`)}>`;
    expect(JSON.parse(text)).toEqual({
      segment: { connector: 'segment', secretId: secret('Segment'), objectKey: 'baton/segment/sync.c1z' },
      slack: { connector: 'slack', secretId: secret('Slack'), objectKey: 'baton/slack/sync.c1z' },
    });
  });

  it('least privilege: exactly the served secrets and live files, and token ids under the JTI prefix', () => {
    const statements = policyStatements(template, 'ProvisioningRole');
    expect(new Set(actionsOf(statements))).toEqual(
      new Set(['logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:GetSecretValue', 's3:GetObject', 's3:PutObject']),
    );
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid);
    expect(bySid('ReadInstanceSecrets').Resource).toEqual([
      { Ref: logicalId(template, 'AWS::SecretsManager::Secret', 'SegmentSyncSecret') },
      { Ref: logicalId(template, 'AWS::SecretsManager::Secret', 'SlackSyncSecret') },
    ]);
    expect(bySid('ReadLiveFiles')).toMatchObject({
      Action: 's3:GetObject',
      Resource: [objectArn('baton/segment/sync.c1z'), objectArn('baton/slack/sync.c1z')],
    });
    expect(bySid('RecordTokenIds')).toMatchObject({ Action: 's3:PutObject', Resource: objectArn('baton/.provisioning/jti/*') });
    // Not fullstory (configured, not served); no checkpoint, lease or listing.
    const text = JSON.stringify(statements);
    expect(text).not.toMatch(/Fullstory|fullstory|checkpoint|lease|ListBucket|Delete/);
    const roleId = logicalId(template, 'AWS::IAM::Role', 'ProvisioningRole');
    expect(resourcesOf(template, 'AWS::IAM::Role')[roleId]!.Properties!['ManagedPolicyArns']).toBeUndefined();
  });

  it('token ids expire after a day', () => {
    expect(rulesOf(template).find((r) => r.Id === 'expire-provisioning-jti')).toEqual({
      Id: 'expire-provisioning-jti',
      Prefix: 'baton/.provisioning/jti/',
      Status: 'Enabled',
      ExpirationInDays: 1,
      NoncurrentVersionExpiration: { NoncurrentDays: 1 },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    });
  });

  it('an error alarm to the topic, and ProvisionSucceeded/ProvisionFailed per instance on the dashboard', () => {
    const topicId = logicalId(template, 'AWS::SNS::Topic', 'Alarms');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'BatonServerless-provisioning-errors',
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      AlarmActions: [{ Ref: topicId }],
    });
    const body = JSON.stringify(Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'))[0]!.Properties!['DashboardBody']);
    for (const id of ['segment', 'slack']) {
      for (const metric of ['ProvisionSucceeded', 'ProvisionFailed']) {
        expect(body).toContain(
          `[\\"BatonServerless\\",\\"${metric}\\",\\"connector\\",\\"${id}\\",\\"instance\\",\\"${id}\\",\\"service\\",\\"baton-serverless\\"`,
        );
      }
    }
    expect(body).toContain('provisioning: calls by instance');
  });

  it("decrypts only the served secrets' KMS key, and the bucket key through S3", () => {
    const key = 'arn:aws:kms:us-east-1:123456789012:key/k1';
    const { template: t } = synth({
      connectors: [{ name: 'segment', secret: 'team/segment', secretKmsKeyArn: key }, 'slack'],
      bucket: { encryption: 'KMS' },
      provisioning: { tenant: 'acme.conductor.one', connectors: ['segment'] },
    });
    const statements = policyStatements(t, 'ProvisioningRole');
    expect(statements.find((s) => s.Sid === 'DecryptInstanceSecrets')).toMatchObject({ Action: 'kms:Decrypt', Resource: key });
    expect(statements.find((s) => s.Sid === 'BucketKey')).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: { 'Fn::GetAtt': [logicalId(t, 'AWS::KMS::Key', 'SyncBucketKey'), 'Arn'] },
    });
    expect(JSON.stringify(statements.find((s) => s.Sid === 'ReadInstanceSecrets').Resource)).toMatch(/secret:team\/segment-\?\?\?\?\?\?/);
  });
});

describe('cdk-nag with a stand-in handler', () => {
  const standIn = bundleHandler({
    entry: join(REPO_ROOT, 'test/infra/fixtures/stand-in-handler.ts'),
    outDir: join(work, 'stand-in'),
    architecture: 'arm64',
  });

  it("the stack's provisioningCode override takes the asset; AwsSolutions has no finding; the URL's auth is acknowledged with its reason", () => {
    const outdir = tempOutdir();
    const { app, stack } = buildApp({
      outdir,
      context: { ...TEST_CONTEXT, provisioning: PROVISIONING, 'aws:cdk:bundling-stacks': [] },
      provisioningCode: Code.fromAsset(standIn.outDir),
      nag: true,
    });
    expect(new AwsSolutionsChecks(app).validateScope(app).violations).toEqual([]);
    // The Serverless pack is the one with a function-URL rule: the acknowledgement must match it.
    const serverless = new ServerlessChecks(app).validateScope(app).violations.map((v) => v.ruleName);
    expect(serverless).not.toContain('Serverless-LambdaFunctionUrlAuth');
    const acks = stack.deployment.provisioning!.function.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
    expect(JSON.stringify(acks)).toMatch(/Serverless-LambdaFunctionUrlAuth.*verifies the token/);
    expect(() => app.synth()).not.toThrow();
  });

  it('synth fails in one line naming the key when the handler does not exist and must be bundled', () => {
    const stack = new Stack(new App({ outdir: tempOutdir() }), 'S');
    const bucket = new Bucket(stack, 'B');
    expect(
      () =>
        new ProvisioningEndpoint(stack, 'P', {
          existingBucketObj: bucket,
          tenant: 'acme.conductor.one',
          instances: [],
          jtiPrefix: 'baton/.provisioning/jti/',
          metricsNamespace: 'BatonServerless',
          logLevel: 'INFO',
          logRetentionDays: 90,
          entry: join(REPO_ROOT, 'lambdas/no-such-provisioning.ts'),
        }),
    ).toThrow(/cdk\.json context "provisioning": the provisioning endpoint's handler lambdas\/no-such-provisioning\.ts does not exist/);
  });
});

describe('bad provisioning config: one line naming the key', () => {
  const base = { connectors: ['slack', 'segment', { id: 'segment-eu', connector: 'segment' }] };
  const cases: [string, unknown, string, RegExp][] = [
    ['a tenant with a scheme', { tenant: 'https://acme.conductor.one', connectors: ['slack'] }, 'provisioning.tenant', /without a scheme/],
    ['a tenant that is not a host name', { tenant: 'acme conductor', connectors: ['slack'] }, 'provisioning.tenant', /host name/],
    ['a tenant with a path', { tenant: 'acme.conductor.one/x', connectors: ['slack'] }, 'provisioning.tenant', /host name/],
    ['no connectors', { tenant: 'acme.conductor.one', connectors: [] }, 'provisioning.connectors', /at least one instance id/],
    [
      'an instance that is not configured',
      { tenant: 'acme.conductor.one', connectors: ['github'] },
      'provisioning.connectors[0]',
      /"github" is not a configured instance \(configured: slack, segment, segment-eu\)/,
    ],
    ['a duplicate', { tenant: 'acme.conductor.one', connectors: ['slack', 'slack'] }, 'provisioning.connectors[1]', /duplicate instance id "slack"/],
    ['a typo', { tenant: 'acme.conductor.one', connectors: ['slack'], conectors: [] }, 'provisioning.conectors', /unknown key/],
    ['no tenant', { connectors: ['slack'] }, 'provisioning.tenant', /expected string/],
  ];
  it.each(cases)('rejects %s', (_label, provisioning, key, message) => {
    const error = errorOf({ ...base, provisioning });
    expect(lineFor(error, key)).toMatch(message);
  });

  it('refuses an instance of a connector whose syncers neither grant nor revoke, naming those that do', () => {
    const error = errorOf({ connectors: ['slack', 'fullstory'], provisioning: { tenant: 'acme.conductor.one', connectors: ['fullstory'] } });
    expect(lineFor(error, 'provisioning.connectors[0]')).toMatch(
      /"fullstory" runs fullstory, which has no provisioning \(supported: slack, segment, .*\bokta\b.*\)/,
    );
  });

  it('accepts JSON text (as -c provisioning=... passes it) and instance ids of a connector with several instances', () => {
    const config = loadConfig({ ...base, provisioning: '{"tenant":"acme.conductor.one","connectors":["segment-eu","slack"]}' });
    expect(config.provisioning).toEqual({ tenant: 'acme.conductor.one', connectors: ['segment-eu', 'slack'] });
    expect(loadConfig(base).provisioning).toBeUndefined();
  });
});
