// Grid provisioning through `baton-serverless grant|revoke` (ids as the connector synced them)
// against the simulator: each kind of entitlement round trips, a repeat is `unchanged`, roles the
// API cannot set are refused with no write, and a user group changed by someone else between the
// write and the check is reported instead of silently overwritten.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { grantCommand } from '../../../bin/cli/grant.ts';
import { type GridUser, generateGridTenant, type RunningGridSim, startGridSim } from '../../../lambdas/slack-enterprise/sim/index.ts';

let sim: RunningGridSim;
beforeEach(async () => {
  sim = await startGridSim({ tenant: generateGridTenant({ seed: 11, users: 120, workspaces: 3 }), sso: true, rateLimits: 'off' });
});
afterEach(async () => {
  await sim.server.close();
});

interface Result {
  status: string;
  effect?: string;
  comment: string;
}

async function act(action: 'grant' | 'revoke', entitlement: string, principal: string): Promise<Result> {
  const out: string[] = [];
  try {
    await grantCommand(
      action,
      { connector: 'slack-enterprise', entitlement, principal, json: true },
      (s) => out.push(s),
      () => {},
      sim.config,
    );
  } catch {
    // A refusal prints its JSON first, then throws; the JSON is what is checked.
  }
  return JSON.parse(out[0] ?? '{}') as Result;
}

const writes = () =>
  sim.server.calls.filter(
    (c) =>
      (/assign|remove|set(Owner|Admin|Regular)|update|Assignments$/.test(c.path) && !c.path.endsWith('listAssignments')) ||
      (c.path.startsWith('/scim/') && c.method !== 'GET'),
  );

function regularIn(team: string, not: string[] = []): GridUser {
  return sim.tenant.users.find(
    (u) => u.teams.get(team) === 'regular' && !u.deactivated && !u.is_bot && !u.is_restricted && !u.is_invited_user && !u.org && !not.includes(u.id),
  )!;
}

