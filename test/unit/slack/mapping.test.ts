// Exact rows for the fixed org (fixture.ts), Pro and Business+, expectations written from the Go
// connector's model.
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSlackSim, startSlackSim } from '../../../lambdas/slack/sim/index.ts';
import type { Resource } from '../../../shared/c1z/messages.ts';
import {
  ChildResourceTypeSchema,
  Entitlement_PurposeValue,
  GrantImmutableSchema,
  GroupTraitSchema,
  RoleTraitSchema,
  SkipEntitlementsAndGrantsSchema,
  SkipGrantsSchema,
  Status_ResourceStatus,
  UserTrait_AccountType,
  UserTrait_Status_Status,
  UserTraitSchema,
} from '../../../shared/c1z/messages.ts';
import { findAnnotation } from '../../../shared/sync/model.ts';
import { fixedTenant } from './fixture.ts';
import { ids, makeConnector, walk } from './walk.ts';

const ROLE_KEYS = ['primary_owner', 'owner', 'admin', 'multi_channel_guest', 'single_channel_guest', 'invited_member', 'bot', 'member'];
const ROLE_NAMES: Record<string, string> = {
  primary_owner: 'Primary Owner',
  owner: 'Owner',
  admin: 'Admin',
  multi_channel_guest: 'Multi Channel Guest',
  single_channel_guest: 'Single Channel Guest',
  invited_member: 'Invited member',
  bot: 'Bot',
  member: 'Member',
};

// Every non-stranger member gets workspace membership; roles by independent flag rules.
const WORKSPACE_GRANTS = [
  ...['U1', 'U2', 'U3', 'U4', 'U5', 'U6', 'U7', 'U8', 'USLACKBOT', 'U10', 'U11'].map((u) => `workspace:T1:member:user:${u}`),
  'workspaceRole:T1:primary_owner:assigned:user:U1',
  'workspaceRole:T1:owner:assigned:user:U1',
  'workspaceRole:T1:admin:assigned:user:U1',
  'workspaceRole:T1:member:assigned:user:U1',
  'workspaceRole:T1:owner:assigned:user:U2',
  'workspaceRole:T1:admin:assigned:user:U2',
  'workspaceRole:T1:member:assigned:user:U2',
  'workspaceRole:T1:admin:assigned:user:U3',
  'workspaceRole:T1:member:assigned:user:U3',
  'workspaceRole:T1:multi_channel_guest:assigned:user:U4',
  'workspaceRole:T1:single_channel_guest:assigned:user:U5',
  'workspaceRole:T1:bot:assigned:user:U6',
  // U7 is deleted: membership only, never the member role.
  'workspaceRole:T1:invited_member:assigned:user:U8',
  // Slackbot reports is_bot false, so it is a member like a person.
  'workspaceRole:T1:member:assigned:user:USLACKBOT',
  'workspaceRole:T1:member:assigned:user:U10',
  'workspaceRole:T1:bot:assigned:user:U11',
];
const USER_GROUP_GRANTS = [
  'userGroup:S1:member:user:U1',
  'userGroup:S1:member:user:U3',
  'userGroup:S1:member:user:U4',
  'userGroup:S2:member:user:U2',
  'userGroup:S2:member:user:U5',
  'userGroup:S2:member:user:U10',
];
const IDP_GRANTS = ['group:G1:member:user:U1', 'group:G1:member:user:U2', 'group:G2:member:user:U1', 'group:G2:member:user:U3', 'group:G2:member:user:U12'];

const COMMON_RESOURCES = ['workspace:T1', 'userGroup:S1', 'userGroup:S2', ...ROLE_KEYS.map((k) => `workspaceRole:T1:${k}`)];
const COMMON_ENTITLEMENTS = ['workspace:T1:member', 'userGroup:S1:member', 'userGroup:S2:member', ...ROLE_KEYS.map((k) => `workspaceRole:T1:${k}:assigned`)];

