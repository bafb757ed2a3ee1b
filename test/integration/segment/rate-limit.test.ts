// Segment's published read limit, in real time: a sync that outruns the burst is throttled by the
// simulator and rides it out. Real waits, so it lives in the integration lane, not the unit lane.
import { describe, expect, it } from 'vitest';
import { generateTenant } from '../../../lambdas/segment/sim/index.ts';
import { build, sim } from '../../unit/segment/harness.ts';
import { walk } from '../../unit/segment/walk.ts';

describe('segment under its real rate limit', () => {
  it('the simulator rate limit (429 + X-RateLimit-*) is ridden out by a full sync', async () => {
    const tenant = generateTenant({ seed: 5, users: 150, groups: 3 });
    // 3000/min with a burst of 100 (Segment's published read limit): ~170 calls at full speed outrun the bucket.
    const s = await sim({ tenant, rateLimits: 'real' });
    const { connector, runtime } = build(s.config());
    const out = await walk(connector);
    expect(runtime.httpStats().throttles).toBeGreaterThan(0);
    expect(out.resources.filter((r) => r.id?.resourceType === 'user')).toHaveLength(150);
    const throttled = s.server.calls.filter((c) => c.status === 429);
    expect(throttled.length).toBe(runtime.httpStats().throttles);
  });
});
