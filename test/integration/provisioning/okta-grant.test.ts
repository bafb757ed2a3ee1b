// Okta provisioning through `baton-serverless grant|revoke` against the simulator, by synced ids:
// group membership, standard roles for users and groups, app assignment for users and groups,
// resource-set binding membership; each repeat is `unchanged`, each Okta error code one clear line.
// The enable_user / disable_user actions follow Okta's lifecycle.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantCommand } from '../../../bin/cli/grant.ts';
import { connector as okta } from '../../../lambdas/okta/connector.ts';
import { type RunningOktaSim, startOktaSim } from '../../../lambdas/okta/sim/index.ts';
import { parseConnectorConfig } from '../../../shared/sync/config.ts';
import { syncToFile } from '../../../shared/sync/run-sync.ts';
import { createRuntime } from '../../../shared/sync/runtime.ts';
import { tempDir } from '../../support/tmp.ts';
import { fixedTenant } from '../../unit/okta/fixture.ts';

let sim: RunningOktaSim;
let c1z: string;

beforeAll(async () => {
  sim = await startOktaSim({ tenant: fixedTenant(), rateLimits: 'off', flags: { syncCustomRoles: true } });
  c1z = join(tempDir('okta-prov-'), 'sync.c1z');
  await syncToFile({ connector: okta, secretMap: sim.config, out: c1z });
});

afterAll(async () => {
  await sim?.server.close();
});

/** One grant or revoke; its JSON result (a failed one too). */
async function provision(action: 'grant' | 'revoke', entitlement: string, principal: string): Promise<{ status: string; effect?: string; comment: string }> {
  const out: string[] = [];
  await grantCommand(
    action,
    { connector: 'okta', entitlement, principal, c1z, json: true },
    (s) => out.push(s),
    () => {},
    sim.config,
  ).catch(() => {});
  return JSON.parse(out[0]!);
}

async function twice(action: 'grant' | 'revoke', entitlement: string, principal: string): Promise<string[]> {
  const first = await provision(action, entitlement, principal);
  const second = await provision(action, entitlement, principal);
  return [first.effect ?? first.comment, second.effect ?? second.comment];
}

const group = (id: string) => sim.tenant.groups.find((g) => g.id === id)!;

