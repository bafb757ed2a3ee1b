// Segment's published read limit, in real time: a sync that outruns the burst is throttled by the
// simulator and rides it out. Real waits, so it lives in the integration lane, not the unit lane.
import { describe, expect, it } from 'vitest';
import { generateTenant } from '../../../lambdas/segment/sim/index.ts';
import { build, sim } from '../../unit/segment/harness.ts';
import { walk } from '../../unit/segment/walk.ts';

describe('segment under its real rate limit', () => {
  it('the simulator rate limit (429 + X-RateLimit-*) is ridden out by a full sync', async () => {
    const tenant = generateTenant({ seed: 5, users: 150, groups: 3 });
    // 3000/min with a burst of 100 (Segment's published read limit): ~170 calls at full speed outrun
    // the bucket. The simulator's clock stands still until its first 429, so the burst runs out however
    // slowly the calls go out; from then on it runs in real time and the sync has to ride the limit out.
    let thawedAt: number | undefined;
    const s = await sim({ tenant, rateLimits: 'real', limiterNow: () => (thawedAt === undefined ? 0 : performance.now() - thawedAt) });
    const { connector, runtime } = build(s.config(), {
      onEvent: (e) => {
        if (e.type === 'throttled') thawedAt ??= performance.now();
      },
    });
    const out = await walk(connector);
    expect(runtime.httpStats().throttles).toBeGreaterThan(0);
    expect(out.resources.filter((r) => r.id?.resourceType === 'user')).toHaveLength(150);
    const throttled = s.server.calls.filter((c) => c.status === 429);
    expect(throttled.length).toBe(runtime.httpStats().throttles);
  });
});
