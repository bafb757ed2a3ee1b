// The connector against the Fullstory simulator through the real HTTP client: both modes, mode
// selection, paging on the wire, and every failure an app can answer with (bad token, 429, 5xx, malformed pages).
import { afterEach, describe, expect, it } from 'vitest';
import { connector as fullstoryConnector } from '../../../lambdas/fullstory/connector.ts';
import {
  type FullstorySim,
  type FullstorySimOptions,
  simulator as fullstorySim,
  generateTenant,
  startFullstorySim,
} from '../../../lambdas/fullstory/sim/index.ts';
import type { Resource } from '../../../shared/c1z/messages.ts';
import { HttpError } from '../../../shared/http/errors.ts';
import type { HttpClientOptions } from '../../../shared/http/types.ts';
import { parseConnectorConfig } from '../../../shared/sync/config.ts';
import { ConnectorError } from '../../../shared/sync/connector.ts';
import { createRuntime } from '../../../shared/sync/runtime.ts';
import { EXPECTED_API_ROWS, EXPECTED_SCIM_ROWS, FIXED_TENANT } from '../../unit/fullstory/fixtures.ts';
import { toRow } from '../../unit/fullstory/rows.ts';

const FAST: Partial<HttpClientOptions> = { baseBackoffMs: 5, maxBackoffMs: 20, maxRetries: 3 };

let sims: FullstorySim[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

async function sim(options: Partial<FullstorySimOptions> = {}): Promise<FullstorySim> {
  const s = await startFullstorySim({ tenant: FIXED_TENANT, rateLimits: 'off', ...options });
  sims.push(s);
  return s;
}

/** validate + every page of `user`, the way the engine drives the connector. */
async function sync(secret: Record<string, string>, opts: { overrides?: Partial<HttpClientOptions>; beforeList?: () => void } = {}) {
  const logs: string[] = [];
  const runtime = createRuntime({ secrets: Object.values(secret), httpOverrides: { ...FAST, ...opts.overrides }, log: (m) => logs.push(m) });
  const connector = fullstoryConnector.create(parseConnectorConfig(fullstoryConnector, secret), runtime);
  await connector.validate();
  opts.beforeList?.();
  const [syncer] = connector.resourceSyncers();
  const rows: Resource[] = [];
  let token: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const page = await syncer!.list(undefined, token);
    rows.push(...page.rows);
    token = page.nextPageToken || undefined;
    if (!token) break;
  }
  return { rows, logs, describe: connector.describe?.(), stats: runtime.httpStats() };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the sync to fail');
}

