// The Grid connector's failure modes through the real HTTP client against the simulator: a token
// from outside a Grid org, refused credentials and missing scopes fail at once naming the key (and
// the scope); rate limits both ways (429 + Retry-After, HTTP 200 `ratelimited`) and transient faults
// (5xx, timeout, truncated or malformed JSON) are waited out and the sync still writes every row.
import { afterEach, describe, expect, it } from 'vitest';
import { connector } from '../../../lambdas/slack-enterprise/connector.ts';
import { GRID_BOT_TOKEN, GRID_USER_TOKEN, generateGridTenant, type RunningGridSim, startGridSim } from '../../../lambdas/slack-enterprise/sim/index.ts';
import { connectorFailure, syncOnce } from '../../support/failures.ts';

let sim: RunningGridSim | undefined;
afterEach(async () => {
  await sim?.server.close();
  sim = undefined;
});

const small = (o: Parameters<typeof generateGridTenant>[0] = {}) => generateGridTenant({ seed: 5, users: 150, workspaces: 3, ...o });

const run = (s: RunningGridSim, config = s.config) => syncOnce(connector, config, 'grid-err-');

describe('slack-enterprise: tokens, auth and scopes fail the run at once', () => {
  it('a token from a standalone workspace (no enterprise_id) is refused, naming the key', async () => {
    sim = await startGridSim({ tenant: small({ enterprise: false }), rateLimits: 'off' });
    const err = await connectorFailure(run(sim));
    expect(err.code).toBe('failed_precondition');
    expect(err.message).toMatch(/^slack-enterprise: BATON_ENTERPRISE_TOKEN: auth\.test returned no enterprise_id/);
    expect(err.message).toMatch(/use the slack connector/);
    // The enterprise token is checked first: nothing else is asked once it fails.
    expect(sim.server.calls.map((c) => c.path)).toEqual(['/api/auth.test']);
  });

  it('a bot token from a standalone workspace is refused before any sync call, naming BATON_TOKEN', async () => {
    const tenant = small();
    tenant.tokenEnterprise = { [GRID_BOT_TOKEN]: '' };
    sim = await startGridSim({ tenant, rateLimits: 'off' });
    const err = await connectorFailure(run(sim));
    expect(err.code).toBe('failed_precondition');
    expect(err.message).toMatch(/^slack-enterprise: BATON_TOKEN: auth\.test returned no enterprise_id/);
    expect(sim.server.calls.map((c) => c.path)).toEqual(['/api/auth.test', '/api/auth.test']);
  });

  it('tokens of two different Grid orgs are refused before any sync call', async () => {
    const tenant = small();
    tenant.tokenEnterprise = { [GRID_BOT_TOKEN]: 'E00000002' };
    sim = await startGridSim({ tenant, rateLimits: 'off' });
    const err = await connectorFailure(run(sim));
    expect(err.code).toBe('failed_precondition');
    expect(err.message).toBe('slack-enterprise: BATON_TOKEN and BATON_ENTERPRISE_TOKEN belong to different Enterprise Grid orgs');
    expect(sim.server.calls.map((c) => c.path)).toEqual(['/api/auth.test', '/api/auth.test']);
  });

  it('a missing BATON_ENTERPRISE_TOKEN is a config error naming the key', async () => {
    sim = await startGridSim({ tenant: small(), rateLimits: 'off' });
    const { BATON_ENTERPRISE_TOKEN: _, ...rest } = sim.config;
    await expect(run(sim, rest)).rejects.toThrow(/BATON_ENTERPRISE_TOKEN: required key is missing/);
    expect(sim.server.calls).toHaveLength(0);
  });

  it('invalid_auth names the token key, never its value', async () => {
    sim = await startGridSim({ tenant: small(), rateLimits: 'off' });
    const err = await connectorFailure(run(sim, { ...sim.config, BATON_ENTERPRISE_TOKEN: 'xoxp-wrong-value' }));
    expect(err.code).toBe('invalid_auth');
    expect(err.message).toMatch(/BATON_ENTERPRISE_TOKEN was rejected by Slack on auth\.test: invalid_auth/);
    expect(err.message).not.toContain('xoxp-wrong-value');
  });

  it('token_revoked mid-sync stops at the first refused call', async () => {
    sim = await startGridSim({ tenant: small(), rateLimits: 'off' });
    sim.controls.forceError({ method: 'users.list', error: 'token_revoked' });
    const err = await connectorFailure(run(sim));
    expect(err.code).toBe('token_revoked');
    expect(err.message).toMatch(/BATON_TOKEN was rejected by Slack on users\.list/);
    // Not retried: at most the workspaces' pages already in flight, one call each.
    expect(sim.server.calls.filter((c) => c.path === '/api/users.list').length).toBeLessThanOrEqual(sim.tenant.teams.length);
  });

  it('missing_scope names the scope Slack says is needed, and the key', async () => {
    const tenant = small();
    tenant.tokens[GRID_USER_TOKEN]!.scopes = tenant.tokens[GRID_USER_TOKEN]!.scopes.filter((s) => s !== 'admin.roles:read');
    sim = await startGridSim({ tenant, rateLimits: 'off' });
    const err = await connectorFailure(run(sim));
    expect(err.code).toBe('missing_scope');
    expect(err.message).toContain('BATON_ENTERPRISE_TOKEN lacks the OAuth scope "admin.roles:read" that admin.roles.listAssignments needs');
    expect(sim.server.calls.filter((c) => c.path.endsWith('admin.roles.listAssignments'))).toHaveLength(1);
  });

  it('a refused SCIM token names BATON_ENTERPRISE_TOKEN', async () => {
    sim = await startGridSim({ tenant: small(), sso: true, rateLimits: 'off' });
    const tenant = sim.tenant;
    tenant.tokens[GRID_USER_TOKEN]!.scopes = tenant.tokens[GRID_USER_TOKEN]!.scopes.filter((s) => s !== 'admin');
    const err = await connectorFailure(run(sim));
    expect(err.message).toMatch(/BATON_ENTERPRISE_TOKEN was refused by Slack SCIM \(HTTP 403/);
    expect(err.message).not.toContain(GRID_BOT_TOKEN);
  });
});

describe('slack-enterprise: rate limits and transient faults are waited out', () => {
  it('HTTP 429 with Retry-After and HTTP 200 ratelimited, on the bot and the admin token', async () => {
    sim = await startGridSim({ tenant: small(), rateLimits: 'off' });
    sim.controls.forceRateLimit({ method: 'users.list', times: 1, form: '429', retryAfterSec: 1 });
    sim.controls.forceRateLimit({ method: 'admin.users.list', times: 1, form: 'ok-false', retryAfterSec: 1 });
    const summary = await run(sim);
    expect(summary.counts).toEqual(sim.expected);
    expect(sim.server.calls.filter((c) => c.path === '/api/users.list').map((c) => c.status)[0]).toBe(429);
    expect(summary.http.throttles).toBe(2);
  });

  it('SCIM 429 with Retry-After', async () => {
    sim = await startGridSim({ tenant: small(), sso: true, rateLimits: 'off' });
    sim.controls.forceRateLimit({ method: 'scim', times: 1, retryAfterSec: 1 });
    const summary = await run(sim);
    expect(summary.counts).toEqual(sim.expected);
    expect(sim.server.calls.filter((c) => c.path.startsWith('/scim/')).map((c) => c.status)[0]).toBe(429);
  });

  it('5xx, 503, a timeout, malformed and truncated JSON and internal_error are retried', async () => {
    sim = await startGridSim({ tenant: small(), sso: true, rateLimits: 'off' });
    sim.server.fault({ kind: '5xx', pathIncludes: 'users.list' });
    sim.server.fault({ kind: '503', pathIncludes: 'auth.teams.list' });
    sim.server.fault({ kind: 'timeout', pathIncludes: 'usergroups.list' });
    sim.server.fault({ kind: 'malformed', pathIncludes: '/scim/v2/Users' });
    sim.server.fault({ kind: 'truncated', pathIncludes: 'admin.roles.listAssignments' });
    sim.server.fault({ kind: 'truncated', pathIncludes: '/scim/v2/Groups' });
    sim.controls.forceError({ method: 'users.list', error: 'internal_error' });
    const summary = await run(sim);
    expect(summary.counts).toEqual(sim.expected);
    expect(summary.http.retries).toBeGreaterThanOrEqual(7);
  });
});
