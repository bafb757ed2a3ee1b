// How groups and apps reach the engine: one Okta page of groups (up to 10,000) handed out 200 at a
// time, each chunk followed by its share of the apps, so app grants interleave with group grants;
// a resumed process (a new slice) reads the page again and hands out the same rows.
import { afterEach, describe, expect, it } from 'vitest';
import { generateTenant, type RunningOktaSim, startOktaSim } from '../../../lambdas/okta/sim/index.ts';
import type { Connector } from '../../../shared/sync/connector.ts';
import { makeConnector } from './walk.ts';

let sim: RunningOktaSim | undefined;
afterEach(async () => {
  await sim?.server.close();
  sim = undefined;
});

const groupLister = (c: Connector) => c.resourceSyncers().find((s) => s.resourceType.id === 'group')!;

describe('okta group listing', () => {
  it('chunks of 200 groups, each with 8 apps, the rest of the apps with the last chunk; one /groups call', async () => {
    sim = await startOktaSim({ tenant: generateTenant({ seed: 2, users: 50, groups: 450, apps: 20 }), rateLimits: 'off' });
    const lister = groupLister(makeConnector(sim.config).connector);
    const shapes: string[] = [];
    let token: string | undefined;
    do {
      const page = await lister.list(undefined, token);
      const groups = page.rows.filter((r) => r.id?.resourceType === 'group').length;
      const apps = page.rows.filter((r) => r.id?.resourceType === 'app').length;
      // Groups first, then the chunk's apps.
      expect(page.rows.slice(0, groups).every((r) => r.id?.resourceType === 'group')).toBe(true);
      shapes.push(`${groups}+${apps}`);
      token = page.nextPageToken;
    } while (token);
    // 451 groups (Everyone too) and 20 apps.
    expect(shapes).toEqual(['200+8', '200+8', '51+4']);
    expect(sim.server.count('/api/v1/groups')).toBe(1);
    expect(sim.server.count('/api/v1/apps')).toBe(1);
  });

  it('a new process resuming from a token reads the page once more and continues where it was', async () => {
    sim = await startOktaSim({ tenant: generateTenant({ seed: 2, users: 50, groups: 450, apps: 20 }), rateLimits: 'off' });
    const first = groupLister(makeConnector(sim.config).connector);
    const p1 = await first.list(undefined, undefined);
    const p2 = await first.list(undefined, p1.nextPageToken);
    const resumed = groupLister(makeConnector(sim.config).connector);
    const again = await resumed.list(undefined, p1.nextPageToken);
    expect(again.rows.map((r) => r.id?.resource)).toEqual(p2.rows.map((r) => r.id?.resource));
    expect(again.nextPageToken).toBe(p2.nextPageToken);
    expect(sim.server.count('/api/v1/groups')).toBe(2);
  });
});
