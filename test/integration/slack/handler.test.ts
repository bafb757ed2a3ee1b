// The Slack Lambda handler end to end: secret (moto Secrets Manager) → simulator → c1z in (moto)
// S3, downloaded and read back.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { connector as slackConnector } from '../../../lambdas/slack/connector.ts';
import { SIM_BOT_TOKEN, startSlackSim } from '../../../lambdas/slack/sim/index.ts';
import { makeSyncHandler, type SyncResult } from '../../../shared/aws/handler.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { createBucket, createSecret, s3Client, secretsClient } from '../../support/aws.ts';
import { runDurable } from '../../support/durable.ts';
import { tempDir } from '../../support/tmp.ts';
import { fixedTenant } from '../../unit/slack/fixture.ts';

const invoke = (handler: ReturnType<typeof makeSyncHandler>, event: unknown) => runDurable<SyncResult>(handler, event).then((r) => r.result);

describe('slack Lambda handler against the simulator', () => {
  it('Business+: syncs through the handler into S3, twice in one process (warm start)', async () => {
    const dir = tempDir('slack-handler-');
    const sim = await startSlackSim({ tenant: fixedTenant(), mode: 'business', rateLimits: 'off' });
    try {
      const s3 = s3Client();
      const sm = secretsClient();
      const bucket = await createBucket(s3, 'slack');
      const secretId = await createSecret(sm, sim.config, 'baton/slack');
      const key = 'c1z/slack/sync.c1z';
      const handler = makeSyncHandler(slackConnector, {
        s3,
        secrets: sm,
        env: { BUCKET: bucket, OBJECT_KEY: key, SECRET_ID: secretId, WORK_ROOT: dir, MIN_FREE_TMP_MB: '1' },
        httpOverrides: { baseBackoffMs: 5, maxBackoffMs: 20 },
      });
      for (let run = 0; run < 2; run++) {
        const result = await invoke(handler, {});
        expect(result).toMatchObject({ bucket, key, uploaded: true, counts: sim.expected });
      }
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      expect(head.Metadata).toMatchObject({ connector: 'slack', grants: String(sim.expected.grants) });
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const file = join(dir, 'downloaded.c1z');
      await writeFile(file, await object.Body!.transformToByteArray());
      const reader = await openC1z(file);
      try {
        expect(reader.counts()).toMatchObject({ resources: sim.expected.resources, entitlements: sim.expected.entitlements, grants: sim.expected.grants });
        const grants = [...reader.grants({ resourceType: 'workspaceRole' })].map((g) => g.id);
        expect(grants).toContain('workspaceRole:T1:bot:assigned:user:U6');
      } finally {
        reader.close();
      }
    } finally {
      await sim.server.close();
    }
  });

  it('a revoked bot token fails the invocation naming BATON_TOKEN and uploads nothing', async () => {
    const dir = tempDir('slack-handler-');
    const sim = await startSlackSim({ tenant: fixedTenant(), mode: 'pro', rateLimits: 'off' });
    sim.controls.revoked.add(SIM_BOT_TOKEN);
    try {
      const s3 = s3Client();
      const sm = secretsClient();
      const bucket = await createBucket(s3, 'slack');
      const secretId = await createSecret(sm, sim.config, 'baton/slack');
      const handler = makeSyncHandler(slackConnector, {
        s3,
        secrets: sm,
        env: { BUCKET: bucket, OBJECT_KEY: 'k/sync.c1z', SECRET_ID: secretId, WORK_ROOT: dir, MIN_FREE_TMP_MB: '1' },
      });
      const err = await invoke(handler, {}).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toMatch(/BATON_TOKEN was rejected by Slack on auth\.test: token_revoked/);
      expect(err?.message).not.toContain(SIM_BOT_TOKEN);
      await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k/sync.c1z' }))).rejects.toThrow();
    } finally {
      await sim.server.close();
    }
  });

  it('the Lambda entry point loads', async () => {
    const mod = await import('../../../lambdas/slack/handler.ts');
    expect(typeof mod.handler).toBe('function');
  });
});
