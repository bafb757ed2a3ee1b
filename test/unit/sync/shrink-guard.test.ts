import { describe, expect, it } from 'vitest';
import { checkShrink, DEFAULT_SHRINK_POLICY, describeShrinks, principalTypesOf, type SyncShape } from '../../../shared/sync/shrink-guard.ts';

const shape = (users: number, groups: number, grants: number, extra: SyncShape['types'] = []): SyncShape => ({
  types: [
    { resourceType: 'user', resources: users, entitlements: 0, grants: 0 },
    { resourceType: 'group', resources: groups, entitlements: groups, grants },
    ...extra,
  ],
  principalTypes: ['user'],
});

describe('shrink guard', () => {
  it('never blocks a first sync, nor any sync when switched off', () => {
    expect(checkShrink(undefined, shape(0, 0, 0), DEFAULT_SHRINK_POLICY)).toEqual({ blocked: false, shrinks: [] });
    expect(checkShrink(shape(1000, 10, 5000), shape(0, 0, 0), { ...DEFAULT_SHRINK_POLICY, enabled: false }).blocked).toBe(false);
  });

  it('lets normal churn through: a few users and grants come and go', () => {
    expect(checkShrink(shape(1000, 10, 5000), shape(995, 10, 4990), DEFAULT_SHRINK_POLICY)).toEqual({ blocked: false, shrinks: [] });
    expect(checkShrink(shape(1000, 10, 5000), shape(1200, 12, 8000), DEFAULT_SHRINK_POLICY).blocked).toBe(false);
  });

  it('exactly the allowed share passes; one more principal blocks', () => {
    expect(checkShrink(shape(1000, 10, 5000), shape(500, 10, 5000), DEFAULT_SHRINK_POLICY).blocked).toBe(false);
    expect(checkShrink(shape(1000, 10, 5000), shape(499, 10, 5000), DEFAULT_SHRINK_POLICY).shrinks).toEqual([{ what: 'principals', from: 1000, to: 499 }]);
  });

  it('blocks on grants past their own threshold', () => {
    const v = checkShrink(shape(1000, 10, 5000), shape(1000, 10, 1000), { ...DEFAULT_SHRINK_POLICY, maxGrantDropPercent: 70 });
    expect(v.shrinks).toEqual([{ what: 'grants', from: 5000, to: 1000 }]);
    expect(describeShrinks(v.shrinks)).toBe('grants 5,000 → 1,000 (-80 %)');
  });

  it('blocks a resource type whose resources or grants went to zero, even when the totals hold', () => {
    const before = shape(1000, 10, 5000, [{ resourceType: 'role', resources: 3, entitlements: 3, grants: 40 }]);
    const v = checkShrink(before, shape(1000, 10, 5000), DEFAULT_SHRINK_POLICY);
    expect(v.shrinks).toEqual([
      { what: 'role resources', from: 3, to: 0 },
      { what: 'role grants', from: 40, to: 0 },
    ]);
  });

  it('an empty org reports every shrink in one line', () => {
    const v = checkShrink(shape(1000, 10, 5000), shape(0, 0, 0), DEFAULT_SHRINK_POLICY);
    expect(v.blocked).toBe(true);
    expect(describeShrinks(v.shrinks)).toBe(
      'principals 1,000 → 0 (-100 %), grants 5,000 → 0 (-100 %), user resources 1,000 → 0 (-100 %), group resources 10 → 0 (-100 %), group grants 5,000 → 0 (-100 %)',
    );
  });

  it('principals are the user types, else the group types, else every type', () => {
    expect(
      principalTypesOf([
        { id: 'user', user: true, group: false },
        { id: 'team', user: false, group: true },
      ]),
    ).toEqual(['user']);
    expect(
      principalTypesOf([
        { id: 'team', user: false, group: true },
        { id: 'app', user: false, group: false },
      ]),
    ).toEqual(['team']);
    expect(principalTypesOf([{ id: 'source', user: false, group: false }])).toEqual(['source']);
  });
});
