import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { actionsOf, cleanupOutdirs, logicalId, policyStatements, resourcesOf, synth } from './helpers.ts';

afterAll(cleanupOutdirs);

describe('the sync bucket', () => {
  const { template } = synth();
  const bucketId = logicalId(template, 'AWS::S3::Bucket', 'SyncBucket');

  it('blocks all public access and enforces the bucket owner', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  it('denies every request without TLS (and below TLS 1.2)', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  it('encrypts with SSE-S3 by default', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  it('is versioned, expires old versions and abandoned multipart uploads, and survives stack deletion', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({
              Id: 'expire-old-sync-versions',
              Status: 'Enabled',
              NoncurrentVersionExpiration: { NoncurrentDays: 30 },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            }),
          ]),
        },
      }),
    });
  });

  it('takes the noncurrent-version lifetime, an explicit name and an access-logs bucket from config', () => {
    const { template: t } = synth({
      bucket: { bucketName: 'my-baton-bucket', noncurrentVersionExpirationDays: 7, accessLogsBucketName: 'my-logs' },
    });
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'my-baton-bucket',
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 7 } })]) },
      LoggingConfiguration: { DestinationBucketName: 'my-logs', LogFilePrefix: 'baton-serverless/' },
    });
  });

  it('expires stray checkpoints: one rule per instance prefix (lifecycle filters are prefixes), after 2 days', () => {
    const rules = Object.values(resourcesOf(template, 'AWS::S3::Bucket'))[0]!.Properties!['LifecycleConfiguration'].Rules as any[];
    const checkpoints = rules.filter((r) => r.Id.startsWith('expire-checkpoints-'));
    expect(checkpoints).toEqual(
      ['slack', 'segment', 'fullstory'].map((c) => ({
        Id: `expire-checkpoints-${c}`,
        Prefix: `baton/${c}/.checkpoint/`,
        Status: 'Enabled',
        ExpirationInDays: 2,
        // The bucket is versioned: an expired checkpoint's old version goes too.
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      })),
    );
    // Never before the runtime stops resuming from a checkpoint (checkpointMaxAgeHours).
    const { template: t } = synth({ connectors: ['slack'], checkpointMaxAgeHours: 60 });
    const slack = (Object.values(resourcesOf(t, 'AWS::S3::Bucket'))[0]!.Properties!['LifecycleConfiguration'].Rules as any[]).find(
      (r) => r.Id === 'expire-checkpoints-slack',
    );
    expect(slack.ExpirationInDays).toBe(4);
  });

  describe('with KMS', () => {
    const { template: kms } = synth({ bucket: { encryption: 'KMS' }, conductorOneExternalId: 'c1-external-id' });
    const keyId = logicalId(kms, 'AWS::KMS::Key', 'SyncBucketKey');

    it('creates a rotating key and uses it with an S3 bucket key', () => {
      kms.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      kms.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
            },
          ],
        },
      });
    });

    it('grants the ConductorOne role kms:Decrypt through S3 only', () => {
      const statements = policyStatements(kms, 'ConductorOneAccessRole');
      const decrypt = statements.find((s) => s.Sid === 'DecryptSyncFiles');
      expect(decrypt).toMatchObject({
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': expect.anything() } },
      });
    });

    it('grants each function GenerateDataKey and Decrypt (multipart) on that key only', () => {
      for (const fn of ['Slack', 'Segment', 'Fullstory']) {
        const statements = policyStatements(kms, `${fn}SyncRole`);
        const kmsStatements = statements.filter((s) => actionsOf([s]).some((a: string) => a.startsWith('kms:')));
        expect(kmsStatements).toHaveLength(1);
        expect(kmsStatements[0]).toMatchObject({
          Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
          Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
        });
      }
    });

    it('uses an existing key when given its ARN', () => {
      const arn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      const { template: t } = synth({ bucket: { encryption: 'KMS', kmsKeyArn: arn } });
      t.resourceCountIs('AWS::KMS::Key', 0);
      t.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arn } }],
        },
      });
    });
  });

  it('imports an existing bucket by name instead of creating one', () => {
    const { template: t } = synth({
      bucket: { existingBucketName: 'existing-bucket' },
      conductorOneExternalId: 'c1-external-id',
    });
    t.resourceCountIs('AWS::S3::Bucket', 0);
    t.resourceCountIs('AWS::S3::BucketPolicy', 0);
    const fn = Object.values(resourcesOf(t, 'AWS::Lambda::Function'))[0]!.Properties!;
    expect(fn['Environment'].Variables.BUCKET).toBe('existing-bucket');
    const write = policyStatements(t, 'SlackSyncRole').find((s) => s.Sid === 'OwnObjects');
    expect(JSON.stringify(write.Resource)).toContain('existing-bucket/baton/slack/*');
  });
});
