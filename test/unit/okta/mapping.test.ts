// Exact rows for the fixed org (fixture.ts), written from baton-okta's model: ids, names,
// profiles, statuses, traits, V1 identifiers and the expandable group-held role grants.
import { afterEach, describe, expect, it } from 'vitest';
import { memberPrincipal } from '../../../lambdas/okta/resources/resource-set.ts';
import { type RunningOktaSim, startOktaSim } from '../../../lambdas/okta/sim/index.ts';
import {
  EntitlementImmutableSchema,
  GrantExpandableSchema,
  GroupTraitSchema,
  RawIdSchema,
  type Resource,
  SecretTraitSchema,
  SkipEntitlementsAndGrantsSchema,
  Status_ResourceStatus,
  UserTraitSchema,
  V1IdentifierSchema,
} from '../../../shared/c1z/messages.ts';
import { findAnnotation } from '../../../shared/sync/model.ts';
import { fixedTenant } from './fixture.ts';
import { ids, makeConnector, walk } from './walk.ts';

let sim: RunningOktaSim | undefined;
afterEach(async () => {
  await sim?.server.close();
  sim = undefined;
});

async function walked(flags: Parameters<typeof startOktaSim>[0]['flags'] = {}, extra: Record<string, string> = {}) {
  sim = await startOktaSim({ tenant: fixedTenant(), rateLimits: 'off', flags });
  return walk(makeConnector({ ...sim.config, ...extra }).connector, { validate: true });
}

const byId = (rows: Resource[], type: string, id: string) => rows.find((r) => r.id?.resourceType === type && r.id.resource === id)!;

const STANDARD = [
  'API_ACCESS_MANAGEMENT_ADMIN',
  'MOBILE_ADMIN',
  'ORG_ADMIN',
  'READ_ONLY_ADMIN',
  'REPORT_ADMIN',
  'SUPER_ADMIN',
  'USER_ADMIN',
  'HELP_DESK_ADMIN',
  'APP_ADMIN',
  'GROUP_MEMBERSHIP_ADMIN',
  'ACCESS_CERTIFICATIONS_ADMIN',
  'ACCESS_REQUESTS_ADMIN',
  'WORKFLOWS_ADMIN',
];

