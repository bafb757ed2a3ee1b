// The fixed tenant synced through the real HTTP client against the simulator: exact ids and the
// row details the Go connector pins down (traits, profiles, display names, descriptions, role annotation).
import { describe, expect, it } from 'vitest';
import { roleIdOf } from '../../../lambdas/segment/resources/permission-target.ts';
import { expectedCounts } from '../../../lambdas/segment/sim/index.ts';
import { GroupTraitSchema, type Resource, RoleTraitSchema, UserTraitSchema } from '../../../shared/c1z/messages.ts';
import { findAnnotation, Purpose } from '../../../shared/sync/model.ts';
import { EXPECTED_ENTITLEMENTS, EXPECTED_GRANTS, EXPECTED_RESOURCES, fixedTenant } from './fixture.ts';
import { build, sim } from './harness.ts';
import { ids, walk } from './walk.ts';

const byId = (rows: Resource[], type: string, id: string) => rows.find((r) => r.id?.resourceType === type && r.id.resource === id) as Resource;

describe('segment mapping (fixed tenant)', () => {
  it("emits exactly the resources, entitlements and grants derived from the Go connector's rules", async () => {
    const s = await sim();
    const out = await walk(build(s.config()).connector);
    expect(ids(out.resources)).toEqual(EXPECTED_RESOURCES);
    expect(ids(out.entitlements)).toEqual(EXPECTED_ENTITLEMENTS);
    expect(ids(out.grants)).toEqual(EXPECTED_GRANTS);
    // The simulator's own count agrees with the hand-derived lists.
    expect(expectedCounts(fixedTenant())).toEqual({
      resourceTypes: 8,
      resources: EXPECTED_RESOURCES.length,
      entitlements: EXPECTED_ENTITLEMENTS.length,
      grants: EXPECTED_GRANTS.length,
    });
  });

  it('also with permissions carried on the list rows (no per-user or per-group GET)', async () => {
    const s = await sim({ listPermissions: true, listGroupPermissions: true });
    const out = await walk(build(s.config()).connector);
    expect(ids(out.grants)).toEqual(EXPECTED_GRANTS);
    expect(s.server.count('/users/')).toBe(0);
    expect(s.server.calls.filter((c) => /^\/groups\/[^/]+$/.test(c.path))).toHaveLength(0);
  });

  it('builds users, groups and roles with the expected traits and profiles', async () => {
    const s = await sim();
    const { resources } = await walk(build(s.config()).connector);
    const ws = byId(resources, 'workspace', 'ws1');
    expect(ws.displayName).toBe('Acme');
    expect(ws.parentResourceId).toBeUndefined();

    const grace = byId(resources, 'user', 'u2');
    expect(grace.displayName).toBe('Grace Brewster Hopper');
    expect(grace.parentResourceId?.resource).toBe('ws1');
    const gt = findAnnotation(grace.annotations, UserTraitSchema);
    expect(gt?.emails.map((e) => [e.address, e.isPrimary])).toEqual([['grace@example.com', true]]);
    expect(gt?.profile).toEqual({ first_name: 'Grace', last_name: 'Brewster Hopper', login: 'grace@example.com', user_id: 'u2' });
    expect(gt?.status?.status).toBe(1); // ENABLED

    const plato = findAnnotation(byId(resources, 'user', 'u3').annotations, UserTraitSchema);
    expect(plato?.emails).toEqual([]);
    expect(plato?.profile).toEqual({ first_name: 'Plato', last_name: '', login: '', user_id: 'u3' });

    expect(findAnnotation(byId(resources, 'group', 'g1').annotations, GroupTraitSchema)?.profile).toEqual({ group_id: 'g1', group_name: 'Admins' });
    expect(findAnnotation(byId(resources, 'role', 'r-wh').annotations, RoleTraitSchema)?.profile).toEqual({
      role_description: 'Edit warehouses',
      role_id: 'r-wh',
      role_name: 'Warehouse Admin',
    });
    expect(byId(resources, 'warehouse', 'wh1').displayName).toBe('Snowflake Prod');
    expect(byId(resources, 'function', 'fnI').displayName).toBe('Filter');
  });

  it('entitlements carry the expected display names, purposes, grantable types and a role id without parsing text', async () => {
    const s = await sim();
    const { entitlements } = await walk(build(s.config()).connector);
    const ent = (id: string) => entitlements.find((e) => e.id === id)!;

    const wsMember = ent('workspace:ws1:member');
    expect([wsMember.displayName, wsMember.purpose, wsMember.grantableTo.map((t) => t.id)]).toEqual(['Acme Workspace member', Purpose.ASSIGNMENT, ['user']]);
    expect(ent('group:g1:member').displayName).toBe('Admins group member');
    expect(ent('role:r-wh:member').grantableTo.map((t) => t.id)).toEqual(['user', 'group']);
    expect(ent('role:r-wh:member').displayName).toBe('Warehouse Admin Role member');

    const perm = ent('source:src1:source_admin_r-dup');
    expect(perm.purpose).toBe(Purpose.PERMISSION);
    expect(perm.slug).toBe('source_admin_r-dup');
    expect(perm.displayName).toBe('Web resource Source admin');
    expect(perm.description).toBe('Source admin:r-dup:Colliding name');
    expect(perm.grantableTo.map((t) => t.id)).toEqual(['user', 'group']);
    expect(roleIdOf(perm)).toBe('r-dup');
    expect(roleIdOf(ent('space:sp1:engage_user'))).toBe('r-engage');
    expect(roleIdOf(ent('role:r-fn:member'))).toBe('r-fn');
  });

  it('every grant points at an entitlement the sync emitted, and skipped permissions are logged once per reason', async () => {
    const s = await sim();
    const built = build(s.config());
    const out = await walk(built.connector);
    const entIds = new Set(out.entitlements.map((e) => e.id));
    expect(out.grants.filter((g) => !entIds.has(g.entitlement?.id ?? ''))).toEqual([]);
    const reasons = built.logs.filter((l) => l.message.includes('skipped')).map((l) => l.fields?.reason);
    expect(reasons.sort()).toEqual(['role does not apply to SPACE', 'unknown role']);
  });
});
