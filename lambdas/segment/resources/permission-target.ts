// Sources, warehouses, functions and spaces share one shape: a paged list, one permission
// entitlement per role that applies to the type, and no grants of their own (they come from
// users' and groups' permissions).
import type { ResourceType } from '../../../shared/c1z/messages.ts';
import type { Page, ResourceSyncer } from '../../../shared/sync/connector.ts';
import type { Named } from '../client.ts';
import type { SegmentContext } from '../context.ts';
import { permissionEntitlement, targetResource } from '../mapping.ts';
import type { PermissionTargetType } from './types.ts';
import { provisioner } from './provision.ts';

export type ListTargets = (pageToken: string | undefined) => Promise<Page<Named>>;

export function permissionTargetSyncer(ctx: SegmentContext, type: PermissionTargetType, resourceType: ResourceType, listTargets: ListTargets): ResourceSyncer {
  return {
    ...provisioner(ctx),
    resourceType,
    async list(parent, pageToken) {
      if (!parent) return { rows: [] };
      const page = await listTargets(pageToken);
      return { rows: page.rows.map((item) => targetResource(type, item, parent)), nextPageToken: page.nextPageToken };
    },
    async entitlements(target) {
      const roles = await ctx.roles.forTarget(type);
      return { rows: roles.map((role) => permissionEntitlement(target, role)) };
    },
    async grants() {
      return { rows: [] };
    },
  };
}
