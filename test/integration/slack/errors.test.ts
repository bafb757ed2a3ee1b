// Slack's failure modes through the real HTTP client against the simulator: credential and scope
// errors fail at once with the key to fix; rate limits (429 + Retry-After, HTTP 200 `ratelimited`)
// and transient faults are waited out and the sync still produces every row.
import { afterEach, describe, expect, it } from 'vitest';
import { connector as slackConnector } from '../../../lambdas/slack/connector.ts';
import { type RunningSlackSim, SIM_BOT_TOKEN, SIM_USER_TOKEN, startSlackSim } from '../../../lambdas/slack/sim/index.ts';
import { DEFAULT_RATELIMITED_MS, inspectWebApi } from '../../../shared/slack/errors.ts';
import { connectorFailure, syncOnce } from '../../support/failures.ts';
import { fixedTenant } from '../../unit/slack/fixture.ts';

let sim: RunningSlackSim | undefined;
afterEach(async () => {
  await sim?.server.close();
  sim = undefined;
});

const run = (s: RunningSlackSim, config = s.config) => syncOnce(slackConnector, config, 'slack-err-');

describe('slack auth and scope errors fail the run at once', () => {
  it('invalid_auth names BATON_TOKEN, not its value, after one call', async () => {
    sim = await startSlackSim({ tenant: fixedTenant(), mode: 'pro', rateLimits: 'off' });
    const err = await connectorFailure(run(sim, { ...sim.config, BATON_TOKEN: 'xoxb-not-a-real-token' }));
    expect(err.code).toBe('invalid_auth');
    expect(err.message).toMatch(/BATON_TOKEN was rejected by Slack on auth\.test: invalid_auth/);
    expect(err.message).not.toContain('xoxb-not-a-real-token');
    expect(sim.server.calls).toHaveLength(1);
  });

  it('not_authed and account_inactive', async () => {
    sim = await startSlackSim({ tenant: fixedTenant(), mode: 'pro', rateLimits: 'off' });
    sim.controls.forceError({ method: 'auth.test', error: 'not_authed' });
    expect((await connectorFailure(run(sim))).code).toBe('not_authed');
    sim.controls.accountInactive = true;
    const err = await connectorFailure(run(sim));
    expect(err.code).toBe('account_inactive');
    expect(err.message).toMatch(/deactivated/);
    expect(sim.server.calls).toHaveLength(2);
  });

  it('token_revoked mid-sync stops at the first refused call', async () => {
    sim = await startSlackSim({ tenant: fixedTenant(), mode: 'pro', rateLimits: 'off' });
    const s = sim;
    s.controls.forceError({ method: 'users.list', error: 'token_revoked' });
    const err = await connectorFailure(run(s));
    expect(err.code).toBe('token_revoked');
    expect(s.server.calls.filter((c) => c.path.endsWith('users.list'))).toHaveLength(1);
    // A revoked token on every call: the first call fails, nothing is retried.
    s.controls.revoked.add(SIM_BOT_TOKEN);
    const before = s.server.calls.length;
    expect((await connectorFailure(run(s))).code).toBe('token_revoked');
    expect(s.server.calls.length - before).toBe(1);
  });

  it('missing_scope names the scope Slack says is needed', async () => {
    const tenant = fixedTenant();
    tenant.tokens[SIM_BOT_TOKEN]!.scopes = tenant.tokens[SIM_BOT_TOKEN]!.scopes.filter((s) => s !== 'usergroups:read');
    sim = await startSlackSim({ tenant, mode: 'pro', rateLimits: 'off' });
    const err = await connectorFailure(run(sim));
    expect(err.code).toBe('missing_scope');
    expect(err.message).toContain('"usergroups:read"');
    expect(err.message).toContain('usergroups.list');
    expect(sim.server.calls.filter((c) => c.path.endsWith('usergroups.list'))).toHaveLength(1);
  });

  it('a refused Business+ token names BATON_BUSINESS_PLUS_TOKEN', async () => {
    sim = await startSlackSim({ tenant: fixedTenant(), mode: 'business', rateLimits: 'off' });
    sim.controls.revoked.add(SIM_USER_TOKEN);
    const err = await connectorFailure(run(sim));
    expect(err.message).toMatch(/BATON_BUSINESS_PLUS_TOKEN was refused by Slack SCIM \(HTTP 401/);
    expect(err.message).not.toContain(SIM_USER_TOKEN);
  });
});

describe('slack rate limits and transient faults are waited out', () => {
  it('HTTP 429 with Retry-After on the Web API', async () => {
    sim = await startSlackSim({ tenant: fixedTenant(), mode: 'pro', rateLimits: 'off' });
    sim.controls.forceRateLimit({ method: 'users.list', times: 2, form: '429', retryAfterSec: 1 });
    const started = Date.now();
    const summary = await run(sim);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(summary.counts).toEqual(sim.expected);
    expect(sim.server.calls.filter((c) => c.path.endsWith('users.list')).map((c) => c.status)).toEqual([429, 429, 200]);
    expect(summary.http.throttles).toBe(2);
  });

  it('HTTP 200 {"ok":false,"error":"ratelimited"} waits Retry-After and retries', async () => {
    sim = await startSlackSim({ tenant: fixedTenant(), mode: 'pro', rateLimits: 'off' });
    sim.controls.forceRateLimit({ method: 'usergroups.list', times: 1, form: 'ok-false', retryAfterSec: 1 });
    const started = Date.now();
    const summary = await run(sim);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(summary.counts).toEqual(sim.expected);
    expect(sim.controls.requests.filter((r) => r.method === 'usergroups.list')).toHaveLength(2);
    expect(summary.http.throttles).toBe(1);
  });

  it('a 200 ratelimited without Retry-After waits the Go default of 30 s', () => {
    const verdict = inspectWebApi('BATON_TOKEN')({
      method: 'POST',
      endpoint: '/api/users.list',
      status: 200,
      headers: {},
      body: { ok: false, error: 'ratelimited' },
    });
    expect(verdict).toEqual({ action: 'throttle', retryAfterMs: DEFAULT_RATELIMITED_MS });
    expect(DEFAULT_RATELIMITED_MS).toBe(30_000);
    expect(
      inspectWebApi('BATON_TOKEN')({ method: 'POST', endpoint: '/api/users.list', status: 200, headers: {}, body: { ok: false, error: 'internal_error' } }),
    ).toMatchObject({ action: 'retry' });
    expect(inspectWebApi('BATON_TOKEN')({ method: 'POST', endpoint: '/api/users.list', status: 200, headers: {}, body: { ok: true } })).toBeUndefined();
  });

  it('HTTP 429 with Retry-After on SCIM', async () => {
    sim = await startSlackSim({ tenant: fixedTenant(), mode: 'business', rateLimits: 'off' });
    sim.controls.forceRateLimit({ method: 'scim', times: 1, retryAfterSec: 1 });
    const summary = await run(sim);
    expect(summary.counts).toEqual(sim.expected);
    expect(sim.server.calls.filter((c) => c.path.startsWith('/scim/')).map((c) => c.status)[0]).toBe(429);
  });

  it('5xx, a timeout, malformed and truncated JSON and an HTML page are retried', async () => {
    sim = await startSlackSim({ tenant: fixedTenant(), mode: 'business', rateLimits: 'off' });
    sim.server.fault({ kind: '5xx', pathIncludes: 'users.list' });
    sim.server.fault({ kind: 'timeout', pathIncludes: 'usergroups.list' });
    sim.server.fault({ kind: 'malformed', pathIncludes: '/scim/v2/Users' });
    sim.server.fault({ kind: 'truncated', pathIncludes: '/scim/v2/Groups' });
    sim.server.fault({ kind: '503', pathIncludes: 'auth.teams.list' });
    sim.controls.forceError({ method: 'users.list', error: 'internal_error' });
    const summary = await run(sim);
    expect(summary.counts).toEqual(sim.expected);
    expect(summary.http.retries).toBeGreaterThanOrEqual(6);
  });
});
