// The Slack Lambda handler end to end: secret (moto Secrets Manager) → simulator → c1z in (moto)
// S3, downloaded and read back.
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { connector as slackConnector } from '../../../lambdas/slack/connector.ts';
import { SIM_BOT_TOKEN, startSlackSim } from '../../../lambdas/slack/sim/index.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { downloadTo, handlerOnMoto, invoke } from '../../support/handler.ts';
import { tempDir } from '../../support/tmp.ts';
import { fixedTenant } from '../../unit/slack/fixture.ts';

describe('slack Lambda handler against the simulator', () => {
  it('Business+: syncs through the handler into S3, twice in one process (warm start)', async () => {
    const dir = tempDir('slack-handler-');
    const sim = await startSlackSim({ tenant: fixedTenant(), mode: 'business', rateLimits: 'off' });
    try {
      const key = 'c1z/slack/sync.c1z';
      const { s3, bucket, handler } = await handlerOnMoto(slackConnector, 'slack', {
        secretMap: sim.config,
        key,
        workRoot: dir,
        httpOverrides: { baseBackoffMs: 5, maxBackoffMs: 20 },
      });
      for (let run = 0; run < 2; run++) {
        const result = await invoke(handler, {});
        expect(result).toMatchObject({ bucket, key, uploaded: true, counts: sim.expected });
      }
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      expect(head.Metadata).toMatchObject({ connector: 'slack', grants: String(sim.expected.grants) });
      const file = join(dir, 'downloaded.c1z');
      await downloadTo(s3, bucket, key, file);
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
      const { s3, bucket, handler } = await handlerOnMoto(slackConnector, 'slack', { secretMap: sim.config, key: 'k/sync.c1z', workRoot: dir });
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
