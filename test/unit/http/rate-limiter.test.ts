import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpClient } from '../../../shared/http/client.ts';
import { RateLimiter } from '../../../shared/http/rate-limiter.ts';
import { manualClock, useSim } from './helpers.ts';
import type { HttpEvent } from '../../../shared/http/types.ts';

const sim = useSim();
const ok = z.object({ ok: z.literal(true) });

// 600/min scaled ×2 is 20 per second: one grant every 50 ms. Tests that check the schedule read it
// on a manual clock (time moves only by the limiter's own sleeps), so machine speed cannot shift it.
const limit = { key: 'users.list', perMinute: 600 };
const SCALE = 2;
const INTERVAL = 50;

describe('RateLimiter', () => {
  it('spaces sequential takes at exactly the rate', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ scale: SCALE, clock });
    const started = clock.now();
    for (let i = 0; i < 16; i++) await limiter.take(limit);
    // The first is free, then 15 intervals: at the limit, not below it and not padded.
    expect(clock.sleeps).toEqual(Array(15).fill(INTERVAL));
    expect(clock.now() - started).toBe(15 * INTERVAL);
  });

  it('halves the rate of a key after each throttle and creeps back on unthrottled responses', async () => {
    const limiter = new RateLimiter({ scale: SCALE });
    await limiter.take(limit);
    limiter.pause(limit.key, 1);
    limiter.pause(limit.key, 1);
    // A quarter of the rate: grants now come every 4 intervals.
    let started = performance.now();
    await limiter.take(limit);
    await limiter.take(limit);
    expect(performance.now() - started).toBeGreaterThanOrEqual(4 * INTERVAL - 2);
    // 70 unthrottled responses (×1.02 each, capped) restore the configured rate.
    for (let i = 0; i < 70; i++) limiter.recover(limit.key);
    await limiter.take(limit);
    started = performance.now();
    await limiter.take(limit);
    await limiter.take(limit);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(2 * INTERVAL - 2);
    expect(elapsed).toBeLessThan(5 * INTERVAL);
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
    // The next one slot later at the halved rate the throttle left behind.
    const released = clock.now();
    await limiter.take(limit);
    expect(clock.now() - released).toBe(2 * INTERVAL);
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
