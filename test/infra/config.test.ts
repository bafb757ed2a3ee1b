import { describe, expect, it } from 'vitest';
import { CONDUCTORONE_PRINCIPAL_ARN, loadConfig, objectKey } from '../../infra/config.ts';
import { connectorNames } from '../../lambdas/index.ts';
import { errorOf } from './config-errors.ts';
import { CDK_JSON } from './helpers.ts';

describe('config from the cdk.json context', () => {
  it('cdk.json is valid and deploys every connector of the registry once, with the documented defaults', () => {
    expect(CDK_JSON.app).toBe('node infra/app.ts');
    expect(CDK_JSON.context['connectors']).toBeUndefined();
    const config = loadConfig(CDK_JSON.context);
    expect(connectorNames.length).toBeGreaterThan(0);
    expect(config.connectors.map((c) => c.id)).toEqual(connectorNames);
    expect(config.connectors.map((c) => c.connector)).toEqual(connectorNames);
    for (const c of config.connectors) {
      expect(c).toMatchObject({
        enabled: true,
        schedule: 'rate(1 hour)',
        architecture: 'arm64',
        memoryMb: 1024,
        timeoutSeconds: 900,
        ephemeralStorageMb: 2048,
        retryAttempts: 2,
        staleAfterHours: 2,
        shrinkGuard: { enabled: true, maxPrincipalDropPercent: 50, maxGrantDropPercent: 50 },
      });
      expect(c.secret).toBeUndefined();
    }
    expect(config).toMatchObject({
      stackName: 'BatonServerless',
      keyPrefix: 'baton',
      metricsNamespace: 'BatonServerless',
      logLevel: 'INFO',
      logRetentionDays: 90,
      conductorOnePrincipalArn: CONDUCTORONE_PRINCIPAL_ARN,
      bucket: { encryption: 'S3', noncurrentVersionExpirationDays: 30 },
    });
    expect(config.conductorOneExternalId).toBeUndefined();
    expect(config.alarmEmail).toBeUndefined();
  });

  it('fills defaults for a minimal context; a connector may be given by name only', () => {
    const config = loadConfig({ connectors: ['slack'] });
    expect(config.stackName).toBe('BatonServerless');
    expect(config.connectors[0]).toMatchObject({ id: 'slack', connector: 'slack', schedule: 'rate(1 hour)', architecture: 'arm64' });
    expect(objectKey(config, 'slack')).toBe('baton/slack/sync.c1z');
  });

  it('accepts JSON text for structured keys and numbers (as `-c key=value` passes them)', () => {
    const config = loadConfig({
      connectors: '[{"name":"segment","architecture":"x86_64","memoryMb":2048}]',
      bucket: '{"encryption":"KMS"}',
      logRetentionDays: '30',
      keyPrefix: 'exports/baton',
    });
    expect(config.connectors[0]).toMatchObject({ id: 'segment', connector: 'segment', architecture: 'x86_64', memoryMb: 2048 });
    expect(config.bucket.encryption).toBe('KMS');
    expect(config.logRetentionDays).toBe(30);
    expect(objectKey(config, 'segment')).toBe('exports/baton/segment/sync.c1z');
  });

  it('without a connectors list, runs each connector of the registry once; a list replaces it', () => {
    expect(loadConfig({}).connectors.map((c) => c.id)).toEqual(connectorNames);
    expect(loadConfig({ connectors: ['segment'] }).connectors.map((c) => c.id)).toEqual(['segment']);
  });

  it("ignores CDK's own context keys", () => {
    expect(() =>
      loadConfig({
        connectors: ['slack'],
        'aws:cdk:bundling-stacks': [],
        '@aws-cdk/core:newStyleStackSynthesis': true,
        'availability-zones:account=1:region=x': ['a'],
      }),
    ).not.toThrow();
  });

  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['an empty list', { connectors: [] }, 'connectors', /at least one connector/],
    ['memory too large', { connectors: [{ name: 'slack', memoryMb: 20000 }] }, 'connectors[0].memoryMb', /10240/],
    ['timeout above 15 min', { connectors: [{ name: 'slack', timeoutSeconds: 901 }] }, 'connectors[0].timeoutSeconds', /900/],
    ['ephemeral storage too small', { connectors: [{ name: 'slack', ephemeralStorageMb: 100 }] }, 'connectors[0].ephemeralStorageMb', /512/],
    ['unknown architecture', { connectors: [{ name: 'slack', architecture: 'x64' }] }, 'connectors[0].architecture', /arm64/],
    ['a typo inside a connector', { connectors: [{ name: 'slack', memory: 512 }] }, 'connectors[0].memory', /unknown key/],
    ['a bad schedule', { connectors: [{ name: 'slack', schedule: 'every hour' }] }, 'connectors[0].schedule', /rate\(1 hour\)/],
    ['a bad secret', { connectors: [{ name: 'slack', secret: 'arn:aws:s3:::nope' }] }, 'connectors[0].secret', /secret name or ARN/],
    ['a bad name', { connectors: ['Slack'] }, 'connectors[0].id', /upper-case letter "S"/],
    ['a duplicate', { connectors: ['slack', 'slack'] }, 'connectors[1].id', /duplicate instance id "slack"/],
    ['a top-level typo', { connectors: ['slack'], conductorOneExternalID: 'x' }, 'conductorOneExternalID', /unknown context key/],
    ['kmsKeyArn without KMS', { connectors: ['slack'], bucket: { kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/abc' } }, 'bucket.kmsKeyArn', /KMS/],
    [
      'an existing KMS bucket without its key',
      { connectors: ['slack'], bucket: { existingBucketName: 'my-bucket', encryption: 'KMS' } },
      'bucket.kmsKeyArn',
      /key ARN/,
    ],
    ['both bucket names', { connectors: ['slack'], bucket: { existingBucketName: 'a-bucket', bucketName: 'b-bucket' } }, 'bucket.bucketName', /either/],
    ['an invalid bucket name', { connectors: ['slack'], bucket: { bucketName: 'Not_A_Bucket' } }, 'bucket.bucketName', /bucket name/],
    ['a bad e-mail', { connectors: ['slack'], alarmEmail: 'ops' }, 'alarmEmail', /email/i],
    ['a bad retention', { connectors: ['slack'], logRetentionDays: 10 }, 'logRetentionDays', /one of 1, 3, 5/],
    ['a prefix with a slash at the end', { connectors: ['slack'], keyPrefix: 'baton/' }, 'keyPrefix', /must not start or end with "\/"/],
    ['an AWS/ namespace', { connectors: ['slack'], metricsNamespace: 'AWS/Lambda' }, 'metricsNamespace', /reserved/],
    ['a short external ID', { connectors: ['slack'], conductorOneExternalId: 'x' }, 'conductorOneExternalId', /external ID/],
    ['unparseable JSON', { connectors: '[slack' }, 'connectors', /not valid JSON/],
    ['a maxSyncHours of 0', { connectors: ['slack'], maxSyncHours: 0 }, 'maxSyncHours', />=1/],
    ['a maxSyncHours over a week', { connectors: [{ name: 'slack', maxSyncHours: 200 }] }, 'connectors[0].maxSyncHours', /<=168/],
    ['a fractional checkpoint age', { connectors: ['slack'], checkpointMaxAgeHours: 1.5 }, 'checkpointMaxAgeHours', /expected int/],
    [
      'a shrink threshold over 100 %',
      { connectors: [{ name: 'slack', shrinkGuard: { maxGrantDropPercent: 120 } }] },
      'connectors[0].shrinkGuard.maxGrantDropPercent',
      /<=100/,
    ],
    ['a typo in the shrink guard', { connectors: [{ name: 'slack', shrinkGuard: { enable: false } }] }, 'connectors[0].shrinkGuard.enable', /unknown key/],
    ['a durable retention over 90 days', { connectors: ['slack'], durableRetentionDays: '91' }, 'durableRetentionDays', /<=90/],
  ];
  it.each(cases)('rejects %s, naming the key', (_label, context, key, message) => {
    const error = errorOf(context);
    expect(error.keys).toContain(key);
    const line = error.message.split('\n').find((l) => l.includes(`"${key}"`));
    expect(line).toMatch(message);
    expect(line).toContain(`cdk.json context "${key}"`);
  });

  it('reports every problem at once', () => {
    const error = errorOf({
      connectors: [
        { name: 'slack', memoryMb: 1 },
        { name: 'x', timeoutSeconds: 0 },
      ],
      alarmEmail: 'no',
    });
    expect(error.keys).toEqual(expect.arrayContaining(['connectors[0].memoryMb', 'connectors[1].timeoutSeconds', 'alarmEmail']));
  });
});