let sim: RunningSlackSim | undefined;
afterEach(async () => {
  await sim?.server.close();
  sim = undefined;
});

const byId = (rows: Resource[], type: string, id: string) => rows.find((r) => r.id?.resourceType === type && r.id.resource === id)!;

describe('slack mapping, Pro (bot token only)', () => {
  it('emits exactly the expected rows for the fixed org', async () => {
    sim = await startSlackSim({ tenant: fixedTenant(), mode: 'pro', rateLimits: 'off' });
    const { connector } = makeConnector(sim.config);
    await connector.validate();
    const out = await walk(connector);
    const users = ['U1', 'U2', 'U3', 'U4', 'U5', 'U6', 'U7', 'U8', 'W9', 'USLACKBOT', 'U10', 'U11'].map((u) => `user:${u}`);
    expect(ids(out.resources)).toEqual([...COMMON_RESOURCES, ...users].sort());
    expect(ids(out.entitlements)).toEqual([...COMMON_ENTITLEMENTS].sort());
    expect(ids(out.grants)).toEqual([...WORKSPACE_GRANTS, ...USER_GROUP_GRANTS].sort());
  });

  it('maps resources, traits, profiles and statuses as the Go connector does', async () => {
    sim = await startSlackSim({ tenant: fixedTenant(), mode: 'pro', rateLimits: 'off' });
    const { connector } = makeConnector(sim.config);
    const { resources } = await walk(connector);

    const ws = byId(resources, 'workspace', 'T1');
    expect(ws.displayName).toBe('Acme');
    expect(ws.parentResourceId).toBeUndefined();
    expect(findAnnotation(ws.annotations, GroupTraitSchema)).toBeDefined();
    expect(ws.profile).toEqual({ workspace_domain: '', workspace_id: 'T1', workspace_name: 'Acme' });
    const children = ws.annotations.map((a) => findAnnotation([a], ChildResourceTypeSchema)?.resourceTypeId).filter(Boolean);
    expect(children.sort()).toEqual(['user', 'userGroup', 'workspaceRole']);

    const alice = byId(resources, 'user', 'U1');
    expect(alice.displayName).toBe('alice');
    expect(alice.parentResourceId).toMatchObject({ resourceType: 'workspace', resource: 'T1' });
    expect(alice.status?.status).toBe(Status_ResourceStatus.ENABLED);
    expect(alice.profile).toEqual({
      first_name: 'Alice',
      last_name: 'Archer',
      login: 'alice@acme.test',
      workspace: 'T1',
      user_id: 'U1',
      status_text: 'Shipping',
      status_emoji: ':ship:',
      is_admin: true,
      is_owner: true,
      is_primary_owner: true,
      is_bot: false,
      is_app_user: false,
      is_invited_user: false,
      is_restricted: false,
      is_ultra_restricted: false,
      is_stranger: false,
      is_deleted: false,
    });
    const trait = findAnnotation(alice.annotations, UserTraitSchema)!;
    expect(trait.emails.map((e) => [e.address, e.isPrimary])).toEqual([['alice@acme.test', true]]);
    expect(trait.accountType).toBe(UserTrait_AccountType.HUMAN);
    expect(trait.mfaStatus?.mfaEnabled).toBe(true);
    expect(trait.login).toBe('');
    expect(trait.status?.status).toBe(UserTrait_Status_Status.ENABLED);

    // has_2fa false is not "MFA off": leave it unset.
    expect(findAnnotation(byId(resources, 'user', 'U2').annotations, UserTraitSchema)!.mfaStatus).toBeUndefined();

    const bot = byId(resources, 'user', 'U6');
    const botTrait = findAnnotation(bot.annotations, UserTraitSchema)!;
    expect(botTrait.accountType).toBe(UserTrait_AccountType.SERVICE);
    expect(botTrait.emails).toEqual([]);
    expect(bot.profile?.login).toBe('');

    expect(byId(resources, 'user', 'U7').status?.status).toBe(Status_ResourceStatus.DELETED);
    expect(byId(resources, 'user', 'U7').profile?.is_deleted).toBe(true);
    expect(byId(resources, 'user', 'W9').profile?.is_stranger).toBe(true);
    expect(byId(resources, 'user', 'W9').profile?.workspace).toBe('TOTHER');
    // An empty username falls back (real name, email, id); the id stays the Slack id.
    expect(byId(resources, 'user', 'U10').displayName).toBe('nousername@acme.test');
    expect(byId(resources, 'user', 'U10').id?.resource).toBe('U10');
    expect(byId(resources, 'user', 'U10').profile?.is_app_user).toBe(true);

    const group = byId(resources, 'userGroup', 'S1');
    expect(group.displayName).toBe('Engineering');
    expect(group.parentResourceId).toMatchObject({ resourceType: 'workspace', resource: 'T1' });
    expect(findAnnotation(group.annotations, GroupTraitSchema)).toBeDefined();
    expect(group.profile).toEqual({ userGroup_handle: 'eng', userGroup_id: 'S1', userGroup_name: 'Engineering' });

    for (const key of ROLE_KEYS) {
      const role = byId(resources, 'workspaceRole', `T1:${key}`);
      expect(role.displayName).toBe(ROLE_NAMES[key]);
      expect(role.parentResourceId).toMatchObject({ resourceType: 'workspace', resource: 'T1' });
      const trait = findAnnotation(role.annotations, RoleTraitSchema);
      expect(trait).toBeDefined();
      expect(trait?.profile).toBeUndefined();
    }
  });

  it('builds entitlements with the expected display names, descriptions, purpose and grantable-to', async () => {
    sim = await startSlackSim({ tenant: fixedTenant(), mode: 'pro', rateLimits: 'off' });
    const { connector } = makeConnector(sim.config);
    const { entitlements } = await walk(connector);
    const ent = (id: string) => entitlements.find((e) => e.id === id)!;
    const check = (id: string, slug: string, displayName: string, description: string) => {
      const e = ent(id);
      expect({ slug: e.slug, displayName: e.displayName, description: e.description }).toEqual({ slug, displayName, description });
      expect(e.purpose).toBe(Entitlement_PurposeValue.ASSIGNMENT);
      expect(e.grantableTo.map((t) => t.id)).toEqual(['user']);
      expect(e.annotations).toEqual([]);
    };
    check('workspace:T1:member', 'member', 'Acme workspace member', 'Member of the Acme workspace');
    check('userGroup:S1:member', 'member', 'Engineering User group member', 'Member of Engineering User group');
    for (const key of ROLE_KEYS) {
      check(
        `workspaceRole:T1:${key}:assigned`,
        'assigned',
        `Acme workspace ${ROLE_NAMES[key]} role`,
        `Has the ${ROLE_NAMES[key]} role in the Slack Acme workspace`,
      );
    }
  });

  it('declares the five resource types with the expected traits and skip annotations', () => {
    const { connector } = makeConnector({ BATON_TOKEN: 'xoxb-x', BATON_BASE_URL: 'http://127.0.0.1:9/api/' });
    const types = connector.resourceSyncers().map((s) => s.resourceType);
    expect(types.map((t) => [t.id, t.displayName])).toEqual([
      ['workspace', 'Workspace'],
      ['user', 'User'],
      ['userGroup', 'User Group'],
      ['workspaceRole', 'Workspace Role'],
      ['group', 'IDP Group'],
    ]);
    const user = types.find((t) => t.id === 'user')!;
    expect(findAnnotation(user.annotations, SkipEntitlementsAndGrantsSchema)).toBeDefined();
    const role = types.find((t) => t.id === 'workspaceRole')!;
    expect(findAnnotation(role.annotations, SkipGrantsSchema)).toBeDefined();
    expect(findAnnotation(role.annotations, SkipEntitlementsAndGrantsSchema)).toBeUndefined();
  });
});

