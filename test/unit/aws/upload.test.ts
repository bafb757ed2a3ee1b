// Error paths moto cannot produce, with aws-sdk-client-mock.
import { createHash, randomBytes } from 'node:crypto';
import { ReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type UploadPartCommandInput,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MIB, UploadError, uploadC1z } from '../../../shared/aws/upload.ts';
import { compositeChecksum } from '../../../shared/aws/verify-upload.ts';

const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const s3 = mockClient(client);
let dir: string;
let big: string;
let bigBytes: Buffer;
let small: string;

function s3Error(name: string, status: number, message = name): S3ServiceException {
  return new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });
}

async function drain(body: unknown): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body as Readable) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upload-unit-'));
  big = join(dir, 'big.c1z');
  bigBytes = randomBytes(11 * MIB + 5);
  await writeFile(big, bigBytes);
  small = join(dir, 'small.c1z');
  await writeFile(small, randomBytes(1000));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
/** HeadObject answers as a store that kept what it was sent: the last write's size, metadata and checksum. */
function storeKeepsWhatItGets(): void {
  s3.on(HeadObjectCommand).callsFake(() => {
    const put = s3.commandCalls(PutObjectCommand).at(-1)?.args[0].input;
    if (put) return { ContentLength: put.ContentLength, Metadata: put.Metadata, ChecksumSHA256: put.ChecksumSHA256 };
    const create = s3.commandCalls(CreateMultipartUploadCommand).at(-1)!.args[0].input;
    const parts = s3.commandCalls(UploadPartCommand).map((c) => c.args[0].input);
    const digests = parts.sort((a, b) => a.PartNumber! - b.PartNumber!).map((p) => Buffer.from(p.ChecksumSHA256!, 'base64'));
    const size = parts.reduce((n, p) => n + (p.ContentLength ?? 0), 0);
    return { ContentLength: size, Metadata: create.Metadata, ChecksumSHA256: compositeChecksum(digests) };
  });
}

beforeEach(() => {
  s3.reset();
  storeKeepsWhatItGets();
});

const multipartOpts = { partSizeBytes: 5 * MIB, multipartThresholdBytes: 5 * MIB, maxAttempts: 1 };

