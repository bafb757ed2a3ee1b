import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { invokeCommand } from '../../infra/stack.ts';
import { CDK_JSON, cleanupOutdirs, logicalId, synth, tempOutdir } from './helpers.ts';

afterAll(cleanupOutdirs);

describe('outputs', () => {
  const { template } = synth({ conductorOneExternalId: 'c1-external-id' });
  const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Description?: string }>;

  it('bucket name, role ARN, failed-runs queue and dashboard', () => {
    expect(outputs['BucketName']!.Value).toEqual({ Ref: logicalId(template, 'AWS::S3::Bucket', 'SyncBucket') });
    expect(outputs['ConductorOneRoleArn']!.Value).toEqual({
      'Fn::GetAtt': [logicalId(template, 'AWS::IAM::Role', 'ConductorOneAccessRole'), 'Arn'],
    });
    expect(outputs['FailedRunsQueueUrl']!.Value).toEqual({ Ref: logicalId(template, 'AWS::SQS::Queue', 'FailedRuns') });
    expect(JSON.stringify(outputs['DashboardUrl']!.Value)).toContain('#dashboards/dashboard/BatonServerless');
  });

  it.each([
    ['Slack', 'slack'],
    ['Segment', 'segment'],
    ['Fullstory', 'fullstory'],
  ])('%s: function name, object key, secret and the exact invoke command (qualified: the live alias)', (pascal, name) => {
    expect(outputs[`${pascal}FunctionName`]!.Value).toEqual({
      Ref: logicalId(template, 'AWS::Lambda::Function', `${pascal}SyncFunction`),
    });
    expect(outputs[`${pascal}ObjectKey`]!.Value).toBe(`baton/${name}/sync.c1z`);
    expect(outputs[`${pascal}SecretId`]!.Value).toEqual({
      Ref: logicalId(template, 'AWS::SecretsManager::Secret', `${pascal}SyncSecret`),
    });
    expect(outputs[`${pascal}InvokeCommand`]!.Value).toEqual({
      'Fn::Join': [
        '',
        [
          'aws lambda invoke --region ',
          { Ref: 'AWS::Region' },
          ` --function-name BatonServerless-${name}-sync:live --cli-binary-format raw-in-base64-out --cli-read-timeout 0 --payload '{}' sync-result.json`,
        ],
      ],
    });
  });

  it('the invoke command, rendered', () => {
    expect(invokeCommand('BatonServerless-slack', 'eu-west-1')).toBe(
      "aws lambda invoke --region eu-west-1 --function-name BatonServerless-slack --cli-binary-format raw-in-base64-out --cli-read-timeout 0 --payload '{}' sync-result.json",
    );
  });
});

describe('cdk-nag AwsSolutions', () => {
  // Every optional part on, so every construct and every acknowledgement is exercised.
  const everything = {
    ...CDK_JSON.context,
    connectors: [
      { name: 'slack' },
      { name: 'segment', architecture: 'x86_64', secret: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:seg-AbCdEf' },
      { name: 'fullstory', secret: 'team/fullstory', secretKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k1' },
    ],
    bucket: { encryption: 'KMS' },
    conductorOneExternalId: 'c1-external-id',
    alarmEmail: 'ops@example.com',
    'aws:cdk:bundling-stacks': [],
  };

  it.each([
    ['cdk.json as shipped', { ...CDK_JSON.context, 'aws:cdk:bundling-stacks': [] }],
    ['every option on', everything],
    ['an existing bucket', { ...everything, bucket: { existingBucketName: 'existing-bucket' } }],
    ['access logs on', { ...everything, bucket: { accessLogsBucketName: 'my-logs' } }],
  ])('%s: zero unacknowledged findings, and the synth passes validation', (_label, context) => {
    const outdir = tempOutdir();
    const { app } = buildApp({ outdir, context, nag: true });
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
    expect(() => app.synth()).not.toThrow();
    const validation = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    // The report lists failing plugins only.
    expect(validation.pluginReports).toEqual([]);
  });

  it('every acknowledgement states a reason', () => {
    const { app } = buildApp({ outdir: tempOutdir(), context: everything, nag: false });
    const acks: Record<string, string>[] = [];
    for (const c of app.node.findAll()) {
      for (const m of c.node.metadata) {
        if (m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) acks.push(m.data as Record<string, string>);
      }
    }
    const all = acks.flatMap((a) => Object.keys(a));
    // Wildcard acknowledgements name each wildcard resource: per function its own prefix and the
    // qualifier of its own durable executions, nothing else.
    const wildcards = all.filter((id) => id.startsWith('Annotation::AwsSolutions-IAM5['));
    expect(wildcards.sort()).toEqual(
      ['slack', 'segment', 'fullstory']
        .flatMap((c) => [
          `Annotation::AwsSolutions-IAM5[Resource::<SyncBucketE9822395.Arn>/baton/${c}/*]`,
          `Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:BatonServerless-${c}-sync:*]`,
        ])
        .sort(),
    );
    const ids = all.filter((id) => !wildcards.includes(id)).sort();
    expect(ids).toEqual(
      [
        'AwsSolutions-S1',
        'AwsSolutions-SMG4', // slack's created secret
        'AwsSolutions-SNS2',
        'AwsSolutions-SQS3',
      ]
        .map((id) => `Annotation::${id}`)
        .sort(),
    );
    for (const reason of acks.flatMap((a) => Object.values(a))) expect(reason.length).toBeGreaterThan(40);
  });

  it('fails the synth on an unacknowledged finding (the checks are live)', () => {
    const outdir = tempOutdir();
    const { app } = buildApp({ outdir, context: { ...CDK_JSON.context, 'aws:cdk:bundling-stacks': [] }, nag: true });
    new Bucket(new Stack(app, 'Careless'), 'OpenBucket');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
    expect(existsSync(join(outdir, 'validation-report.json'))).toBe(true);
    const report = readFileSync(join(outdir, 'validation-report.json'), 'utf8');
    expect(report).toContain('Careless/OpenBucket');
    expect(report).not.toContain('BatonServerless/');
  });
});
