/**
 * The role ConductorOne assumes to read the sync files: trusted only by ConductorOne's S3
 * data-source service role, only with the external ID ConductorOne shows you (the confused-deputy
 * guard), and allowed only to read this bucket's sync objects (plus decrypt, when the bucket uses a
 * customer KMS key).
 */
import { Aws } from 'aws-cdk-lib';
import { ArnPrincipal, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface ConductorOneAccessRoleProps {
  bucket: IBucket;
  /** The object keys ConductorOne may read: `<prefix>/<connector>/sync.c1z`, one per connector. */
  objectKeys: string[];
  externalId: string;
  /** ConductorOne's S3 data-source service role. */
  principalArn: string;
  /** The bucket's customer KMS key, if any. */
  bucketKey?: IKey;
}

export const CONDUCTORONE_READ_ACTIONS = {
  object: ['s3:GetObject', 's3:GetObjectAttributes'],
  bucket: ['s3:ListBucket', 's3:GetBucketLocation'],
} as const;

export class ConductorOneAccessRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: ConductorOneAccessRoleProps) {
    super(scope, id);
    this.role = new Role(this, 'Role', {
      assumedBy: new ArnPrincipal(props.principalArn),
      externalIds: [props.externalId],
      description: 'ConductorOne reads the Baton sync files (S3 external data source)',
    });
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'ReadSyncFiles',
        actions: [...CONDUCTORONE_READ_ACTIONS.object],
        resources: props.objectKeys.map((key) => props.bucket.arnForObjects(key)),
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'LocateBucket',
        actions: [...CONDUCTORONE_READ_ACTIONS.bucket],
        resources: [props.bucket.bucketArn],
      }),
    );
    if (props.bucketKey) {
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'DecryptSyncFiles',
          actions: ['kms:Decrypt'],
          resources: [props.bucketKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
        }),
      );
    }
  }
}