describe('slack mapping, Business+ (SCIM token)', () => {
  it('emits exactly the expected rows for the fixed org', async () => {
    const logs: string[] = [];
    sim = await startSlackSim({ tenant: fixedTenant(), mode: 'business', rateLimits: 'off' });
    const { connector } = makeConnector(sim.config, (m) => logs.push(m));
    const out = await walk(connector);
    // Users are the SCIM users (bots, strangers and Slackbot are not in SCIM); U13 is invisible to the bot.
    const users = ['U1', 'U2', 'U3', 'U4', 'U5', 'U7', 'U8', 'U10', 'U12'].map((u) => `user:${u}`);
    expect(ids(out.resources)).toEqual([...COMMON_RESOURCES, ...users, 'group:G1', 'group:G2'].sort());
    expect(ids(out.entitlements)).toEqual([...COMMON_ENTITLEMENTS, 'group:G1:member', 'group:G2:member'].sort());
    expect(ids(out.grants)).toEqual([...WORKSPACE_GRANTS, ...USER_GROUP_GRANTS, ...IDP_GRANTS].sort());
    expect(logs.some((l) => l.includes('not visible'))).toBe(true);
  });

  it('takes status from SCIM active and maps IDP groups as the Go connector does', async () => {
    sim = await startSlackSim({ tenant: fixedTenant(), mode: 'business', rateLimits: 'off' });
    const { connector } = makeConnector(sim.config);
    const { resources, entitlements, grants } = await walk(connector);
    expect(byId(resources, 'user', 'U7').status?.status).toBe(Status_ResourceStatus.DISABLED);
    expect(byId(resources, 'user', 'U1').status?.status).toBe(Status_ResourceStatus.ENABLED);
    // Found through users.info: same mapping, parent is the listed workspace.
    const hank = byId(resources, 'user', 'U12');
    expect(hank.displayName).toBe('hank');
    expect(hank.parentResourceId?.resource).toBe('T1');

    const g = byId(resources, 'group', 'G1');
    expect(g.displayName).toBe('IDP Admins');
    expect(g.parentResourceId).toBeUndefined();
    expect(findAnnotation(g.annotations, GroupTraitSchema)).toBeDefined();
    expect(g.profile).toEqual({ group_id: 'G1', group_name: 'IDP Admins' });
    const e = entitlements.find((x) => x.id === 'group:G1:member')!;
    expect([e.displayName, e.description, e.purpose, e.grantableTo.map((t) => t.id)]).toEqual([
      'IDP Admins IDP group member',
      'Member of IDP Admins IDP group',
      Entitlement_PurposeValue.ASSIGNMENT,
      ['user'],
    ]);
    // Not gov: IDP grants are mutable.
    expect(grants.filter((x) => x.id.startsWith('group:')).every((x) => !findAnnotation(x.annotations, GrantImmutableSchema))).toBe(true);
  });

  it('GovSlack: SCIM v1 paths and immutable IDP grants', async () => {
    sim = await startSlackSim({ tenant: fixedTenant(), mode: 'business', gov: true, rateLimits: 'off' });
    expect(sim.config.BATON_GOV_ENV).toBe('true');
    const { connector } = makeConnector(sim.config);
    const { grants } = await walk(connector);
    const idp = grants.filter((x) => x.id.startsWith('group:'));
    expect(idp.map((x) => x.id).sort()).toEqual([...IDP_GRANTS].sort());
    expect(idp.every((x) => findAnnotation(x.annotations, GrantImmutableSchema))).toBe(true);
    expect(sim.controls.requests.filter((r) => r.api === 'scim').length).toBeGreaterThan(0);
    expect(sim.server.calls.filter((c) => c.path.startsWith('/scim/')).every((c) => c.path.startsWith('/scim/v1/'))).toBe(true);
  });
});
