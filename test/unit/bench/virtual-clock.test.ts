import { describe, expect, it } from 'vitest';
import { virtualClock } from '../../bench/virtual-clock.ts';

describe('the benchmarks’ virtual clock', () => {
  it('a wait with nothing else to do takes no real time, and the clock reads its end', async () => {
    const clock = virtualClock();
    const t0 = clock.now();
    const real0 = performance.now();
    await clock.sleep(60_000);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(60_000);
    expect(clock.skippedMs()).toBeGreaterThan(60_000 - (performance.now() - real0));
  });

  it('waits that overlap pass together, and wake in deadline order', async () => {
    const clock = virtualClock();
    const t0 = clock.now();
    const woke: string[] = [];
    await Promise.all([
      clock.sleep(3_000).then(() => woke.push(`a ${Math.round((clock.now() - t0) / 1000)}`)),
      clock.sleep(1_000).then(() => woke.push(`b ${Math.round((clock.now() - t0) / 1000)}`)),
      clock.sleep(3_000).then(() => woke.push(`c ${Math.round((clock.now() - t0) / 1000)}`)),
    ]);
    expect(woke).toEqual(['b 1', 'a 3', 'c 3']);
    expect(Math.round((clock.now() - t0) / 1000)).toBe(3);
  });

  it('work done during a wait counts against it: a wait that passed while the process worked skips nothing', async () => {
    const clock = virtualClock();
    const woke = clock.sleep(50);
    // 200 ms of work, longer than the wait, with no turn of the event loop in between.
    const until = performance.now() + 200;
    while (performance.now() < until);
    await woke;
    expect(clock.skippedMs()).toBe(0);
  });
});
