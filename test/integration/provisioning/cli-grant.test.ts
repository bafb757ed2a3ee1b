// `baton-serverless grant|revoke` one-shot against simulators: Segment round trip by synced ids,
// and Fullstory's clear refusal.
import { afterEach, describe, expect, it } from 'vitest';
import { grantCommand } from '../../../bin/cli/grant.ts';
import { generateTenant as fullstoryTenant, startFullstorySim } from '../../../lambdas/fullstory/sim/index.ts';
import { type SegmentSim, startSegmentSim } from '../../../lambdas/segment/sim/index.ts';
import { fixedTenant } from '../../unit/segment/fixture.ts';

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers) await c();
  closers = [];
});

describe('grant / revoke CLI', () => {
  it('grants and revokes a Segment source permission by synced ids, printing JSON', async () => {
    const sim: SegmentSim = await startSegmentSim({ tenant: fixedTenant(), rateLimits: 'off' });
    closers.push(() => sim.close());
    const out: string[] = [];
    const args = { connector: 'segment', entitlement: 'source:src1:source_read_only', principal: 'user:u2', json: true };
    await grantCommand(
      'grant',
      args,
      (s) => out.push(s),
      () => {},
      sim.config(),
    );
    expect(JSON.parse(out[0]!)).toMatchObject({ status: 'complete', effect: 'changed', principal: 'user:u2', taskId: 'cli' });
    expect(sim.tenant.users[1]!.permissions.some((p) => p.roleId === 'r-srcro' && p.resources.some((r) => r.id === 'src1'))).toBe(true);
    await grantCommand(
      'revoke',
      args,
      (s) => out.push(s),
      () => {},
      sim.config(),
    );
    expect(JSON.parse(out[1]!)).toMatchObject({ status: 'complete', effect: 'changed' });
    expect(sim.tenant.users[1]!.permissions.some((p) => p.roleId === 'r-srcro')).toBe(false);
  });

  it('Fullstory refuses with a clear message and no write', async () => {
    const sim = await startFullstorySim({ tenant: fullstoryTenant({ seed: 1, users: 5 }), rateLimits: 'off' });
    closers.push(() => sim.server.close());
    const out: string[] = [];
    const run = grantCommand(
      'grant',
      { connector: 'fullstory', entitlement: 'user:x:member', principal: 'user:x' },
      (s) => out.push(s),
      () => {},
      sim.config('scim'),
    );
    await expect(run).rejects.toThrow(/fullstory does not support provisioning/);
    expect(sim.server.calls.filter((c) => c.method !== 'GET')).toEqual([]);
  });
});
