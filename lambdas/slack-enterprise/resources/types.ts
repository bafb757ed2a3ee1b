// The six resource types of baton-slack-enterprise and the ids shared between syncers.
import { ResourceType_Trait, SkipGrantsSchema } from '../../../shared/c1z/messages.ts';
import { pack, resourceType } from '../../../shared/sync/model.ts';

export const userType = resourceType({ id: 'user', displayName: 'User', traits: [ResourceType_Trait.USER], skipEntitlementsAndGrants: true });
export const workspaceType = resourceType({ id: 'workspace', displayName: 'Workspace', traits: [ResourceType_Trait.GROUP] });
// Role grants come from the workspace's member list, so the engine must not ask the roles.
export const workspaceRoleType = resourceType({ id: 'workspaceRole', displayName: 'Workspace Role', traits: [ResourceType_Trait.ROLE] });
workspaceRoleType.annotations.push(pack(SkipGrantsSchema, {}));
export const enterpriseRoleType = resourceType({ id: 'enterpriseRole', displayName: 'Enterprise Role', traits: [ResourceType_Trait.ROLE] });
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

/** The org roles: always listed; their holders come from the org-wide user listing. */
export const ORG_ROLES = {
  organization_primary_owner: 'Organization primary owner',
  organization_owner: 'Organization owner',
  organization_admin: 'Organization admin',
} as const;
export type OrgRoleId = keyof typeof ORG_ROLES;

/** Grid's system roles by id; listed when admin.roles.listAssignments shows one assigned. */
export const SYSTEM_ROLES: Record<string, string> = {
  Rl0L: 'Analytics Admin',
  Rl0C: 'Audit Logs Admin',
  Rl01: 'Channel Admin',
  Rl0A: 'Channel Manager',
  Rl05: 'Conversation Admin',
  Rl09: 'DLP Admin',
  Rl0F: 'Exports Admin',
  Rl0D: 'Integrations Manager',
  Rl04: 'Message Activity Manager',
  Rl02: 'Role Admin',
  Rl0G: 'Sales Admin',
  Rl0H: 'Sales User',
  Rl0J: 'Security Admin',
  Rl0B: 'Slack Platform Developer',
  Rl03: 'User Admin',
  Rl0K: 'Workflow Admin',
};
