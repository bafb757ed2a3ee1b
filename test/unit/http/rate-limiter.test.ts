import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpClient } from '../../../shared/http/client.ts';
import { DEFAULT_WINDOW_MS, MIN_FACTOR, RateLimiter } from '../../../shared/http/rate-limiter.ts';
import type { HttpEvent } from '../../../shared/http/types.ts';
import { manualClock, useSim } from './helpers.ts';

const sim = useSim();
const ok = z.object({ ok: z.literal(true) });

// 600/min scaled ×2 is 20 per second: one grant every 50 ms. Tests that check the schedule read it
// on a manual clock (time moves only by the limiter's own sleeps), so machine speed cannot shift it.
const limit = { key: 'users.list', perMinute: 600 };
const SCALE = 2;
const INTERVAL = 50;

describe('RateLimiter', () => {
  it('a limiter restored from a snapshot goes on at the pace the first one left, burst spent and throttle included', async () => {
    const clock = manualClock();
    const tier2 = { key: 'users.list', perMinute: 20, burst: 3 };
    const first = new RateLimiter({ clock });
    for (let i = 0; i < 3; i++) await first.take(tier2);
    first.pause(tier2.key, 0);
    expect(clock.sleeps).toEqual([]);
    // A new process (the next slice) with the snapshot: no fresh burst, and still slowed.
    const next = new RateLimiter({ clock });
    next.restore(JSON.parse(JSON.stringify(first.snapshot())));
    await next.take(tier2);
    expect(next.factor(tier2.key)).toBeLessThan(0.6);
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThan(0);
    // Without it, the same three calls would go at once.
    const fresh = new RateLimiter({ clock });
    clock.sleeps.splice(0);
    for (let i = 0; i < 3; i++) await fresh.take(tier2);
    expect(clock.sleeps).toEqual([]);
  });

  it('spaces sequential takes at exactly the rate', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ scale: SCALE, clock });
    const started = clock.now();
    for (let i = 0; i < 16; i++) await limiter.take(limit);
    // The first is free, then 15 intervals: at the limit, not below it and not padded.
    expect(clock.sleeps).toEqual(Array(15).fill(INTERVAL));
    expect(clock.now() - started).toBe(15 * INTERVAL);
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
    const clock = manualClock();
    const limiter = new RateLimiter({ scale: SCALE, clock });
    const order: number[] = [];
    const started = clock.now();
    await Promise.all(Array.from({ length: 16 }, (_, i) => limiter.take(limit).then(() => order.push(i))));
    expect(order).toEqual(Array.from({ length: 16 }, (_, i) => i));
    // The first at once, then one grant per interval: no waiter early, none padded.
    expect(clock.sleeps).toEqual(Array(15).fill(INTERVAL));
    expect(clock.now() - started).toBe(15 * INTERVAL);
  });

  it('allows a burst, then the sustained rate', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ scale: SCALE, clock });
    await Promise.all(Array.from({ length: 5 }, () => limiter.take({ ...limit, burst: 5 })));
    expect(clock.sleeps).toEqual([]);
    await limiter.take({ ...limit, burst: 5 });
    expect(clock.sleeps).toEqual([INTERVAL]);
  });

  it('a jitter margin is real time kept back: the last of the burst waits it, later requests keep the rate that far behind', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ scale: SCALE, clock });
    const started = clock.now();
    await Promise.all(Array.from({ length: 7 }, () => limiter.take({ ...limit, burst: 5, jitterMs: 10 })));
    // Four at once, the fifth 10 ms later (not scaled ×2 like the rate), then one per interval.
    expect(clock.sleeps).toEqual([10, INTERVAL, INTERVAL]);
    expect(clock.now() - started).toBe(10 + 2 * INTERVAL);
  });

  it('keeps separate keys independent', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ scale: SCALE, clock });
    await limiter.take(limit);
    await limiter.take({ key: 'other', perMinute: 600 });
    expect(clock.sleeps).toEqual([]);
  });

  it('holds queued and later takes during a pause', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ scale: SCALE, clock });
    await limiter.take(limit);
    const queued = limiter.take(limit);
    limiter.pause(limit.key, 150);
    const pauseEnds = clock.now() + 150;
    await queued;
    expect(clock.now()).toBe(pauseEnds);
    // The next one a slot later at the halved rate the throttle left behind, already recovering
    // linearly over the (scaled) window since the throttle.
    const released = clock.now();
    const factor = limiter.factor(limit.key);
    expect(factor).toBeGreaterThan(0.5);
    expect(factor).toBeLessThan(0.51);
    await limiter.take(limit);
    expect(clock.now() - released).toBeCloseTo(INTERVAL / factor, 0);
  });
});

describe('client rate limits', () => {
  it('runs concurrent requests on one key at the limit', async () => {
    const clock = manualClock();
    const http = createHttpClient({ name: 'test', baseUrl: sim.server.url, rateLimitScale: SCALE }, { clock });
    await Promise.all(Array.from({ length: 11 }, () => http.request({ path: '/users', schema: ok, rateLimit: limit })));
    expect(sim.server.calls).toHaveLength(11);
    // The schedule the client kept, on its own clock: the first at once, then each of the other ten
    // exactly one interval after the one before (without the limiter: no wait at all).
    expect(clock.sleeps).toEqual(Array(10).fill(INTERVAL));
  });

  it('pauses the key on a 429 so other requests on it wait out the Retry-After', async () => {
    let served = 0;
    sim.handle(() => (served++ === 0 ? { status: 429, headers: { 'retry-after': '1' }, body: {} } : { body: { ok: true } }));
    let throttled!: () => void;
    const firstThrottled = new Promise<void>((resolve) => {
      throttled = resolve;
    });
    const onEvent = (e: HttpEvent) => {
      if (e.type === 'throttled') throttled();
    };
    const http = createHttpClient({ name: 'test', baseUrl: sim.server.url, rateLimitScale: SCALE, onEvent });
    const started = Date.now();
    const first = http.request({ path: '/users', schema: ok, rateLimit: limit });
    // The others start once the first has been told to wait, however long that answer takes.
    await firstThrottled;
    const others = Array.from({ length: 3 }, () => http.request({ path: '/users', schema: ok, rateLimit: limit }));
    await Promise.all([first, ...others]);
    const statuses = sim.server.calls.map((c) => c.status);
    expect(statuses).toEqual([429, 200, 200, 200, 200]);
    // Nothing reached the server during the pause.
    for (const call of sim.server.calls.slice(1)) expect(call.at - started).toBeGreaterThanOrEqual(990);
    expect(http.stats.throttles).toBe(1);
  });
});
