// Time source for the client and the rate limiter. Injectable (internally, not part of the public
// options) so tests can skip a five-minute Retry-After instead of sleeping through it.

export interface Clock {
  /** Milliseconds since the epoch; monotonic in the system clock so spacing is not upset by NTP steps. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  sleep: (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()),
};
