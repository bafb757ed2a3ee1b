import type { Grant } from '../../../shared/c1z/messages.ts';
import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import { grant } from '../../../shared/sync/model.ts';
import { mapLimit } from '../../../shared/concurrency.ts';
import type { SegmentContext } from '../context.ts';
import { permissionGrants, userPrincipal, workspaceMemberEntitlement, workspaceResource } from '../mapping.ts';
import { workspaceType } from './types.ts';

/**
 * The token's one workspace. Its grants walk the user list once: each user's workspace membership
 * plus the user's role and resource permissions (the Go connector fetched these from the user
 * syncer; the grant ids are the same). One page of users is in memory at a time.
 */
export function workspaceSyncer(ctx: SegmentContext): ResourceSyncer {
  return {
    resourceType: workspaceType,
    async list(parent) {
      if (parent) return { rows: [] };
      return { rows: [workspaceResource(await ctx.workspace())] };
    },
    async entitlements(ws) {
      return { rows: [workspaceMemberEntitlement(ws)] };
    },
    async grants(ws, pageToken) {
      const wsId = ws.id?.resource ?? '';
      const [page, grantCtx] = await Promise.all([ctx.client.users(pageToken), ctx.grantContext(wsId)]);
      const perUser = await mapLimit(page.rows, ctx.userDetailConcurrency, async (user) => {
        const principal = userPrincipal(user.id);
        const rows: Grant[] = [grant(ws, 'member', principal)];
        // GET /users rows may carry permissions; only fetch the user when they do not.
        const permissions = user.permissions ?? (await ctx.client.user(user.id))?.permissions ?? [];
        rows.push(...permissionGrants(principal, permissions, grantCtx));
        return rows;
      });
      return { rows: perUser.flat(), nextPageToken: page.nextPageToken };
    },
  };
}
