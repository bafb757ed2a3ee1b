import { describe, expect, it } from 'vitest';
import { backoffMs, parseRetryAfter } from '../../../shared/http/backoff.ts';

describe('backoffMs', () => {
  it('grows exponentially under full jitter and respects the cap', () => {
    expect([0, 1, 2, 3].map((n) => backoffMs(n, 100, 1000, () => 0.999))).toEqual([99, 199, 399, 799]);
    expect(backoffMs(10, 100, 1000, () => 0.999)).toBe(999);
    expect(backoffMs(3, 100, 1000, () => 0)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads seconds, fractions and HTTP dates', () => {
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
  });
  it('returns undefined for absent or unreadable values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