describe('okta default sync of the fixed org', () => {
  it('resources: every user (deactivated too), every group, the standard roles, every app', async () => {
    const w = await walked();
    expect(ids(w.resources)).toEqual(
      [
        ...['00u1', '00u2', '00u3', '00u4', '00u5', '00u6'].map((u) => `user:${u}`),
        ...['00g1', '00g2', '00g3', '00g4'].map((g) => `group:${g}`),
        ...STANDARD.map((r) => `role:${r}`),
        'app:0oa1',
        'app:0oa2',
      ].sort(),
    );
  });

  it('users as baton-okta maps them', async () => {
    const w = await walked();
    const ada = byId(w.resources, 'user', '00u1');
    expect(ada.displayName).toBe('Ada Lovelace');
    expect(ada.status?.status).toBe(Status_ResourceStatus.ENABLED);
    expect(ada.status?.details).toBe('ACTIVE');
    const trait = findAnnotation(ada.annotations, UserTraitSchema)!;
    expect(trait.emails.map((e) => [e.address, e.isPrimary])).toEqual([
      ['ada@acme.test', true],
      ['ada@home.test', false],
    ]);
    expect(trait.login).toBe('ada@acme.test');
    expect(trait.loginAliases).toEqual(['ada']);
    expect(trait.employeeIds).toEqual(['1001']);
    expect(trait.lastLogin?.seconds).toBe(BigInt(Date.parse('2026-11-30T08:00:00.000Z') / 1000));
    expect(ada.createdAt?.seconds).toBe(BigInt(Date.parse('2024-03-01T10:00:00.000Z') / 1000));
    expect(ada.profile).toMatchObject({ c1_okta_raw_user_status: 'ACTIVE', firstName: 'Ada', employeeNumber: '1001' });
    expect(findAnnotation(ada.annotations, V1IdentifierSchema)?.id).toBe('00u1');
    expect(findAnnotation(ada.annotations, RawIdSchema)?.id).toBe('00u1');

    const grace = byId(w.resources, 'user', '00u2');
    expect(grace.displayName).toBe('Grace H.');
    expect(grace.status?.status).toBe(Status_ResourceStatus.DISABLED);
    const gt = findAnnotation(grace.annotations, UserTraitSchema)!;
    expect([gt.login, gt.loginAliases, gt.employeeIds]).toEqual(['grace', [], ['E-2']]);

    const statuses = Object.fromEntries(['00u3', '00u4', '00u5', '00u6'].map((id) => [id, byId(w.resources, 'user', id).status?.status]));
    expect(statuses).toEqual({
      '00u3': Status_ResourceStatus.DISABLED,
      '00u4': Status_ResourceStatus.DISABLED,
      '00u5': Status_ResourceStatus.ENABLED,
      '00u6': Status_ResourceStatus.ENABLED,
    });
    const odd = byId(w.resources, 'user', '00u4');
    expect(odd.displayName).toBe('unknown unknown');
    expect(findAnnotation(odd.annotations, UserTraitSchema)?.loginAliases).toEqual([]);
  });

  it('BATON_SKIP_SECONDARY_EMAILS drops secondEmail from the emails and blanks it in the profile', async () => {
    const w = await walked({}, { BATON_SKIP_SECONDARY_EMAILS: 'true' });
    const ada = byId(w.resources, 'user', '00u1');
    expect(findAnnotation(ada.annotations, UserTraitSchema)!.emails.map((e) => e.address)).toEqual(['ada@acme.test']);
    expect(ada.profile?.secondEmail).toBeNull();
  });

  it('groups: profile with counts, source type, BUILT_IN immutable', async () => {
    const w = await walked();
    const everyone = byId(w.resources, 'group', '00g1');
    expect(everyone.profile).toEqual({ description: 'All users in your organization', name: 'Everyone', type: 'BUILT_IN', users_count: 6, apps_count: 0 });
    expect(findAnnotation(everyone.annotations, GroupTraitSchema)).toMatchObject({ groupSourceType: 'built_in', rawGroupSourceType: 'BUILT_IN' });
    expect(findAnnotation(everyone.annotations, EntitlementImmutableSchema)).toBeDefined();
    const eng = byId(w.resources, 'group', '00g2');
    expect(eng.profile).toEqual({ description: '', name: 'Engineers', type: 'OKTA_GROUP', users_count: 2, apps_count: 1 });
    expect(findAnnotation(eng.annotations, GroupTraitSchema)?.groupSourceType).toBe('native');
    expect(findAnnotation(eng.annotations, EntitlementImmutableSchema)).toBeUndefined();
    expect(findAnnotation(byId(w.resources, 'group', '00g4').annotations, GroupTraitSchema)?.groupSourceType).toBe('app_imported');
  });

  it('entitlements: ids, names and V1 identifiers', async () => {
    const w = await walked();
    const ent = (id: string) => w.entitlements.find((e) => e.id === id)!;
    expect(ent('group:00g2:member')).toMatchObject({ displayName: 'Engineers Group Member', description: 'Member of Engineers group in Okta', slug: 'member' });
    expect(ent('group:00g2:member').grantableTo.map((t) => t.id)).toEqual(['user']);
    expect(findAnnotation(ent('group:00g2:member').annotations, V1IdentifierSchema)?.id).toBe('membership:00g2');
    expect(ent('role:USER_ADMIN:assigned')).toMatchObject({
      displayName: 'Group Administrator Role Member',
      description: 'Has the Group Administrator role in Okta',
    });
    expect(ent('role:USER_ADMIN:assigned').grantableTo.map((t) => t.id)).toEqual(['user', 'group']);
    expect(findAnnotation(ent('role:USER_ADMIN:assigned').annotations, V1IdentifierSchema)?.id).toBe('role:USER_ADMIN');
    expect(ent('app:0oa1:access')).toMatchObject({ displayName: 'Salesforce App Access', description: 'Has access to the Salesforce app in Okta' });
    expect(ent('app:0oa1:access').grantableTo).toEqual([]);
  });

  it('grants: members, direct roles, group-held roles (expandable unless the group is empty), app users and groups', async () => {
    const w = await walked();
    expect(ids(w.grants)).toEqual(
      [
        ...['00u1', '00u2', '00u3', '00u4', '00u5', '00u6'].map((u) => `group:00g1:member:user:${u}`),
        'group:00g2:member:user:00u1',
        'group:00g2:member:user:00u2',
        'group:00g4:member:user:00u5',
        // Direct roles of the admins; the inactive ORG_ADMIN and (custom roles off) the custom one are left out.
        'role:SUPER_ADMIN:assigned:user:00u1',
        'role:WORKFLOWS_ADMIN:assigned:user:00u5',
        // Group-held roles; the inactive REPORT_ADMIN and the custom one are left out.
        'role:USER_ADMIN:assigned:group:00g2',
        'role:APP_ADMIN:assigned:group:00g3',
        'app:0oa1:access:user:00u1',
        'app:0oa1:access:user:00u2',
        'app:0oa1:access:group:00g2',
        'app:0oa2:access:user:00u3',
      ].sort(),
    );
    const g = (id: string) => w.grants.find((x) => x.id === id)!;
    expect(findAnnotation(g('role:USER_ADMIN:assigned:group:00g2').annotations, GrantExpandableSchema)).toMatchObject({
      entitlementIds: ['group:00g2:member'],
      shallow: true,
    });
    expect(findAnnotation(g('role:APP_ADMIN:assigned:group:00g3').annotations, GrantExpandableSchema)).toBeUndefined();
    expect(findAnnotation(g('role:SUPER_ADMIN:assigned:user:00u1').annotations, V1IdentifierSchema)?.id).toBe('grant:role:SUPER_ADMIN:00u1');
    expect(findAnnotation(g('group:00g2:member:user:00u1').annotations, V1IdentifierSchema)?.id).toBe('grant:membership:00g2:00u1');
    expect(findAnnotation(g('app:0oa1:access:group:00g2').annotations, V1IdentifierSchema)?.id).toBe('grant:membership:0oa1:00g2');
  });

  it('an empty group costs no member call; every group has its roles read', async () => {
    await walked();
    const s = sim!;
    expect(s.server.count('/groups/00g3/users')).toBe(0);
    expect(s.server.count('/groups/00g2/users')).toBe(1);
    for (const g of ['00g1', '00g2', '00g3', '00g4']) expect(s.server.count(`/groups/${g}/roles`)).toBe(1);
    // The admins are listed once, not once per role.
    expect(s.server.count('/iam/assignees/users')).toBe(1);
  });

  it('BATON_SYNC_INACTIVE_APPS=false lists only ACTIVE apps; BATON_SKIP_APP_GROUPS drops APP_GROUP groups', async () => {
    const w = await walked({ syncInactiveApps: false, skipAppGroups: true });
    expect(ids(w.resources).filter((id) => id.startsWith('app:'))).toEqual(['app:0oa1']);
    expect(ids(w.resources).filter((id) => id.startsWith('group:'))).toEqual(['group:00g1', 'group:00g2', 'group:00g3']);
    expect(sim!.server.calls.find((c) => c.path === '/api/v1/apps')?.query.filter).toBe('status eq "ACTIVE"');
  });

  it('BATON_FILTER_EMAIL_DOMAINS keeps users and members of those domains', async () => {
    const w = await walked({}, { BATON_FILTER_EMAIL_DOMAINS: 'partner.test, ACME.test' });
    expect(ids(w.resources).filter((id) => id.startsWith('user:'))).toEqual(['user:00u1', 'user:00u2', 'user:00u3', 'user:00u5', 'user:00u6']);
    expect(ids(w.grants)).not.toContain('group:00g1:member:user:00u4');
    expect(ids(w.grants)).toContain('group:00g1:member:user:00u3');
  });
});

