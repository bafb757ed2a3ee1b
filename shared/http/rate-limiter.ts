// Client-side token buckets so a sync runs at an API's published rate instead of discovering it
// through 429s. Implemented as GCRA (a "theoretical arrival time" per key), which is a token bucket
// without a refill timer: each grant moves the key's clock forward by one interval, so waits are
// exactly as long as the rate requires and never padded.
//
// A throttle halves the key's rate, never below MIN_FACTOR of it, and the rate climbs back to the
// configured one within one window of the API (a minute for most) without another throttle. An
// API whose real limit is below the declared one (Segment publishes none) therefore costs at most
// about one throttle per window, and a storm of throttles never slows a key to a crawl: the worst
// steady pace is MIN_FACTOR of the published rate, and it is back to full a window later.

import { type Clock, systemClock } from './clock.ts';
import type { RateLimit } from './types.ts';

/** The lowest share of the configured rate a key is slowed to, however many throttles it gets. */
export const MIN_FACTOR = 1 / 4;
/** Default window of an API's limits: the time a throttled key takes to get its full rate back. */
export const DEFAULT_WINDOW_MS = 60_000;

interface Bucket {
  /** Theoretical arrival time: when the bucket would be empty again at the sustained rate. */
  tat: number;
  intervalMs: number;
  burst: number;
  /** Real milliseconds kept back from the burst (RateLimit.jitterMs; never scaled). */
  jitterMs: number;
  /** Recovery time (already scaled): from `throttledFactor` back to 1, linearly. */
  windowMs: number;
  /** Share of the configured rate just after the last throttle, and when that was. */
  throttledFactor: number;
  throttledAt: number | undefined;
  /** Waiters in arrival order; only the head is ever granted, which keeps the queue FIFO. */
  queue: { resolve: () => void; reject: (err: unknown) => void }[];
  pumping: boolean;
}

/** Where a key's schedule stands: what a later process needs to go on at the same pace. */
export interface BucketSnapshot {
  tat: number;
  throttledFactor: number;
  throttledAt?: number;
}

export interface RateLimiterOptions {
  /** Multiplies every perMinute and divides every window (simulators compress time by the same factor). */
  scale?: number;
  clock?: Clock;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  /** Snapshots restored for keys not used yet: applied when the key's bucket is made. */
  private readonly seeds = new Map<string, BucketSnapshot>();
  private readonly scale: number;
  private readonly clock: Clock;

  constructor(options: RateLimiterOptions = {}) {
    this.scale = options.scale ?? 1;
    this.clock = options.clock ?? systemClock;
  }

  /** Resolves when the caller may send one request under `limit`. */
  take(limit: RateLimit): Promise<void> {
    const bucket = this.bucket(limit);
    if (bucket.queue.length === 0) {
      const now = this.clock.now();
      if (this.waitMs(bucket, now) <= 0) {
        this.grant(bucket, now);
        return Promise.resolve();
      }
    }
    return new Promise((resolve, reject) => {
      bucket.queue.push({ resolve, reject });
      if (!bucket.pumping) void this.pump(bucket);
    });
  }

  /** Every key's schedule, in the clock's epoch milliseconds. */
  snapshot(): Record<string, BucketSnapshot> {
    const out: Record<string, BucketSnapshot> = {};
    for (const [key, b] of this.buckets)
      out[key] = { tat: b.tat, throttledFactor: b.throttledFactor, ...(b.throttledAt === undefined ? {} : { throttledAt: b.throttledAt }) };
    return out;
  }

  /**
   * Goes on from another limiter's snapshot (an earlier slice of the same sync): the API's own
   * buckets did not refill because this process is new, so neither does ours. A key already in use
   * keeps the later of the two schedules.
   */
  restore(snapshot: Readonly<Record<string, BucketSnapshot>>): void {
    for (const [key, seed] of Object.entries(snapshot)) {
      const bucket = this.buckets.get(key);
      if (bucket) {
        bucket.tat = Math.max(bucket.tat, seed.tat);
        continue;
      }
      this.seeds.set(key, seed);
    }
  }

  /** How long a request taken now would wait (the queue ahead of it included). */
  estimateWaitMs(limit: RateLimit): number {
    const bucket = this.bucket(limit);
    const now = this.clock.now();
    return Math.max(0, this.waitMs(bucket, now)) + bucket.queue.length * this.interval(bucket, now);
  }

