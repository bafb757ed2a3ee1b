// The Go connector's edge cases, case by case, against the simulator.

import { create } from '@bufbuild/protobuf';
import { afterEach, describe, expect, it } from 'vitest';
import { generateTenant, type RunningSlackSim, type SlackTenant, startSlackSim, workspacesOf } from '../../../lambdas/slack/sim/index.ts';
import { EntitlementSchema, GrantSchema, ResourceSchema } from '../../../shared/c1z/messages.ts';
import { ConnectorError } from '../../../shared/sync/connector.ts';
import { ResourceStatus, resource, resourceId } from '../../../shared/sync/model.ts';
import { fixedTenant } from './fixture.ts';
import { ids, makeConnector, walk } from './walk.ts';

let sim: RunningSlackSim | undefined;
afterEach(async () => {
  await sim?.server.close();
  sim = undefined;
});

const web = (s: RunningSlackSim, method: string) => s.controls.requests.filter((r) => r.api === 'web' && r.method === method);
const scim = (s: RunningSlackSim, prefix: string) => s.controls.requests.filter((r) => r.api === 'scim' && r.method.startsWith(prefix));

/** The workspace-role rules (lambdas/slack/README.md), written out independently of the connector. */
function expectedRoles(u: SlackTenant['users'][number]): string[] {
  const out: string[] = [];
  if (u.is_primary_owner) out.push('primary_owner');
  if (u.is_owner) out.push('owner');
  if (u.is_admin) out.push('admin');
  if (u.is_restricted) out.push(u.is_ultra_restricted ? 'single_channel_guest' : 'multi_channel_guest');
  if (u.is_invited_user) out.push('invited_member');
  if (!u.is_restricted && !u.is_ultra_restricted && !u.is_invited_user && !u.is_bot && !u.deleted) out.push('member');
  if (u.is_bot) out.push('bot');
  return out;
}

