// The Lambda handler end to end: secret in (moto Secrets Manager) → Segment simulator → c1z in
// (moto) S3, read back with the reader.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { connector as segmentConnector } from '../../../lambdas/segment/connector.ts';
import { startSegmentSim } from '../../../lambdas/segment/sim/index.ts';
import { makeSyncHandler, type SyncResult } from '../../../shared/aws/handler.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { createBucket, createSecret, s3Client, secretsClient } from '../../support/aws.ts';
import { runDurable } from '../../support/durable.ts';
import { tempDir } from '../../support/tmp.ts';
import { EXPECTED_ENTITLEMENTS, EXPECTED_GRANTS, EXPECTED_RESOURCES, fixedTenant } from '../../unit/segment/fixture.ts';

const invoke = (handler: ReturnType<typeof makeSyncHandler>, event: unknown) => runDurable<SyncResult>(handler, event).then((r) => r.result);

describe('segment Lambda handler against the simulator', () => {
  it('syncs the fixed tenant through the handler into S3 with the exact ids', async () => {
    const dir = tempDir('segment-handler-');
    const sim = await startSegmentSim({ tenant: fixedTenant(), rateLimits: 'off' });
    try {
      const s3 = s3Client();
      const sm = secretsClient();
      const bucket = await createBucket(s3, 'segment');
      const secretId = await createSecret(sm, sim.config(), 'baton/segment');
      const key = 'c1z/segment/sync.c1z';
      const handler = makeSyncHandler(segmentConnector, {
        s3,
        secrets: sm,
        env: { BUCKET: bucket, OBJECT_KEY: key, SECRET_ID: secretId, WORK_ROOT: dir, MIN_FREE_TMP_MB: '1' },
        httpOverrides: { baseBackoffMs: 5, maxBackoffMs: 20 },
      });
      const result = await invoke(handler, {});
      expect(result).toMatchObject({
        bucket,
        key,
        uploaded: true,
        counts: { resourceTypes: 8, resources: EXPECTED_RESOURCES.length, entitlements: EXPECTED_ENTITLEMENTS.length, grants: EXPECTED_GRANTS.length },
      });
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const file = join(dir, 'downloaded.c1z');
      await writeFile(file, await object.Body!.transformToByteArray());
      const reader = await openC1z(file);
      try {
        expect([...reader.grants()].map((g) => g.id).sort()).toEqual(EXPECTED_GRANTS);
        expect([...reader.entitlements()].map((e) => e.id).sort()).toEqual(EXPECTED_ENTITLEMENTS);
      } finally {
        reader.close();
      }
    } finally {
      await sim.close();
    }
  });

  it('the Lambda entry point loads', async () => {
    const mod = await import('../../../lambdas/segment/handler.ts');
    expect(typeof mod.handler).toBe('function');
  });
});
