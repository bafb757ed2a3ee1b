// The Okta Lambda handler end to end: secret (moto Secrets Manager) → simulator → c1z in (moto)
// S3, downloaded and read back; twice in one process (warm start); a revoked token uploads nothing.
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { connector as okta } from '../../../lambdas/okta/connector.ts';
import { SIM_API_TOKEN, startOktaSim } from '../../../lambdas/okta/sim/index.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { downloadTo, handlerOnMoto, invoke } from '../../support/handler.ts';
import { tempDir } from '../../support/tmp.ts';
import { fixedTenant } from '../../unit/okta/fixture.ts';

describe('okta Lambda handler against the simulator', () => {
  it('OAuth: syncs through the handler into S3, twice in one process', async () => {
    const dir = tempDir('okta-handler-');
    const sim = await startOktaSim({ tenant: fixedTenant(), rateLimits: 'off', auth: 'oauth', flags: { syncCustomRoles: true } });
    try {
      const key = 'c1z/okta/sync.c1z';
      const { s3, bucket, handler } = await handlerOnMoto(okta, 'okta', {
        secretMap: sim.config,
        key,
        workRoot: dir,
        httpOverrides: { baseBackoffMs: 5, maxBackoffMs: 20 },
      });
      for (let run = 0; run < 2; run++) expect(await invoke(handler, {})).toMatchObject({ bucket, key, uploaded: true, counts: sim.expected });
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      expect(head.Metadata).toMatchObject({ connector: 'okta', grants: String(sim.expected.grants) });
      const file = join(dir, 'downloaded.c1z');
      await downloadTo(s3, bucket, key, file);
      const reader = await openC1z(file);
      try {
        const grants = [...reader.grants()].map((g) => g.id);
        expect(grants).toContain('role:USER_ADMIN:assigned:group:00g2');
        expect(grants).toContain('resourceset-binding:iam1:cr01:member:user:00u5');
      } finally {
        reader.close();
      }
    } finally {
      await sim.server.close();
    }
  });

  it('a revoked token fails the invocation naming BATON_API_TOKEN and uploads nothing', async () => {
    const dir = tempDir('okta-handler-');
    const sim = await startOktaSim({ tenant: fixedTenant(), rateLimits: 'off' });
    sim.controls.revoked.add(SIM_API_TOKEN);
    try {
      const { s3, bucket, handler } = await handlerOnMoto(okta, 'okta', { secretMap: sim.config, key: 'k/sync.c1z', workRoot: dir });
      const err = await invoke(handler, {}).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toMatch(/BATON_API_TOKEN was rejected by Okta on \/api\/v1\/users \(HTTP 401 E0000011/);
      expect(err?.message).not.toContain(SIM_API_TOKEN);
      await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k/sync.c1z' }))).rejects.toThrow();
    } finally {
      await sim.server.close();
    }
  });
});
