// Client-side token buckets so a sync runs at an API's published rate instead of discovering it
// through 429s. Implemented as GCRA (a "theoretical arrival time" per key), which is a token bucket
// without a refill timer: each grant moves the key's clock forward by one interval, so waits are
// exactly as long as the rate requires and never padded.
import type { RateLimit } from './types.ts';
import { systemClock, type Clock } from './clock.ts';

interface Bucket {
  /** Theoretical arrival time: when the bucket would be empty again at the sustained rate. */
  tat: number;
  intervalMs: number;
  burst: number;
  /**
   * Share of the configured rate in use (AIMD): halved by every throttle, grown 2 % by every
   * unthrottled response. A key whose real limit is below what the connector declared (Segment
   * publishes none) settles just under the real limit instead of hitting 429 on every release.
   */
  factor: number;
  /** Waiters in arrival order; only the head is ever granted, which keeps the queue FIFO. */
  queue: { resolve: () => void; reject: (err: unknown) => void }[];
  pumping: boolean;
}

export interface RateLimiterOptions {
  /** Multiplies every perMinute (simulators compress time by the same factor). */
  scale?: number;
  clock?: Clock;
}

const MIN_FACTOR = 1 / 4096;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
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

  /** About how long a request taken now would wait (the queue ahead of it included). */
  estimateWaitMs(limit: RateLimit): number {
    const bucket = this.bucket(limit);
    return Math.max(0, this.waitMs(bucket, this.clock.now())) + bucket.queue.length * this.interval(bucket);
  }

  /**
   * The API said "wait `ms`" for this key (429 or an app-level throttle): hold every queued and
   * future request on it until then, and restart from an empty bucket so the requests that were
   * waiting do not all fire at once when the pause ends.
   */
  pause(key: string, ms: number): void {
    const bucket = this.buckets.get(key);
    if (!bucket || !(ms > 0)) return;
    bucket.factor = Math.max(MIN_FACTOR, bucket.factor / 2);
    const until = this.clock.now() + ms;
    bucket.tat = Math.max(bucket.tat, until + (bucket.burst - 1) * this.interval(bucket));
  }

  /** A request on the key went through unthrottled: creep back towards the configured rate. */
  recover(key: string): void {
    const bucket = this.buckets.get(key);
    if (bucket && bucket.factor < 1) bucket.factor = Math.min(1, bucket.factor * 1.02);
  }

  private interval(bucket: Bucket): number {
    return bucket.intervalMs / bucket.factor;
  }

  private bucket(limit: RateLimit): Bucket {
    const perMs = (limit.perMinute * this.scale) / 60_000;
    if (!(perMs > 0)) throw new Error(`rate limit ${limit.key}: perMinute must be positive, got ${limit.perMinute}`);
    const intervalMs = 1 / perMs;
    const burst = Math.max(1, Math.floor(limit.burst ?? 1));
    let bucket = this.buckets.get(limit.key);
    if (!bucket) {
      bucket = { tat: 0, intervalMs, burst, factor: 1, queue: [], pumping: false };
      this.buckets.set(limit.key, bucket);
    }
    // Callers normally name one rate per key; if they differ, the latest wins rather than failing.
    bucket.intervalMs = intervalMs;
    bucket.burst = burst;
    return bucket;
  }

  private waitMs(bucket: Bucket, now: number): number {
    const allowAt = Math.max(bucket.tat, now) - (bucket.burst - 1) * this.interval(bucket);
    return allowAt - now;
  }

  private grant(bucket: Bucket, now: number): void {
    bucket.tat = Math.max(bucket.tat, now) + this.interval(bucket);
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
