import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import type { SegmentContext } from '../context.ts';
import { userResource } from '../mapping.ts';
import { userType } from './types.ts';

/** Users carry no entitlements; their grants are emitted by the workspace's user walk. */
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
