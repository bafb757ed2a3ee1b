// The resource types both Slack connectors sync, and the eight synthetic roles of each workspace:
// baton-slack and baton-slack-enterprise define them identically.
import { type Resource, ResourceType_Trait, SkipGrantsSchema } from '../c1z/messages.ts';
import type { ResourceSyncer } from '../sync/connector.ts';
import { entitlement, Purpose, pack, resource, resourceId, resourceType, roleTrait } from '../sync/model.ts';

export const userType = resourceType({ id: 'user', displayName: 'User', traits: [ResourceType_Trait.USER], skipEntitlementsAndGrants: true });
export const workspaceType = resourceType({ id: 'workspace', displayName: 'Workspace', traits: [ResourceType_Trait.GROUP] });
// Role grants come from the workspace's member list, so the engine must not ask the roles.
export const workspaceRoleType = resourceType({ id: 'workspaceRole', displayName: 'Workspace Role', traits: [ResourceType_Trait.ROLE] });
workspaceRoleType.annotations.push(pack(SkipGrantsSchema, {}));
export const userGroupType = resourceType({ id: 'userGroup', displayName: 'User Group', traits: [ResourceType_Trait.GROUP] });
export const idpGroupType = resourceType({ id: 'group', displayName: 'IDP Group', traits: [ResourceType_Trait.GROUP] });

export const MEMBER = 'member';
export const ASSIGNED = 'assigned';

/** roleKey → display name, in the Go connector's order. */
export const WORKSPACE_ROLES = [
  ['primary_owner', 'Primary Owner'],
  ['owner', 'Owner'],
  ['admin', 'Admin'],
  ['multi_channel_guest', 'Multi Channel Guest'],
  ['single_channel_guest', 'Single Channel Guest'],
  ['invited_member', 'Invited member'],
  ['bot', 'Bot'],
  ['member', 'Member'],
] as const;
export type RoleKey = (typeof WORKSPACE_ROLES)[number][0];

const DISPLAY = new Map<string, string>(WORKSPACE_ROLES);

/** A workspace role's id is `<workspaceId>:<roleKey>`. */
export function parseRoleId(id: string): { teamId: string; role: string } {
  const at = id.lastIndexOf(':');
  return { teamId: id.slice(0, at), role: id.slice(at + 1) };
}

export function roleResource(workspaceId: string, key: RoleKey): Resource {
  return resource({
    type: workspaceRoleType.id,
    id: `${workspaceId}:${key}`,
    displayName: DISPLAY.get(key) ?? key,
    parent: resourceId(workspaceType.id, workspaceId),
    annotations: [roleTrait()],
  });
}

/** The listing half of the workspace-role syncer; each connector adds its own writes, if any. */
export function workspaceRoleListing(workspaceName: (workspaceId: string) => Promise<string>): ResourceSyncer {
  return {
    resourceType: workspaceRoleType,

    async list(parent) {
      if (!parent) return { rows: [] };
      return { rows: WORKSPACE_ROLES.map(([key]) => roleResource(parent.resource, key)) };
    },

    async entitlements(res) {
      const workspaceId = res.parentResourceId?.resource ?? parseRoleId(res.id?.resource ?? '').teamId;
      const name = await workspaceName(workspaceId);
      const role = res.displayName;
      return {
        rows: [
          entitlement(res, ASSIGNED, {
            purpose: Purpose.ASSIGNMENT,
            displayName: `${name} workspace ${role} role`,
            description: `Has the ${role} role in the Slack ${name} workspace`,
            grantableTo: [userType],
          }),
        ],
      };
    },

    async grants() {
      return { rows: [] };
    },
  };
}