describe('okta grant / revoke', () => {
  it('group membership: PUT then unchanged; DELETE then unchanged', async () => {
    expect(await twice('grant', 'group:00g2:member', 'user:00u5')).toEqual(['changed', 'unchanged']);
    expect(group('00g2').members).toContain('00u5');
    expect(sim.controls.writes.filter((w) => w.method === 'PUT' && w.path === '/api/v1/groups/00g2/users/00u5')).toHaveLength(1);
    expect(await twice('revoke', 'group:00g2:member', 'user:00u5')).toEqual(['changed', 'unchanged']);
    expect(group('00g2').members).not.toContain('00u5');
  });

  it("an APP_GROUP's members cannot be changed: one clear errored line with Okta's code", async () => {
    const r = await provision('grant', 'group:00g4:member', 'user:00u1');
    expect(r.status).toBe('errored');
    expect(r.comment).toMatch(/adding user 00u1 to group 00g4: Okta answered E0000056/);
  });

  it('standard role to a user: assigned, then E0000090 reads as unchanged; revoke removes the direct assignment', async () => {
    expect(await twice('grant', 'role:USER_ADMIN:assigned', 'user:00u2')).toEqual(['changed', 'unchanged']);
    expect(sim.tenant.adminRoles.get('00u2')?.map((r) => r.type)).toEqual(['USER_ADMIN']);
    expect(await twice('revoke', 'role:USER_ADMIN:assigned', 'user:00u2')).toEqual(['changed', 'unchanged']);
    expect(sim.tenant.adminRoles.get('00u2')).toEqual([]);
  });

  it('standard role to a group (refused by baton-okta before its group branch)', async () => {
    expect(await twice('grant', 'role:REPORT_ADMIN:assigned', 'group:00g3')).toEqual(['changed', 'unchanged']);
    expect(group('00g3').roles.filter((r) => r.type === 'REPORT_ADMIN' && r.status === 'ACTIVE')).toHaveLength(1);
    expect(await twice('revoke', 'role:REPORT_ADMIN:assigned', 'group:00g3')).toEqual(['changed', 'unchanged']);
    expect(group('00g3').roles.some((r) => r.type === 'REPORT_ADMIN')).toBe(false);
  });

  it('app assignment for a user (with the user name Okta needs) and for a group', async () => {
    expect(await twice('grant', 'app:0oa1:access', 'user:00u5')).toEqual(['changed', 'unchanged']);
    const post = sim.controls.writes.find((w) => w.method === 'POST' && w.path === '/api/v1/apps/0oa1/users');
    expect(post?.json).toEqual({ id: '00u5', scope: 'USER', credentials: { userName: 'barbara@acme.test' } });
    expect(await twice('revoke', 'app:0oa1:access', 'user:00u5')).toEqual(['changed', 'unchanged']);
    expect(await twice('grant', 'app:0oa1:access', 'group:00g3')).toEqual(['changed', 'unchanged']);
    expect(await twice('revoke', 'app:0oa1:access', 'group:00g3')).toEqual(['changed', 'unchanged']);
    expect(sim.tenant.apps[0]!.groups).toEqual(['00g2']);
  });

  it('custom role through a resource-set binding: the member URL on the org domain; revoke removes that member only', async () => {
    expect(await twice('grant', 'resourceset-binding:iam1:cr01:member', 'user:00u6')).toEqual(['changed', 'unchanged']);
    const post = sim.controls.writes.find((w) => w.method === 'POST' && w.path === '/api/v1/iam/resource-sets/iam1/bindings');
    expect(post?.json).toEqual({ role: 'cr01', members: ['https://sim.okta.test/api/v1/users/00u6'] });
    expect(await twice('revoke', 'resourceset-binding:iam1:cr01:member', 'user:00u6')).toEqual(['changed', 'unchanged']);
    expect(sim.tenant.resourceSets[0]!.bindings[0]!.members.map((m) => m.id)).toEqual(['irb1', 'irb2', 'irb3']);
  });

  it('a user deleted in Okta since the sync: errored, saying it does not exist', async () => {
    const saved = sim.tenant.users;
    sim.tenant.users = saved.filter((u) => u.id !== '00u6');
    try {
      const r = await provision('grant', 'app:0oa1:access', 'user:00u6');
      expect(r.status).toBe('errored');
      expect(r.comment).toMatch(/assigning app 0oa1 to user 00u6: Okta answered E0000007 .*does not exist in Okta/);
    } finally {
      sim.tenant.users = saved;
    }
  });
});

describe('okta enable_user / disable_user', () => {
  const actions = () => {
    const runtime = createRuntime({ httpOverrides: { baseBackoffMs: 5, maxBackoffMs: 20 } });
    return okta.create(parseConnectorConfig(okta, sim.config), runtime).actions!();
  };
  const status = (id: string) => sim.tenant.users.find((u) => u.id === id)!.status;

  it('disable suspends an active user once; enable unsuspends once', async () => {
    const a = actions();
    expect(await a.disable_user!.run({ user_id: '00u1' })).toBe('changed');
    expect(status('00u1')).toBe('SUSPENDED');
    expect(await a.disable_user!.run({ user_id: '00u1' })).toBe('unchanged');
    expect(await a.enable_user!.run({ user_id: '00u1' })).toBe('changed');
    expect(status('00u1')).toBe('ACTIVE');
    expect(await a.enable_user!.run({ user_id: '00u1' })).toBe('unchanged');
  });

  it('enable activates a STAGED user; a deactivated one is refused with its status', async () => {
    const a = actions();
    expect(await a.enable_user!.run({ user_id: '00u4' })).toBe('changed');
    expect(status('00u4')).toBe('ACTIVE');
    await expect(a.enable_user!.run({ user_id: '00u3' })).rejects.toThrow(
      /user 00u3 is DEPROVISIONED; enable_user activates STAGED users and unsuspends SUSPENDED ones/,
    );
    expect(await a.disable_user!.run({ user_id: '00u3' })).toBe('unchanged');
    await expect(a.disable_user!.run({ user_id: '' })).rejects.toThrow(/user_id cannot be empty/);
    await expect(a.disable_user!.run({ user_id: '00u404' })).rejects.toThrow(/reading user 00u404: Okta answered E0000007/);
  });
});
