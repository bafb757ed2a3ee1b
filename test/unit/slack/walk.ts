// Walks a connector's syncers the way the engine does (types → resources → children → entitlements
// → grants, following every page token), without a c1z, so tests see exactly what the syncers emit.
import type { Entitlement, Grant, Resource } from '../../../shared/c1z/messages.ts';
import { ChildResourceTypeSchema, SkipEntitlementsAndGrantsSchema, SkipGrantsSchema } from '../../../shared/c1z/messages.ts';
import { parseConnectorConfig } from '../../../shared/sync/config.ts';
import type { Connector, ResourceSyncer } from '../../../shared/sync/connector.ts';
import { findAnnotation } from '../../../shared/sync/model.ts';
import { createRuntime, type TrackedRuntime } from '../../../shared/sync/runtime.ts';
import { connector as slackConnector } from '../../../lambdas/slack/connector.ts';

export interface Walked {
  resources: Resource[];
  entitlements: Entitlement[];
  grants: Grant[];
}

export function makeConnector(
  config: Record<string, string>,
  log: (m: string, f?: Record<string, unknown>) => void = () => {},
): { connector: Connector; runtime: TrackedRuntime } {
  const runtime = createRuntime({ httpOverrides: { baseBackoffMs: 5, maxBackoffMs: 50, timeoutMs: 2000 }, log });
  return { connector: slackConnector.create(parseConnectorConfig(slackConnector, config), runtime), runtime };
}

async function pages<T>(fetch: (token: string | undefined) => Promise<{ rows: T[]; nextPageToken?: string }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  for (let guard = 0; guard < 100_000; guard++) {
    const page = await fetch(token);
    out.push(...page.rows);
    if (!page.nextPageToken) return out;
    token = page.nextPageToken;
  }
  throw new Error('page loop');
}

export async function walk(connector: Connector): Promise<Walked> {
  const syncers = new Map<string, ResourceSyncer>(connector.resourceSyncers().map((s) => [s.resourceType.id, s]));
  const resources: Resource[] = [];
  const queue: { type: string; parent?: Resource }[] = [...syncers.keys()].map((type) => ({ type }));
  while (queue.length > 0) {
    const { type, parent } = queue.shift()!;
    const rows = await pages((t) => syncers.get(type)!.list(parent?.id, t));
    for (const r of rows) {
      resources.push(r);
      for (const a of r.annotations) {
        const child = findAnnotation([a], ChildResourceTypeSchema);
        if (child) queue.push({ type: child.resourceTypeId, parent: r });
      }
    }
  }
  const entitlements: Entitlement[] = [];
  const grants: Grant[] = [];
  for (const r of resources) {
    const syncer = syncers.get(r.id!.resourceType)!;
    if (findAnnotation(syncer.resourceType.annotations, SkipEntitlementsAndGrantsSchema)) continue;
    entitlements.push(...(await pages((t) => syncer.entitlements(r, t))));
    if (findAnnotation(syncer.resourceType.annotations, SkipGrantsSchema)) continue;
    grants.push(...(await pages((t) => syncer.grants(r, t))));
  }
  return { resources, entitlements, grants };
}

export const ids = (rows: { id?: unknown }[]): string[] =>
  rows.map((r) => (typeof r.id === 'string' ? r.id : `${(r.id as { resourceType: string }).resourceType}:${(r.id as { resource: string }).resource}`)).sort();
