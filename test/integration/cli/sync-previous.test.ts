// `sync --previous FILE`: the Lambda's shrink guard and drift on this machine, against the
// Fullstory simulator.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FullstorySim, generateTenant, type ScimUser, startFullstorySim } from '../../../lambdas/fullstory/sim/index.ts';
import { cli } from '../../support/cli.ts';
import { tempDir } from '../../support/tmp.ts';

let sim: FullstorySim;
let seats: ScimUser[];
beforeAll(async () => {
  sim = await startFullstorySim({ tenant: generateTenant({ seed: 5, users: 30 }), rateLimits: 'off', recordCalls: true });
  seats = [...sim.tenant.seats];
});
afterAll(async () => sim.close());
beforeEach(() => {
  sim.tenant.seats.splice(0, sim.tenant.seats.length, ...seats);
});

describe('sync --previous', () => {
  it('normal churn replaces --out and reports the drift', async () => {
    const out = join(tempDir(), 'fullstory.c1z');
    expect((await cli(['sync', 'fullstory', '--out', out], sim.config('scim'))).code).toBe(0);
    sim.tenant.seats.splice(27);
    const r = await cli(['sync', 'fullstory', '--out', out, '--previous', out, '--json'], sim.config('scim'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.shrinkGuard).toEqual({ blocked: false, shrinks: [] });
    expect(summary.drift.totals.resources).toEqual({ added: 0, removed: 3 });
    expect(summary.drift.byResourceType.user.resources).toEqual({ added: 0, removed: 3 });
    expect(existsSync(`${out}.held.c1z`)).toBe(false);
  });

  it('a shrink past the threshold keeps --out as it was and the new sync beside it, failing in one line', async () => {
    const out = join(tempDir(), 'fullstory.c1z');
    expect((await cli(['sync', 'fullstory', '--out', out], sim.config('scim'))).code).toBe(0);
    const before = readFileSync(out);
    sim.tenant.seats.splice(10);
    const r = await cli(['sync', 'fullstory', '--out', out, '--previous', out], sim.config('scim'));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `baton-serverless: the shrink guard held the new sync back: principals 30 → 10 (-67 %) against ${out}; ${out} is unchanged and the new sync is ${out}.held.c1z. If the org really shrank, accept it: mv ${out}.held.c1z ${out}`,
    ]);
    expect(r.stdout).toContain('drift against the previous sync: resources +0 -20');
    expect(readFileSync(out).equals(before)).toBe(true);
    expect(existsSync(`${out}.held.c1z`)).toBe(true);

    // A looser threshold lets the same shrink through.
    const loose = await cli(['sync', 'fullstory', '--out', out, '--previous', out, '--max-principal-drop', '70'], sim.config('scim'));
    expect(loose.code).toBe(0);
    expect(readFileSync(out).equals(before)).toBe(false);
  });

  it('a bad threshold or a missing previous file is a usage error before any API call', async () => {
    const out = join(tempDir(), 'f.c1z');
    const calls = sim.server.calls.length;
    const bad = await cli(['sync', 'fullstory', '--out', out, '--previous', out, '--max-grant-drop', '120'], sim.config('scim'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-grant-drop takes a percentage from 0 to 100, not "120"');
    const missing = await cli(['sync', 'fullstory', '--out', out, '--previous', join(tempDir(), 'nope.c1z')], sim.config('scim'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file (--previous)');
    expect(sim.server.calls.length).toBe(calls);
  });
});
