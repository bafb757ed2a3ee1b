// Okta syncs end to end against the simulator through the real HTTP client and engine: every row
// of a generated org, SSWS and OAuth (private_key_jwt), calls against both formulas, the empty-list
// trap, the email filter, and a sliced sync under time-scaled limits that yields exactly the
// ids of an unsliced one.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connector as okta } from '../../../lambdas/okta/connector.ts';
import { generateTenant, goFormulaCalls, orgShape, ourFormulaCalls, type RunningOktaSim, startOktaSim } from '../../../lambdas/okta/sim/index.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { pageBudget } from '../../../shared/sync/budget.ts';
import { folderCheckpointStore } from '../../../shared/sync/checkpoint-store.ts';
import { parseConnectorConfig, secretValuesOf } from '../../../shared/sync/config.ts';
import { ConnectorError } from '../../../shared/sync/connector.ts';
import { runSlicedSync } from '../../../shared/sync/lifecycle.ts';
import { syncToFile } from '../../../shared/sync/run-sync.ts';
import { tempDir } from '../../support/tmp.ts';
import { fixedTenant } from '../../unit/okta/fixture.ts';

const FAST = { baseBackoffMs: 5, maxBackoffMs: 20, timeoutMs: 5000 };

let sim: RunningOktaSim | undefined;
afterEach(async () => {
  await sim?.server.close();
  sim = undefined;
});

async function ids(file: string) {
  const r = await openC1z(file);
  try {
    return {
      resources: [...r.resources()].map((x) => `${x.id?.resourceType}:${x.id?.resource}`).sort(),
      entitlements: [...r.entitlements()].map((x) => x.id).sort(),
      grants: [...r.grants()].map((x) => x.id).sort(),
    };
  } finally {
    r.close();
  }
}

async function sync(s: RunningOktaSim, config = s.config) {
  const out = join(tempDir('okta-sync-'), 'sync.c1z');
  return { summary: await syncToFile({ connector: okta, secretMap: config, out, httpOverrides: FAST }), out };
}

