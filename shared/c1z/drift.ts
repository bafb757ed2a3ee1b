// What changed between two syncs, per resource type: resources, entitlements and grants added and
// removed. Both syncs are walked in id order side by side (one SQLite cursor each), so two files of
// a million grants compare in one pass without either being loaded. The Lambda publishes this after
// every sync; `baton-serverless diff -o json` prints the same figures under "drift".
import { compareKeys } from './key-order.ts';
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

type Side = Pick<C1zReader, 'orderedKeyPages' | 'resourceTypeOf'>;

/** A position in a walk of key pages. */
class Cursor {
  private readonly pages: Iterator<string[]>;
  private page: string[] = [];
  private i = 0;
  key: string | undefined;
  constructor(pages: Iterable<string[]>) {
    this.pages = pages[Symbol.iterator]();
    this.i = -1;
    this.next();
  }
  next(): void {
    if (++this.i < this.page.length) {
      this.key = this.page[this.i];
      return;
    }
    const p = this.pages.next();
    this.page = p.done ? [] : p.value;
    this.i = 0;
    this.key = this.page[0];
  }
}

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
    // The merge of key-order.ts, unrolled over pages: this loop runs once per row of both files.
    const a = new Cursor(older.orderedKeyPages(kind));
    const b = new Cursor(newer.orderedKeyPages(kind));
    while (a.key !== undefined || b.key !== undefined) {
      const order = a.key === undefined ? 1 : b.key === undefined ? -1 : compareKeys(a.key, b.key);
      if (order === 0) {
        a.next();
        b.next();
        continue;
      }
      const removed = order < 0;
      const key = (removed ? a.key : b.key) as string;
      if (removed) a.next();
      else b.next();
      const type = (removed ? older : newer).resourceTypeOf(kind, key) ?? '';
      const perType = (byResourceType[type] ??= emptyChanges())[kind];
      if (removed) {
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
