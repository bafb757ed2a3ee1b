// Rows that must not come out empty or short: display names of users without a username, and
// user-group members when usergroups.list embeds fewer than user_count.
import { afterEach, describe, expect, it } from 'vitest';
import { slackUserSchema } from '../../../lambdas/slack/client.ts';
import { userDisplayName } from '../../../lambdas/slack/resources/user.ts';
import { generateTenant, type RunningSlackSim, startSlackSim } from '../../../lambdas/slack/sim/index.ts';
import { makeConnector, walk } from './walk.ts';

let sim: RunningSlackSim | undefined;
afterEach(async () => {
  await sim?.server.close();
  sim = undefined;
});

describe('userDisplayName', () => {
  const user = (over: Record<string, unknown>) => slackUserSchema.parse({ id: 'U1', ...over });
  it.each([
    [{ name: 'alice', real_name: 'Alice A' }, 'alice'],
    [{ name: '', real_name: 'Alice A', profile: { email: 'a@x.test' } }, 'Alice A'],
    [{ name: '', profile: { real_name: 'Profile Name', email: 'a@x.test' } }, 'Profile Name'],
    [{ name: '', profile: { email: 'a@x.test' } }, 'a@x.test'],
    [{ name: '' }, 'U1'],
  ])('%j → %s', (over, expected) => {
    expect(userDisplayName(user(over))).toBe(expected);
  });
});

describe('user groups whose embedded member list is cut', () => {
  it('falls back to usergroups.users.list and loses no grant', async () => {
    const tenant = generateTenant({ seed: 11, users: 120, userGroups: 3, memberships: 200 });
    sim = await startSlackSim({ tenant, mode: 'pro', rateLimits: 'off' });
    sim.controls.userGroupsListUsersCap = 2;
    const logs: string[] = [];
    const { connector } = makeConnector(sim.config, (m) => logs.push(m));
    const { grants } = await walk(connector);
    const expected = tenant.userGroups.filter((g) => !g.disabled).flatMap((g) => g.users.map((u) => `userGroup:${g.id}:member:user:${u}`));
    expect(expected.length).toBeGreaterThan(3 * 2);
    const got = grants.map((g) => g.id).filter((id) => id.startsWith('userGroup:'));
    expect(got.sort()).toEqual(expected.sort());
    const perGroupCalls = sim.controls.requests.filter((r) => r.api === 'web' && r.method === 'usergroups.users.list').length;
    expect(perGroupCalls).toBe(tenant.userGroups.filter((g) => !g.disabled && g.users.length > 2).length);
    expect(logs.some((m) => m.includes('fewer members than user_count'))).toBe(true);
  });

  it('a complete embedded list needs no per-group call', async () => {
    const tenant = generateTenant({ seed: 11, users: 120, userGroups: 3, memberships: 200 });
    sim = await startSlackSim({ tenant, mode: 'pro', rateLimits: 'off' });
    const { connector } = makeConnector(sim.config);
    await walk(connector);
    expect(sim.controls.requests.filter((r) => r.api === 'web' && r.method === 'usergroups.users.list')).toHaveLength(0);
    expect(sim.controls.requests.find((r) => r.api === 'web' && r.method === 'usergroups.list')!.params).toMatchObject({ include_count: 'true' });
  });
});
