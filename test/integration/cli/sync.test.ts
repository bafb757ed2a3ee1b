// `baton-serverless sync` as a user runs it: a child process, config from BATON_* env vars, against
// a simulator; the file it writes opens in the reader.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FullstorySim, generateTenant, startFullstorySim } from '../../../lambdas/fullstory/sim/index.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { tempDir } from '../../support/tmp.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BATON_') && !k.startsWith('AWS_')));
    const child = spawn(process.execPath, [join(ROOT, 'bin/baton-serverless.js'), ...args], { env: { ...baseEnv, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let sim: FullstorySim;
beforeAll(async () => {
  sim = await startFullstorySim({ tenant: generateTenant({ seed: 3, users: 40 }), rateLimits: 'off' });
});
afterAll(async () => sim.close());

describe('baton-serverless sync', () => {
  it('syncs with BATON_* env vars and prints a JSON summary', async () => {
    const out = join(tempDir(), 'fullstory.c1z');
    const r = await cli(['sync', 'fullstory', '--out', out, '--json'], sim.config('scim'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({
      connector: 'fullstory',
      out,
      counts: { resourceTypes: 1, resources: sim.tenant.seats.length, entitlements: 0, grants: 0 },
    });
    const reader = await openC1z(out);
    expect(reader.sync.syncId).toBe(summary.syncId);
    expect(reader.counts().resources).toBe(sim.tenant.seats.length);
    reader.close();
  });

  it('a missing key fails with one line naming it, and writes nothing', async () => {
    const out = join(tempDir(), 'x.c1z');
    const r = await cli(['sync', 'fullstory', '--out', out], { BATON_SCIM_TOKEN: 'some-token-value-123' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/BATON_SCIM_BASE_URL/);
    expect(r.stderr).not.toContain('some-token-value-123');
  });

  it('a rejected token fails without printing it', async () => {
    const r = await cli(['sync', 'fullstory', '--out', join(tempDir(), 'y.c1z')], { ...sim.config('scim'), BATON_SCIM_TOKEN: 'wrong-token-value-456' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/BATON_SCIM_TOKEN was rejected/);
    expect(r.stderr + r.stdout).not.toContain('wrong-token-value-456');
  });

  it('an unknown connector is a usage error', async () => {
    const r = await cli(['sync', 'github', '--out', 'x.c1z'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown connector "github"/);
  });
});

describe('sync --secret-id without AWS set up', () => {
  const isolated = () => {
    const home = tempDir();
    return { HOME: home, AWS_CONFIG_FILE: join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'), AWS_EC2_METADATA_DISABLED: 'true' };
  };

  it('no region: exit 1, says to set AWS_REGION, writes nothing', async () => {
    const out = join(tempDir(), 'x.c1z');
    const r = await cli(['sync', 'slack', '--out', out, '--secret-id', 'baton/slack'], isolated());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--secret-id baton/slack needs an AWS region and none is set: export AWS_REGION=');
    expect(existsSync(out)).toBe(false);
  });

  it('no credentials: exit 1, names the region and how to provide credentials', async () => {
    const r = await cli(['sync', 'slack', '--out', join(tempDir(), 'x.c1z'), '--secret-id', 'baton/slack'], { ...isolated(), AWS_REGION: 'eu-west-1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no AWS credentials found in eu-west-1 .*set AWS_PROFILE .* or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });
});
