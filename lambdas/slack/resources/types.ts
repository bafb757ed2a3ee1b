// The five resource types (README.md, What it syncs) and the ids shared between syncers.
import { ResourceType_Trait, SkipGrantsSchema } from '../../../shared/c1z/messages.ts';
import { pack, resourceType } from '../../../shared/sync/model.ts';

export const workspaceType = resourceType({ id: 'workspace', displayName: 'Workspace', traits: [ResourceType_Trait.GROUP] });
export const userType = resourceType({ id: 'user', displayName: 'User', traits: [ResourceType_Trait.USER], skipEntitlementsAndGrants: true });
export const userGroupType = resourceType({ id: 'userGroup', displayName: 'User Group', traits: [ResourceType_Trait.GROUP] });
// Role grants come from the workspace's member list, so the engine must not ask the roles.
export const workspaceRoleType = resourceType({ id: 'workspaceRole', displayName: 'Workspace Role', traits: [ResourceType_Trait.ROLE] });
workspaceRoleType.annotations.push(pack(SkipGrantsSchema, {}));
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
