import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpClient } from '../../../shared/http/client.ts';
import { DEFAULT_WINDOW_MS, MIN_FACTOR, RateLimiter } from '../../../shared/http/rate-limiter.ts';
import { manualClock, useSim } from './helpers.ts';

const sim = useSim();
const ok = z.object({ ok: z.literal(true) });

// 600/min scaled ×2 is 20 per second: one grant every 50 ms (wide enough for a loaded CI machine).
const limit = { key: 'users.list', perMinute: 600 };
const SCALE = 2;
const INTERVAL = 50;

describe('RateLimiter', () => {
  it('spaces sequential takes at exactly the rate', async () => {
    const limiter = new RateLimiter({ scale: SCALE });
    const started = performance.now();
    for (let i = 0; i < 16; i++) await limiter.take(limit);
    const elapsed = performance.now() - started;
    // The first is free, then 15 intervals: at the limit, not below it and not padded.
    expect(elapsed).toBeGreaterThanOrEqual(15 * INTERVAL - 2);
    expect(elapsed).toBeLessThan(15 * INTERVAL + 400);
  });

  it('halves the rate on a throttle but never below MIN_FACTOR, however many throttles come', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ clock });
    const tier2 = { key: 'users.list', perMinute: 20 };
    await limiter.take(tier2);
    limiter.pause(tier2.key, 1000);
    expect(limiter.factor(tier2.key)).toBe(0.5);
    // A storm: 13 throttles in a row (each asking for one second).
    for (let i = 0; i < 12; i++) limiter.pause(tier2.key, 1000);
    expect(limiter.factor(tier2.key)).toBe(MIN_FACTOR);
    clock.sleeps.splice(0);
    await limiter.take(tier2);
    await limiter.take(tier2);
    // The slot already booked (3 s after the first take, past the 1 s pause), then the next at no
    // worse than the floor's pace (3 s / MIN_FACTOR), not 3 s × 2^13.
    expect(clock.sleeps).toHaveLength(2);
    expect(clock.sleeps[0]).toBe(3000);
    expect(clock.sleeps[1]).toBeLessThanOrEqual(3000 / MIN_FACTOR);
  });

  it('gets the full rate back one window after the last throttle, whatever the number of good responses', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ clock });
    const tier2 = { key: 'users.list', perMinute: 20 };
    for (let i = 0; i < 8; i++) limiter.pause(tier2.key, 0);
    await limiter.take(tier2);
    for (let i = 0; i < 8; i++) limiter.pause(tier2.key, 1000);
    expect(limiter.factor(tier2.key)).toBe(MIN_FACTOR);
    await clock.sleep(DEFAULT_WINDOW_MS / 2);
    expect(limiter.factor(tier2.key)).toBeCloseTo(MIN_FACTOR + (1 - MIN_FACTOR) / 2, 6);
    await clock.sleep(DEFAULT_WINDOW_MS / 2);
    expect(limiter.factor(tier2.key)).toBe(1);
    clock.sleeps.splice(0);
    await limiter.take(tier2);
    await limiter.take(tier2);
    expect(clock.sleeps).toEqual([3000]);
  });

  it('scales the recovery window with the rate scale (simulators compress time)', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ clock, scale: 60 });
    const tier2 = { key: 'users.list', perMinute: 20 };
    await limiter.take(tier2);
    limiter.pause(tier2.key, 10);
    await clock.sleep(DEFAULT_WINDOW_MS / 60);
    expect(limiter.factor(tier2.key)).toBe(1);
  });

  it('serves concurrent waiters in arrival order at the same rate', async () => {
    const limiter = new RateLimiter({ scale: SCALE });
    const order: number[] = [];
    const grantedAt: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        limiter.take(limit).then(() => {
          order.push(i);
          grantedAt.push(performance.now());
        }),
      ),
    );
    const elapsed = performance.now() - started;
    expect(order).toEqual(Array.from({ length: 16 }, (_, i) => i));
    // Each grant lands on its slot (timers fire a little late, never early).
    grantedAt.forEach((t, i) => expect(t - started).toBeGreaterThanOrEqual(i * INTERVAL - 2));
    expect(elapsed).toBeGreaterThanOrEqual(15 * INTERVAL - 2);
    expect(elapsed).toBeLessThan(15 * INTERVAL + 400);
  });

  it('allows a burst, then the sustained rate', async () => {
    const limiter = new RateLimiter({ scale: SCALE });
    const started = performance.now();
    await Promise.all(Array.from({ length: 5 }, () => limiter.take({ ...limit, burst: 5 })));
    expect(performance.now() - started).toBeLessThan(INTERVAL);
    await limiter.take({ ...limit, burst: 5 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(INTERVAL - 2);
  });

  it('keeps separate keys independent', async () => {
    const limiter = new RateLimiter({ scale: SCALE });
    await limiter.take(limit);
    const started = performance.now();
    await limiter.take({ key: 'other', perMinute: 600 });
    expect(performance.now() - started).toBeLessThan(INTERVAL / 2);
  });

  it('holds queued and later takes during a pause', async () => {
    const limiter = new RateLimiter({ scale: SCALE });
    await limiter.take(limit);
    const started = performance.now();
    const queued = limiter.take(limit);
    limiter.pause(limit.key, 150);
    await queued;
    await limiter.take(limit);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150 + INTERVAL - 2);
    expect(elapsed).toBeLessThan(150 + INTERVAL + 400);
  });
});

describe('client rate limits', () => {
  it('runs concurrent requests on one key at the limit', async () => {
    const http = createHttpClient({ name: 'test', baseUrl: sim.server.url, rateLimitScale: SCALE });
    const started = performance.now();
    await Promise.all(Array.from({ length: 11 }, () => http.request({ path: '/users', schema: ok, rateLimit: limit })));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(10 * INTERVAL - 2);
    expect(elapsed).toBeLessThan(10 * INTERVAL + 400);
    const at = sim.server.calls.map((c) => c.at);
    expect(at).toHaveLength(11);
    // Arrivals at the server jitter (a loaded CI machine delays single requests by tens of ms), but
    // no run of k+1 calls may arrive in less than k-1 intervals (without the limiter all 11 land
    // within a few ms).
    for (let i = 0; i < at.length; i++) {
      for (let j = i + 2; j < at.length; j++) expect((at[j] ?? 0) - (at[i] ?? 0)).toBeGreaterThanOrEqual((j - i - 1) * INTERVAL);
    }
  });

  it('pauses the key on a 429 so other requests on it wait out the Retry-After', async () => {
    let served = 0;
    sim.handle(() => (served++ === 0 ? { status: 429, headers: { 'retry-after': '1' }, body: {} } : { body: { ok: true } }));
    const http = createHttpClient({ name: 'test', baseUrl: sim.server.url, rateLimitScale: SCALE });
    const started = Date.now();
    const first = http.request({ path: '/users', schema: ok, rateLimit: limit });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const others = Array.from({ length: 3 }, () => http.request({ path: '/users', schema: ok, rateLimit: limit }));
    await Promise.all([first, ...others]);
    const statuses = sim.server.calls.map((c) => c.status);
    expect(statuses).toEqual([429, 200, 200, 200, 200]);
    // Nothing reached the server during the pause.
    for (const call of sim.server.calls.slice(1)) expect(call.at - started).toBeGreaterThanOrEqual(990);
    expect(http.stats.throttles).toBe(1);
  });
});