describe('slack edge cases', () => {
  it('every combination of the nine role flags gets exactly the rule-given role grants; strangers none', async () => {
    const tenant = generateTenant({ seed: 7, users: 700, userGroups: 3, memberships: 50, idpGroups: 1 });
    sim = await startSlackSim({ tenant, mode: 'pro', rateLimits: 'off' });
    const { connector } = makeConnector(sim.config);
    const { grants } = await walk(connector);
    const team = tenant.teams[0]!.id;
    const expected: string[] = [];
    for (const u of tenant.users) {
      if (u.is_stranger) continue;
      expected.push(`workspace:${team}:member:user:${u.id}`);
      for (const role of expectedRoles(u)) expected.push(`workspaceRole:${team}:${role}:assigned:user:${u.id}`);
    }
    const got = grants.map((g) => g.id).filter((id) => !id.startsWith('userGroup:'));
    expect(got.sort()).toEqual(expected.sort());
    // The first 512 users are all 2^9 flag combinations.
    expect(tenant.users.slice(0, 512).filter((u) => u.is_stranger && u.is_primary_owner && u.deleted).length).toBe(64);
  });

  it('users.list: limit 1000 and team_id sent, next_cursor followed to the end (short pages too), read once for users and workspace grants', async () => {
    const tenant = generateTenant({ seed: 2, users: 2450, userGroups: 2, memberships: 10 });
    sim = await startSlackSim({ tenant, mode: 'pro', rateLimits: 'off' });
    const { connector } = makeConnector(sim.config);
    const out = await walk(connector);
    const calls = web(sim, 'users.list');
    // Slack may return fewer than asked: the simulator shortens some pages, the connector just follows the cursor.
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls.every((c) => c.params.limit === '1000')).toBe(true);
    expect(calls.every((c) => c.params.team_id === tenant.teams[0]!.id)).toBe(true);
    expect(calls[0]!.params.cursor).toBeUndefined();
    expect(calls[1]!.params.cursor).toBeTruthy();
    expect(out.resources.filter((r) => r.id?.resourceType === 'user')).toHaveLength(2450);
    expect(out.grants.filter((g) => g.id.startsWith('workspace:'))).toHaveLength(tenant.users.filter((u) => !u.is_stranger).length);
  });

  it('user groups: members come with usergroups.list; without them each group is fetched once, not once per 20 members', async () => {
    const tenant = generateTenant({ seed: 4, users: 300, userGroups: 4, memberships: 400 });
    const big = tenant.userGroups.filter((g) => !g.disabled).sort((a, b) => b.users.length - a.users.length)[0]!;
    expect(big.users.length).toBeGreaterThan(60);
    const expected = tenant.userGroups.filter((g) => !g.disabled).flatMap((g) => g.users.map((u) => `userGroup:${g.id}:member:user:${u}`));

    sim = await startSlackSim({ tenant, mode: 'pro', rateLimits: 'off' });
    let out = await walk(makeConnector(sim.config).connector);
    expect(web(sim, 'usergroups.list')[0]!.params).toMatchObject({ include_users: 'true', team_id: tenant.teams[0]!.id });
    expect(web(sim, 'usergroups.users.list')).toHaveLength(0);
    expect(
      out.grants
        .map((g) => g.id)
        .filter((id) => id.startsWith('userGroup:'))
        .sort(),
    ).toEqual([...expected].sort());
    await sim.server.close();

    sim = await startSlackSim({ tenant, mode: 'pro', rateLimits: 'off' });
    sim.controls.userGroupsListWithoutUsers = true;
    out = await walk(makeConnector(sim.config).connector);
    const perGroup = web(sim, 'usergroups.users.list').map((c) => c.params.usergroup);
    expect(perGroup.sort()).toEqual(
      tenant.userGroups
        .filter((g) => !g.disabled)
        .map((g) => g.id)
        .sort(),
    );
    expect(
      out.grants
        .map((g) => g.id)
        .filter((id) => id.startsWith('userGroup:'))
        .sort(),
    ).toEqual([...expected].sort());
  });

  it('a user group deleted mid-sync (no_such_subteam) is skipped with a warning', async () => {
    const tenant = fixedTenant();
    sim = await startSlackSim({ tenant, mode: 'pro', rateLimits: 'off' });
    sim.controls.userGroupsListWithoutUsers = true;
    const logs: string[] = [];
    const { connector } = makeConnector(sim.config, (m) => logs.push(m));
    const syncer = connector.resourceSyncers().find((s) => s.resourceType.id === 'userGroup')!;
    const groups = (await syncer.list(resourceId('workspace', 'T1'), undefined)).rows;
    tenant.userGroups = tenant.userGroups.filter((g) => g.id !== 'S1');
    const s1 = groups.find((g) => g.id?.resource === 'S1')!;
    const s2 = groups.find((g) => g.id?.resource === 'S2')!;
    expect(await syncer.grants(s1, undefined)).toEqual({ rows: [] });
    expect(logs.some((l) => l.includes('vanished'))).toBe(true);
    expect((await syncer.grants(s2, undefined)).rows.map((g) => g.id)).toEqual([
      'userGroup:S2:member:user:U2',
      'userGroup:S2:member:user:U5',
      'userGroup:S2:member:user:U10',
    ]);
  });

  it('SCIM paging is 1-based and ends by totalResults (users by 1000, groups by 100)', async () => {
    const tenant = generateTenant({ seed: 5, users: 1600, userGroups: 2, memberships: 10, idpGroups: 150 });
    const scimUsers = tenant.users.filter((u) => u.scimActive !== undefined).length;
    expect(scimUsers).toBeGreaterThan(1000);
    sim = await startSlackSim({ tenant, mode: 'business', rateLimits: 'off' });
    const out = await walk(makeConnector(sim.config).connector);
    expect(scim(sim, 'GET /Users').map((c) => [c.params.startIndex, c.params.count])).toEqual([
      ['1', '1000'],
      ['1001', '1000'],
    ]);
    expect(scim(sim, 'GET /Groups').map((c) => [c.params.startIndex, c.params.count])).toEqual([
      ['1', '100'],
      ['101', '100'],
    ]);
    expect(out.resources.filter((r) => r.id?.resourceType === 'user')).toHaveLength(scimUsers);
    expect(out.resources.filter((r) => r.id?.resourceType === 'group')).toHaveLength(150);
    // Members came with the list pages: no GET /Groups/{id}, and never users.info per SCIM user.
    expect(scim(sim, 'GET /Groups/')).toHaveLength(0);
    expect(web(sim, 'users.info')).toHaveLength(0);
    expect(out.grants.filter((g) => g.id.startsWith('group:'))).toHaveLength(tenant.idpGroups.reduce((n, g) => n + g.members.length, 0));
  });

  it('Business+: users.list pages go on while the SCIM map is read a step per page; pages read before it is complete are kept, then written', async () => {
    // 12 SCIM pages: more than the first page's step reads, so the first users.list pages come before the map is whole.
    const tenant = generateTenant({ seed: 11, users: 12_400, userGroups: 2, memberships: 10, workspaces: 2, sharedUsers: 40 });
    sim = await startSlackSim({ tenant, mode: 'business', rateLimits: 'off' });
    const out = await walk(makeConnector(sim.config).connector);
    const order = sim.controls.requests.map((r) => (r.api === 'web' ? r.method : r.method.split('?')[0]));
    const scimUsers = order.flatMap((m, i) => (m === 'GET /Users' ? [i] : []));
    expect(scimUsers.length).toBe(Math.ceil(tenant.users.filter((u) => u.scimActive !== undefined).length / 1000));
    // The second users.list page was asked for before the last SCIM Users page: the chain did not wait for the whole map.
    expect(order.indexOf('users.list', order.indexOf('users.list') + 1)).toBeLessThan(scimUsers.at(-1)!);

    const teams = tenant.teams.map((t) => t.id).sort();
    const expected = tenant.users
      .filter((u) => u.scimActive !== undefined)
      .map((u) => {
        const parent =
          workspacesOf(u)
            .filter((t) => teams.includes(t))
            .sort()[0] ?? (teams.includes(u.team_id) ? u.team_id : teams[0]);
        return `${u.id} ${parent} ${u.scimActive === false ? ResourceStatus.DISABLED : ResourceStatus.ENABLED}`;
      })
      .sort();
    const got = out.resources
      .filter((r) => r.id?.resourceType === 'user')
      .map((r) => `${r.id!.resource} ${r.parentResourceId?.resource} ${r.status?.status}`)
      .sort();
    expect(got).toEqual(expected);
  });

  it('SCIM groups without members in the list are read one by one (GET /Groups/{id})', async () => {
    sim = await startSlackSim({ tenant: fixedTenant(), mode: 'business', rateLimits: 'off' });
    sim.controls.scimGroupListWithoutMembers = true;
    const out = await walk(makeConnector(sim.config).connector);
    expect(
      scim(sim, 'GET /Groups/')
        .map((c) => c.method)
        .sort(),
    ).toEqual(['GET /Groups/G1', 'GET /Groups/G2']);
    expect(
      out.grants
        .filter((g) => g.id.startsWith('group:'))
        .map((g) => g.id)
        .sort(),
    ).toEqual(['group:G1:member:user:U1', 'group:G1:member:user:U2', 'group:G2:member:user:U1', 'group:G2:member:user:U12', 'group:G2:member:user:U3']);
  });

  for (const mode of ['pro', 'business'] as const) {
    it(`${mode}, several workspaces: each user written once, under the workspace whose users.list returned it (the lowest id when several do)`, async () => {
      const tenant = generateTenant({ seed: 6, users: 240, workspaces: 3, userGroups: 3, memberships: 30, idpGroups: 1, sharedUsers: 8 });
      const shared = tenant.users.filter((u) => u.alsoIn);
      expect(shared).toHaveLength(8);
      // One of them is listed by the last and the first workspace: the first must win whatever the listing order.
      expect(shared.some((u) => u.team_id === tenant.teams[2]!.id)).toBe(true);
      sim = await startSlackSim({ tenant, mode, rateLimits: 'off' });
      const out = await walk(makeConnector(sim.config).connector);
      const users = out.resources.filter((r) => r.id?.resourceType === 'user');
      const kept = tenant.users.filter((u) => (mode === 'pro' ? true : u.scimActive !== undefined));
      expect(ids(users)).toEqual(ids(kept.map((u) => ({ id: { resourceType: 'user', resource: u.id } }))));
      for (const r of users) {
        const u = tenant.users.find((x) => x.id === r.id!.resource)!;
        expect(r.parentResourceId?.resource, u.id).toBe(workspacesOf(u).sort()[0]);
      }
      // Every SCIM user is listed by some workspace: no users.info at all, and SCIM users read once.
      expect(web(sim, 'users.info')).toHaveLength(0);
      expect(scim(sim, 'GET /Users')).toHaveLength(mode === 'pro' ? 0 : 1);
      expect(web(sim, 'users.list').map((c) => c.params.team_id)).toEqual(tenant.teams.map((t) => t.id));
      expect(out.resources.length).toBe(sim.expected.resources);
      expect(out.grants.length).toBe(sim.expected.grants);
      // A shared user is a member of each of its workspaces.
      for (const u of shared) for (const t of workspacesOf(u)) expect(out.grants.map((g) => g.id)).toContain(`workspace:${t}:member:user:${u.id}`);
    });
  }

  it('workspace-role entitlements find the workspace name even when the workspace list ran elsewhere', async () => {
    sim = await startSlackSim({ tenant: fixedTenant(), mode: 'pro', rateLimits: 'off' });
    const { connector } = makeConnector(sim.config);
    const roles = connector.resourceSyncers().find((s) => s.resourceType.id === 'workspaceRole')!;
    const [admin] = (await roles.list(resourceId('workspace', 'T1'), undefined)).rows.filter((r) => r.id?.resource === 'T1:admin');
    const ents = await roles.entitlements(admin!, undefined);
    expect(ents.rows.map((e) => [e.id, e.displayName])).toEqual([['workspaceRole:T1:admin:assigned', 'Acme workspace Admin role']]);
    expect(web(sim, 'auth.teams.list')).toHaveLength(1);
    expect((await roles.grants(admin!, undefined)).rows).toEqual([]);
  });

  it('validate: a bot token passes on auth.test alone; a user token needs admin/owner', async () => {
    const tenant = fixedTenant();
    tenant.tokens['xoxp-admin'] = { kind: 'user', userId: 'U3', scopes: ['users:read'] };
    tenant.tokens['xoxp-member'] = { kind: 'user', userId: 'U10', scopes: ['users:read'] };
    sim = await startSlackSim({ tenant, mode: 'pro', rateLimits: 'off' });
    await makeConnector(sim.config).connector.validate();
    expect(web(sim, 'users.info')).toHaveLength(0);
    await makeConnector({ ...sim.config, BATON_TOKEN: 'xoxp-admin' }).connector.validate();
    expect(web(sim, 'users.info').map((c) => c.params.user)).toEqual(['U3']);
    const err = await makeConnector({ ...sim.config, BATON_TOKEN: 'xoxp-member' })
      .connector.validate()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).message).toMatch(/not an admin, owner, primary owner or a bot/);
  });
});

