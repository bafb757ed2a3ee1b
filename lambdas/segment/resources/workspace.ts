// The token's one workspace and its grants: each user's membership plus the user's role and
// resource permissions, from one walk over the user list (the Go connector fetched these from the
// user syncer; the grant ids are the same). One page of users is in memory at a time.

import type { Entitlement, Grant, Resource } from '../../../shared/c1z/messages.ts';
import { mapLimit } from '../../../shared/concurrency.ts';
import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import { grant, memberEntitlement, resource } from '../../../shared/sync/model.ts';
import type { Workspace } from '../client.ts';
import type { SegmentContext } from '../context.ts';
import { permissionGrants } from './permissions.ts';
import { userType, WORKSPACE_CHILDREN, workspaceType } from './types.ts';
import { userPrincipal } from './user.ts';

export function workspaceResource(ws: Workspace): Resource {
  return resource({ type: 'workspace', id: ws.id, displayName: ws.name, childTypes: WORKSPACE_CHILDREN });
}

export function workspaceMemberEntitlement(ws: Resource): Entitlement {
  return memberEntitlement(ws, {
    displayName: `${ws.displayName} Workspace member`,
    description: `Member of ${ws.displayName} Segment workspace`,
    grantableTo: [userType],
  });
}

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
