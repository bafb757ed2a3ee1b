import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import type { SegmentContext } from '../context.ts';
import { permissionTargetSyncer } from './permission-target.ts';
import { warehouseType } from './types.ts';

/** GET /warehouses (the Go connector paged /sources here and always found none, B1). */
export function warehouseSyncer(ctx: SegmentContext): ResourceSyncer {
  return permissionTargetSyncer(ctx, 'warehouse', warehouseType, (token) => ctx.client.warehouses(token));
}
