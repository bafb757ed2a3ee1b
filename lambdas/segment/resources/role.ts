// Roles from the sync's one role list; their grants are emitted from users' and groups'
// permissions. Granting one assigns the role workspace-wide.
import type { Entitlement, Resource, ResourceId } from '../../../shared/c1z/messages.ts';
import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import { memberEntitlement, profile, resource, roleTrait } from '../../../shared/sync/model.ts';
import type { Role } from '../client.ts';
import type { SegmentContext } from '../context.ts';
import { provisioner } from './provision.ts';
import { groupType, roleType, userType } from './types.ts';

export function roleResource(role: Role, workspace: ResourceId): Resource {
  return resource({
    type: 'role',
    id: role.id,
    displayName: role.name,
    parent: workspace,
    annotations: [roleTrait({ profile: profile({ role_name: role.name, role_id: role.id, role_description: role.description }) })],
  });
}

export function roleMemberEntitlement(role: Resource): Entitlement {
  return memberEntitlement(role, {
    displayName: `${role.displayName} Role member`,
    description: `Member of ${role.displayName} Segment role`,
    grantableTo: [userType, groupType],
  });
}

export function roleSyncer(ctx: SegmentContext): ResourceSyncer {
  return {
    ...provisioner(ctx),
    resourceType: roleType,
    async list(parent) {
      if (!parent) return { rows: [] };
      return { rows: (await ctx.roles.all()).map((r) => roleResource(r, parent)) };
    },
    async entitlements(role) {
      return { rows: [roleMemberEntitlement(role)] };
    },
    async grants() {
      return { rows: [] };
    },
  };
}
