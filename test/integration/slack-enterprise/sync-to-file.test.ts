// Whole Grid syncs into c1z files read back with the reader: a seeded org's counts (derived from the
// tenant, not the connector), the ids baton-slack-enterprise writes, calls counted against both
// formulas, SSO and GovSlack modes, and a run under the real tier limits (time-scaled) without a 429.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connector } from '../../../lambdas/slack-enterprise/connector.ts';
import {
  generateGridTenant,
  goFormulaCalls,
  gridShape,
  ourFormulaCalls,
  type RunningGridSim,
  startGridSim,
} from '../../../lambdas/slack-enterprise/sim/index.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { syncToFile } from '../../../shared/sync/run-sync.ts';
import { tempDir } from '../../support/tmp.ts';

const FAST = { baseBackoffMs: 5, maxBackoffMs: 20 };
let sim: RunningGridSim | undefined;
afterEach(async () => {
  await sim?.server.close();
  sim = undefined;
});

describe('slack-enterprise: sync into a c1z and read it back', () => {
  it('a seeded org: counts, ids, parents, and calls linear in the org (formula checked)', async () => {
    const tenant = generateGridTenant({ seed: 7, users: 2500, workspaces: 6 });
    const shape = gridShape(tenant);
    const s = (sim = await startGridSim({ tenant, rateLimits: 'off' }));
    const out = join(tempDir('grid-c1z-'), 'sync.c1z');
    const summary = await syncToFile({ connector, secretMap: s.config, out, httpOverrides: FAST });
    expect(summary.counts).toEqual(s.expected);
    expect(s.server.calls.length).toBe(ourFormulaCalls(shape, false));
    expect(s.server.calls.length).toBeLessThan(0.2 * goFormulaCalls(shape, false));

    const reader = await openC1z(out);
    try {
      expect([...reader.resourceTypes()].map((t) => t.id).sort()).toEqual(['enterpriseRole', 'group', 'user', 'userGroup', 'workspace', 'workspaceRole']);
      const users = [...reader.resources({ resourceType: 'user' })];
      expect(users.length).toBe(tenant.users.length);
      expect(users.every((u) => u.parentResourceId === undefined)).toBe(true);
      const roles = [...reader.resources({ resourceType: 'workspaceRole' })];
      expect(roles.find((r) => r.id!.resource === 'T00000001:single_channel_guest')?.parentResourceId?.resource).toBe('T00000001');
      const ers = [...reader.resources({ resourceType: 'enterpriseRole' })].map((r) => r.id!.resource);
      expect(ers).toEqual(expect.arrayContaining(['organization_primary_owner', 'organization_owner', 'organization_admin', 'Rl0L']));
      const groups = [...reader.resources({ resourceType: 'userGroup' })];
      expect(groups.every((g) => g.parentResourceId?.resourceType === 'workspace')).toBe(true);
      const ents = [...reader.entitlements()].map((e) => e.id);
      expect(ents).toContain('workspace:T00000001:member');
      expect(ents).toContain('enterpriseRole:organization_admin:assigned');
      expect(ents).toContain('workspaceRole:T00000002:owner:assigned');
      const grants = new Set([...reader.grants()].map((g) => g.id));
      const owner = tenant.users[0]!.id;
      expect(grants.has(`enterpriseRole:organization_primary_owner:assigned:user:${owner}`)).toBe(true);
      expect(grants.has(`enterpriseRole:organization_owner:assigned:user:${owner}`)).toBe(true);
      expect(grants.has(`workspaceRole:T00000003:primary_owner:assigned:user:${owner}`)).toBe(true);
      const a = tenant.roleAssignments[0]!;
      expect(grants.has(`enterpriseRole:${a.role_id}:assigned:user:${a.user_id}`)).toBe(true);
      // Slack Connect strangers get no grants; users in no workspace are still users.
      for (const st of tenant.strangers) expect([...grants].some((g) => g.endsWith(`:user:${st.id}`))).toBe(false);
      const loner = tenant.users.find((u) => u.teams.size === 0)!;
      expect(users.some((u) => u.id!.resource === loner.id)).toBe(true);
    } finally {
      reader.close();
    }
  });

  it('SSO: users from SCIM and IDP groups; GovSlack marks IDP grants immutable', async () => {
    const tenant = generateGridTenant({ seed: 3, users: 600, workspaces: 3 });
    const s = (sim = await startGridSim({ tenant, sso: true, gov: true, rateLimits: 'off' }));
    const out = join(tempDir('grid-c1z-'), 'sync.c1z');
    const summary = await syncToFile({ connector, secretMap: s.config, out, httpOverrides: FAST });
    expect(summary.counts).toEqual(s.expected);
    expect(s.server.calls.length).toBe(ourFormulaCalls(gridShape(tenant), true));
    expect(s.server.calls.every((c) => !c.path.startsWith('/scim/') || c.path.startsWith('/scim/v1/'))).toBe(true);
    const reader = await openC1z(out);
    try {
      const idp = [...reader.grants()].filter((g) => g.id.startsWith('group:'));
      expect(idp.length).toBe(tenant.idpGroups.reduce((n, g) => n + g.members.length, 0));
      expect(idp.every((g) => g.annotations.some((a) => a.typeUrl.endsWith('GrantImmutable')))).toBe(true);
    } finally {
      reader.close();
    }
  });

  it('under the real tier limits (×60) it draws no 429: each method is paced in its own bucket', async () => {
    const tenant = generateGridTenant({ seed: 9, users: 3000, workspaces: 8 });
    const s = (sim = await startGridSim({ tenant, rateLimits: 60 }));
    const out = join(tempDir('grid-c1z-'), 'sync.c1z');
    const summary = await syncToFile({ connector, secretMap: s.config, out, httpOverrides: { ...FAST, rateLimitScale: 60 } });
    expect(summary.counts).toEqual(s.expected);
    expect(s.server.calls.filter((c) => c.status === 429)).toEqual([]);
  });
});
