// Standard admin roles: one resource per role type (no API call). Their user grants come from one
// scan of the org's admins (GET /iam/assignees/users, then each admin's role assignments), which
// also yields custom-role grants; group-held roles are granted from each group's grants.
import { type Grant, GrantExpandableSchema, type Resource, V1IdentifierSchema } from '../../../shared/c1z/messages.ts';
import { mapLimit } from '../../../shared/concurrency.ts';
import type { Page, ResourceSyncer } from '../../../shared/sync/connector.ts';
import { entitlement, grant, Purpose, pack, profile, resource, resourceId, roleTrait } from '../../../shared/sync/model.ts';
import type { RoleAssignment } from '../client.ts';
import type { OktaContext } from '../context.ts';
import { roleProvisioning } from '../provisioning.ts';
import { ASSIGNED, CUSTOM, groupType, ROLE_LABELS, roleType, STANDARD_ROLES, userType, v1 } from './types.ts';

/** Admins whose role assignments are read at once (a few more requests in flight than the engine's own). */
const ADMIN_LOOKUPS_IN_FLIGHT = 4;

/** roleResource in baton-okta: id is the role type, or the role's id when it has no type (custom). */
export function roleResource(role: { id: string; label: string; type: string }, type: 'role' | 'custom-role'): Resource {
  const objectId = role.type === '' && role.id !== '' ? role.id : role.type;
  return resource({
    type,
    id: objectId,
    displayName: role.label,
    annotations: [roleTrait(), pack(V1IdentifierSchema, { id: v1.role(objectId) })],
    profile: profile({ id: role.id, label: role.label, type: role.type }),
  });
}

export function standardRoleResource(type: string): Resource {
  return roleResource({ id: '', label: ROLE_LABELS.get(type) ?? type, type }, 'role');
}

/** The role resource an assignment grants: a standard role by type, a custom role by its id. */
export function assignedRoleResource(a: RoleAssignment): Resource {
  return a.type === CUSTOM
    ? roleResource({ id: a.role ?? '', label: a.label, type: '' }, 'custom-role')
    : roleResource({ id: a.role ?? '', label: a.label, type: a.type }, 'role');
}

export function roleEntitlement(res: Resource) {
  const label = ROLE_LABELS.get(res.id?.resource ?? '') ?? res.displayName;
  return entitlement(res, ASSIGNED, {
    purpose: Purpose.ASSIGNMENT,
    displayName: `${label} Role Member`,
    description: `Has the ${label} role in Okta`,
    grantableTo: [userType, groupType],
    annotations: [pack(V1IdentifierSchema, { id: v1.role(res.id?.resource ?? '') })],
  });
}

export function userRoleGrant(role: Resource, userId: string): Grant {
  return grant(role, ASSIGNED, resourceId(userType.id, userId), {
    annotations: [pack(V1IdentifierSchema, { id: v1.grant(v1.role(role.id?.resource ?? ''), userId) })],
  });
}

/** A group-held role: expandable to the group's members unless the group is known to be empty. */
export function groupRoleGrant(role: Resource, groupId: string, expand: boolean): Grant {
  const annotations = [pack(V1IdentifierSchema, { id: v1.grant(v1.role(role.id?.resource ?? ''), groupId) })];
  if (expand) annotations.push(pack(GrantExpandableSchema, { entitlementIds: [`group:${groupId}:member`], shallow: true }));
  return grant(role, ASSIGNED, resourceId(groupType.id, groupId), { annotations });
}

/** Assignments that count: active, held directly (group-held ones come from the group). */
function directActive(a: RoleAssignment): boolean {
  return a.status !== 'INACTIVE' && a.assignmentType === 'USER';
}

const KNOWN = new Set(STANDARD_ROLES.map(([t]) => t));

/**
 * One page of the admin scan: the page's admins' direct role assignments as grants of every role
 * (standard, and custom when synced). baton-okta pages the assignees once per role resource.
 */
export async function adminScanPage(ctx: OktaContext, after: string | undefined): Promise<Page<Grant>> {
  const page = await ctx.client.roleAssignees(after);
  // Filtered-out users are not in the sync: their grants would point at nothing.
  const admins = page.items.map((a) => a.id).filter((id) => ctx.config.filterEmailDomains.length === 0 || ctx.runtime.hasResource(userType.id, id));
  const roles = await mapLimit(admins, ADMIN_LOOKUPS_IN_FLIGHT, (id) => ctx.client.userRoles(id));
  const rows: Grant[] = [];
  admins.forEach((userId, i) => {
    for (const a of roles[i]!) {
      if (!directActive(a)) continue;
      if (a.type === CUSTOM) {
        if (ctx.config.syncCustomRoles && a.role) rows.push(userRoleGrant(assignedRoleResource(a), userId));
      } else if (KNOWN.has(a.type)) {
        rows.push(userRoleGrant(standardRoleResource(a.type), userId));
      } else {
        ctx.runtime.log('okta: an admin holds a role type this connector does not know; its grant is skipped', { roleType: a.type, userId });
      }
    }
  });
  return { rows, nextPageToken: page.after };
}

export function roleSyncer(ctx: OktaContext): ResourceSyncer {
  // The scan runs once, in the first role's grants; the other roles' grants are part of it.
  const scanOwner = STANDARD_ROLES[0]![0];
  return {
    resourceType: roleType,
    async list(parent) {
      if (parent) return { rows: [] };
      return { rows: STANDARD_ROLES.map(([type]) => standardRoleResource(type)) };
    },
    async entitlements(res) {
      return { rows: [roleEntitlement(res)] };
    },
    async grants(res, pageToken) {
      if (res.id?.resource !== scanOwner) return { rows: [] };
      return adminScanPage(ctx, pageToken);
    },
    ...roleProvisioning(ctx),
  };
}
