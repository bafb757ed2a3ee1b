import type { Grant } from '../../../shared/c1z/messages.ts';
import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import { grant } from '../../../shared/sync/model.ts';
import type { SegmentContext } from '../context.ts';
import { groupMemberEntitlement, groupPrincipal, groupResource, permissionGrants, userPrincipal } from '../mapping.ts';
import { groupType } from './types.ts';
import { provisioner } from './provision.ts';

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