describe('fullstory SCIM mode against the simulator', () => {
  it('syncs the fixed org to the exact rows; validate + one call per short page', async () => {
    const s = await sim({ scimPageCap: 3 });
    const out = await sync(s.config('scim'));
    expect(out.rows.map(toRow)).toEqual(EXPECTED_SCIM_ROWS);
    expect(out.describe).toBe(`mode=scim population=seats base=${s.url}/scim/v2`);
    expect(s.server.calls.map((c) => [c.path, c.query])).toEqual([
      ['/scim/v2/Users', { startIndex: '1', count: '1' }],
      ['/scim/v2/Users', { startIndex: '1', count: '100' }],
      ['/scim/v2/Users', { startIndex: '4', count: '100' }],
      ['/scim/v2/Users', { startIndex: '7', count: '100' }],
    ]);
  });

  it('accepts a base URL with a trailing slash', async () => {
    const s = await sim();
    const out = await sync({ ...s.config('scim'), BATON_SCIM_BASE_URL: `${s.url}/scim/v2/` });
    expect(out.rows).toHaveLength(7);
    expect(s.server.calls.every((c) => c.path === '/scim/v2/Users')).toBe(true);
  });

  it('an overstated totalResults ends at the first empty page (the Go loop)', async () => {
    const s = await sim({ scimPageCap: 3 });
    s.overstateTotal = 50;
    const out = await sync(s.config('scim'));
    expect(out.rows).toHaveLength(7);
    expect(s.server.calls.map((c) => c.query.startIndex)).toEqual(['1', '1', '4', '7', '8']);
  });

  it('an empty page stops the listing', async () => {
    const s = await sim({ scimPageCap: 3 });
    const out = await sync(s.config('scim'), { beforeList: () => void (s.emptyPages = 1) });
    expect(out.rows).toHaveLength(0);
    expect(s.server.count('/Users')).toBe(2);
  });

  it('a missing totalResults pages until an empty page, with a warning', async () => {
    const s = await sim({ scimPageCap: 3 });
    s.omitTotal = true;
    const out = await sync(s.config('scim'));
    expect(out.rows).toHaveLength(7);
    expect(out.logs).toContain('fullstory: SCIM list response has no totalResults; paging until an empty page');
  });

  it('401 → a ConnectorError naming the mode and BATON_SCIM_TOKEN, without the token', async () => {
    const s = await sim();
    const err = await failure(sync({ ...s.config('scim'), BATON_SCIM_TOKEN: 'wrong-token-value' }));
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).code).toBe('unauthenticated');
    expect(err.message).toBe('fullstory (scim mode): BATON_SCIM_TOKEN was rejected (HTTP 401): invalid or expired bearer token');
    expect(s.server.calls).toHaveLength(1);
  });

  it('403 (SCIM switched off) → a ConnectorError naming the mode and the key', async () => {
    const s = await sim();
    s.scimDisabled = true;
    const err = await failure(sync(s.config('scim')));
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).code).toBe('permission_denied');
    expect(err.message).toMatch(/^fullstory \(scim mode\): BATON_SCIM_TOKEN was refused \(HTTP 403\): SCIM provisioning may be switched off/);
  });

  it('a wrong base URL path (404) says to check BATON_SCIM_BASE_URL', async () => {
    const s = await sim();
    const err = await failure(sync({ ...s.config('scim'), BATON_SCIM_BASE_URL: `${s.url}/scim` }));
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.message).toMatch(/^fullstory \(scim mode\): GET .* returned HTTP 404: check BATON_SCIM_BASE_URL$/);
  });

  it('an HTML page (an SSO wall) → a clear error, not a parse stack', async () => {
    const s = await sim();
    s.server.fault({ kind: 'html', times: 1 });
    const err = await failure(sync(s.config('scim')));
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.message).toMatch(
      /^fullstory \(scim mode\): GET \/scim\/v2\/Users\?.* returned HTTP 200 with a non-JSON body \(text\/html\); check BATON_SCIM_BASE_URL$/,
    );
  });

  it('garbled JSON is retried once, and a body that stays garbled fails as one line naming the endpoint', async () => {
    const s = await sim({ scimPageCap: 3 });
    s.server.fault({ kind: 'malformed', times: 1 });
    expect((await sync(s.config('scim'))).rows).toHaveLength(7);

    const t = await sim();
    t.server.fault({ kind: 'malformed', times: Infinity });
    const err = await failure(sync(t.config('scim')));
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).kind).toBe('body');
    expect(err.message).toMatch(/^fullstory: GET \/scim\/v2\/Users\?.* returned a body that is not valid JSON/);
    expect(err.message).not.toContain('\n');
  });

  it('429 + Retry-After is waited out and retried', async () => {
    const s = await sim({ scimPageCap: 3 });
    s.failWith(429, { times: 1, retryAfterSeconds: 1, pathIncludes: '/Users' });
    const started = performance.now();
    const out = await sync(s.config('scim'));
    expect(out.rows).toHaveLength(7);
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(s.server.calls.filter((c) => c.status === 429)).toHaveLength(1);
    expect(out.stats.throttles).toBeGreaterThanOrEqual(1);
  });

  it('5xx (JSON 500 and an HTML 503) is retried', async () => {
    const s = await sim({ scimPageCap: 3 });
    s.failWith(500, { times: 1 });
    s.server.fault({ kind: '503', times: 1 });
    const out = await sync(s.config('scim'));
    expect(out.rows.map(toRow)).toEqual(EXPECTED_SCIM_ROWS);
    expect(s.server.calls.filter((c) => c.status >= 500)).toHaveLength(2);
  });

  it('a persistent 5xx fails after the retries with the HTTP error', async () => {
    const s = await sim();
    s.failWith(502, { times: Infinity });
    const err = await failure(sync(s.config('scim'), { overrides: { maxRetries: 2 } }));
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).kind).toBe('server');
    expect(s.server.calls).toHaveLength(3);
  });
});

