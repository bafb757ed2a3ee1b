// Whole syncs into c1z files read back with the reader: the fixed org row for row in each mode,
// and a seeded tenant's counts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connector as fullstoryConnector } from '../../../lambdas/fullstory/connector.ts';
import { simulator as fullstorySim, startFullstorySim } from '../../../lambdas/fullstory/sim/index.ts';
import { ResourceType_Trait } from '../../../shared/c1z/messages.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import type { HttpEvent } from '../../../shared/http/types.ts';
import { syncToFile } from '../../../shared/sync/run-sync.ts';
import { EXPECTED_API_ROWS, EXPECTED_SCIM_ROWS, FIXED_TENANT } from '../../unit/fullstory/fixtures.ts';
import { toRow } from '../../unit/fullstory/rows.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fullstory-c1z-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const FAST = { baseBackoffMs: 5, maxBackoffMs: 20 };

describe('fullstory: sync into a c1z and read it back', () => {
  for (const mode of ['scim', 'apikey'] as const) {
    it(`${mode} mode: the fixed org, row for row`, async () => {
      const sim = await startFullstorySim({ tenant: FIXED_TENANT, rateLimits: 'off', scimPageCap: 3, apiPageSize: 2 });
      try {
        const out = join(dir, `fixed-${mode}.c1z`);
        const summary = await syncToFile({ connector: fullstoryConnector, secretMap: sim.config(mode), out, httpOverrides: FAST });
        const expected = mode === 'scim' ? EXPECTED_SCIM_ROWS : EXPECTED_API_ROWS;
        expect(summary.counts).toEqual({ resourceTypes: 1, resources: expected.length, entitlements: 0, grants: 0 });
        expect(summary.mode).toMatch(new RegExp(`^mode=${mode} `));
        // validate + pages (SCIM: 7 seats in pages of 3; API: 5 end-users in pages of 2).
        expect(summary.http.requests).toBe(4);

        const reader = await openC1z(out);
        try {
          const types = [...reader.resourceTypes()];
          expect(types.map((t) => [t.id, t.displayName, t.traits])).toEqual([['user', 'User', [ResourceType_Trait.USER]]]);
          const rows = [...reader.resources({ resourceType: 'user' })].map(toRow);
          const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
          expect(rows.sort(byId)).toEqual([...expected].sort(byId));
          expect([...reader.entitlements()]).toEqual([]);
          expect([...reader.grants()]).toEqual([]);
        } finally {
          reader.close();
        }
      } finally {
        await sim.close();
      }
    });

    it(`${mode} mode: a seeded tenant (the demo's simulator) matches its expected counts through the real rate limit`, async () => {
      const running = await fullstorySim.start({ seed: 11, users: 180, rateLimits: 'real', extra: { mode, scimPageCap: 5, apiPageSize: 5 } });
      try {
        // The simulator's clock stands still until its first 429, so the 36 pages outrun its burst
        // however slowly they go out; from then on it runs in real time and the sync rides it out.
        let thawedAt: number | undefined;
        running.server.limiter.now = () => (thawedAt === undefined ? 0 : performance.now() - thawedAt);
        const onEvent = (e: HttpEvent) => {
          if (e.type === 'throttled') thawedAt ??= performance.now();
        };
        const out = join(dir, `seeded-${mode}.c1z`);
        const summary = await syncToFile({ connector: fullstoryConnector, secretMap: running.config, out, httpOverrides: { ...FAST, onEvent } });
        expect(summary.counts).toEqual(running.expected);
        // 36 small pages outrun the simulated burst of 20: the 429s were waited out, not fatal.
        expect(summary.http.throttles).toBeGreaterThan(0);
        expect(running.server.calls.filter((c) => c.status === 429).length).toBe(summary.http.throttles);
        const reader = await openC1z(out);
        try {
          expect(reader.counts()).toEqual(running.expected);
        } finally {
          reader.close();
        }
      } finally {
        await running.server.close();
      }
    });
  }

  it('a rejected credential fails the sync with the mode-naming error and leaves no file', async () => {
    const sim = await startFullstorySim({ tenant: FIXED_TENANT, rateLimits: 'off' });
    try {
      const out = join(dir, 'rejected.c1z');
      await expect(
        syncToFile({ connector: fullstoryConnector, secretMap: { ...sim.config('scim'), BATON_SCIM_TOKEN: 'regenerated-token' }, out }),
      ).rejects.toThrow('fullstory (scim mode): BATON_SCIM_TOKEN was rejected (HTTP 401)');
      await expect(openC1z(out)).rejects.toThrow();
    } finally {
      await sim.close();
    }
  });
});
