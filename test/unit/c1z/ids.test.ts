import { describe, expect, it } from 'vitest';
import { isKsuid, ksuidTime, newKsuid } from '../../../shared/c1z/ksuid.ts';
import { sqliteTimestamp } from '../../../shared/c1z/timestamp.ts';

describe('KSUID', () => {
  it('encodes the fixture sync id time (2025-12-17T23:31:25Z)', () => {
    expect(ksuidTime('36zfOAoWMxQdISbixanQCRBiX7E').toISOString()).toBe('2025-12-17T23:31:25.000Z');
  });
  it('is 27 base62 characters, carries its time, and sorts by time', () => {
    const a = newKsuid(new Date('2026-01-01T00:00:00Z'));
    const b = newKsuid(new Date('2026-01-01T00:00:01Z'));
    expect(isKsuid(a)).toBe(true);
    expect(ksuidTime(a).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(a < b).toBe(true);
  });
  it('zero payload at the epoch is all zeros', () => {
    expect(newKsuid(new Date(1_400_000_000_000), new Uint8Array(16))).toBe('000000000000000000000000000');
  });
});

describe('timestamps', () => {
  it('use the Go layout in UTC with trailing zeros trimmed', () => {
    expect(sqliteTimestamp(new Date('2025-12-17T16:31:25.057Z'))).toBe('2025-12-17 16:31:25.057');
    expect(sqliteTimestamp(new Date('2025-12-17T16:31:25.100Z'))).toBe('2025-12-17 16:31:25.1');
    expect(sqliteTimestamp(new Date('2025-12-17T16:31:25.000Z'))).toBe('2025-12-17 16:31:25');
  });
});
