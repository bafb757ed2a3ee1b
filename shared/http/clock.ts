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

/** A wait that would end after the slice's deadline: the work goes back in the queue instead. */
export class DeadlineReached extends Error {
  override readonly name = 'DeadlineReached';
  readonly waitMs: number;
  constructor(waitMs: number) {
    super(`a wait of ${(waitMs / 1000).toFixed(1)} s would end after this invocation's deadline`);
    this.waitMs = waitMs;
  }
}

/** The clock with a wall: sleeping past `deadline` throws DeadlineReached without sleeping. */
export function withDeadline(clock: Clock, deadline: number | undefined): Clock {
  if (deadline === undefined) return clock;
  return {
    now: () => clock.now(),
    sleep: (ms) => (ms > 0 && clock.now() + ms > deadline ? Promise.reject(new DeadlineReached(ms)) : clock.sleep(ms)),
  };
}

/** True when `err` or anything in its cause chain is a DeadlineReached. */
export function isDeadlineReached(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) if (e instanceof DeadlineReached) return true;
  return false;
}
