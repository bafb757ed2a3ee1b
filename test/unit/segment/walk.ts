// Walks a connector's syncers the way the engine does (types -> resources, children via
// ChildResourceType -> entitlements -> grants, every page token followed), collecting rows, so
// mapping tests can run without the c1z engine.
import type { Entitlement, Grant, Resource } from '../../../shared/c1z/messages.ts';
import { ChildResourceTypeSchema } from '../../../shared/c1z/messages.ts';
import type { Connector, Page, ResourceSyncer } from '../../../shared/sync/connector.ts';
import { findAnnotation } from '../../../shared/sync/model.ts';

export interface Walked {
  resources: Resource[];
  entitlements: Entitlement[];
  grants: Grant[];
}

async function all<T>(fetch: (token: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  for (let i = 0; ; i++) {
    if (i > 100_000) throw new Error('page loop');
    const page = await fetch(token);
    out.push(...page.rows);
    if (!page.nextPageToken) return out;
    token = page.nextPageToken;
  }
}

export async function walk(connector: Connector): Promise<Walked> {
  await connector.validate();
  const syncers = connector.resourceSyncers();
  const byType = new Map<string, ResourceSyncer>(syncers.map((s) => [s.resourceType.id, s]));
  const resources: Resource[] = [];
  const queue: { syncer: ResourceSyncer; parent?: Resource }[] = syncers.map((syncer) => ({ syncer }));
  while (queue.length > 0) {
    const { syncer, parent } = queue.shift() as { syncer: ResourceSyncer; parent?: Resource };
    const rows = await all((t) => syncer.list(parent?.id, t));
    for (const r of rows) {
      resources.push(r);
      for (const a of r.annotations) {
        const child = findAnnotation([a], ChildResourceTypeSchema);
        const childSyncer = child ? byType.get(child.resourceTypeId) : undefined;
        if (childSyncer) queue.push({ syncer: childSyncer, parent: r });
      }
    }
  }
  const entitlements: Entitlement[] = [];
  const grants: Grant[] = [];
  for (const r of resources) {
    const syncer = byType.get(r.id?.resourceType ?? '') as ResourceSyncer;
    entitlements.push(...(await all((t) => syncer.entitlements(r, t))));
  }
  for (const r of resources) {
    const syncer = byType.get(r.id?.resourceType ?? '') as ResourceSyncer;
    grants.push(...(await all((t) => syncer.grants(r, t))));
  }
  return { resources, entitlements, grants };
}

export const ids = (rows: { id?: unknown }[]): string[] =>
  rows.map((r) => (typeof r.id === 'string' ? r.id : `${(r.id as { resourceType: string }).resourceType}:${(r.id as { resource: string }).resource}`)).sort();
