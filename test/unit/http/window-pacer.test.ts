// The header-driven window pacer: spends a reported window one below its limit and within the
// per-token share, holds requests until Reset, and starts afresh when a window ends. Time is injected.
import { describe, expect, it } from 'vitest';
import { WindowPacer } from '../../../shared/http/window-pacer.ts';

const T0 = 1_800_000_000_000;
const headers = (limit: number, remaining: number, resetSec: number) => ({
  'x-rate-limit-limit': String(limit),
  'x-rate-limit-remaining': String(remaining),
  'x-rate-limit-reset': String(resetSec),
});

/** Sends requests one by one at `now`, each answered with the server's count, until the pacer holds one back. */
function spend(p: WindowPacer, key: string, now: number, limit: number, resetSec: number, start = 0): number {
  let sent = 0;
  while (p.delayMs(key, now) === 0 && sent < 10_000) {
    p.sent(key, now);
    sent += 1;
    p.observe(key, 200, headers(limit, limit - start - sent, resetSec), now);
  }
  return sent;
}

describe('WindowPacer', () => {
  it('spends a full window one below the limit, then waits until Reset', () => {
    const p = new WindowPacer({ share: 1 });
    expect(spend(p, 'apps', T0, 100, T0 / 1000 + 30)).toBe(99);
    expect(p.delayMs('apps', T0)).toBe(30_000);
    // At Reset the window is fresh again.
    expect(p.delayMs('apps', T0 + 30_000)).toBe(0);
  });

  it("keeps to the token's share of the bucket (Okta: 50 % per token)", () => {
    const p = new WindowPacer({ share: 0.5 });
    expect(spend(p, 'apps', T0, 100, T0 / 1000 + 60)).toBe(49);
    expect(p.delayMs('apps', T0 + 1000)).toBe(59_000);
  });

  it('stops when the org has less left than the share (other clients use the bucket too)', () => {
    const p = new WindowPacer({ share: 0.5 });
    p.sent('apps', T0);
    p.observe('apps', 200, headers(100, 99, T0 / 1000 + 60), T0);
    // Someone else then uses 90 of the window's 100.
    let sent = 0;
    while (p.delayMs('apps', T0) === 0) {
      p.sent('apps', T0);
      sent += 1;
      p.observe('apps', 200, headers(100, 100 - 1 - 90 - sent, T0 / 1000 + 60), T0);
    }
    expect(sent).toBe(8);
  });

  it('counts requests in flight against what Remaining did not see yet', () => {
    const p = new WindowPacer({ share: 1, reserve: 1 });
    p.sent('k', T0);
    p.observe('k', 200, headers(10, 5, T0 / 1000 + 60), T0);
    for (let i = 0; i < 4; i++) {
      expect(p.delayMs('k', T0)).toBe(0);
      p.sent('k', T0);
    }
    // 5 left, 4 in flight, 1 kept in reserve.
    expect(p.delayMs('k', T0)).toBeGreaterThan(0);
  });

  it('keys are independent buckets', () => {
    const p = new WindowPacer({ share: 1 });
    spend(p, 'apps', T0, 10, T0 / 1000 + 60);
    expect(p.delayMs('apps', T0)).toBeGreaterThan(0);
    expect(p.delayMs('groups', T0)).toBe(0);
  });

  it('a 429 (Remaining 0) holds everything until Reset', () => {
    const p = new WindowPacer({ share: 0.5 });
    p.sent('k', T0);
    p.observe('k', 429, headers(600, 0, T0 / 1000 + 12), T0);
    expect(p.delayMs('k', T0)).toBe(12_000);
  });

  it("uses the server's Date when our clock is seconds off", () => {
    const p = new WindowPacer({ share: 1 });
    const server = T0 - 120_000;
    p.sent('k', T0);
    p.observe('k', 200, { ...headers(2, 0, server / 1000 + 10), date: new Date(server).toUTCString() }, T0);
    expect(p.delayMs('k', T0)).toBe(10_000);
  });

  it('a window that ends with requests in flight counts them in the next one', () => {
    const p = new WindowPacer({ share: 1, reserve: 0 });
    p.sent('k', T0);
    p.observe('k', 200, headers(3, 2, T0 / 1000 + 1), T0);
    p.sent('k', T0);
    p.sent('k', T0);
    expect(p.delayMs('k', T0)).toBe(1000);
    // Reset passes with both still in flight: one more fits in the new window of three.
    expect(p.delayMs('k', T0 + 1000)).toBe(0);
    p.sent('k', T0 + 1000);
    expect(p.delayMs('k', T0 + 1000)).toBeGreaterThan(0);
  });

  it('answers that stop carrying headers stop the pacing', () => {
    const p = new WindowPacer({ share: 0.5 });
    p.sent('k', T0);
    p.observe('k', 429, headers(10, 0, T0 / 1000 + 5), T0);
    expect(p.delayMs('k', T0)).toBe(5000);
    for (let i = 0; i < 50; i++) {
      expect(p.delayMs('k', T0 + 5000)).toBe(0);
      p.sent('k', T0 + 5000);
      p.observe('k', 200, {}, T0 + 5000);
    }
  });

  it('until a first answer, one request at a time finds out the window (a new slice knows nothing)', () => {
    const p = new WindowPacer({ share: 1 });
    expect(p.delayMs('k', T0)).toBe(0);
    p.sent('k', T0);
    expect(p.delayMs('k', T0)).toBeGreaterThan(0);
    p.observe('k', 200, headers(100, 3, T0 / 1000 + 60), T0);
    expect(p.delayMs('k', T0)).toBe(0);
  });

  it("a first answer's count of the window is taken as this token's (an earlier slice spent it)", () => {
    const p = new WindowPacer({ share: 0.5 });
    p.sent('k', T0);
    p.observe('k', 200, headers(100, 60, T0 / 1000 + 30), T0);
    // 40 used in this window already: 49 - 40 = 9 more.
    let more = 0;
    while (p.delayMs('k', T0) === 0) {
      p.sent('k', T0);
      more += 1;
    }
    expect(more).toBe(9);
  });

  it('no headers: nothing to pace by', () => {
    const p = new WindowPacer({ share: 0.5 });
    for (let i = 0; i < 100; i++) {
      expect(p.delayMs('k', T0)).toBe(0);
      p.sent('k', T0);
      p.observe('k', 200, {}, T0);
    }
  });

  it('refuses a share outside (0, 1]', () => {
    expect(() => new WindowPacer({ share: 0 })).toThrow(/share/);
    expect(() => new WindowPacer({ share: 1.5 })).toThrow(/share/);
  });
});