describe('IDP group provisioning', () => {
  const user = (id: string) => create(ResourceSchema, { id: resourceId('user', id) });
  const groupEnt = (id: string) => create(EntitlementSchema, { id: `group:${id}:member`, resource: resource({ type: 'group', id, displayName: id }) });
  const groupGrant = (g: string, u: string, type = 'user') =>
    create(GrantSchema, { id: `group:${g}:member:${type}:${u}`, entitlement: groupEnt(g), principal: create(ResourceSchema, { id: resourceId(type, u) }) });

  it('grant sends the full member list plus the new member; already a member sends nothing', async () => {
    sim = await startSlackSim({ tenant: fixedTenant(), mode: 'business', rateLimits: 'off' });
    const syncer = makeConnector(sim.config)
      .connector.resourceSyncers()
      .find((s) => s.resourceType.id === 'group')!;
    await syncer.grant!(user('U5'), groupEnt('G1'));
    const patches = scim(sim, 'PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0]!.json).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'members', value: [{ value: 'U1' }, { value: 'U2' }, { value: 'U5' }] }],
    });
    expect(sim.tenant.idpGroups[0]!.members).toEqual(['U1', 'U2', 'U5']);
    await syncer.grant!(user('U5'), groupEnt('G1'));
    expect(scim(sim, 'PATCH')).toHaveLength(1);
  });

  it('revoke removes one member; a non-member is already revoked (no PATCH)', async () => {
    sim = await startSlackSim({ tenant: fixedTenant(), mode: 'business', rateLimits: 'off' });
    const syncer = makeConnector(sim.config)
      .connector.resourceSyncers()
      .find((s) => s.resourceType.id === 'group')!;
    await syncer.revoke!(groupGrant('G1', 'U4'));
    expect(scim(sim, 'PATCH')).toHaveLength(0);
    await syncer.revoke!(groupGrant('G1', 'U2'));
    expect(scim(sim, 'PATCH')[0]!.json).toMatchObject({ Operations: [{ op: 'remove', path: 'members', value: [{ value: 'U2' }] }] });
    expect(sim.tenant.idpGroups[0]!.members).toEqual(['U1']);
  });

  it('refuses in gov mode, without the Business+ token, and for non-user principals', async () => {
    sim = await startSlackSim({ tenant: fixedTenant(), mode: 'business', gov: true, rateLimits: 'off' });
    const gov = makeConnector(sim.config)
      .connector.resourceSyncers()
      .find((s) => s.resourceType.id === 'group')!;
    await expect(gov.grant!(user('U5'), groupEnt('G1'))).rejects.toThrow(/not supported in Gov/);
    const pro = makeConnector({ BATON_TOKEN: sim.config.BATON_TOKEN!, BATON_BASE_URL: sim.config.BATON_BASE_URL! })
      .connector.resourceSyncers()
      .find((s) => s.resourceType.id === 'group')!;
    await expect(pro.grant!(user('U5'), groupEnt('G1'))).rejects.toThrow(/missing Business\+ token/);
    expect((await pro.list(undefined, undefined)).rows).toEqual([]);
    const biz = makeConnector({ ...sim.config, BATON_GOV_ENV: 'false' })
      .connector.resourceSyncers()
      .find((s) => s.resourceType.id === 'group')!;
    await expect(biz.grant!(create(ResourceSchema, { id: resourceId('userGroup', 'S1') }), groupEnt('G1'))).rejects.toThrow(/only users can be granted/);
    await expect(biz.revoke!(groupGrant('G1', 'S1', 'userGroup'))).rejects.toThrow(/only users can be revoked/);
    expect(scim(sim, 'PATCH')).toHaveLength(0);
  });
});
