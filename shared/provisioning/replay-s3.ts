// The replay store of the Lambda: one empty object per jti, written with `If-None-Match: *` so S3
// itself decides which of two concurrent deliveries of the same token wins. A lifecycle rule on the
// prefix (infra) removes the objects; they are useless once the token has expired.
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { errorCode } from '../errors.ts';
import { ProvisionUnavailable } from './failure.ts';
import type { ReplayStore } from './replay.ts';

export interface S3ReplayStoreOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix, e.g. `provisioning/jti/`. */
  prefix: string;
}

export class S3ReplayStore implements ReplayStore {
  private readonly options: S3ReplayStoreOptions;

  constructor(options: S3ReplayStoreOptions) {
    this.options = options;
  }

  async claim(jti: string, expiresAtMs: number): Promise<boolean> {
    try {
      await this.options.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: `${this.options.prefix}${jti}`,
          // The token's expiry, for whoever looks at the marker; the key alone does the work.
          Body: new Date(expiresAtMs).toISOString(),
          ContentType: 'text/plain',
          IfNoneMatch: '*',
        }),
      );
      return true;
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      // 412: the object exists. 409: a concurrent write of the same key is in flight.
      if (status === 412 || status === 409) return false;
      throw new ProvisionUnavailable(`replay store: writing s3://${this.options.bucket}/${this.options.prefix}… failed (${errorCode(err)})`);
    }
  }
}
