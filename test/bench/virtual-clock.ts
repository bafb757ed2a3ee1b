// Virtual time for a benchmark's HTTP clients: a rate-limit wait takes no real time, everything
// else (CPU work, disk, S3) the real time it takes. While the process works the clock runs with
// real time and a sleeper wakes when its deadline passes, as at real speed; once the event loop has
// sat idle for a moment (nothing to do but wait), the clock jumps to the earliest deadline. So a
// sync paced at an API's real rates runs as fast as its CPU allows, and the clock reads what the
// wall would at real speed. It is not exact either way: I/O still in flight when it jumps lands
// after the jump instead of during the wait (long), and real timers' lateness is left out (short);
// against a real-time run of the same sync it read 5 % short.
import type { Clock } from '../../shared/http/clock.ts';

export interface VirtualClock extends Clock {
  /** Milliseconds the clock has jumped ahead of real time so far. */
  skippedMs(): number;
}

/** How long the loop must be (mostly) idle before the clock jumps, in real ms. */
const IDLE_MS = 2;

export function virtualClock(): VirtualClock {
  let skipped = 0;
  const sleepers: { at: number; resolve: () => void }[] = [];
  let due: NodeJS.Timeout | undefined;
  let idle: NodeJS.Timeout | undefined;
  const now = () => performance.timeOrigin + performance.now() + skipped;
  const wakeDue = () => {
    const t = now();
    while (sleepers.length > 0 && sleepers[0]!.at <= t) sleepers.shift()!.resolve();
    arm();
  };
  const arm = () => {
    clearTimeout(due);
    clearTimeout(idle);
    if (sleepers.length === 0) return;
    due = setTimeout(wakeDue, Math.max(0, sleepers[0]!.at - now()));
    let since = performance.eventLoopUtilization();
    const watch = () => {
      if (performance.eventLoopUtilization(since).utilization < 0.5) {
        skipped += Math.max(0, sleepers[0]!.at - now());
        wakeDue();
        return;
      }
      since = performance.eventLoopUtilization();
      idle = setTimeout(watch, IDLE_MS);
    };
    idle = setTimeout(watch, IDLE_MS);
  };
  return {
    now,
    sleep(ms) {
      if (ms <= 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const at = now() + ms;
        let i = sleepers.length;
        while (i > 0 && sleepers[i - 1]!.at > at) i--;
        sleepers.splice(i, 0, { at, resolve });
        if (i === 0) arm();
      });
    },
    skippedMs: () => skipped,
  };
}