describe('okta sync against the simulator', () => {
  it('syncs every row of a generated org with SSWS, in fewer calls than baton-okta', async () => {
    const tenant = generateTenant({ seed: 3, users: 1200 });
    sim = await startOktaSim({ tenant, rateLimits: 'off' });
    const { summary } = await sync(sim);
    expect(summary.counts).toEqual(sim.expected);
    const calls = sim.server.calls.length;
    const shape = orgShape(tenant);
    expect(calls).toBe(ourFormulaCalls(shape));
    expect(calls).toBeLessThanOrEqual(goFormulaCalls(shape));
    // Deactivated users are listed (search=status pr), every page at Okta's maximum.
    const userPages = sim.server.calls.filter((c) => c.path === '/api/v1/users' && c.query.search === 'status pr');
    expect(userPages.every((c) => c.query.limit === '200')).toBe(true);
    expect(sim.server.calls.filter((c) => /\/apps\/[^/]+\/users$/.test(c.path)).every((c) => c.query.limit === '500')).toBe(true);
    expect(sim.server.calls.filter((c) => /\/apps\/[^/]+\/groups$/.test(c.path)).every((c) => c.query.limit === '200')).toBe(true);
  });

  it("at most 10 requests in flight (Okta's guidance; the org allows 75), and more than one", async () => {
    sim = await startOktaSim({ tenant: generateTenant({ seed: 8, users: 600 }), rateLimits: 'off' });
    sim.controls.latencyMs = 20;
    const { summary } = await sync(sim);
    expect(summary.counts).toEqual(sim.expected);
    expect(sim.controls.peakInFlight).toBeLessThanOrEqual(10);
    expect(sim.controls.peakInFlight).toBeGreaterThan(1);
  });

  it('OAuth 2.0: one token from the token endpoint (assertion verified), then the same rows', async () => {
    sim = await startOktaSim({ tenant: fixedTenant(), rateLimits: 'off', auth: 'oauth', flags: { syncCustomRoles: true, syncSecrets: true } });
    const { summary } = await sync(sim);
    expect(summary.counts).toEqual(sim.expected);
    expect(sim.server.count('/oauth2/v1/token')).toBe(1);
    expect([...sim.controls.issued.values()][0]?.scopes).toContain('okta.apiTokens.read');
  });

  it('an OAuth app whose key does not match fails at the token endpoint naming the keys', async () => {
    const tenant = fixedTenant();
    sim = await startOktaSim({ tenant, rateLimits: 'off', auth: 'oauth' });
    const other = generateTenant({ seed: 99, users: 1 }).clients[0]!.privateKeyPem;
    const err = await sync(sim, { ...sim.config, BATON_OKTA_PRIVATE_KEY: other }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/BATON_OKTA_CLIENT_ID: Okta's token endpoint refused the client \(HTTP 401 invalid_client/);
    expect(err?.message).not.toContain('PRIVATE KEY');
  });

  it('the empty-list trap: an OAuth app without an admin role fails validate with a clear error, never an empty org', async () => {
    const tenant = fixedTenant();
    tenant.clients[0]!.adminRole = false;
    sim = await startOktaSim({ tenant, rateLimits: 'off', auth: 'oauth' });
    const empty = await sync(sim).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(empty).toBeInstanceOf(ConnectorError);
    expect((empty as Error).message).toMatch(/BATON_OKTA_CLIENT_ID can call Okta but sees no users .*needs an admin role.*refusing to sync an "empty" org/);
    sim.controls.noAdminRole = '403';
    const denied = await sync(sim).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(denied?.message).toMatch(/BATON_OKTA_CLIENT_ID may not list users \(403 E0000006\): an OAuth service app needs an admin role/);
  });

  it('BATON_FILTER_EMAIL_DOMAINS: admins outside the domains get no role grants', async () => {
    sim = await startOktaSim({ tenant: fixedTenant(), rateLimits: 'off' });
    const { out } = await sync(sim, { ...sim.config, BATON_FILTER_EMAIL_DOMAINS: 'partner.test' });
    const got = await ids(out);
    expect(got.resources.filter((r) => r.startsWith('user:'))).toEqual(['user:00u3']);
    expect(got.grants.filter((g) => g.startsWith('role:') && g.includes(':user:'))).toEqual([]);
    const { out: all } = await sync(sim, { ...sim.config, BATON_FILTER_EMAIL_DOMAINS: 'acme.test' });
    expect((await ids(all)).grants).toContain('role:SUPER_ADMIN:assigned:user:00u1');
  });

  it('time-scaled Workforce limits, several slices: exactly the ids of an unsliced sync, no 429', async () => {
    const tenant = generateTenant({ seed: 5, users: 1500, groups: 300, apps: 12 });
    const free = await startOktaSim({ tenant, rateLimits: 'off' });
    let unsliced: Awaited<ReturnType<typeof ids>>;
    try {
      unsliced = await ids((await sync(free)).out);
    } finally {
      await free.server.close();
    }
    // Windows of 60/SCALE s; slices of a fixed number of pages, so how many there are does not
    // depend on the machine's speed.
    const SCALE = 30;
    sim = await startOktaSim({ tenant, rateLimits: SCALE });
    const dir = tempDir('okta-sliced-');
    const out = join(dir, 'sync.c1z');
    const summary = await runSlicedSync({
      definition: okta,
      config: parseConnectorConfig(okta, sim.config),
      secretValues: secretValuesOf(sim.config),
      out,
      workRoot: dir,
      store: folderCheckpointStore(join(dir, 'checkpoints')),
      sliceBudget: () => pageBudget(250),
      httpOverrides: FAST,
    });
    expect(summary.slices).toBeGreaterThanOrEqual(3);
    expect(await ids(out)).toEqual(unsliced);
    expect(sim.server.calls.filter((c) => c.status === 429)).toEqual([]);
  });
});
