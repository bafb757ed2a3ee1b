// One test per Go connector bug B1–B8 (lambdas/segment/README.md, Bugs fixed).
import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { SegmentClient } from '../../../lambdas/segment/client.ts';
import { grantEntitlement, removePermission, revokeGrant } from '../../../lambdas/segment/provisioning.ts';
import { permissionEntitlement, targetResource } from '../../../lambdas/segment/resources/permission-target.ts';
import { roleMemberEntitlement, roleResource } from '../../../lambdas/segment/resources/role.ts';
import { userResource } from '../../../lambdas/segment/resources/user.ts';
import { catalogRoles } from '../../../lambdas/segment/roles.ts';
import { generateTenant } from '../../../lambdas/segment/sim/index.ts';
import { type Entitlement, EntitlementSchema, GrantSchema, type Resource } from '../../../shared/c1z/messages.ts';
import type { HttpClient } from '../../../shared/http/types.ts';
import { ConnectorError } from '../../../shared/sync/connector.ts';
import { grant, resourceId } from '../../../shared/sync/model.ts';
import { memoryState } from '../../../shared/sync/runtime.ts';
import { fixedTenant } from './fixture.ts';
import { build, sim } from './harness.ts';
import { ids, walk } from './walk.ts';

const WS = resourceId('workspace', 'ws1');
const tenantRoles = catalogRoles(fixedTenant().roles);
const role = (id: string) => tenantRoles.find((r) => r.id === id)!;
const userRes = (id: string, email: string): Resource => userResource({ id, name: id, email, permissions: undefined }, WS);

