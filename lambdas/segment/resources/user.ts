// Users of the workspace. They carry no entitlements; their grants are emitted by the workspace's
// user walk.
import type { Resource, ResourceId } from '../../../shared/c1z/messages.ts';
import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import { profile, resource, resourceId, userTrait } from '../../../shared/sync/model.ts';
import type { User } from '../client.ts';
import type { SegmentContext } from '../context.ts';
import { userType } from './types.ts';

/** "A B C" -> ["A", "B C"]: the Go connector splits on the first space only. */
export function splitName(name: string): [string, string] {
  const i = name.indexOf(' ');
  return i < 0 ? [name, ''] : [name.slice(0, i), name.slice(i + 1)];
}

export function userResource(user: User, workspace: ResourceId): Resource {
  const [first, last] = splitName(user.name);
  return resource({
    type: 'user',
    id: user.id,
    displayName: user.name,
    parent: workspace,
    annotations: [
      userTrait({
        emails: user.email ? [{ address: user.email, primary: true }] : [],
        profile: profile({ first_name: first, last_name: last, login: user.email, user_id: user.id }),
      }),
    ],
  });
}

export function userPrincipal(id: string): ResourceId {
  return resourceId(userType.id, id);
}

export function userSyncer(ctx: SegmentContext): ResourceSyncer {
  return {
    resourceType: userType,
    async list(parent, pageToken) {
      if (!parent) return { rows: [] };
      const page = await ctx.client.users(pageToken);
      return { rows: page.rows.map((u) => userResource(u, parent)), nextPageToken: page.nextPageToken };
    },
    async entitlements() {
      return { rows: [] };
    },
    async grants() {
      return { rows: [] };
    },
  };
}
