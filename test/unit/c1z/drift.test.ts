import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeV1 } from '../../../shared/c1z/container.ts';
import { computeDrift, describeDrift } from '../../../shared/c1z/drift.ts';
import { compareKeys, mergeByKey } from '../../../shared/c1z/key-order.ts';
import { C1zReader, openC1z } from '../../../shared/c1z/reader.ts';
import { compareSyncs } from '../../../shared/sync/compare-syncs.ts';
import { DEFAULT_SHRINK_POLICY } from '../../../shared/sync/shrink-guard.ts';
import { range, writeOrg } from '../../support/org-file.ts';
import { tempDir } from '../../support/tmp.ts';

async function pair(dir: string, older: Parameters<typeof writeOrg>[1], newer: Parameters<typeof writeOrg>[1]) {
  await writeOrg(join(dir, 'old.c1z'), older);
  await writeOrg(join(dir, 'new.c1z'), newer);
  return [await openC1z(join(dir, 'old.c1z')), await openC1z(join(dir, 'new.c1z'))] as const;
}

describe('key order', () => {
  it('matches SQLite (UTF-8 bytes), also where UTF-16 order differs', () => {
    // U+FF5E sorts before U+1F600 in UTF-8 but after its surrogates in UTF-16.
    const keys = ['b', 'a', 'é', '\u{1F600}', '\uFF5E', 'a:b', 'a:a'];
    const sorted = [...keys].sort(compareKeys);
    expect(sorted).toEqual([...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    expect(sorted.indexOf('\uFF5E')).toBeLessThan(sorted.indexOf('\u{1F600}'));
  });

  it('merges two ordered walks into older-only, newer-only and both', () => {
    const id = (s: string) => s;
    const steps = [...mergeByKey(['a', 'c', 'd'], ['b', 'c', 'e'], id, id)].map((m) => `${m.side}:${m.side === 'older' ? m.older : m.newer}`);
    expect(steps).toEqual(['older:a', 'newer:b', 'both:c', 'older:d', 'newer:e']);
  });
});

describe('drift', () => {
  it('counts resources, entitlements and grants added and removed per resource type, with a bounded sample', async () => {
    const dir = tempDir('drift-');
    const [older, newer] = await pair(
      dir,
      { users: range(0, 20), groups: { 0: range(0, 10), 1: range(10, 20), 2: [1, 2] } },
      // users 0-2 leave, 20-24 join; group 2 is gone, group 3 is new; group 0 loses 0-2 and gains 20.
      { users: range(3, 25), groups: { 0: [...range(3, 10), 20], 1: range(10, 20), 3: [21, 22, 23] } },
    );
    try {
      const d = computeDrift(older, newer, 2);
      expect(d.totals).toEqual({
        resources: { added: 5 + 1, removed: 3 + 1 },
        entitlements: { added: 1, removed: 1 },
        grants: { added: 1 + 3, removed: 3 + 2 },
      });
      expect(d.byResourceType).toEqual({
        user: { resources: { added: 5, removed: 3 }, entitlements: { added: 0, removed: 0 }, grants: { added: 0, removed: 0 } },
        group: { resources: { added: 1, removed: 1 }, entitlements: { added: 1, removed: 1 }, grants: { added: 4, removed: 5 } },
      });
      expect(d.sample.resources.removed).toEqual(['group:G2', 'user:U0']);
      expect(d.sample.grants.added).toHaveLength(2);
      expect(describeDrift(d)).toBe('resources +6 -4, entitlements +1 -1, grants +4 -5');
    } finally {
      older.close();
      newer.close();
    }
  });

  it('reads the new sync in place from its database, with the same figures as from the packed file', async () => {
    const dir = tempDir('drift-');
    const org = { users: range(0, 5), groups: { 0: [0, 1] } };
    await writeOrg(join(dir, 'old.c1z'), { users: range(0, 8), groups: { 0: [0, 1, 2] } });
    await writeOrg(join(dir, 'new.c1z'), org);
    // The database the file was packed from, as a sync's work folder holds it.
    await decodeV1(join(dir, 'new.c1z'), join(dir, 'decoded.db'));
    const older = await openC1z(join(dir, 'old.c1z'));
    const inPlace = C1zReader.openDatabase(join(dir, 'decoded.db'));
    const packed = await openC1z(join(dir, 'new.c1z'));
    try {
      expect(computeDrift(older, inPlace)).toEqual(computeDrift(older, packed));
      expect(computeDrift(older, inPlace).totals.resources.removed).toBe(3);
    } finally {
      older.close();
      inPlace.close();
      packed.close();
    }
  });

  it('compareSyncs: the guard verdict and the drift of one pair', async () => {
    const dir = tempDir('drift-');
    const [older, newer] = await pair(dir, { users: range(0, 100), groups: { 0: range(0, 100) } }, { users: range(0, 40), groups: { 0: range(0, 40) } });
    try {
      const c = compareSyncs(older, newer, { policy: DEFAULT_SHRINK_POLICY });
      expect(c.verdict.shrinks).toEqual([
        { what: 'principals', from: 100, to: 40 },
        { what: 'grants', from: 100, to: 40 },
      ]);
      expect(c.previous.principalTypes).toEqual(['user']);
      expect(c.drift?.totals.grants).toEqual({ added: 0, removed: 60 });
    } finally {
      older.close();
      newer.close();
    }
  });
});
