// `sync --previous FILE`: the Lambda's shrink guard and drift on this machine. The new sync is
// written beside the output first; it replaces --out only when the guard lets it, otherwise it is
// kept as `<out>.held.c1z` and the command fails with what shrank.
import { rename } from 'node:fs/promises';
import { describeDrift } from '../../shared/c1z/drift.ts';
import { type C1zReader, openC1z } from '../../shared/c1z/reader.ts';
import { compareSyncs, type SyncComparison } from '../../shared/sync/compare-syncs.ts';
import { DEFAULT_SHRINK_POLICY, describeShrinks, type ShrinkPolicy } from '../../shared/sync/shrink-guard.ts';
import type { Parsed } from './spec.ts';
import { UsageError } from './usage.ts';

export class ShrinkHeld extends Error {
  override name = 'ShrinkHeld';
}

export function policyOf(values: Parsed['values']): ShrinkPolicy {
  const percent = (flag: string, fallback: number) => {
    const raw = values[flag] as string | undefined;
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100)
      throw new UsageError(`sync: --${flag} takes a percentage from 0 to 100, not ${JSON.stringify(raw)}`);
    return n;
  };
  return {
    enabled: true,
    maxPrincipalDropPercent: percent('max-principal-drop', DEFAULT_SHRINK_POLICY.maxPrincipalDropPercent),
    maxGrantDropPercent: percent('max-grant-drop', DEFAULT_SHRINK_POLICY.maxGrantDropPercent),
  };
}

export function heldPath(outPath: string): string {
  return `${outPath}.held.c1z`;
}

/** Compares `candidate` with `previous`, then moves it to `outPath` or, if held, beside it. */
export async function guardLocally(previous: C1zReader, candidate: string, outPath: string, policy: ShrinkPolicy, tmpDir: string): Promise<SyncComparison> {
  const next = await openC1z(candidate, { tmpDir });
  let comparison: SyncComparison;
  try {
    comparison = compareSyncs(previous, next, { policy });
  } finally {
    next.close();
  }
  if (comparison.verdict.blocked) await rename(candidate, heldPath(outPath));
  else await rename(candidate, outPath);
  return comparison;
}

export function heldMessage(comparison: SyncComparison, previousPath: string, outPath: string): string {
  return `the shrink guard held the new sync back: ${describeShrinks(comparison.verdict.shrinks)} against ${previousPath}; ${outPath} is unchanged and the new sync is ${heldPath(outPath)}. If the org really shrank, accept it: mv ${heldPath(outPath)} ${outPath}`;
}

export function comparisonJson(c: SyncComparison): Record<string, unknown> {
  return {
    shrinkGuard: { blocked: c.verdict.blocked, shrinks: c.verdict.shrinks },
    ...(c.drift ? { drift: { totals: c.drift.totals, byResourceType: c.drift.byResourceType, sample: c.drift.sample } } : {}),
  };
}

export function comparisonLines(c: SyncComparison): string[] {
  if (!c.drift) return [];
  const lines = [`drift against the previous sync: ${describeDrift(c.drift)}`];
  for (const [type, k] of Object.entries(c.drift.byResourceType)) {
    lines.push(
      `  ${type}: resources +${k.resources.added} -${k.resources.removed}, entitlements +${k.entitlements.added} -${k.entitlements.removed}, grants +${k.grants.added} -${k.grants.removed}`,
    );
  }
  return lines;
}