describe('slack-enterprise provisioning', () => {
  it('workspace membership: admin.users.assign / remove, idempotent', async () => {
    const team = 'T00000002';
    const u = sim.tenant.users.find((x) => !x.teams.has(team) && !x.deactivated && !x.is_bot)!;
    expect(await act('grant', `workspace:${team}:member`, `user:${u.id}`)).toMatchObject({ status: 'complete', effect: 'changed' });
    expect(u.teams.get(team)).toBe('regular');
    expect(await act('grant', `workspace:${team}:member`, `user:${u.id}`)).toMatchObject({ status: 'complete', effect: 'unchanged' });
    expect(await act('revoke', `workspace:${team}:member`, `user:${u.id}`)).toMatchObject({ status: 'complete', effect: 'changed' });
    expect(u.teams.has(team)).toBe(false);
  });

  it('workspace roles: owner/admin via setOwner/setAdmin, revoke via setRegular; a repeat is unchanged', async () => {
    const team = 'T00000001';
    const u = regularIn(team);
    expect(await act('grant', `workspaceRole:${team}:admin:assigned`, `user:${u.id}`)).toMatchObject({ status: 'complete', effect: 'changed' });
    expect(u.teams.get(team)).toBe('admin');
    expect(await act('grant', `workspaceRole:${team}:admin:assigned`, `user:${u.id}`)).toMatchObject({ effect: 'unchanged' });
    // "member" is already held by an admin: setRegular (a demotion) is never sent for it.
    const before = writes().length;
    expect(await act('grant', `workspaceRole:${team}:member:assigned`, `user:${u.id}`)).toMatchObject({ effect: 'unchanged' });
    expect(writes().length).toBe(before);
    expect(await act('grant', `workspaceRole:${team}:owner:assigned`, `user:${u.id}`)).toMatchObject({ effect: 'changed' });
    expect(u.teams.get(team)).toBe('owner');
    const refusal = await act('revoke', `workspaceRole:${team}:admin:assigned`, `user:${u.id}`);
    expect(refusal.status).not.toBe('complete');
    expect(refusal.comment).toMatch(/is an owner of T00000001; revoke the owner role/);
    expect(await act('revoke', `workspaceRole:${team}:owner:assigned`, `user:${u.id}`)).toMatchObject({ effect: 'changed' });
    expect(u.teams.get(team)).toBe('regular');
  });

  it('roles the API cannot set are refused clearly, with no write', async () => {
    const team = 'T00000001';
    const u = regularIn(team);
    const before = writes().length;
    for (const role of ['primary_owner', 'multi_channel_guest', 'single_channel_guest', 'invited_member', 'bot']) {
      const r = await act('grant', `workspaceRole:${team}:${role}:assigned`, `user:${u.id}`);
      expect(r.status).not.toBe('complete');
      expect(r.comment).toMatch(new RegExp(`workspace role "${role}" cannot be granted through Slack's API`));
    }
    const org = await act('grant', 'enterpriseRole:organization_admin:assigned', `user:${u.id}`);
    expect(org.status).not.toBe('complete');
    expect(org.comment).toMatch(/"Organization admin" cannot be granted through admin\.roles/);
    expect(writes().length).toBe(before);
  });

  it("Slack's refusals come back as a comment naming the method, the code and what it means", async () => {
    const owner = sim.tenant.users[0]!;
    const r = await act('revoke', 'workspaceRole:T00000001:owner:assigned', `user:${owner.id}`);
    expect(r.status).not.toBe('complete');
    expect(r.comment).toMatch(/admin\.users\.setRegular refused: cannot_modify_primary_owner \(the primary owner cannot be changed through the API\)/);
    expect(owner.teams.get('T00000001')).toBe('primary_owner');
  });

  it('enable_user / disable_user through SCIM, each idempotent', async () => {
    const { connector } = await import('../../../lambdas/slack-enterprise/connector.ts');
    const { createRuntime } = await import('../../../shared/sync/runtime.ts');
    const { parseConnectorConfig } = await import('../../../shared/sync/config.ts');
    const c = connector.create(parseConnectorConfig(connector, sim.config), createRuntime({ httpOverrides: { baseBackoffMs: 2, maxBackoffMs: 5 } }));
    const actions = c.actions!();
    const u = regularIn('T00000001');
    expect(await actions.disable_user!.run({ user_id: u.id })).toBe('changed');
    expect(u.deactivated).toBe(true);
    expect(await actions.disable_user!.run({ user_id: u.id })).toBe('unchanged');
    expect(await actions.enable_user!.run({ user_id: u.id })).toBe('changed');
    expect(u.deactivated).toBe(false);
    await expect(actions.enable_user!.run({})).rejects.toThrow(/user_id parameter is required/);
  });

  it('system roles: admin.roles.addAssignments / removeAssignments as JSON, idempotent', async () => {
    const u = regularIn('T00000001');
    const role = sim.tenant.roleAssignments[0]!.role_id;
    expect(await act('grant', `enterpriseRole:${role}:assigned`, `user:${u.id}`)).toMatchObject({ status: 'complete', effect: 'changed' });
    expect(sim.tenant.roleAssignments.some((a) => a.role_id === role && a.user_id === u.id && a.entity_id === 'E00000001')).toBe(true);
    expect(await act('grant', `enterpriseRole:${role}:assigned`, `user:${u.id}`)).toMatchObject({ effect: 'unchanged' });
    expect(await act('revoke', `enterpriseRole:${role}:assigned`, `user:${u.id}`)).toMatchObject({ effect: 'changed' });
    expect(sim.tenant.roleAssignments.some((a) => a.role_id === role && a.user_id === u.id)).toBe(false);
    expect(await act('revoke', `enterpriseRole:${role}:assigned`, `user:${u.id}`)).toMatchObject({ effect: 'unchanged' });
  });

  it('user groups: the whole list is read before the write and checked after', async () => {
    const g = sim.tenant.userGroups.find((x) => !x.disabled && x.users.length >= 2)!;
    const u = regularIn(g.team_id, g.users);
    const others = [...g.users];
    expect(await act('grant', `userGroup:${g.id}:member`, `user:${u.id}`)).toMatchObject({ status: 'complete', effect: 'changed' });
    expect(g.users).toEqual([...others, u.id]);
    expect(await act('grant', `userGroup:${g.id}:member`, `user:${u.id}`)).toMatchObject({ effect: 'unchanged' });
    expect(await act('revoke', `userGroup:${g.id}:member`, `user:${u.id}`)).toMatchObject({ effect: 'changed' });
    expect(g.users).toEqual(others);
    // Someone else changes the group right after our write: the check reports it.
    sim.controls.afterWrite = (method) => {
      if (method === 'usergroups.users.update') g.users = g.users.filter((id) => id !== others[0]);
    };
    const r = await act('grant', `userGroup:${g.id}:member`, `user:${u.id}`);
    expect(r.status).not.toBe('complete');
    expect(r.comment).toMatch(new RegExp(`user group ${g.id} changed while it was granted to ${u.id}.*missing \\[${others[0]}\\]`));
  });

  it('IDP groups: SCIM PATCH adds or removes the one member, never the list', async () => {
    const g = sim.tenant.idpGroups[0]!;
    const u = sim.tenant.users.find((x) => !x.is_bot && !g.members.includes(x.id))!;
    expect(await act('grant', `group:${g.id}:member`, `user:${u.id}`)).toMatchObject({ status: 'complete', effect: 'changed' });
    expect(await act('grant', `group:${g.id}:member`, `user:${u.id}`)).toMatchObject({ effect: 'unchanged' });
    expect(await act('revoke', `group:${g.id}:member`, `user:${u.id}`)).toMatchObject({ effect: 'changed' });
    const patches = sim.server.calls.filter((c) => c.method === 'PATCH');
    expect(patches).toHaveLength(2);
    expect(g.members.includes(u.id)).toBe(false);
  });
});
