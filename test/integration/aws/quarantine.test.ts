// Promoting a held sync against moto: only a file that passes the upload's checks becomes live.

import { join } from 'node:path';
import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { liveMetadata, NothingQuarantinedError, promoteQuarantined, quarantineC1z, quarantineKey } from '../../../shared/aws/quarantine.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { createBucket, s3Client } from '../../support/aws.ts';
import { range, writeOrg } from '../../support/org-file.ts';
import { tempDir } from '../../support/tmp.ts';

const s3 = s3Client();
const KEY = 'baton/slack/sync.c1z';
const counts = { resourceTypes: 2, resources: 11, entitlements: 1, grants: 4 };

async function held(bucket: string, dir: string) {
  const file = join(dir, 'held.c1z');
  await writeOrg(file, { users: range(0, 10), groups: { 0: range(0, 4) } });
  const reader = await openC1z(file);
  const syncId = reader.sync.syncId;
  reader.close();
  const r = await quarantineC1z({
    client: s3,
    bucket,
    objectKey: KEY,
    file,
    metadata: liveMetadata('slack', syncId, counts),
    reason: 'principals 100 → 10 (-90 %)',
  });
  return { ...r, syncId };
}

describe('quarantine', () => {
  it('sits beside the checkpoints, outside what ConductorOne reads, with the reason in ASCII metadata', async () => {
    const dir = tempDir('q-');
    const bucket = await createBucket(s3, 'quarantine');
    const r = await held(bucket, dir);
    expect(r.key).toBe('baton/slack/.quarantine/sync.c1z');
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: r.key }));
    expect(head.Metadata).toMatchObject({ kind: 'quarantine', 'held-because': 'principals 100 -> 10 (-90 %)' });
    expect(quarantineKey('sync.c1z')).toBe('.quarantine/sync.c1z');
  });

  it('refuses a held file whose counts differ from its metadata, and leaves the live key alone', async () => {
    const dir = tempDir('q-');
    const bucket = await createBucket(s3, 'quarantine');
    const r = await held(bucket, dir);
    // Metadata claiming more users than the file holds (as if another file had been put there).
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: r.key,
        CopySource: `${bucket}/${r.key}`,
        MetadataDirective: 'REPLACE',
        Metadata: { ...liveMetadata('slack', r.syncId, { ...counts, resources: 500 }), sha256: r.sha256 },
      }),
    );
    await expect(promoteQuarantined({ client: s3, bucket, objectKey: KEY, workDir: dir })).rejects.toThrow(
      `s3://${bucket}/${r.key}: holds 11 resources, its metadata says 500; not promoting it`,
    );
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: KEY }))).rejects.toThrow();
  });

  it('refuses a held file that does not match the SHA-256 it was stored with', async () => {
    const dir = tempDir('q-');
    const bucket = await createBucket(s3, 'quarantine');
    const r = await held(bucket, dir);
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: r.key,
        CopySource: `${bucket}/${r.key}`,
        MetadataDirective: 'REPLACE',
        Metadata: { sha256: '0'.repeat(64) },
      }),
    );
    await expect(promoteQuarantined({ client: s3, bucket, objectKey: KEY, workDir: dir })).rejects.toThrow(/does not match the SHA-256 it was stored with/);
  });

  it('says so when nothing is held', async () => {
    const bucket = await createBucket(s3, 'quarantine');
    await expect(promoteQuarantined({ client: s3, bucket, objectKey: KEY, workDir: tempDir('q-') })).rejects.toBeInstanceOf(NothingQuarantinedError);
  });
});
