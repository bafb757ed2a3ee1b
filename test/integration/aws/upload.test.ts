import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIB, UploadError, uploadC1z } from '../../../shared/aws/upload.ts';
import { createBucket, s3Client, uniqueName } from '../../support/aws.ts';

const s3 = s3Client();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upload-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeRandomFile(name: string, bytes: number): Promise<{ path: string; sha256: Buffer }> {
  const path = join(dir, name);
  const fh = await open(path, 'w');
  const hash = createHash('sha256');
  try {
    for (let left = bytes; left > 0; ) {
      const chunk = randomBytes(Math.min(left, MIB));
      hash.update(chunk);
      await fh.write(chunk);
      left -= chunk.length;
    }
  } finally {
    await fh.close();
  }
  return { path, sha256: hash.digest() };
}

async function getObject(bucket: string, key: string) {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = Buffer.from(await out.Body!.transformToByteArray());
  return { out, body };
}

/** The SHA-256 checksum S3 stored (what ConductorOne reads with s3:GetObjectAttributes). */
async function storedChecksum(bucket: string, key: string): Promise<string | undefined> {
  const attrs = await s3.send(new GetObjectAttributesCommand({ Bucket: bucket, Key: key, ObjectAttributes: ['Checksum', 'ObjectSize'] }));
  return attrs.Checksum?.ChecksumSHA256;
}

