// A synthetic tenant as plain rows (users, groups, memberships) for c1z and engine tests.

import type { Entitlement, Grant, Resource, ResourceType } from '../../shared/c1z/messages.ts';
import { ResourceType_Trait } from '../../shared/c1z/messages.ts';
import { entitlement, grant, groupTrait, Purpose, resource, resourceId, resourceType, userTrait } from '../../shared/sync/model.ts';

export const USER_TYPE = resourceType({ id: 'user', displayName: 'User', traits: [ResourceType_Trait.USER], skipEntitlementsAndGrants: true });
export const GROUP_TYPE = resourceType({ id: 'group', displayName: 'Group', traits: [ResourceType_Trait.GROUP] });

export function user(i: number): Resource {
  return resource({
    type: 'user',
    id: `U${i}`,
    displayName: `User ${i}`,
    annotations: [userTrait({ emails: [{ address: `user${i}@example.com`, primary: true }], login: `user${i}` })],
  });
}

export function group(i: number): Resource {
  return resource({ type: 'group', id: `G${i}`, displayName: `Group ${i}`, annotations: [groupTrait({})] });
}

export function memberEntitlement(g: Resource): Entitlement {
  return entitlement(g, 'member', { purpose: Purpose.ASSIGNMENT, displayName: `${g.displayName} Member`, grantableTo: [USER_TYPE] });
}

export function membership(g: Resource, userIndex: number): Grant {
  return grant(g, 'member', resourceId('user', `U${userIndex}`));
}

export interface Tenant {
  resourceTypes: ResourceType[];
  users: number;
  groups: number;
  /** Member user indexes of group g. */
  members(g: number): number[];
}

/** Deterministic tenant: group g holds every user whose index ≡ g mod (groups), up to `perGroup`. */
export function syntheticTenant(users: number, groups: number, grants: number): Tenant {
  const perGroup = Math.ceil(grants / Math.max(1, groups));
  return {
    resourceTypes: [USER_TYPE, GROUP_TYPE],
    users,
    groups,
    members(g) {
      const out: number[] = [];
      const start = Math.min(g * perGroup, grants);
      const end = Math.min(start + perGroup, grants);
      for (let k = start; k < end; k++) out.push(k % users);
      return [...new Set(out)];
    },
  };
}
