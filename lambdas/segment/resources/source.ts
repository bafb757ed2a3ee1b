import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import type { SegmentContext } from '../context.ts';
import { permissionTargetSyncer } from './permission-target.ts';
import { sourceType } from './types.ts';

export function sourceSyncer(ctx: SegmentContext): ResourceSyncer {
  return permissionTargetSyncer(ctx, 'source', sourceType, (token) => ctx.client.sources(token));
}
