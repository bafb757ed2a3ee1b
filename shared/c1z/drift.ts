// What changed between two syncs, per resource type: resources, entitlements and grants added and
// removed. Both syncs are walked in id order side by side (one SQLite cursor each), so two files of
// a million grants compare in one pass without either being loaded. The Lambda publishes this after
// every sync; `baton-serverless diff -o json` prints the same figures under "drift".
import { mergeByKey } from './key-order.ts';
import type { C1zReader } from './reader.ts';

export const DRIFT_KINDS = ['resources', 'entitlements', 'grants'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export interface Change {
  added: number;
  removed: number;
}

export type KindChanges = Record<DriftKind, Change>;

export interface Drift {
  totals: KindChanges;
  /** Keyed by the resource type of the row (a grant's and an entitlement's: the resource it is on). */
  byResourceType: Record<string, KindChanges>;
  /** The first ids added and removed per kind, at most `sampleSize` each. */
  sample: Record<DriftKind, { added: string[]; removed: string[] }>;
}

export const DEFAULT_DRIFT_SAMPLE = 10;

export function emptyChanges(): KindChanges {
  return { resources: { added: 0, removed: 0 }, entitlements: { added: 0, removed: 0 }, grants: { added: 0, removed: 0 } };
}

const same = (k: string) => k;

type Side = Pick<C1zReader, 'orderedKeys' | 'resourceTypeOf'>;

/**
 * The walks read keys only (the index alone); a row's resource type is looked up just for the rows
 * that differ, which hourly churn keeps few.
 */
export function computeDrift(older: Side, newer: Side, sampleSize = DEFAULT_DRIFT_SAMPLE): Drift {
  const totals = emptyChanges();
  const byResourceType: Record<string, KindChanges> = {};
  const sample = {
    resources: { added: [] as string[], removed: [] as string[] },
    entitlements: { added: [] as string[], removed: [] as string[] },
    grants: { added: [] as string[], removed: [] as string[] },
  };
  for (const kind of DRIFT_KINDS) {
    const total = totals[kind];
    const seen = sample[kind];
    for (const m of mergeByKey(older.orderedKeys(kind), newer.orderedKeys(kind), same, same)) {
      if (m.side === 'both') continue;
      const key = m.side === 'older' ? m.older : m.newer;
      const type = (m.side === 'older' ? older : newer).resourceTypeOf(kind, key) ?? '';
      const perType = (byResourceType[type] ??= emptyChanges())[kind];
      if (m.side === 'older') {
        total.removed += 1;
        perType.removed += 1;
        if (seen.removed.length < sampleSize) seen.removed.push(key);
      } else {
        total.added += 1;
        perType.added += 1;
        if (seen.added.length < sampleSize) seen.added.push(key);
      }
    }
  }
  return { totals, byResourceType, sample };
}

/** "resources +3 -1, entitlements +0 -0, grants +40 -12": the totals in one phrase. */
export function describeDrift(d: Pick<Drift, 'totals'>): string {
  return DRIFT_KINDS.map((k) => `${k} +${d.totals[k].added} -${d.totals[k].removed}`).join(', ');
}
