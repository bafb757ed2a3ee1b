// The resource types baton-okta syncs, with its ids, and the role types it knows.
import { type ResourceType, ResourceType_Trait, V1IdentifierSchema } from '../../../shared/c1z/messages.ts';
import { pack, type ResourceTypeInit, resourceType } from '../../../shared/sync/model.ts';

// baton-okta annotates every type with a V1Identifier of its own id (for C1's v1 → v2 migration).
function oktaType(init: ResourceTypeInit): ResourceType {
  const rt = resourceType(init);
  rt.annotations.unshift(pack(V1IdentifierSchema, { id: init.id }));
  return rt;
}

export const userType = oktaType({ id: 'user', displayName: 'User', traits: [ResourceType_Trait.USER], skipEntitlementsAndGrants: true });
export const groupType = oktaType({ id: 'group', displayName: 'Group', traits: [ResourceType_Trait.GROUP] });
export const roleType = oktaType({ id: 'role', displayName: 'Role', traits: [ResourceType_Trait.ROLE] });
export const appType = oktaType({ id: 'app', displayName: 'App', traits: [ResourceType_Trait.APP] });
export const customRoleType = oktaType({ id: 'custom-role', displayName: 'Custom Role', traits: [ResourceType_Trait.ROLE] });
export const resourceSetType = oktaType({ id: 'resource-set', displayName: 'Resource Set' });
export const resourceSetBindingType = oktaType({ id: 'resourceset-binding', displayName: 'Resource Set Binding' });
export const apiTokenType = oktaType({ id: 'api-token', displayName: 'API Token', traits: [ResourceType_Trait.SECRET], skipEntitlementsAndGrants: true });

export const MEMBER = 'member';
export const ASSIGNED = 'assigned';
export const ACCESS = 'access';
export const BINDINGS = 'bindings';

/** Okta's role type for custom roles in role assignments. */
export const CUSTOM = 'CUSTOM';

/**
 * Standard role types → labels: baton-okta's ten (with its labels, so ids and names stay), then the
 * IAM-based standard roles Okta's RoleType enum adds, which baton-okta has no resource for.
 */
export const STANDARD_ROLES: readonly (readonly [string, string])[] = [
  ['API_ACCESS_MANAGEMENT_ADMIN', 'API Access Management Administrator'],
  ['MOBILE_ADMIN', 'Mobile Administrator'],
  ['ORG_ADMIN', 'Organizational Administrator'],
  ['READ_ONLY_ADMIN', 'Read-Only Administrator'],
  ['REPORT_ADMIN', 'Report Administrator'],
  ['SUPER_ADMIN', 'Super Administrator'],
  ['USER_ADMIN', 'Group Administrator'],
  ['HELP_DESK_ADMIN', 'Help Desk Administrator'],
  ['APP_ADMIN', 'Application Administrator'],
  ['GROUP_MEMBERSHIP_ADMIN', 'Group Membership Administrator'],
  ['ACCESS_CERTIFICATIONS_ADMIN', 'Access Certifications Administrator'],
  ['ACCESS_REQUESTS_ADMIN', 'Access Requests Administrator'],
  ['WORKFLOWS_ADMIN', 'Workflows Administrator'],
];
export const ROLE_LABELS = new Map<string, string>(STANDARD_ROLES);

/** V1 ids baton-okta annotates (helpers.go templates). */
export const v1 = {
  membership: (id: string) => `membership:${id}`,
  role: (id: string) => `role:${id}`,
  grant: (entitlement: string, principal: string) => `grant:${entitlement}:${principal}`,
};
