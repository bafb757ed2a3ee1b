// Whole syncs against the Segment simulator: syncToFile writes a c1z, read back with the reader.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connector as segmentConnector } from '../../../lambdas/segment/connector.ts';
import { goFormulaFor, simulator as segmentSim, startSegmentSim } from '../../../lambdas/segment/sim/index.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { syncToFile } from '../../../shared/sync/run-sync.ts';
import { tempDir } from '../../support/tmp.ts';
import { EXPECTED_ENTITLEMENTS, EXPECTED_GRANTS, EXPECTED_RESOURCES, fixedTenant } from '../../unit/segment/fixture.ts';

const FAST = { baseBackoffMs: 2, maxBackoffMs: 10 };
const idOf = (r: { id?: { resourceType: string; resource: string } }) => `${r.id?.resourceType}:${r.id?.resource}`;

describe('segment full sync into c1z', () => {
  it('the fixed tenant reads back with exactly the expected ids', async () => {
    const dir = tempDir('bs-segment-');
    const sim = await startSegmentSim({ tenant: fixedTenant(), rateLimits: 'off' });
    try {
      const out = join(dir, 'sync.c1z');
      const summary = await syncToFile({ connector: segmentConnector, secretMap: sim.config(), out, httpOverrides: FAST });
      expect(summary.counts).toMatchObject({
        resourceTypes: 8,
        resources: EXPECTED_RESOURCES.length,
        entitlements: EXPECTED_ENTITLEMENTS.length,
        grants: EXPECTED_GRANTS.length,
      });
      const reader = await openC1z(out);
      try {
        expect([...reader.resourceTypes()].map((t) => t.id).sort()).toEqual(['function', 'group', 'role', 'source', 'space', 'user', 'warehouse', 'workspace']);
        expect([...reader.resources()].map(idOf).sort()).toEqual(EXPECTED_RESOURCES);
        expect([...reader.entitlements()].map((e) => e.id).sort()).toEqual(EXPECTED_ENTITLEMENTS);
        expect([...reader.grants()].map((g) => g.id).sort()).toEqual(EXPECTED_GRANTS);
      } finally {
        reader.close();
      }
      expect(sim.routeCounts()['GET /roles']).toBe(1);
    } finally {
      await sim.close();
    }
  });

  it('a seeded tenant through the AppSimulator contract matches its expected counts, under the Go call formula', async () => {
    const dir = tempDir('bs-segment-');
    const running = await segmentSim.start({ seed: 11, users: 700, rateLimits: 'off', extra: { groups: 15, membersPerGroup: 230 } });
    try {
      const out = join(dir, 'sync.c1z');
      const summary = await syncToFile({ connector: segmentConnector, secretMap: running.config, out, httpOverrides: FAST });
      expect(summary.counts).toMatchObject(running.expected!);
      expect(existsSync(out)).toBe(true);
      const reader = await openC1z(out);
      try {
        expect(reader.counts()).toMatchObject(running.expected!);
        const entIds = new Set([...reader.entitlements()].map((e) => e.id));
        let dangling = 0;
        for (const g of reader.grants()) if (!entIds.has(g.entitlement?.id ?? '')) dangling += 1;
        expect(dangling).toBe(0);
      } finally {
        reader.close();
      }
      expect(running.server.calls.filter((c) => c.path === '/roles')).toHaveLength(1);
      expect(running.server.calls.length).toBeLessThan(
        goFormulaFor((await import('../../../lambdas/segment/sim/index.ts')).generateTenant({ seed: 11, users: 700, groups: 15, membersPerGroup: 230 })),
      );
    } finally {
      await running.server.close();
    }
  });
});
