// Okta's failure modes through the real HTTP client against the simulator: refused credentials
// and missing admin roles fail at once naming the key; 429 E0000047 (forced, or a token that
// overruns its share of a bucket) waits until X-Rate-Limit-Reset; 5xx, timeouts, resets and cut
// JSON are retried and the sync still produces every row; a revoked token stops the run.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connector as okta } from '../../../lambdas/okta/connector.ts';
import { generateTenant, type RunningOktaSim, SIM_API_TOKEN, startOktaSim } from '../../../lambdas/okta/sim/index.ts';
import { HttpError } from '../../../shared/http/errors.ts';
import { ConnectorError } from '../../../shared/sync/connector.ts';
import { syncToFile } from '../../../shared/sync/run-sync.ts';
import { tempDir } from '../../support/tmp.ts';
import { fixedTenant } from '../../unit/okta/fixture.ts';

const FAST = { baseBackoffMs: 5, maxBackoffMs: 20, timeoutMs: 1500 };

let sim: RunningOktaSim | undefined;
afterEach(async () => {
  await sim?.server.close();
  sim = undefined;
});

function run(s: RunningOktaSim, config = s.config) {
  return syncToFile({ connector: okta, secretMap: config, out: join(tempDir('okta-err-'), 'sync.c1z'), httpOverrides: FAST });
}