describe('uploadC1z against moto', () => {
  it('uploads a small file with one PutObject, content type, metadata and SHA-256', async () => {
    const bucket = await createBucket(s3);
    const key = 'prefix/slack/sync.c1z';
    const { path, sha256 } = await writeRandomFile('small.c1z', 300 * 1024 + 7);
    const res = await uploadC1z({ client: s3, bucket, key, file: path, metadata: { 'sync-id': 'abc123', grants: '42' } });

    expect(res.multipart).toBe(false);
    expect(res.bytes).toBe(300 * 1024 + 7);
    expect(res.sha256).toBe(sha256.toString('hex'));
    expect(res.etag).toBeTruthy();

    const { out, body } = await getObject(bucket, key);
    expect(createHash('sha256').update(body).digest('hex')).toBe(sha256.toString('hex'));
    expect(body.length).toBe(res.bytes);
    expect(out.ContentType).toBe('application/c1z');
    expect(out.Metadata).toEqual({ 'sync-id': 'abc123', grants: '42', sha256: sha256.toString('hex') });
    expect(res.checksumSHA256).toBe(sha256.toString('base64'));
    expect(await storedChecksum(bucket, key)).toBe(sha256.toString('base64'));
  });

  it('uploads a file above the threshold as a multipart upload with 5 MiB parts', async () => {
    const bucket = await createBucket(s3);
    const key = 'prefix/github/sync.c1z';
    const size = 12 * MIB + 123;
    const { path, sha256 } = await writeRandomFile('large.c1z', size);
    const res = await uploadC1z({
      client: s3,
      bucket,
      key,
      file: path,
      metadata: { 'sync-id': 'big' },
      partSizeBytes: 5 * MIB,
      multipartThresholdBytes: 8 * MIB,
    });
    expect(res.multipart).toBe(true);
    expect(res.parts).toBe(3);
    expect(res.bytes).toBe(size);
    expect(res.sha256).toBe(sha256.toString('hex'));

    const { out, body } = await getObject(bucket, key);
    const file = await readFile(path);
    expect(body.length).toBe(size);
    expect(body.equals(file)).toBe(true);
    expect(out.ContentType).toBe('application/c1z');
    expect(out.Metadata?.['sha256']).toBe(sha256.toString('hex'));
    expect(out.Metadata?.['sync-id']).toBe('big');
    // S3's multipart SHA-256 is the composite checksum of the part checksums.
    const partDigests = [0, 1, 2].map((i) =>
      createHash('sha256')
        .update(file.subarray(i * 5 * MIB, Math.min(size, (i + 1) * 5 * MIB)))
        .digest(),
    );
    const composite = createHash('sha256').update(Buffer.concat(partDigests)).digest('base64');
    // S3 writes it "<base64>-<parts>" in some responses; moto 5.1.1 stores it without the suffix.
    expect((await storedChecksum(bucket, key))?.replace(/-3$/, '')).toBe(composite);
    if (res.checksumSHA256 !== undefined) expect(res.checksumSHA256.replace(/-3$/, '')).toBe(composite);

    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });

  it('a store that keeps a truncated PUT (moto ignores the checksum header): the upload fails and the previous version stays current', async () => {
    const bucket = await createBucket(s3);
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const key = 'sync.c1z';
    const previous = await writeRandomFile('previous.c1z', 3000);
    await uploadC1z({ client: s3, bucket, key, file: previous.path, metadata: {} });
    const next = await writeRandomFile('next.c1z', 5000);
    // A client whose PUT loses the end of the body on the way while announcing the original checksum.
    const lossy = s3Client();
    lossy.middlewareStack.add(
      (run) => async (args) => {
        const input = args.input as { ContentLength?: number };
        await truncate(next.path, 1000);
        input.ContentLength = 1000;
        return run(args);
      },
      { step: 'initialize', name: 'truncateBody' },
    );
    const err = await uploadC1z({ client: lossy, bucket, key, file: next.path, metadata: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadError);
    expect((err as UploadError).message).toContain('the store accepted a damaged upload (the stored object is 1000 bytes, not 5000)');
    expect((err as UploadError).message).toContain('the previous one stays current');
    const { body } = await getObject(bucket, key);
    expect(createHash('sha256').update(body).digest('hex')).toBe(previous.sha256.toString('hex'));
  });

  it('replaces the object on a second upload', async () => {
    const bucket = await createBucket(s3);
    const key = 'sync.c1z';
    const a = await writeRandomFile('a.c1z', 1000);
    const b = await writeRandomFile('b.c1z', 2000);
    await uploadC1z({ client: s3, bucket, key, file: a.path, metadata: {} });
    await uploadC1z({ client: s3, bucket, key, file: b.path, metadata: {} });
    const { body } = await getObject(bucket, key);
    expect(createHash('sha256').update(body).digest('hex')).toBe(b.sha256.toString('hex'));
  });

  it('fails on a missing bucket, naming bucket, key and NoSuchBucket; the previous object is untouched', async () => {
    const bucket = await createBucket(s3);
    const previous = randomBytes(4096);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'sync.c1z', Body: previous }));
    const before = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'sync.c1z' }));

    const missing = uniqueName('missing');
    const { path } = await writeRandomFile('fail.c1z', 10_000);
    const err = await uploadC1z({ client: s3, bucket: missing, key: 'sync.c1z', file: path, metadata: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadError);
    const e = err as UploadError;
    expect(e.code).toBe('NoSuchBucket');
    expect(e.bucket).toBe(missing);
    expect(e.message).toContain(`s3://${missing}/sync.c1z`);
    expect(e.message).toContain('NoSuchBucket');

    const { out, body } = await getObject(bucket, 'sync.c1z');
    expect(body.equals(previous)).toBe(true);
    expect(out.ETag).toBe(before.ETag);
  });

  it('fails a multipart upload on a missing bucket with NoSuchBucket', async () => {
    const missing = uniqueName('missing');
    const { path } = await writeRandomFile('fail-mp.c1z', 6 * MIB);
    const err = await uploadC1z({
      client: s3,
      bucket: missing,
      key: 'x/sync.c1z',
      file: path,
      metadata: {},
      partSizeBytes: 5 * MIB,
      multipartThresholdBytes: 5 * MIB,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadError);
    expect((err as UploadError).code).toBe('NoSuchBucket');
    expect((err as UploadError).message).toMatch(/CreateMultipartUpload: NoSuchBucket/);
  });

  it('refuses a missing file before touching S3', async () => {
    const bucket = await createBucket(s3);
    const err = await uploadC1z({ client: s3, bucket, key: 'k', file: join(dir, 'nope.c1z'), metadata: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadError);
    expect((err as UploadError).code).toBe('ENOENT');
  });

  it('refuses metadata S3 would reject, before any request', async () => {
    const bucket = await createBucket(s3);
    const { path } = await writeRandomFile('meta.c1z', 10);
    await expect(uploadC1z({ client: s3, bucket, key: 'k', file: path, metadata: { big: 'x'.repeat(3000) } })).rejects.toMatchObject({
      code: 'MetadataTooLarge',
    });
    await expect(uploadC1z({ client: s3, bucket, key: 'k', file: path, metadata: { name: 'café' } })).rejects.toMatchObject({
      code: 'InvalidMetadata',
    });
    await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }))).rejects.toMatchObject({ name: 'NotFound' });
  });
});
