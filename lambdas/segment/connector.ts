// The Segment connector: config, validate(), the eight syncers (workspace first: it announces the
// others as its children).
import type { ConnectorDefinition } from '../../shared/sync/connector.ts';
import { SegmentClient } from './client.ts';
import { configSchema, type SegmentConfig } from './config.ts';
import { segmentContext } from './context.ts';
import { functionSyncer } from './resources/function.ts';
import { groupSyncer } from './resources/group.ts';
import { roleSyncer } from './resources/role.ts';
import { sourceSyncer } from './resources/source.ts';
import { spaceSyncer } from './resources/space.ts';
import { userSyncer } from './resources/user.ts';
import { warehouseSyncer } from './resources/warehouse.ts';
import { workspaceSyncer } from './resources/workspace.ts';

export const connector: ConnectorDefinition<SegmentConfig> = {
  name: 'segment',
  configSchema,
  create(config, runtime) {
    const ctx = segmentContext(new SegmentClient(config, runtime), runtime);
    return {
      async validate() {
        // GET / is both the credential check and the workspace list; the result is reused.
        await ctx.workspace();
      },
      resourceSyncers() {
        return [
          workspaceSyncer(ctx),
          userSyncer(ctx),
          groupSyncer(ctx),
          roleSyncer(ctx),
          sourceSyncer(ctx),
          warehouseSyncer(ctx),
          functionSyncer(ctx),
          spaceSyncer(ctx),
        ];
      },
      describe() {
        return `region=${config.region} host=${new URL(config.baseUrl).host}`;
      },
    };
  },
};