describe('fullstory API-key mode against the simulator', () => {
  for (const lastPageToken of ['absent', 'null', 'empty'] as const) {
    it(`syncs the fixed end-users to the exact rows, paging by page_token (last token ${lastPageToken})`, async () => {
      const s = await sim({ apiPageSize: 2, lastPageToken });
      const out = await sync(s.config('apikey'));
      expect(out.rows.map(toRow)).toEqual(EXPECTED_API_ROWS);
      expect(out.describe).toBe(`mode=apikey population=captured-end-users (not Fullstory seats) base=${s.url}`);
      // validate (page 1) + 3 pages of 2, 2, 1.
      expect(s.server.calls.map((c) => c.path)).toEqual(Array(4).fill('/v2/users'));
      expect(s.server.calls[0]!.query).toEqual({});
      expect(s.server.calls[2]!.query.page_token).toMatch(/=$/);
    });
  }

  it('an empty page that still carries a next token is followed', async () => {
    const s = await sim({ apiPageSize: 2 });
    const out = await sync(s.config('apikey'), { beforeList: () => void (s.emptyPages = 1) });
    expect(out.rows).toHaveLength(5);
  });

  it('401 → a ConnectorError naming the mode and BATON_API_KEY, without the key', async () => {
    const s = await sim();
    const err = await failure(sync({ ...s.config('apikey'), BATON_API_KEY: 'na1.not-the-key' }));
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.message).toBe('fullstory (apikey mode): BATON_API_KEY was rejected (HTTP 401): unauthenticated');
    expect(err.message).not.toContain('na1.not-the-key');
  });

  it('403 (a Standard key) → a ConnectorError asking for an Admin or Architect key', async () => {
    const s = await sim();
    const err = await failure(sync({ ...s.config('apikey'), BATON_API_KEY: 'na1.sim-standard-key' }));
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.message).toMatch(/^fullstory \(apikey mode\): BATON_API_KEY was refused \(HTTP 403\): Fullstory needs an Admin or Architect API key/);
  });

  it('an HTML body → a clear error', async () => {
    const s = await sim();
    s.server.fault({ kind: 'html', times: 1 });
    const err = await failure(sync(s.config('apikey')));
    expect(err.message).toBe('fullstory (apikey mode): GET /v2/users returned HTTP 200 with a non-JSON body (text/html)');
  });

  it('429 + Retry-After and a 500 are retried', async () => {
    const s = await sim({ apiPageSize: 2 });
    s.failWith(429, { retryAfterSeconds: 1 });
    s.failWith(500);
    const out = await sync(s.config('apikey'));
    expect(out.rows).toHaveLength(5);
    expect(s.server.calls.map((c) => c.status).slice(0, 3)).toEqual([429, 500, 200]);
  });
});

describe('fullstory mode selection on the wire', () => {
  it('with both kinds of keys only SCIM is called', async () => {
    const s = await sim();
    const out = await sync({ ...s.config('apikey'), ...s.config('scim') });
    expect(out.rows).toHaveLength(7);
    expect(out.describe).toMatch(/mode=scim .*BATON_API_KEY also set and ignored/);
    expect(s.server.count('/v2/users')).toBe(0);
  });

  it('an API key alone calls only /v2/users', async () => {
    const s = await sim();
    await sync(s.config('apikey'));
    expect(s.server.count('/scim/')).toBe(0);
  });
});

describe('fullstory simulator (AppSimulator)', () => {
  for (const mode of ['scim', 'apikey'] as const) {
    it(`${mode}: a seeded tenant syncs to the expected counts, under the real rate limits`, async () => {
      const running = await fullstorySim.start({ seed: 7, users: 230, extra: { mode } });
      try {
        const out = await sync(running.config);
        expect(running.expected).toEqual({ resourceTypes: 1, resources: 230, entitlements: 0, grants: 0 });
        expect(out.rows).toHaveLength(230);
        expect(new Set(out.rows.map((r) => r.id?.resource)).size).toBe(230);
      } finally {
        await running.server.close();
      }
    });
  }

  it('the same seed gives the same tenant, with the edge cases first', () => {
    const a = generateTenant({ seed: 3, users: 10 });
    expect(generateTenant({ seed: 3, users: 10 })).toEqual(a);
    expect(a.seats[0]!.active).toBe(false);
    expect(a.seats[1]!.emails).toBeUndefined();
    expect(a.seats[4]!.active).toBeUndefined();
    expect(a.endUsers[0]!.uid).toBe('');
    expect(a.endUsers[3]!.is_being_deleted).toBe(true);
  });

  it('the real rate limit answers a burst with 429 + Retry-After', async () => {
    const s = await sim({ rateLimits: 'real' });
    // Time stands still for the simulator, so no token comes back however slowly the requests go out.
    s.server.limiter.now = () => 0;
    const auth = { authorization: `Bearer ${s.config('scim').BATON_SCIM_TOKEN}` };
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 21; i++) {
      const res = await fetch(`${s.url}/scim/v2/Users?startIndex=1&count=1`, { headers: auth });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
      await res.arrayBuffer();
    }
    // The burst of 20, then the first request past it.
    expect(statuses).toEqual([...Array(20).fill(200), 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });
});