describe('okta custom roles and secrets', () => {
  it('custom roles, resource sets and bindings with baton-okta ids; a binding member that is neither user nor group is skipped', async () => {
    const w = await walked({ syncCustomRoles: true, syncSecrets: true });
    expect(ids(w.resources).filter((id) => /^(custom-role|resource-set|resourceset-binding|api-token):/.test(id))).toEqual([
      'api-token:00T1',
      'custom-role:cr01',
      'resource-set:iam1',
      'resourceset-binding:iam1:cr01',
    ]);
    const extra = ids(w.grants).filter((id) => /^(custom-role|resource-set|resourceset-binding):/.test(id));
    expect(extra).toEqual([
      'custom-role:cr01:assigned:group:00g2',
      'custom-role:cr01:assigned:user:00u5',
      'resource-set:iam1:bindings:custom-role:cr01',
      'resourceset-binding:iam1:cr01:member:group:00g2',
      'resourceset-binding:iam1:cr01:member:user:00u5',
    ]);
    const ent = w.entitlements.find((e) => e.id === 'resourceset-binding:iam1:cr01:member')!;
    expect(ent.displayName).toBe('Support scope Resource Set Binding Member');
    expect(ent.grantableTo.map((t) => t.id)).toEqual(['resource-set']);
    expect(w.entitlements.find((e) => e.id === 'resource-set:iam1:bindings')?.displayName).toBe('Support scope Resource Set Binding');
    const token = byId(w.resources, 'api-token', '00T1');
    const secret = findAnnotation(token.annotations, SecretTraitSchema)!;
    expect(secret.identityId?.resource).toBe('00u1');
    expect(secret.credentialDetail).toBe('okta.api_token');
    expect(secret.expiresAt?.seconds).toBe(BigInt(Date.parse('2027-01-02T03:04:05.000Z') / 1000));
  });

  it('api-token and user types skip entitlements and grants', async () => {
    const { connector } = makeConnector({ BATON_DOMAIN: 'acme.okta.com', BATON_API_TOKEN: 'x'.repeat(20), BATON_SYNC_SECRETS: 'true' });
    const types = Object.fromEntries(
      connector.resourceSyncers().map((s) => [s.resourceType.id, !!findAnnotation(s.resourceType.annotations, SkipEntitlementsAndGrantsSchema)]),
    );
    expect(types).toEqual({ user: true, group: false, role: false, app: false, 'api-token': true });
  });

  it('binding members are told apart by their href', () => {
    expect(memberPrincipal('https://acme.okta.com/api/v1/users/00u9')).toEqual({ type: 'user', id: '00u9' });
    expect(memberPrincipal('https://acme.okta.com/api/v1/groups/00g9?x=1')).toEqual({ type: 'group', id: '00g9' });
    expect(memberPrincipal('https://acme.okta.com/api/v1/apps/0oa9')).toBeUndefined();
    expect(memberPrincipal(undefined)).toBeUndefined();
  });
});