async function failure(p: Promise<unknown>): Promise<Error> {
  let err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  // The engine wraps a page's failure in a SyncStepError that names the step.
  if (!(err instanceof ConnectorError) && !(err instanceof HttpError) && err instanceof Error && err.cause) err = err.cause;
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

describe('okta credentials and permissions fail the run at once', () => {
  it('401 E0000011: names BATON_API_TOKEN, not its value, after one call', async () => {
    sim = await startOktaSim({ tenant: fixedTenant(), rateLimits: 'off' });
    const bad = '00bogus-token-value-0123456789';
    const err = await failure(run(sim, { ...sim.config, BATON_API_TOKEN: bad }));
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.message).toMatch(
      /BATON_API_TOKEN was rejected by Okta on \/api\/v1\/users \(HTTP 401 E0000011 "Invalid token provided"\): the token is invalid, expired or revoked/,
    );
    expect(err.message).not.toContain(bad);
    expect(sim.server.calls).toHaveLength(1);
  });

  it('403 E0000006 mid-sync names the key and the admin role it lacks', async () => {
    sim = await startOktaSim({ tenant: fixedTenant(), rateLimits: 'off' });
    sim.controls.forceError({
      status: 403,
      code: 'E0000006',
      summary: 'You do not have permission to perform the requested action',
      pathIncludes: '/api/v1/apps',
    });
    const err = await failure(run(sim));
    expect((err as ConnectorError).code).toBe('permission_denied');
    expect(err.message).toMatch(/BATON_API_TOKEN may not call \/api\/v1\/apps \(HTTP 403 E0000006 .*lacks the admin role/);
  });

  it('a group whose roles the token may not read is skipped, as baton-okta does', async () => {
    sim = await startOktaSim({ tenant: fixedTenant(), rateLimits: 'off' });
    sim.controls.forceError({ status: 403, code: 'E0000006', summary: 'You do not have permission', pathIncludes: '/groups/00g2/roles' });
    const summary = await run(sim);
    // The two role grants Engineers holds are missing; everything else is there.
    expect(summary.counts.grants).toBe(sim.expected.grants - 1);
  });

  it('a token revoked mid-sync stops at the first refused call, nothing retried', async () => {
    sim = await startOktaSim({ tenant: fixedTenant(), rateLimits: 'off' });
    sim.controls.forceError({ status: 401, code: 'E0000011', summary: 'Invalid token provided', pathIncludes: '/api/v1/iam/assignees' });
    const err = await failure(run(sim));
    expect((err as ConnectorError).code).toBe('unauthenticated');
    expect(sim.server.count('/iam/assignees')).toBe(1);
    sim.controls.revoked.add(SIM_API_TOKEN);
    const before = sim.server.calls.length;
    expect(((await failure(run(sim))) as ConnectorError).code).toBe('unauthenticated');
    expect(sim.server.calls.length - before).toBe(1);
  });

  it('an OAuth access token revoked mid-sync: one new token, and the sync completes', async () => {
    sim = await startOktaSim({ tenant: fixedTenant(), rateLimits: 'off', auth: 'oauth' });
    const s = sim;
    let revokedOne = false;
    const original = s.controls.issued.set.bind(s.controls.issued);
    s.controls.issued.set = (token, grant) => {
      if (!revokedOne) {
        revokedOne = true;
        // Okta drops the first token once it has been used a few times.
        setTimeout(() => s.controls.revoked.add(token), 0);
      }
      return original(token, grant);
    };
    const summary = await run(s);
    expect(summary.counts).toEqual(s.expected);
    expect(s.server.count('/oauth2/v1/token')).toBe(2);
  });
});

describe('okta rate limits and transient faults are waited out', () => {
  it('429 E0000047 waits until X-Rate-Limit-Reset, then every row arrives', async () => {
    sim = await startOktaSim({ tenant: fixedTenant(), rateLimits: 'off' });
    sim.controls.forceRateLimit({ times: 2, pathIncludes: '/api/v1/groups', resetInSec: 1 });
    const started = Date.now();
    const summary = await run(sim);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(summary.counts).toEqual(sim.expected);
    expect(summary.http.throttles).toBe(2);
    expect(sim.server.calls.filter((c) => c.path === '/api/v1/groups').map((c) => c.status)).toEqual([429, 429, 200]);
  });

  it('a 429 storm (a token that thinks it owns the whole bucket) recovers from the headers and completes', async () => {
    sim = await startOktaSim({ tenant: generateTenant({ seed: 4, users: 300, groups: 120, apps: 6 }), rateLimits: 600 });
    // Okta gives the token 5 % of each bucket; the client is told 100 %.
    sim.controls.limiter.tokenShare = 0.05;
    const summary = await run(sim, { ...sim.config, BATON_RATE_LIMIT_SHARE: '100' });
    expect(summary.counts).toEqual(sim.expected);
    const throttled = sim.server.calls.filter((c) => c.status === 429).length;
    expect(throttled).toBeGreaterThan(0);
    expect(summary.http.throttles).toBe(throttled);
  });

  it('with the right share the same org sees no 429 at all', async () => {
    sim = await startOktaSim({ tenant: generateTenant({ seed: 4, users: 300, groups: 120, apps: 6 }), rateLimits: 600 });
    sim.controls.limiter.tokenShare = 0.05;
    const summary = await run(sim, { ...sim.config, BATON_RATE_LIMIT_SHARE: '5' });
    expect(summary.counts).toEqual(sim.expected);
    expect(sim.server.calls.filter((c) => c.status === 429)).toEqual([]);
  });

  it('5xx, 503 pages, a timeout, a reset connection, malformed and truncated JSON are retried', async () => {
    sim = await startOktaSim({ tenant: fixedTenant(), rateLimits: 'off' });
    sim.server.fault({ kind: '5xx', pathIncludes: '/api/v1/users' });
    sim.server.fault({ kind: '503', pathIncludes: '/api/v1/groups' });
    sim.server.fault({ kind: 'timeout', pathIncludes: '/iam/assignees' });
    sim.server.fault({ kind: 'reset', pathIncludes: '/roles' });
    sim.server.fault({ kind: 'malformed', pathIncludes: '/apps' });
    sim.server.fault({ kind: 'truncated', pathIncludes: '/users' });
    const summary = await run(sim);
    expect(summary.counts).toEqual(sim.expected);
    expect(summary.http.retries).toBeGreaterThanOrEqual(6);
  });

  it('JSON that stays cut fails with one clear line naming the endpoint', async () => {
    sim = await startOktaSim({ tenant: fixedTenant(), rateLimits: 'off' });
    sim.server.fault({ kind: 'truncated', pathIncludes: '/api/v1/groups', times: Number.POSITIVE_INFINITY });
    const err = await failure(run(sim));
    expect(err.message).toMatch(/okta: GET \/api\/v1\/groups\?.* returned a body that is not valid JSON/);
    expect(err.message.split('\n')).toHaveLength(1);
  });

  it('a 5xx that never ends gives up after the retries with the status', async () => {
    sim = await startOktaSim({ tenant: fixedTenant(), rateLimits: 'off' });
    sim.server.fault({ kind: '5xx', pathIncludes: '/api/v1/apps', times: Number.POSITIVE_INFINITY });
    const err = await failure(run(sim));
    expect(err.message).toMatch(/okta: GET \/api\/v1\/apps.* failed: HTTP 500 after 7 attempts/);
  });
});