  /** The share of the configured rate `key` runs at now (1 when it was never throttled). */
  factor(key: string): number {
    const bucket = this.buckets.get(key);
    return bucket ? this.factorAt(bucket, this.clock.now()) : 1;
  }

  /**
   * The API said "wait `ms`" for this key (429 or an app-level throttle): hold every queued and
   * future request on it until then, and restart from an empty bucket so the requests that were
   * waiting do not all fire at once when the pause ends.
   */
  pause(key: string, ms: number): void {
    const bucket = this.buckets.get(key);
    if (!bucket || !(ms >= 0)) return;
    const now = this.clock.now();
    bucket.throttledFactor = Math.max(MIN_FACTOR, this.factorAt(bucket, now) / 2);
    bucket.throttledAt = now;
    const until = now + ms;
    bucket.tat = Math.max(bucket.tat, until + this.tolerance(bucket));
  }

  private factorAt(bucket: Bucket, now: number): number {
    if (bucket.throttledAt === undefined) return 1;
    const recovered = (now - bucket.throttledAt) / bucket.windowMs;
    if (recovered >= 1) return 1;
    return bucket.throttledFactor + (1 - bucket.throttledFactor) * Math.max(0, recovered);
  }

  private interval(bucket: Bucket, now: number): number {
    return bucket.intervalMs / this.factorAt(bucket, now);
  }

  private bucket(limit: RateLimit): Bucket {
    const perMs = (limit.perMinute * this.scale) / 60_000;
    if (!(perMs > 0)) throw new Error(`rate limit ${limit.key}: perMinute must be positive, got ${limit.perMinute}`);
    const intervalMs = 1 / perMs;
    const burst = Math.max(1, Math.floor(limit.burst ?? 1));
    const windowMs = (limit.windowMs ?? DEFAULT_WINDOW_MS) / this.scale;
    let bucket = this.buckets.get(limit.key);
    if (!bucket) {
      const seed = this.seeds.get(limit.key);
      bucket = {
        tat: seed?.tat ?? 0,
        intervalMs,
        burst,
        jitterMs: limit.jitterMs ?? 0,
        windowMs,
        throttledFactor: seed?.throttledFactor ?? 1,
        throttledAt: seed?.throttledAt,
        queue: [],
        pumping: false,
      };
      this.buckets.set(limit.key, bucket);
    }
    // Callers normally name one rate per key; if they differ, the latest wins rather than failing.
    bucket.intervalMs = intervalMs;
    bucket.burst = burst;
    bucket.jitterMs = limit.jitterMs ?? 0;
    bucket.windowMs = windowMs;
    return bucket;
  }

  /** How far ahead of now the arrival time may run: the burst, in time at the configured rate, less the jitter margin. */
  private tolerance(bucket: Bucket): number {
    return Math.max(0, (bucket.burst - 1) * bucket.intervalMs - bucket.jitterMs);
  }

  private waitMs(bucket: Bucket, now: number): number {
    return Math.max(bucket.tat, now) - this.tolerance(bucket) - now;
  }

  private grant(bucket: Bucket, now: number): void {
    bucket.tat = Math.max(bucket.tat, now) + this.interval(bucket, now);
  }

  // One loop per busy key hands out grants in queue order. It re-reads the bucket after every
  // sleep, so a pause() that arrives while it sleeps simply extends the next sleep. A grant after
  // a sleep is booked at the time it was due, not the time the timer fired: otherwise each timer's
  // lateness would push the schedule back and the key would run measurably below its rate.
  private async pump(bucket: Bucket): Promise<void> {
    bucket.pumping = true;
    try {
      let dueAt: number | undefined;
      while (bucket.queue.length > 0) {
        const now = this.clock.now();
        const wait = this.waitMs(bucket, now);
        if (wait > 0) {
          dueAt = now + wait;
          try {
            await this.clock.sleep(wait);
          } catch (err) {
            // The clock refused the wait (past the slice's deadline): everyone behind would wait
            // longer still, so all of them get the refusal now.
            for (const waiter of bucket.queue.splice(0)) waiter.reject(err);
            return;
          }
          continue;
        }
        this.grant(bucket, dueAt === undefined ? now : Math.min(now, dueAt));
        dueAt = undefined;
        bucket.queue.shift()?.resolve();
      }
    } finally {
      bucket.pumping = false;
    }
  }
}
