// One comparison of a new sync with the previous one, shared by the Lambda (before it replaces the
// live file), `sync --previous` and `diff`: the shrink guard's verdict on their counts and the drift
// between their ids.
import { computeDrift, DEFAULT_DRIFT_SAMPLE, type Drift } from '../c1z/drift.ts';
import { ResourceType_Trait } from '../c1z/messages.ts';
import type { C1zReader } from '../c1z/reader.ts';
import { checkShrink, principalTypesOf, type ShrinkPolicy, type ShrinkVerdict, type SyncShape } from './shrink-guard.ts';

export function shapeOf(reader: Pick<C1zReader, 'typeStats' | 'resourceTypes'>): SyncShape {
  const traits = [...reader.resourceTypes()].map((t) => ({
    id: t.id,
    user: t.traits.includes(ResourceType_Trait.USER),
    group: t.traits.includes(ResourceType_Trait.GROUP),
  }));
  return { types: reader.typeStats(), principalTypes: principalTypesOf(traits) };
}

export interface SyncComparison {
  previous: SyncShape;
  next: SyncShape;
  verdict: ShrinkVerdict;
  /** Absent when drift was not asked for. */
  drift?: Drift;
}

export function compareSyncs(previous: C1zReader, next: C1zReader, options: { policy: ShrinkPolicy; drift?: boolean; sampleSize?: number }): SyncComparison {
  const before = shapeOf(previous);
  const after = shapeOf(next);
  const verdict = checkShrink(before, after, options.policy);
  const drift = options.drift === false ? undefined : computeDrift(previous, next, options.sampleSize ?? DEFAULT_DRIFT_SAMPLE);
  return { previous: before, next: after, verdict, ...(drift ? { drift } : {}) };
}
