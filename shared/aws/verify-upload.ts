// Checks the object a write just made before the upload counts as done. S3 itself refuses a body
// whose x-amz-checksum-sha256 differs, but emulators, S3-compatible stores and proxies may ignore
// the header and keep whatever arrived. The object is compared by size, by our sha256 metadata and
// by the store's own SHA-256 checksum when it reports one; a store that reports none has the
// object read back and hashed. A damaged version is deleted, so the previous one is current again.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { errorCode } from '../errors.ts';
import { type RequestContext, UploadError, withRetries } from './s3-request.ts';

export interface ExpectedObject {
  bytes: number;
  /** Hex SHA-256 of the whole file. */
  sha256: string;
  /** The ChecksumSHA256 S3 reports for it: base64 of the SHA-256, or for multipart the composite `…-N`. */
  checksum: string;
  /** The metadata key holding the hex SHA-256. */
  metadataKey: string;
}

/** S3's composite checksum of a multipart upload: SHA-256 of the parts' raw digests, `-N`. */
export function compositeChecksum(partSha256: readonly Buffer[]): string {
  return `${createHash('sha256').update(Buffer.concat(partSha256)).digest('base64')}-${partSha256.length}`;
}

function withoutPartCount(checksum: string): string {
  return checksum.replace(/-\d+$/, '');
}

/** What is wrong with the stored version, or undefined when it is the file we sent. */
async function problemWith(ctx: RequestContext, versionId: string | undefined, expected: ExpectedObject): Promise<string | undefined> {
  const { client, bucket, key } = ctx;
  const head = await withRetries(ctx, (abortSignal) => ({
    run: () => client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId, ChecksumMode: 'ENABLED' }), { abortSignal }),
  }));
  if (head.ContentLength !== expected.bytes) return `the stored object is ${head.ContentLength ?? 'of unknown size'} bytes, not ${expected.bytes}`;
  const stored = head.Metadata?.[expected.metadataKey];
  if (stored !== expected.sha256) return `the stored object's ${expected.metadataKey} metadata is ${stored ?? 'missing'}, not ${expected.sha256}`;
  if (head.ChecksumSHA256 !== undefined) {
    // Some stores write a composite checksum without its `-N` part count.
    const same = withoutPartCount(head.ChecksumSHA256) === withoutPartCount(expected.checksum);
    return same ? undefined : `the store's SHA-256 checksum is ${head.ChecksumSHA256}, not ${expected.checksum}`;
  }
  const read = await readBack(client, bucket, key, versionId, ctx.signal);
  if (read.bytes !== expected.bytes) return `reading it back gave ${read.bytes} bytes, not ${expected.bytes}`;
  if (read.sha256 !== expected.sha256) return `reading it back gave SHA-256 ${read.sha256}, not ${expected.sha256}`;
  return undefined;
}

async function readBack(
  client: S3Client,
  bucket: string,
  key: string,
  versionId: string | undefined,
  signal: AbortSignal | undefined,
): Promise<{ bytes: number; sha256: string }> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }), { abortSignal: signal });
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of out.Body as Readable) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * Resolves when the version just written is the file; otherwise removes that version (the previous
 * one becomes current again) and throws an UploadError saying what differed.
 */
export async function verifyStoredObject(ctx: RequestContext, written: string | undefined, expected: ExpectedObject): Promise<void> {
  const { client, bucket, key } = ctx;
  // "null" is the version of an object in a bucket without versioning: nothing to go back to.
  const versionId = written === 'null' ? undefined : written;
  const where = `s3://${bucket}/${key}`;
  let problem: string | undefined;
  try {
    problem = await problemWith(ctx, versionId, expected);
  } catch (err) {
    const code = errorCode(err);
    throw new UploadError(bucket, key, code, `upload to ${where} failed: checking the stored object failed (${code}); it may not be the file sent`, {
      cause: err,
    });
  }
  if (problem === undefined) return;
  let outcome: string;
  if (versionId === undefined) {
    outcome = 'the bucket is not versioned, so the damaged object could not be rolled back: run the sync again';
  } else {
    try {
      await withRetries({ ...ctx, signal: undefined }, (abortSignal) => ({
        run: () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }), { abortSignal }),
      }));
      outcome = 'that version was deleted, so the previous one stays current';
    } catch (err) {
      outcome = `deleting that version (${versionId}) also failed (${errorCode(err)}): delete it by hand so the previous one is current`;
    }
  }
  throw new UploadError(bucket, key, 'StoredObjectMismatch', `upload to ${where} failed: the store accepted a damaged upload (${problem}); ${outcome}`);
}
