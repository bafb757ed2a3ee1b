import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openC1z } from '../../../shared/c1z/reader.ts';

const FIXTURES = new URL('../../fixtures/c1z/', import.meta.url).pathname;
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('reader on baton-sdk fixtures', () => {
  it('reads the finished full sync with the fixture README counts, stats agreeing', async () => {
    const path = `${FIXTURES}sqlite-v1-finished-full-sync.c1z`;
    const before = sha(path);
    const r = await openC1z(path);
    try {
      expect(r.sync.syncId).toBe('36zfOAoWMxQdISbixanQCRBiX7E');
      expect(r.sync.endedAt).not.toBeNull();
      expect(r.chosenBy).toBe('latest finished full sync');
      expect(r.decodedBytes).toBe(15_462_400);
      expect(r.counts()).toEqual({ resourceTypes: 4, resources: 1221, entitlements: 342, grants: 14981 });
      const stats = r.statsByResourceType();
      const sum = (k: 'resources' | 'entitlements' | 'grants') => stats.reduce((n, s) => n + s[k], 0);
      expect([sum('resources'), sum('entitlements'), sum('grants')]).toEqual([1221, 342, 14981]);
      expect([...r.resourceTypes()].map((t) => t.id).sort()).toEqual(stats.map((s) => s.resourceType).sort());
      let grants = 0;
      for (const g of r.grants()) {
        // Ids follow the SDK layout, and the old GrantExpandable annotations were backfilled out of the blobs.
        expect(g.id).toBe(`${g.entitlement?.id}:${g.principal?.id?.resourceType}:${g.principal?.id?.resource}`);
        expect(g.annotations.some((a) => a.typeUrl.endsWith('GrantExpandable'))).toBe(false);
        grants++;
      }
      expect(grants).toBe(14981);
      expect([...r.resources({ resourceType: 'group' })]).toHaveLength(stats.find((s) => s.resourceType === 'group')!.resources);
    } finally {
      r.close();
    }
    expect(sha(path)).toBe(before);
  });

  it('reads the unfinished sync fixture and says it is unfinished', async () => {
    const path = `${FIXTURES}sqlite-v1-unfinished-sync.c1z`;
    const before = sha(path);
    const r = await openC1z(path);
    try {
      expect(r.sync.syncId).toBe('3ARefY5G8eOytquwYgm41Nq07IZ');
      expect(r.sync.endedAt).toBeNull();
      expect(r.chosenBy).toMatch(/unfinished/);
      expect(r.decodedBytes).toBe(139_264);
      expect(r.counts()).toEqual({ resourceTypes: 5, resources: 79, entitlements: 0, grants: 0 });
      expect(r.statsByResourceType().reduce((n, s) => n + s.resources, 0)).toBe(79);
    } finally {
      r.close();
    }
    expect(sha(path)).toBe(before);
  });
});
