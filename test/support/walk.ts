// Walks a connector's syncers the way the engine does (types → resources → children → entitlements
// → grants, every page token followed, the skip annotations honoured), without a c1z, so mapping
// tests see exactly what the syncers emit. One walker for every connector's tests.

import type { Entitlement, Grant, Resource } from '../../shared/c1z/messages.ts';
import { ChildResourceTypeSchema, SkipEntitlementsAndGrantsSchema, SkipGrantsSchema } from '../../shared/c1z/messages.ts';
import type { Connector, ListPage, Page, ResourceSyncer } from '../../shared/sync/connector.ts';
import { findAnnotation } from '../../shared/sync/model.ts';

export interface Walked {
  resources: Resource[];
  entitlements: Entitlement[];
  grants: Grant[];
}

async function pages<T>(fetch: (token: string | undefined) => Promise<Page<T>>): Promise<T[]> {
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

/** `validate`: call connector.validate() first, as a sync does. */
export async function walk(connector: Connector, options: { validate?: boolean } = {}): Promise<Walked> {
  if (options.validate) await connector.validate();
  const syncers = new Map<string, ResourceSyncer>(connector.resourceSyncers().map((s) => [s.resourceType.id, s]));
  const resources: Resource[] = [];
  const grants: Grant[] = [];
  // Grants a list page states outright are written with it (ListPage.grants).
  const listing = (syncer: ResourceSyncer, parent: Resource | undefined) => async (t: string | undefined) => {
    const page: ListPage = await syncer.list(parent?.id, t);
    if (page.grants) grants.push(...page.grants);
    return page;
  };
  const queue: { type: string; parent?: Resource }[] = [...syncers.keys()].map((type) => ({ type }));
  while (queue.length > 0) {
    const { type, parent } = queue.shift()!;
    const syncer = syncers.get(type);
    if (!syncer) continue;
    const rows = await pages(listing(syncer, parent));
    for (const r of rows) {
      resources.push(r);
      for (const a of r.annotations) {
        const child = findAnnotation([a], ChildResourceTypeSchema);
        if (child) queue.push({ type: child.resourceTypeId, parent: r });
      }
    }
  }
  const entitlements: Entitlement[] = [];
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
