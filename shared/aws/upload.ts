// Uploads a finished c1z file to S3 (`Content-Type: application/c1z`, SHA-256 checksum, as ConductorOne reads it).
//
// - The file is streamed from disk, never held in memory: one pass hashes it (the whole file and,
//   for multipart, each part), then the bytes are sent as file streams with ContentLength and the
//   precomputed x-amz-checksum-sha256, which S3 verifies. A file that changes between the two reads
//   is refused by S3 (checksum mismatch) instead of being stored half-changed.
// - Below multipartThresholdBytes (default 16 MiB): one PutObject. Otherwise a hand-rolled multipart
//   upload (CreateMultipartUpload, UploadPart with ranged file streams, CompleteMultipartUpload),
//   partSizeBytes per part (default 8 MiB, at least 5 MiB, raised if the file would need more than
//   10,000 parts), `concurrency` parts in flight. @aws-sdk/lib-storage's Upload is not used because it
//   buffers every in-flight part in memory and cannot send precomputed per-part checksums.
// - The stored object is then checked (verify-upload.ts): size, sha256 metadata and the store's own
//   SHA-256 checksum, or a read-back where the store reports none, since emulators and
//   S3-compatible stores may keep a body whose checksum header they ignored. A damaged version is
//   deleted so the previous one stays current, and the upload fails.
// - Any failure after CreateMultipartUpload aborts the upload (AbortMultipartUpload), after the
//   in-flight parts have settled. S3 only replaces the object when PutObject or
//   CompleteMultipartUpload succeeds, so a failed upload leaves the previous object as it was.
// - The SDK does not retry requests with a stream body, so each request is retried here (fresh
//   stream) on throttling, 5xx and network errors, up to maxAttempts (default 3).
// - User metadata: the caller's, plus `sha256` (hex SHA-256 of the whole file). For multipart uploads
//   S3's own ChecksumSHA256 is the composite "checksum of part checksums-N", so `sha256` is the one
//   to compare a download against.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  type CompleteMultipartUploadCommandOutput,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mapLimit } from '../concurrency.ts';
import { errorCode } from '../errors.ts';
import { hashFile } from './file-digest.ts';
import { type RequestContext, toUploadError, UploadError, withRetries } from './s3-request.ts';
import { compositeChecksum, verifyStoredObject } from './verify-upload.ts';

export { UploadError };

export const C1Z_CONTENT_TYPE = 'application/c1z';
export const MIB = 1024 * 1024;
export const DEFAULT_MULTIPART_THRESHOLD_BYTES = 16 * MIB;
export const DEFAULT_PART_SIZE_BYTES = 8 * MIB;
/** S3's minimum size of every part but the last. */
export const MIN_PART_SIZE_BYTES = 5 * MIB;
export const MAX_PARTS = 10_000;
/** S3's limit on user-defined metadata (keys + values, UTF-8). */
export const MAX_METADATA_BYTES = 2048;
/** Metadata key set by uploadC1z: hex SHA-256 of the whole file. */
export const SHA256_METADATA_KEY = 'sha256';

export interface UploadC1zOptions {
  client: S3Client;
  bucket: string;
  key: string;
  /** Path of the c1z file on disk. */
  file: string;
  /** User metadata (x-amz-meta-*): ASCII keys and values, 2 KB in all. */
  metadata: Record<string, string>;
  partSizeBytes?: number;
  multipartThresholdBytes?: number;
  /** Parts uploaded at once; default 4. */
  concurrency?: number;
  /** Attempts per request (retrying throttling, 5xx and network errors); default 3. */
  maxAttempts?: number;
  signal?: AbortSignal;
}

export interface UploadC1zResult {
  bytes: number;
  etag?: string;
  versionId?: string;
  /** Hex SHA-256 of the whole file (also stored as metadata `sha256`). */
  sha256: string;
  /** The ChecksumSHA256 S3 reported: base64 of the file's SHA-256, or for multipart the composite "…-N". */
  checksumSHA256?: string;
  multipart: boolean;
  parts: number;
}

