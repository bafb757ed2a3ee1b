// The Segment client through the real HTTP client against the simulator: envelope errors,
// 429 handling, pagination on the wire, and how many calls a sync makes.
import { describe, expect, it } from 'vitest';
import { inspectSegment } from '../../../lambdas/segment/client.ts';
import { generateTenant, goFormulaCalls, goFormulaFor } from '../../../lambdas/segment/sim/index.ts';
import { HttpError } from '../../../shared/http/errors.ts';
import { ConnectorError } from '../../../shared/sync/connector.ts';
import { build, sim } from './harness.ts';
import { walk } from './walk.ts';

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

describe('segment API handling', () => {
  it('sends the documented dotted pagination with count 200 and follows cursors until next is empty', async () => {
    const tenant = generateTenant({ seed: 9, users: 401, groups: 1, membersPerGroup: 3 });
    const s = await sim({ tenant });
    const { client } = build(s.config());
    let cursor: string | undefined;
    let n = 0;
    do {
      const page = await client.users(cursor);
      n += page.rows.length;
      cursor = page.nextPageToken;
    } while (cursor);
    expect(n).toBe(401);
    const calls = s.server.calls.filter((c) => c.path === '/users');
    expect(calls).toHaveLength(3);
    expect(calls.every((c) => c.query['pagination.count'] === '200')).toBe(true);
    expect(calls[0]?.query['pagination.cursor']).toBeUndefined();
    expect(calls[1]?.query['pagination.cursor']).toBeTruthy();
  });

  it('surfaces an errors envelope on a 200 with its type and message', async () => {
    const s = await sim();
    s.envelopeError({ status: 200, type: 'RequestError', message: 'partial result', pathIncludes: '/roles' });
    const err = await failure(walk(build(s.config()).connector));
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.message).toBe('segment: GET /roles?pagination.count=200 returned errors: RequestError - partial result');
  });

  it('surfaces 4xx envelopes with type and message; 401 names BATON_TOKEN and never the token', async () => {
    const s = await sim();
    const bad = { ...s.config(), BATON_TOKEN: 'sgp_wrong_token_value' };
    const err = await failure(build(bad).connector.validate());
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).code).toBe('unauthenticated');
    expect(err.message).toMatch(/BATON_TOKEN was rejected/);
    expect(err.message).toMatch(/Unauthorized - Unauthorized: invalid or missing token/);
    expect(err.message).not.toContain('sgp_wrong_token_value');

    s.envelopeError({ status: 403, type: 'Forbidden', message: 'token lacks iam:read', pathIncludes: '/groups' });
    const forbidden = await failure(walk(build(s.config()).connector));
    expect((forbidden as ConnectorError).code).toBe('permission_denied');
    expect(forbidden.message).toMatch(/Workspace Owner.*Forbidden - token lacks iam:read/);
  });

  it('a user deleted between list and detail (404) loses only its permission grants', async () => {
    const s = await sim();
    s.envelopeError({ status: 404, type: 'NotFoundError', message: 'gone', pathIncludes: '/users/u2' });
    const out = await walk(build(s.config()).connector);
    expect(
      out.grants
        .filter((g) => g.principal?.id?.resource === 'u2')
        .map((g) => g.id)
        .sort(),
    ).toEqual(['group:g1:member:user:u2', 'group:g2:member:user:u2', 'workspace:ws1:member:user:u2']);
  });

  it('429 with errors[0].data.msBeforeNext waits that long and retries through the real HTTP client', async () => {
    const s = await sim();
    s.throttle({ times: 2, msBeforeNext: 120, pathIncludes: '/roles' });
    const { connector, runtime } = build(s.config(), { baseBackoffMs: 1, maxBackoffMs: 1 });
    const started = performance.now();
    await walk(connector);
    const elapsed = performance.now() - started;
    expect(runtime.httpStats().throttles).toBe(2);
    expect(elapsed).toBeGreaterThanOrEqual(230);
    expect(s.server.calls.filter((c) => c.path === '/roles').map((c) => c.status)).toEqual([429, 429, 200]);
  });

  it('429 without a body falls back to X-RateLimit-Reset', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const verdict = inspectSegment(
      { method: 'GET', endpoint: '/users', status: 429, headers: { 'x-ratelimit-reset': 'Thu, 01 Jan 2026 00:00:02 GMT' }, body: undefined },
      () => now,
    );
    expect(verdict).toEqual({ action: 'throttle', retryAfterMs: 2000 });
    expect(inspectSegment({ method: 'GET', endpoint: '/', status: 503, headers: {}, body: undefined })).toBeUndefined();
  });

  it('a non-JSON page (HTML from a proxy) fails with a clear error', async () => {
    const s = await sim();
    s.server.fault({ kind: 'html', pathIncludes: '/sources' });
    const err = await failure(walk(build(s.config()).connector));
    expect(err).toBeInstanceOf(HttpError);
    expect(err.message).toMatch(/GET \/sources.*not valid JSON/);
  });
});

describe('segment call budget', () => {
  it('lists roles once per sync and fetches functions per kind; exact calls for the fixed tenant', async () => {
    const s = await sim();
    await walk(build(s.config()).connector);
    expect(s.routeCounts()).toEqual({
      'GET /': 1,
      'GET /users': 2, // users list + workspace grant walk
      'GET /users/{id}': 3,
      'GET /groups': 1,
      'GET /groups/{id}': 2,
      'GET /groups/{id}/users': 2,
      'GET /roles': 1,
      'GET /sources': 1,
      'GET /warehouses': 1,
      'GET /spaces': 1,
      'GET /functions': 3,
    });
    expect(s.server.calls.filter((c) => c.path === '/functions').map((c) => c.query.resourceType)).toEqual(['DESTINATION', 'INSERT_DESTINATION', 'SOURCE']);
  });

  it("goFormulaCalls matches a hand count of the Go connector's calls", () => {
    // 1 validate + (1+1) workspace + 1 users + 3 user GETs + 1 groups + 2*2 groups + 1 roles + 1 sources
    // + 2 warehouse/space (as coded) + 3 functions + (2 sources + 3 functions) * 1 entitlements = 24
    expect(goFormulaCalls({ users: 3, groupMembers: [2, 3], roles: 11, sources: 2, functionsByKind: [1, 1, 1] })).toBe(24);
    // 5k users, 200 groups of 25, 50 roles, 300 sources, 300 functions.
    expect(goFormulaCalls({ users: 5000, groupMembers: Array(200).fill(25), roles: 50, sources: 300, functionsByKind: [100, 100, 100] })).toBe(6063);
  });

  it('stays well under the Go formula on a generated tenant; roles still listed once', async () => {
    const tenant = generateTenant({ seed: 7, users: 600, groups: 12, roles: 40, sources: 30, functions: 30 });
    const s = await sim({ tenant });
    await walk(build(s.config()).connector);
    expect(s.routeCounts()['GET /roles']).toBe(1);
    const go = goFormulaFor(tenant);
    const ours = s.server.calls.length;
    // N user GETs remain (the list does not carry permissions here); everything else shrinks.
    expect(ours).toBeLessThan(go);
    expect(ours).toBe(1 + 3 + 3 + 600 + 1 + 24 + 1 + 1 + 1 + 1 + 3);
  });
});
