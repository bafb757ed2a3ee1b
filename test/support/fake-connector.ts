// An in-memory connector for engine tests: paged lists, a child type, paged grants, optional delay.
import { z } from 'zod';
import { ResourceType_Trait } from '../../shared/c1z/messages.ts';
import type { Connector, ConnectorDefinition, Page, ResourceSyncer } from '../../shared/sync/connector.ts';
import { entitlement, grant, Purpose, resource, resourceId, resourceType } from '../../shared/sync/model.ts';
import { group, memberEntitlement, USER_TYPE, user } from './tenant.ts';

export interface FakeOptions {
  users: number;
  groups: number;
  orgs: number;
  teamsPerOrg: number;
  pageSize: number;
  delayMs?: number;
  /** Throw on the n-th call of this step (e.g. 'group.grants'). */
  failOn?: { step: string; call: number };
}

function paged<T>(all: T[], token: string | undefined, size: number): Page<T> {
  const start = token ? Number(token) : 0;
  const next = start + size;
  return { rows: all.slice(start, next), nextPageToken: next < all.length ? String(next) : undefined };
}

export function fakeConnector(o: FakeOptions): { connector: Connector; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const tick = async (step: string) => {
    const n = (calls.get(step) ?? 0) + 1;
    calls.set(step, n);
    if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
    if (o.failOn && o.failOn.step === step && o.failOn.call === n) throw new Error(`upstream exploded on ${step} #${n}`);
  };
  const members = (g: number) => Array.from({ length: o.users }, (_, u) => u).filter((u) => (u + g) % 3 === 0);
  const orgType = resourceType({ id: 'org', displayName: 'Org', traits: [ResourceType_Trait.APP] });
  const teamType = resourceType({ id: 'team', displayName: 'Team', traits: [ResourceType_Trait.GROUP] });
  const groupType = resourceType({ id: 'group', displayName: 'Group', traits: [ResourceType_Trait.GROUP] });
  const none = async (): Promise<Page<never>> => ({ rows: [] });

  const syncers: ResourceSyncer[] = [
    {
      resourceType: USER_TYPE,
      async list(parent, token) {
        await tick('user.list');
        if (parent) return { rows: [] };
        return paged(
          Array.from({ length: o.users }, (_, i) => user(i)),
          token,
          o.pageSize,
        );
      },
      entitlements: none,
      grants: none,
    },
    {
      resourceType: groupType,
      async list(parent, token) {
        await tick('group.list');
        if (parent) return { rows: [] };
        return paged(
          Array.from({ length: o.groups }, (_, i) => group(i)),
          token,
          o.pageSize,
        );
      },
      async entitlements(r) {
        await tick('group.entitlements');
        return { rows: [memberEntitlement(r)] };
      },
      async grants(r, token) {
        await tick('group.grants');
        const g = Number(r.id!.resource.slice(1));
        return paged(
          members(g).map((u) => grant(r, 'member', resourceId('user', `U${u}`))),
          token,
          o.pageSize,
        );
      },
    },
    {
      resourceType: orgType,
      async list(parent, token) {
        await tick('org.list');
        if (parent) return { rows: [] };
        return paged(
          Array.from({ length: o.orgs }, (_, i) => resource({ type: 'org', id: `O${i}`, displayName: `Org ${i}`, childTypes: ['team'] })),
          token,
          o.pageSize,
        );
      },
      async entitlements(r) {
        await tick('org.entitlements');
        return { rows: [entitlement(r, 'admin', { purpose: Purpose.PERMISSION, grantableTo: [USER_TYPE] })] };
      },
      async grants(r) {
        await tick('org.grants');
        return { rows: [grant(r, 'admin', resourceId('user', 'U0'))] };
      },
    },
    {
      resourceType: teamType,
      async list(parent, token) {
        await tick('team.list');
        if (!parent) return { rows: [] };
        const teams = Array.from({ length: o.teamsPerOrg }, (_, i) =>
          resource({ type: 'team', id: `${parent.resource}-T${i}`, displayName: `Team ${i}`, parent }),
        );
        return paged(teams, token, o.pageSize);
      },
      async entitlements(r) {
        await tick('team.entitlements');
        return { rows: [entitlement(r, 'member', { purpose: Purpose.ASSIGNMENT })] };
      },
      async grants(r) {
        await tick('team.grants');
        return { rows: [grant(r, 'member', resourceId('user', 'U1'))] };
      },
    },
  ];
  return {
    calls,
    connector: {
      async validate() {},
      resourceSyncers: () => syncers,
    },
  };
}

export const fakeDefinition = (o: FakeOptions): ConnectorDefinition<{ BATON_TOKEN: string }> => ({
  name: 'fake',
  configSchema: z.object({ BATON_TOKEN: z.string().min(1) }),
  create: () => fakeConnector(o).connector,
});