/** What S3 answered to the write that made the object (PutObject or CompleteMultipartUpload). */
function resultOf(
  out: { ETag?: string; VersionId?: string; ChecksumSHA256?: string },
  size: number,
  sha256: string,
  multipart: boolean,
  parts: number,
): UploadC1zResult {
  return {
    bytes: size,
    ...(out.ETag !== undefined ? { etag: out.ETag } : {}),
    ...(out.VersionId !== undefined ? { versionId: out.VersionId } : {}),
    sha256,
    ...(out.ChecksumSHA256 !== undefined ? { checksumSHA256: out.ChecksumSHA256 } : {}),
    multipart,
    parts,
  };
}

export async function uploadC1z(options: UploadC1zOptions): Promise<UploadC1zResult> {
  const { client, bucket, key, file } = options;
  const threshold = options.multipartThresholdBytes ?? DEFAULT_MULTIPART_THRESHOLD_BYTES;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  let partSize = options.partSizeBytes ?? DEFAULT_PART_SIZE_BYTES;
  if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE_BYTES) {
    throw new RangeError(`partSizeBytes must be an integer >= ${MIN_PART_SIZE_BYTES} (S3's minimum part size), got ${partSize}`);
  }
  const where = `s3://${bucket}/${key}`;

  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
    size = st.size;
  } catch (err) {
    const code = errorCode(err);
    throw new UploadError(bucket, key, code, `upload to ${where} failed: cannot read ${file} (${code})`, { cause: err });
  }

  const multipart = size >= threshold;
  if (multipart && Math.ceil(size / partSize) > MAX_PARTS) {
    partSize = Math.ceil(size / MAX_PARTS / MIB) * MIB;
  }
  const metadata = { ...options.metadata };
  const digest = await hashFile(file, multipart ? partSize : 0, bucket, key);
  if (digest.bytes !== size) {
    throw new UploadError(bucket, key, 'FileChanged', `upload to ${where} failed: ${file} changed size while being read`);
  }
  const sha256 = digest.sha256.toString('hex');
  metadata[SHA256_METADATA_KEY] = sha256;
  checkMetadata(bucket, key, metadata);

  const ctx: RequestContext = { client, bucket, key, maxAttempts, signal: options.signal };
  if (!multipart) {
    const checksum = digest.sha256.toString('base64');
    const out = await withRetries(ctx, (abortSignal) => {
      const body = createReadStream(file);
      return {
        body,
        run: () =>
          client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: body,
              ContentLength: size,
              ContentType: C1Z_CONTENT_TYPE,
              ChecksumAlgorithm: 'SHA256',
              ChecksumSHA256: checksum,
              Metadata: metadata,
            }),
            { abortSignal },
          ),
      };
    }).catch((err: unknown) => {
      throw toUploadError(bucket, key, err, 'PutObject');
    });
    await verifyStoredObject(ctx, out.VersionId, { bytes: size, sha256, checksum, metadataKey: SHA256_METADATA_KEY });
    return resultOf(out, size, sha256, false, 1);
  }

  let uploadId: string;
  try {
    const created = await withRetries(ctx, (abortSignal) => ({
      run: () =>
        client.send(
          new CreateMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            ContentType: C1Z_CONTENT_TYPE,
            ChecksumAlgorithm: 'SHA256',
            Metadata: metadata,
          }),
          { abortSignal },
        ),
    }));
    if (!created.UploadId) throw Object.assign(new Error('CreateMultipartUpload returned no UploadId'), { name: 'NoUploadId' });
    uploadId = created.UploadId;
  } catch (err) {
    throw toUploadError(bucket, key, err, 'CreateMultipartUpload');
  }

  // Once parts fail, stop the others and wait for them before aborting (a part that lands after
  // AbortMultipartUpload would leave storage behind).
  const stopParts = new AbortController();
  const partSignal = options.signal ? AbortSignal.any([options.signal, stopParts.signal]) : stopParts.signal;
  const partCount = digest.partSha256.length;
  const completed: CompletedPart[] = new Array<CompletedPart>(partCount);
  let failure: { err: unknown; step: string } | undefined;
  const indexes = Array.from({ length: partCount }, (_, i) => i);
  await mapLimit(indexes, concurrency, async (index) => {
    const partNumber = index + 1;
    const start = index * partSize;
    const end = Math.min(size, start + partSize); // exclusive
    const checksum = (digest.partSha256[index] as Buffer).toString('base64');
    try {
      const out = await withRetries({ ...ctx, signal: partSignal }, (abortSignal) => {
        const body = createReadStream(file, { start, end: end - 1 });
        return {
          body,
          run: () =>
            client.send(
              new UploadPartCommand({
                Bucket: bucket,
                Key: key,
                UploadId: uploadId,
                PartNumber: partNumber,
                Body: body,
                ContentLength: end - start,
                ChecksumAlgorithm: 'SHA256',
                ChecksumSHA256: checksum,
              }),
              { abortSignal },
            ),
        };
      });
      if (!out.ETag) throw Object.assign(new Error(`UploadPart ${partNumber} returned no ETag`), { name: 'NoETag' });
      completed[index] = { ETag: out.ETag, PartNumber: partNumber, ChecksumSHA256: out.ChecksumSHA256 ?? checksum };
    } catch (err) {
      failure ??= { err, step: `UploadPart ${partNumber}` };
      stopParts.abort();
      throw err;
    }
  }).catch(() => undefined);

  if (failure === undefined) {
    let out: CompleteMultipartUploadCommandOutput | undefined;
    try {
      out = await withRetries(ctx, (abortSignal) => ({
        run: () =>
          client.send(
            new CompleteMultipartUploadCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              MultipartUpload: { Parts: completed },
            }),
            { abortSignal },
          ),
      }));
    } catch (err) {
      failure = { err, step: 'CompleteMultipartUpload' };
    }
    if (out) {
      // Completed: the object exists, so there is no upload left to abort; a bad one is rolled back.
      const checksum = compositeChecksum(digest.partSha256);
      await verifyStoredObject(ctx, out.VersionId, { bytes: size, sha256, checksum, metadataKey: SHA256_METADATA_KEY });
      return resultOf(out, size, sha256, true, partCount);
    }
  }

  // Abort even if the caller's signal fired: nothing half-written may stay behind.
  let aborted = true;
  let abortNote = '';
  try {
    await withRetries({ ...ctx, signal: undefined }, (abortSignal) => ({
      run: () => client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }), { abortSignal }),
    }));
  } catch (abortErr) {
    aborted = false;
    abortNote = `; AbortMultipartUpload also failed (${errorCode(abortErr)}), upload ${uploadId} is left for the bucket's lifecycle rule`;
  }
  if (failure === undefined) throw new Error('unreachable: a multipart upload neither completed nor failed');
  const base = toUploadError(bucket, key, failure.err, failure.step);
  throw new UploadError(bucket, key, base.code, `${base.message}${aborted ? ' (multipart upload aborted)' : abortNote}`, {
    ...(base.httpStatus !== undefined ? { httpStatus: base.httpStatus } : {}),
    uploadId,
    aborted,
    cause: failure.err,
  });
}

function checkMetadata(bucket: string, key: string, metadata: Record<string, string>): void {
  let total = 0;
  for (const [k, v] of Object.entries(metadata)) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k)) {
      throw new UploadError(
        bucket,
        key,
        'InvalidMetadata',
        `upload to s3://${bucket}/${key} refused: metadata key ${JSON.stringify(k)} is not a valid header name`,
      );
    }
    if (typeof v !== 'string' || !/^[\x20-\x7e]*$/.test(v)) {
      throw new UploadError(bucket, key, 'InvalidMetadata', `upload to s3://${bucket}/${key} refused: metadata ${k} must be printable ASCII`);
    }
    total += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (total > MAX_METADATA_BYTES) {
    throw new UploadError(
      bucket,
      key,
      'MetadataTooLarge',
      `upload to s3://${bucket}/${key} refused: metadata is ${total} bytes, S3 allows ${MAX_METADATA_BYTES}`,
    );
  }
}
