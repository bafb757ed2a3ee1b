// Wraps a connector definition so the CLI sees what a run is doing without shared code printing:
// every HTTP client it builds reports to `onHttp`, and every page it returns counts its rows.
import type { HttpEvent } from '../../shared/http/types.ts';
import type { ConnectorDefinition, ResourceSyncer } from '../../shared/sync/connector.ts';

export interface Watchers {
  onHttp(event: HttpEvent): void;
  onRows(kind: 'resources' | 'entitlements' | 'grants', n: number): void;
}

function countedSyncer(s: ResourceSyncer, w: Watchers): ResourceSyncer {
  return {
    ...s,
    resourceType: s.resourceType,
    list: async (parent, token) => {
      const page = await s.list(parent, token);
      w.onRows('resources', page.rows.length);
      return page;
    },
    entitlements: async (resource, token) => {
      const page = await s.entitlements(resource, token);
      w.onRows('entitlements', page.rows.length);
      return page;
    },
    grants: async (resource, token) => {
      const page = await s.grants(resource, token);
      w.onRows('grants', page.rows.length);
      return page;
    },
  };
}

export function instrument<C>(definition: ConnectorDefinition<C>, w: Watchers): ConnectorDefinition<C> {
  return {
    name: definition.name,
    configSchema: definition.configSchema,
    create(config, runtime) {
      const connector = definition.create(config, {
        ...runtime,
        http: (options) =>
          runtime.http({
            ...options,
            onEvent: (e) => {
              options.onEvent?.(e);
              w.onHttp(e);
            },
          }),
        log: (m, f) => runtime.log(m, f),
      });
      return {
        validate: () => connector.validate(),
        describe: connector.describe ? () => connector.describe!() : undefined,
        resourceSyncers: () => connector.resourceSyncers().map((s) => countedSyncer(s, w)),
      };
    },
  };
}
