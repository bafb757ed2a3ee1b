// User groups: a member entitlement each; grants are the members plus the group's own permissions.
import type { Entitlement, Grant, Resource, ResourceId } from '../../../shared/c1z/messages.ts';
import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import { grant, groupTrait, memberEntitlement, profile, resource, resourceId } from '../../../shared/sync/model.ts';
import type { UserGroup } from '../client.ts';
import type { SegmentContext } from '../context.ts';
import { permissionGrants } from './permissions.ts';
import { provisioner } from './provision.ts';
import { groupType, userType } from './types.ts';
import { userPrincipal } from './user.ts';

export function groupResource(group: Pick<UserGroup, 'id' | 'name'>, workspace: ResourceId): Resource {
  return resource({
    type: 'group',
    id: group.id,
    displayName: group.name,
    parent: workspace,
    annotations: [groupTrait({ profile: profile({ group_name: group.name, group_id: group.id }) })],
  });
}

export function groupMemberEntitlement(group: Resource): Entitlement {
  return memberEntitlement(group, {
    displayName: `${group.displayName} group member`,
    description: `Member of ${group.displayName} Segment group`,
    grantableTo: [userType],
  });
}

export function groupPrincipal(id: string): ResourceId {
  return resourceId(groupType.id, id);
}

export function groupSyncer(ctx: SegmentContext): ResourceSyncer {
  return {
    ...provisioner(ctx),
    resourceType: groupType,
    async list(parent, pageToken) {
      if (!parent) return { rows: [] };
      const page = await ctx.client.groups(pageToken);
      for (const g of page.rows) if (g.permissions) ctx.putGroupPermissions(g.id, g.permissions);
      return { rows: page.rows.map((g) => groupResource(g, parent)), nextPageToken: page.nextPageToken };
    },
    async entitlements(group) {
      return { rows: [groupMemberEntitlement(group)] };
    },
    async grants(group, pageToken) {
      const groupId = group.id?.resource ?? '';
      const rows: Grant[] = [];
      // The group's own permissions once, on the first member page (B4).
      if (!pageToken) {
        const permissions = ctx.groupPermissions(groupId) ?? (await ctx.client.group(groupId))?.permissions ?? [];
        const wsId = group.parentResourceId?.resource ?? (await ctx.workspace()).id;
        rows.push(...permissionGrants(groupPrincipal(groupId), permissions, await ctx.grantContext(wsId)));
      }
      const page = await ctx.client.groupMembers(groupId, pageToken);
      for (const member of page.rows) rows.push(grant(group, 'member', userPrincipal(member.id)));
      return { rows, nextPageToken: page.nextPageToken };
    },
  };
}
