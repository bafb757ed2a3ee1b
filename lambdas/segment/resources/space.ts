import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import type { SegmentContext } from '../context.ts';
import { permissionTargetSyncer } from './permission-target.ts';
import { spaceType } from './types.ts';

/** GET /spaces (the Go connector paged /sources here and always found none, B1). */
export function spaceSyncer(ctx: SegmentContext): ResourceSyncer {
  return permissionTargetSyncer(ctx, 'space', spaceType, (token) => ctx.client.spaces(token));
}