describe('uploadC1z error paths (mocked S3)', () => {
  it('streams ranged parts with per-part SHA-256 checksums', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    const seen: { input: UploadPartCommandInput; bytes: Buffer }[] = [];
    s3.on(UploadPartCommand).callsFake(async (input: UploadPartCommandInput) => {
      expect(input.Body).toBeInstanceOf(ReadStream);
      seen.push({ input, bytes: await drain(input.Body) });
      return { ETag: `"etag-${input.PartNumber}"` };
    });
    s3.on(CompleteMultipartUploadCommand).resolves({ ETag: '"final-3"' });

    const res = await uploadC1z({ client, bucket: 'b', key: 'k', file: big, metadata: { a: '1' }, ...multipartOpts });
    expect(res).toMatchObject({ multipart: true, parts: 3, bytes: bigBytes.length, etag: '"final-3"' });
    seen.sort((x, y) => x.input.PartNumber! - y.input.PartNumber!);
    expect(seen.map((s) => s.input.PartNumber)).toEqual([1, 2, 3]);
    for (const [i, s] of seen.entries()) {
      const expected = bigBytes.subarray(i * 5 * MIB, (i + 1) * 5 * MIB);
      expect(s.bytes.equals(expected)).toBe(true);
      expect(s.input.ContentLength).toBe(expected.length);
      expect(s.input.ChecksumSHA256).toBe(createHash('sha256').update(expected).digest('base64'));
    }
    const create = s3.commandCalls(CreateMultipartUploadCommand)[0]!.args[0].input;
    expect(create).toMatchObject({ ContentType: 'application/c1z', ChecksumAlgorithm: 'SHA256' });
    expect(create.Metadata).toEqual({ a: '1', sha256: createHash('sha256').update(bigBytes).digest('hex') });
    const complete = s3.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input;
    expect(complete.MultipartUpload?.Parts?.map((p) => [p.PartNumber, p.ETag])).toEqual([
      [1, '"etag-1"'],
      [2, '"etag-2"'],
      [3, '"etag-3"'],
    ]);
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
  });

  it('aborts the multipart upload when CompleteMultipartUpload fails', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-42' });
    s3.on(UploadPartCommand).callsFake(async (input: UploadPartCommandInput) => {
      await drain(input.Body);
      return { ETag: `"e${input.PartNumber}"` };
    });
    s3.on(CompleteMultipartUploadCommand).rejects(s3Error('InternalError', 500, 'We encountered an internal error'));
    s3.on(AbortMultipartUploadCommand).resolves({});

    const err = await uploadC1z({ client, bucket: 'bkt', key: 'p/sync.c1z', file: big, metadata: {}, ...multipartOpts }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadError);
    const e = err as UploadError;
    expect(e.code).toBe('InternalError');
    expect(e.aborted).toBe(true);
    expect(e.uploadId).toBe('upload-42');
    expect(e.message).toContain('s3://bkt/p/sync.c1z');
    expect(e.message).toContain('CompleteMultipartUpload');
    expect(e.message).toContain('(multipart upload aborted)');
    const aborts = s3.commandCalls(AbortMultipartUploadCommand);
    expect(aborts).toHaveLength(1);
    expect(aborts[0]!.args[0].input).toEqual({ Bucket: 'bkt', Key: 'p/sync.c1z', UploadId: 'upload-42' });
  });

  it('stops and aborts when a part is refused, without completing', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u2' });
    s3.on(UploadPartCommand).callsFake(async (input: UploadPartCommandInput) => {
      await drain(input.Body);
      if (input.PartNumber === 2) throw s3Error('AccessDenied', 403, 'Access Denied');
      return { ETag: `"e${input.PartNumber}"` };
    });
    s3.on(AbortMultipartUploadCommand).resolves({});
    const err = (await uploadC1z({ client, bucket: 'b', key: 'k', file: big, metadata: {}, ...multipartOpts, concurrency: 1 }).catch(
      (e: unknown) => e,
    )) as UploadError;
    expect(err.code).toBe('AccessDenied');
    expect(err.httpStatus).toBe(403);
    expect(err.message).toMatch(/UploadPart 2: AccessDenied \(HTTP 403\)/);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
    // concurrency 1: part 3 is never started after part 2 failed.
    expect(s3.commandCalls(UploadPartCommand).map((c) => c.args[0].input.PartNumber)).toEqual([1, 2]);
  });

  it('says so when the abort fails too', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u3' });
    s3.on(UploadPartCommand).rejects(s3Error('AccessDenied', 403));
    s3.on(AbortMultipartUploadCommand).rejects(s3Error('AccessDenied', 403));
    const err = (await uploadC1z({ client, bucket: 'b', key: 'k', file: big, metadata: {}, ...multipartOpts }).catch((e: unknown) => e)) as UploadError;
    expect(err.aborted).toBe(false);
    expect(err.message).toMatch(/AbortMultipartUpload also failed \(AccessDenied\), upload u3 is left/);
  });

  it('names AccessDenied on PutObject with bucket and key', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('AccessDenied', 403, 'Access Denied'));
    const err = (await uploadC1z({ client, bucket: 'data-bucket', key: 'c1/slack/sync.c1z', file: small, metadata: {} }).catch(
      (e: unknown) => e,
    )) as UploadError;
    expect(err).toBeInstanceOf(UploadError);
    expect(err.code).toBe('AccessDenied');
    expect(err.bucket).toBe('data-bucket');
    expect(err.key).toBe('c1/slack/sync.c1z');
    expect(err.message).toBe('upload to s3://data-bucket/c1/slack/sync.c1z failed at PutObject: AccessDenied (HTTP 403): Access Denied');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1); // not retried
  });

  it('retries a throttled PutObject with a fresh stream of the whole file', async () => {
    const expected = await readFile(small);
    const bodies: Buffer[] = [];
    let calls = 0;
    s3.on(PutObjectCommand).callsFake(async (input: { Body: unknown }) => {
      calls++;
      bodies.push(await drain(input.Body));
      if (calls === 1) throw s3Error('SlowDown', 503, 'Please reduce your request rate.');
      return { ETag: '"ok"' };
    });
    const res = await uploadC1z({ client, bucket: 'b', key: 'k', file: small, metadata: {}, maxAttempts: 3 });
    expect(res.etag).toBe('"ok"');
    expect(bodies).toHaveLength(2);
    expect(bodies.every((b) => b.equals(expected))).toBe(true);
    const input = s3.commandCalls(PutObjectCommand)[1]!.args[0].input;
    expect(input).toMatchObject({ ContentType: 'application/c1z', ChecksumAlgorithm: 'SHA256', ContentLength: expected.length });
    expect(input.ChecksumSHA256).toBe(createHash('sha256').update(expected).digest('base64'));
  });

  it('a store that reports another checksum than the one sent: the new version is deleted and the upload fails', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"ok"', VersionId: 'v2' });
    s3.on(HeadObjectCommand).callsFake(() => {
      const put = s3.commandCalls(PutObjectCommand).at(-1)!.args[0].input;
      return { ContentLength: put.ContentLength, Metadata: put.Metadata, ChecksumSHA256: createHash('sha256').update('other').digest('base64') };
    });
    s3.on(DeleteObjectCommand).resolves({});
    const err = (await uploadC1z({ client, bucket: 'b', key: 'k', file: small, metadata: {} }).catch((e: unknown) => e)) as UploadError;
    expect(err).toBeInstanceOf(UploadError);
    expect(err.code).toBe('StoredObjectMismatch');
    expect(err.message).toMatch(
      /^upload to s3:\/\/b\/k failed: the store accepted a damaged upload \(the store's SHA-256 checksum is .+\); that version was deleted, so the previous one stays current$/,
    );
    expect(s3.commandCalls(HeadObjectCommand)[0]!.args[0].input).toMatchObject({ VersionId: 'v2', ChecksumMode: 'ENABLED' });
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'b', Key: 'k', VersionId: 'v2' }]);
  });

  it('a multipart object whose composite checksum differs is rolled back too', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    s3.on(UploadPartCommand).callsFake(async (input: UploadPartCommandInput) => {
      await drain(input.Body);
      return { ETag: `"etag-${input.PartNumber}"` };
    });
    s3.on(CompleteMultipartUploadCommand).resolves({ ETag: '"final-3"', VersionId: 'v9' });
    s3.on(HeadObjectCommand).resolves({
      ContentLength: bigBytes.length,
      Metadata: { sha256: createHash('sha256').update(bigBytes).digest('hex') },
      ChecksumSHA256: 'AAAA-3',
    });
    s3.on(DeleteObjectCommand).resolves({});
    const err = (await uploadC1z({ client, bucket: 'b', key: 'k', file: big, metadata: {}, ...multipartOpts }).catch((e: unknown) => e)) as UploadError;
    expect(err.code).toBe('StoredObjectMismatch');
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input.VersionId)).toEqual(['v9']);
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
  });

  it('in a bucket without versions a damaged object cannot be rolled back, and the error says so', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"ok"' });
    s3.on(HeadObjectCommand).resolves({ ContentLength: 10, Metadata: {} });
    const err = (await uploadC1z({ client, bucket: 'b', key: 'k', file: small, metadata: {} }).catch((e: unknown) => e)) as UploadError;
    expect(err.message).toContain('the stored object is 10 bytes, not 1000');
    expect(err.message).toContain('the bucket is not versioned, so the damaged object could not be rolled back');
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('gives up after maxAttempts on persistent 5xx', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('ServiceUnavailable', 503));
    const err = (await uploadC1z({ client, bucket: 'b', key: 'k', file: small, metadata: {}, maxAttempts: 2 }).catch((e: unknown) => e)) as UploadError;
    expect(err.code).toBe('ServiceUnavailable');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(2);
  });

  it('refuses a part size below S3 minimum', async () => {
    await expect(uploadC1z({ client, bucket: 'b', key: 'k', file: big, metadata: {}, partSizeBytes: MIB })).rejects.toThrow(RangeError);
    expect(s3.calls()).toHaveLength(0);
  });
});
