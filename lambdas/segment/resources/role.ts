import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import type { SegmentContext } from '../context.ts';
import { roleMemberEntitlement, roleResource } from '../mapping.ts';
import { roleType } from './types.ts';
import { provisioner } from './provision.ts';

/** Roles come from the sync's one role list; their grants are emitted from users' and groups' permissions. Granting one assigns the role workspace-wide. */
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
