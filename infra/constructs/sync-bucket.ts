/**
 * The bucket the connectors write `<prefix>/<connector>/sync.c1z` into and ConductorOne reads:
 * private (all public access blocked, owner-enforced), TLS-only, encrypted (SSE-S3 by default, or a
 * KMS key: created with rotation, or an existing key's ARN), versioned so a bad upload can be rolled
 * back, with a lifecycle that expires old versions and abandoned multipart uploads.
 * Or an existing bucket, imported by name (its own settings are then yours to keep).
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { BucketConfig } from '../config.ts';

/** Objects under `prefix` that are temporary: expired after `days`, old versions after a day. */
export interface ExpiringPrefix {
  /** The lifecycle rule's id. */
  id: string;
  prefix: string;
  days: number;
}

export interface SyncBucketProps {
  readonly config: BucketConfig;
  /** Your bucket, instead of one created or imported by config.existingBucketName (its lifecycle and logging are then yours). */
  readonly existingBucket?: IBucket;
  /** existingBucket's customer KMS key, if it uses one. */
  readonly existingKey?: IKey;
  /**
   * S3 lifecycle filters are prefixes, not patterns: one rule per prefix (e.g. each instance's
   * `.checkpoint/`). Ignored for an existing bucket, whose lifecycle is its owner's.
   */
  readonly expiringPrefixes?: ExpiringPrefix[];
}

export class SyncBucket extends Construct {
  readonly bucket: IBucket;
  /** The customer KMS key, when the bucket uses one (writers need GenerateDataKey, readers Decrypt). */
  readonly encryptionKey?: IKey;
  /** False when an existing bucket was imported. */
  readonly created: boolean;

  constructor(scope: Construct, id: string, props: SyncBucketProps) {
    super(scope, id);
    const { config } = props;

    if (props.existingBucket) {
      this.created = false;
      this.bucket = props.existingBucket;
      if (props.existingKey) this.encryptionKey = props.existingKey;
      return;
    }

    if (config.encryption === 'KMS') {
      this.encryptionKey = config.kmsKeyArn
        ? Key.fromKeyArn(this, 'Key', config.kmsKeyArn)
        : new Key(this, 'Key', {
            description: 'Encrypts the Baton sync files (sync.c1z) read by ConductorOne',
            enableKeyRotation: true,
            removalPolicy: RemovalPolicy.RETAIN,
          });
    }

    if (config.existingBucketName) {
      this.created = false;
      this.bucket = Bucket.fromBucketAttributes(this, 'Bucket', {
        bucketName: config.existingBucketName,
        ...(this.encryptionKey ? { encryptionKey: this.encryptionKey } : {}),
      });
      return;
    }

    this.created = true;
    const bucket = new Bucket(this, 'Bucket', {
      ...(config.bucketName ? { bucketName: config.bucketName } : {}),
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      ...(this.encryptionKey
        ? { encryption: BucketEncryption.KMS, encryptionKey: this.encryptionKey, bucketKeyEnabled: true }
        : { encryption: BucketEncryption.S3_MANAGED }),
      versioned: true,
      lifecycleRules: [
        {
          id: 'expire-old-sync-versions',
          noncurrentVersionExpiration: Duration.days(config.noncurrentVersionExpirationDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
          expiredObjectDeleteMarker: true,
        },
        // Where rules overlap S3 applies the shorter expiration, so these win over the 30-day rule
        // above; the bucket is versioned, so a deleted or expired temporary object's old version
        // must expire too or it would stay for noncurrentVersionExpirationDays.
        ...(props.expiringPrefixes ?? []).map((p) => ({
          id: p.id,
          prefix: p.prefix,
          expiration: Duration.days(p.days),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        })),
      ],
      ...(config.accessLogsBucketName
        ? {
            serverAccessLogsBucket: Bucket.fromBucketName(this, 'AccessLogs', config.accessLogsBucketName),
            serverAccessLogsPrefix: 'baton-serverless/',
          }
        : {}),
      // The sync files are regenerated every hour, but a stack deletion should not take them with it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = bucket;

    if (!config.accessLogsBucketName) {
      Validations.of(bucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason:
          "Only this stack's functions write (one object per connector) and only the ConductorOne role reads; " +
          'CloudTrail S3 data events are the audit option. Set bucket.accessLogsBucketName to turn access logs on.',
      });
    }
  }
}