describe('segment: Go connector bugs fixed (B1–B8)', () => {
  it('B1: warehouses and spaces are listed from /warehouses and /spaces, not /sources', async () => {
    const s = await sim();
    const out = await walk(build(s.config()).connector);
    expect(ids(out.resources).filter((id) => /^(warehouse|space):/.test(id))).toEqual(['space:sp1', 'warehouse:wh1']);
    const counts = s.routeCounts();
    expect(counts['GET /warehouses']).toBe(1);
    expect(counts['GET /spaces']).toBe(1);
    expect(counts['GET /sources']).toBe(1);
  });

  it('B2: group permissions are read from data.userGroup and become grants', async () => {
    const s = await sim();
    const out = await walk(build(s.config()).connector);
    const groupGrants = ids(out.grants).filter((id) => id.includes(':group:'));
    expect(groupGrants).toEqual([
      'role:r-owner:member:group:g1',
      'source:src1:source_admin_r-dup:group:g2',
      'source:src2:source_read_only:group:g1',
      'space:sp1:engage_user:group:g2',
    ]);
    expect(s.server.calls.filter((c) => /^\/groups\/g[12]$/.test(c.path))).toHaveLength(2);
  });

  it('B3: removing a user from a group succeeds when Segment answers status SUCCESS', async () => {
    const s = await sim();
    const { client } = build(s.config());
    const g = grant(
      (await walk(build(s.config()).connector)).resources.find((r) => r.id?.resourceType === 'group' && r.id.resource === 'g1')!,
      'member',
      userRes('u1', 'ada@example.com'),
    );
    await revokeGrant(client, g);
    expect(s.tenant.groups.find((x) => x.id === 'g1')?.memberIds).toEqual(['u2']);
    const del = s.server.calls.find((c) => c.method === 'DELETE');
    expect(del?.query.emails).toBe('["ada@example.com"]');
    // And a non-SUCCESS status is still reported as a failure.
    const fake: HttpClient = {
      stats: { requests: 0, retries: 0, throttles: 0, errors: 0, byRoute: {} },
      request: async () => ({ data: { status: 'PENDING' } }) as never,
    };
    const config = { token: 'segment-test-token', region: 'us' as const, baseUrl: 'https://api.segmentapis.com' };
    const runtime = { http: () => fake, log: () => {}, hasResource: () => false, state: memoryState() };
    await expect(new SegmentClient(config, runtime).removeUserFromGroup('g1', 'ada@example.com')).rejects.toThrow(/status PENDING/);
  });

  it('B4: group permission grants are emitted once, on the first member page, for a group of more than 200', async () => {
    const tenant = generateTenant({ seed: 4, users: 450, groups: 1, membersPerGroup: 450 });
    tenant.groups[0]!.permissions = [
      { roleId: tenant.roles[2]!.id, roleName: tenant.roles[2]!.name, resources: [{ id: tenant.sources[0]!.id, type: 'SOURCE' }] },
    ];
    const s = await sim({ tenant });
    const { connector } = build(s.config());
    const [, , groupSyncer] = connector.resourceSyncers();
    const group = (await groupSyncer!.list(WS, undefined)).rows[0]!;
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await groupSyncer!.grants(group, token);
      pages.push(page.rows.map((g) => g.id));
      token = page.nextPageToken;
    } while (token);
    expect(pages).toHaveLength(3);
    const permissionIds = pages.map((p) => p.filter((id) => !id.includes(':member:')));
    expect(permissionIds).toEqual([[`source:${tenant.sources[0]!.id}:source_admin:group:${tenant.groups[0]!.id}`], [], []]);
    const all = pages.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(451);
  });

  it('B5: permission grants land on the resource type of the permission (source, warehouse, function, space)', async () => {
    const s = await sim();
    const out = await walk(build(s.config()).connector);
    const u2 = ids(out.grants).filter((id) => id.endsWith(':user:u2') && /^(source|warehouse|function|space):/.test(id));
    expect(u2).toEqual(['function:fnI:functions_admin:user:u2', 'space:sp1:engage_user:user:u2', 'warehouse:wh1:warehouse_admin:user:u2']);
    expect(ids(out.grants).filter((id) => id.startsWith('function:'))).toEqual([
      'function:fnI:functions_admin:user:u2',
      'function:fnS:source_function_editor:user:u3',
    ]);
  });

  it('B6: a grant keeps labels and unknown fields of the permissions already held', async () => {
    const s = await sim();
    const { client } = build(s.config());
    const ent = permissionEntitlement(targetResource('source', { id: 'src1', name: 'Web' }, WS), role('r-srcro'));
    await grantEntitlement(client, userRes('u2', 'grace@example.com'), ent);
    const put = s.server.calls.filter((c) => c.method === 'PUT');
    expect(put).toHaveLength(1);
    const perms = s.tenant.users.find((u) => u.id === 'u2')!.permissions;
    const wh = perms.find((p) => p.roleId === 'r-wh')!;
    expect(wh.labels).toEqual([{ key: 'env', value: 'prod', description: 'production only' }]);
    expect(wh.resources).toEqual([{ id: 'wh1', type: 'WAREHOUSE', labels: [{ key: 'env', value: 'prod' }] }]);
    expect(perms.find((p) => p.roleId === 'r-srcro')?.resources).toEqual([{ id: 'src1', type: 'SOURCE' }]);
    expect(perms).toHaveLength(5);
  });

  it('B7: granting group membership to a user without a login fails instead of succeeding silently', async () => {
    const s = await sim();
    const { client } = build(s.config());
    const groupRes = (await walk(build(s.config()).connector)).resources.find((r) => r.id?.resource === 'g1')!;
    const ent = create(EntitlementSchema, { id: 'group:g1:member', slug: 'member', resource: groupRes });
    const before = s.server.calls.length;
    const err = await grantEntitlement(client, userRes('u3', ''), ent).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).code).toBe('missing_login');
    expect(s.server.calls.length).toBe(before);
  });

  it('B8: revoking a resource permission removes only that role on that resource', async () => {
    const s = await sim();
    const { client } = build(s.config());
    // u1 holds Source Admin on src1 and src2 (twice for src1) and Workspace Owner.
    const ent = permissionEntitlement(targetResource('source', { id: 'src1', name: 'Web' }, WS), role('r-srcadmin'));
    const g = create(GrantSchema, {
      id: `${ent.id}:user:u1`,
      // As a grant arrives: the embedded entitlement has only id and resource (no annotation).
      entitlement: create(EntitlementSchema, { id: ent.id, resource: ent.resource }),
      principal: userRes('u1', 'ada@example.com'),
    });
    await revokeGrant(client, g, async (slug) => tenantRoles.find((r) => r.slug === slug)?.id);
    const perms = s.tenant.users.find((u) => u.id === 'u1')!.permissions;
    expect(perms.map((p) => [p.roleId, p.resources.map((r) => r.id)])).toEqual([
      ['r-owner', ['ws1']],
      ['r-srcadmin', ['src2']],
    ]);

    // A workspace-role revoke removes only the WORKSPACE pair of that role.
    const roleEnt: Entitlement = roleMemberEntitlement(roleResource(role('r-srcadmin'), WS));
    const kept = removePermission(
      [
        {
          roleId: 'r-srcadmin',
          resources: [
            { id: 'ws1', type: 'WORKSPACE' },
            { id: 'src2', type: 'SOURCE' },
          ],
        },
      ],
      'r-srcadmin',
      'ws1',
    );
    expect(kept).toEqual([{ roleId: 'r-srcadmin', resources: [{ id: 'src2', type: 'SOURCE' }] }]);
    expect(roleEnt.resource?.parentResourceId?.resource).toBe('ws1');
  });
});
