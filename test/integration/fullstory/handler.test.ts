// The Lambda handler end to end for both modes: secret in (moto Secrets Manager) → simulator →
// c1z in (moto) S3, read back with the reader.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { connector as fullstoryConnector } from '../../../lambdas/fullstory/connector.ts';
import { startFullstorySim } from '../../../lambdas/fullstory/sim/index.ts';
import { makeSyncHandler, type SyncResult } from '../../../shared/aws/handler.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { createBucket, createSecret, s3Client, secretsClient } from '../../support/aws.ts';
import { runDurable } from '../../support/durable.ts';
import { tempDir } from '../../support/tmp.ts';
import { EXPECTED_API_ROWS, EXPECTED_SCIM_ROWS, FIXED_TENANT } from '../../unit/fullstory/fixtures.ts';
import { toRow } from '../../unit/fullstory/rows.ts';

const invoke = (handler: ReturnType<typeof makeSyncHandler>, event: unknown) => runDurable<SyncResult>(handler, event).then((r) => r.result);

describe('fullstory Lambda handler against the simulator', () => {
  for (const mode of ['scim', 'apikey'] as const) {
    it(`${mode} mode: syncs through the handler into S3`, async () => {
      const dir = tempDir('fullstory-handler-');
      const sim = await startFullstorySim({ tenant: FIXED_TENANT, rateLimits: 'off', scimPageCap: 3, apiPageSize: 2 });
      try {
        const s3 = s3Client();
        const sm = secretsClient();
        const bucket = await createBucket(s3, 'fullstory');
        const secretId = await createSecret(sm, sim.config(mode), 'baton/fullstory');
        const key = 'c1z/fullstory/sync.c1z';
        const handler = makeSyncHandler(fullstoryConnector, {
          s3,
          secrets: sm,
          env: { BUCKET: bucket, OBJECT_KEY: key, SECRET_ID: secretId, WORK_ROOT: dir, MIN_FREE_TMP_MB: '1' },
          httpOverrides: { baseBackoffMs: 5, maxBackoffMs: 20 },
        });
        const result = await invoke(handler, {});
        const expected = mode === 'scim' ? EXPECTED_SCIM_ROWS : EXPECTED_API_ROWS;
        expect(result).toMatchObject({
          bucket,
          key,
          uploaded: true,
          dryRun: false,
          counts: { resourceTypes: 1, resources: expected.length, entitlements: 0, grants: 0 },
        });

        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        expect(head.Metadata).toMatchObject({ connector: 'fullstory', resources: String(expected.length), grants: '0' });
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const file = join(dir, 'downloaded.c1z');
        await writeFile(file, await object.Body!.transformToByteArray());
        const reader = await openC1z(file);
        try {
          const rows = [...reader.resources({ resourceType: 'user' })].map(toRow);
          const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
          expect(rows.sort(byId)).toEqual([...expected].sort(byId));
        } finally {
          reader.close();
        }
      } finally {
        await sim.close();
      }
    });
  }

  it('a rejected key fails the invocation with the mode-naming error and uploads nothing', async () => {
    const dir = tempDir('fullstory-handler-');
    const sim = await startFullstorySim({ tenant: FIXED_TENANT, rateLimits: 'off' });
    try {
      const s3 = s3Client();
      const sm = secretsClient();
      const bucket = await createBucket(s3, 'fullstory');
      const secretId = await createSecret(sm, { ...sim.config('apikey'), BATON_API_KEY: 'na1.revoked-key' }, 'baton/fullstory');
      const handler = makeSyncHandler(fullstoryConnector, {
        s3,
        secrets: sm,
        env: { BUCKET: bucket, OBJECT_KEY: 'k/sync.c1z', SECRET_ID: secretId, WORK_ROOT: dir, MIN_FREE_TMP_MB: '1' },
      });
      const err = await invoke(handler, {}).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toBe('fullstory sync failed: fullstory (apikey mode): BATON_API_KEY was rejected (HTTP 401): unauthenticated');
      await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k/sync.c1z' }))).rejects.toThrow();
    } finally {
      await sim.close();
    }
  });

  it('the Lambda entry point loads', async () => {
    const mod = await import('../../../lambdas/fullstory/handler.ts');
    expect(typeof mod.handler).toBe('function');
  });
});
