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
import { CONDUCTORONE_PRINCIPAL_ARN } from '../config.ts';
import type { ConnectorSync } from './connector-sync.ts';

export interface ConductorOneAccessRoleProps {
  /** The bucket ConductorOne reads (default: the first sync's). */
  readonly existingBucketObj?: IBucket;
  /** The object keys ConductorOne may read: `<prefix>/<instance id>/sync.c1z`, one per instance (default: the syncs'). */
  readonly objectKeys?: string[];
  /** The sync instances whose files ConductorOne reads. */
  readonly syncs?: ConnectorSync[];
  /** The external ID ConductorOne shows for your S3 data source. */
  readonly externalId: string;
  /** ConductorOne's S3 data-source service role (default: ConductorOne's production role). */
  readonly principalArn?: string;
  /** The bucket's customer KMS key, if any (default: the first sync's). */
  readonly existingBucketKeyObj?: IKey;
}

export const CONDUCTORONE_READ_ACTIONS = {
  object: ['s3:GetObject', 's3:GetObjectAttributes'],
  bucket: ['s3:ListBucket', 's3:GetBucketLocation'],
} as const;

export class ConductorOneAccessRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: ConductorOneAccessRoleProps) {
    super(scope, id);
    const syncs = props.syncs ?? [];
    const bucket = props.existingBucketObj ?? syncs[0]?.bucket;
    if (!bucket) throw new Error(`${this.node.path}: give existingBucketObj or at least one sync`);
    const bucketKey = props.existingBucketKeyObj ?? (props.existingBucketObj ? undefined : syncs[0]?.bucketKey);
    const objectKeys = [...syncs.map((s) => s.objectKey), ...(props.objectKeys ?? [])];
    this.role = new Role(this, 'Role', {
      assumedBy: new ArnPrincipal(props.principalArn ?? CONDUCTORONE_PRINCIPAL_ARN),
      externalIds: [props.externalId],
      description: 'ConductorOne reads the Baton sync files (S3 external data source)',
    });
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'ReadSyncFiles',
        actions: [...CONDUCTORONE_READ_ACTIONS.object],
        resources: objectKeys.map((key) => bucket.arnForObjects(key)),
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'LocateBucket',
        actions: [...CONDUCTORONE_READ_ACTIONS.bucket],
        resources: [bucket.bucketArn],
      }),
    );
    if (bucketKey) {
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'DecryptSyncFiles',
          actions: ['kms:Decrypt'],
          resources: [bucketKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
        }),
      );
    }
  }
}
