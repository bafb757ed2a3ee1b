import { afterAll, describe, expect, it } from 'vitest';
import { CONDUCTORONE_PRINCIPAL_ARN } from '../../infra/config.ts';
import { actionsOf, cleanupOutdirs, logicalId, policyStatements, resourcesOf, synth } from './helpers.ts';

afterAll(cleanupOutdirs);

describe('the ConductorOne read role', () => {
  const { template } = synth({ conductorOneExternalId: 'c1-tenant-external-id-123' });
  const roleId = logicalId(template, 'AWS::IAM::Role', 'ConductorOneAccessRole');
  const bucketId = logicalId(template, 'AWS::S3::Bucket', 'SyncBucket');

  it("is trusted only by ConductorOne's S3 data-source role, with the external ID", () => {
    const role = resourcesOf(template, 'AWS::IAM::Role')[roleId]!.Properties!;
    expect(CONDUCTORONE_PRINCIPAL_ARN).toBe('arn:aws:iam::765656841499:role/ConductorOneS3DatasourceService');
    expect(role['AssumeRolePolicyDocument']).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { AWS: CONDUCTORONE_PRINCIPAL_ARN },
          Condition: { StringEquals: { 'sts:ExternalId': 'c1-tenant-external-id-123' } },
        },
      ],
    });
    expect(role['ManagedPolicyArns']).toBeUndefined();
  });

  it('may only read the sync objects and locate/list the bucket', () => {
    const statements = policyStatements(template, 'ConductorOneAccessRole');
    expect(new Set(actionsOf(statements))).toEqual(new Set(['s3:GetObject', 's3:GetObjectAttributes', 's3:ListBucket', 's3:GetBucketLocation']));
    expect(statements.find((s) => s.Sid === 'ReadSyncFiles')).toEqual({
      Sid: 'ReadSyncFiles',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:GetObjectAttributes'],
      Resource: ['slack', 'segment', 'fullstory'].map((c) => ({
        'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/baton/${c}/sync.c1z`]],
      })),
    });
    expect(statements.find((s) => s.Sid === 'LocateBucket')).toEqual({
      Sid: 'LocateBucket',
      Effect: 'Allow',
      Action: ['s3:ListBucket', 's3:GetBucketLocation'],
      Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] },
    });
    expect(JSON.stringify(statements)).not.toMatch(/\*|Put|Delete/);
  });

  it('cannot read a checkpoint or a lease: its object resources are exactly the live files', () => {
    const statements = policyStatements(template, 'ConductorOneAccessRole');
    const objects = statements.filter((s) => actionsOf([s]).includes('s3:GetObject')).flatMap((s) => s.Resource);
    const keys = objects.map((r: any) => r['Fn::Join'][1][1]);
    expect(keys).toEqual(['/baton/slack/sync.c1z', '/baton/segment/sync.c1z', '/baton/fullstory/sync.c1z']);
    expect(JSON.stringify(statements)).not.toMatch(/checkpoint|lease/);
  });

  it('is not created without an external ID', () => {
    const { template: t } = synth();
    expect(Object.keys(t.findResources('AWS::IAM::Role')).filter((id) => id.startsWith('ConductorOne'))).toEqual([]);
    expect(t.findOutputs('ConductorOneRoleArn')).toEqual({});
  });

  it('can trust another principal (e.g. a ConductorOne region) when configured', () => {
    const principal = 'arn:aws:iam::111122223333:role/OtherDatasourceService';
    const { template: t } = synth({ conductorOneExternalId: 'abc-123', conductorOnePrincipalArn: principal });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { AWS: principal },
            Condition: { StringEquals: { 'sts:ExternalId': 'abc-123' } },
          },
        ],
      },
    });
  });
});
