import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpClient } from '../../../shared/http/client.ts';
import { HttpError } from '../../../shared/http/errors.ts';
import type { HttpClientOptions, HttpEvent } from '../../../shared/http/types.ts';
import { startSim } from '../../../shared/sim/kit.ts';
import { fakeClock, manualClock, rejection, useSim } from './helpers.ts';

const sim = useSim();
const ok = z.object({ ok: z.literal(true) });

function client(extra: Partial<HttpClientOptions> = {}, clock = fakeClock()) {
  const http = createHttpClient(
    { name: 'test', baseUrl: `${sim.server.url}/api`, baseBackoffMs: 10, maxBackoffMs: 50, timeoutMs: 2000, ...extra },
    { clock, random: () => 0.5 },
  );
  return { http, clock };
}

describe('success', () => {
  it('sends query, headers and parses the body with the schema', async () => {
    let seen: { path: string; query: string; accept?: string; auth?: string } | undefined;
    sim.handle((req) => {
      seen = { path: req.path, query: req.query.toString(), accept: req.headers.accept, auth: req.headers.authorization };
      return { body: { members: [{ id: 'U1', name: 'Ann' }], next: '' } };
    });
    const { http } = client({ headers: { Authorization: 'Bearer tok-123456' } });
    const schema = z.object({ members: z.array(z.object({ id: z.string(), name: z.string() })), next: z.string() });
    const out = await http.request({ path: '/users.list', query: { limit: 2, cursor: undefined, active: true }, schema });
    expect(out.members[0]?.name).toBe('Ann');
    expect(seen).toEqual({ path: '/api/users.list', query: 'limit=2&active=true', accept: 'application/json', auth: 'Bearer tok-123456' });
    expect(http.stats.requests).toBe(1);
    expect(http.stats.byRoute['GET /api/users.list']).toMatchObject({ count: 1, errors: 0 });
  });

  it('encodes form and JSON bodies with their content types', async () => {
    const seen: { type?: string; body: string }[] = [];
    sim.handle((req) => {
      seen.push({ type: req.headers['content-type'], body: req.body });
      return { body: { ok: true } };
    });
    const { http } = client();
    await http.request({ method: 'POST', path: 'form', form: { a: 'x y', b: 2, c: undefined }, schema: ok });
    await http.request({ method: 'PUT', path: 'json', json: { a: [1] }, schema: ok, route: 'put-json' });
    expect(seen).toEqual([
      { type: 'application/x-www-form-urlencoded', body: 'a=x+y&b=2' },
      { type: 'application/json', body: '{"a":[1]}' },
    ]);
    expect(Object.keys(http.stats.byRoute).sort()).toEqual(['POST /api/form', 'put-json']);
  });

  it('reaches a second host when the path is an absolute URL', async () => {
    const scim = await startSim((req) => ({ status: req.path === '/scim/Users' ? 200 : 404, body: { ok: true } }), { name: 'scim' });
    try {
      const { http } = client();
      await expect(http.request({ path: `${scim.url}/scim/Users`, schema: ok })).resolves.toEqual({ ok: true });
      expect(scim.count('/scim/Users')).toBe(1);
      expect(sim.server.count()).toBe(0);
    } finally {
      await scim.close();
    }
  });
});

describe('schema and body errors', () => {
  it('names the endpoint and the field path of a schema mismatch', async () => {
    sim.handle(() => ({ body: { members: [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 7 }] } }));
    const { http } = client();
    const schema = z.object({ members: z.array(z.object({ id: z.string() })) });
    const err = await rejection(http.request({ path: '/members', schema }));
    expect(err).toBeInstanceOf(HttpError);
    expect(err.kind).toBe('schema');
    expect(err.message).toMatch(/^test: GET \/api\/members returned a body that does not match the expected schema: members\[3\]\.id: expected string/);
    expect(http.stats.errors).toBe(1);
    expect(sim.server.count()).toBe(1);
  });

  it('fails at once on an HTML page with the first bytes of it', async () => {
    sim.server.fault({ kind: 'html' });
    const { http } = client();
    const err = await rejection(http.request({ path: '/users', schema: ok }));
    expect(err.kind).toBe('body');
    expect(err.message).toMatch(/^test: GET \/api\/users returned a body that is not valid JSON \(HTTP 200: .*Sign in/);
    expect(sim.server.count()).toBe(1);
  });

  it('retries malformed JSON twice, then fails with a clear message', async () => {
    sim.server.fault({ kind: 'malformed', times: Infinity });
    const { http } = client();
    const err = await rejection(http.request({ path: '/users', schema: ok }));
    expect(err.kind).toBe('body');
    expect(err.message).toContain('test: GET /api/users returned a body that is not valid JSON (HTTP 200, 3 attempts: {"ok": true, "members": [1, 2,,]');
    expect(sim.server.count()).toBe(3);
  });

  it('accepts an empty body only when the schema does', async () => {
    sim.handle(() => ({ status: 204, raw: '' }));
    const { http } = client();
    await expect(http.request({ method: 'DELETE', path: '/users/U1', schema: z.undefined() })).resolves.toBeUndefined();
    const err = await rejection(http.request({ method: 'DELETE', path: '/users/U1', schema: ok }));
    expect(err.kind).toBe('body');
    expect(err.message).toBe('test: DELETE /api/users/U1 returned an empty body (HTTP 204)');
  });

  it('recovers from a truncated body on retry', async () => {
    sim.server.fault({ kind: 'truncated' });
    const { http } = client();
    await expect(http.request({ path: '/users', schema: ok })).resolves.toEqual({ ok: true });
    expect(http.stats.retries).toBe(1);
    expect(sim.server.count()).toBe(2);
  });
});

describe('retries', () => {
  it('retries a burst of 5xx and then succeeds', async () => {
    sim.server.fault({ kind: '5xx', times: 3 });
    const { http, clock } = client();
    await expect(http.request({ path: '/users', schema: ok })).resolves.toEqual({ ok: true });
    expect(http.stats).toMatchObject({ requests: 4, retries: 3, errors: 0 });
    expect(sim.server.count()).toBe(4);
    // Full jitter on an exponential ceiling: 0.5 × 10, 20, 40 ms.
    expect(clock.sleeps).toEqual([5, 10, 20]);
  });

  it('gives up on a persistent 5xx after maxRetries with a clear message', async () => {
    sim.server.fault({ kind: '503', times: Infinity });
    const { http } = client({ maxRetries: 3 });
    const err = await rejection(http.request({ method: 'POST', path: '/users.list', schema: ok }));
    expect(err.kind).toBe('server');
    expect(err.status).toBe(503);
    expect(err.message).toBe('test: POST /api/users.list failed: HTTP 503 after 4 attempts (503 Service Temporarily Unavailable)');
    expect(sim.server.count()).toBe(4);
    expect(http.stats).toMatchObject({ requests: 4, retries: 3, errors: 1 });
  });

  it('retries a reset connection', async () => {
    sim.server.fault({ kind: 'reset' });
    const { http } = client();
    await expect(http.request({ path: '/users', schema: ok })).resolves.toEqual({ ok: true });
    expect(http.stats.retries).toBe(1);
  });

  it('fails a 401 at once as an auth error', async () => {
    sim.handle(() => ({ status: 401, body: { error: 'invalid_auth' } }));
    const { http } = client();
    const err = await rejection(http.request({ path: '/users', schema: ok }));
    expect(err.kind).toBe('auth');
    expect(err.status).toBe(401);
    expect(err.message).toBe('test: GET /api/users failed: HTTP 401 ({"error":"invalid_auth"})');
    expect(sim.server.count()).toBe(1);
  });

  it('fails other 4xx at once with a short excerpt of the body', async () => {
    sim.handle(() => ({ status: 404, raw: `not found ${'x'.repeat(1000)}` }));
    const { http } = client();
    const err = await rejection(http.request({ path: '/users/U1', schema: ok }));
    expect(err.kind).toBe('client');
    const body = /\((.*)\)$/.exec(err.message)?.[1] ?? '';
    expect(body.startsWith('not found xxx')).toBe(true);
    expect(body.length).toBeLessThanOrEqual(300);
    expect(sim.server.count()).toBe(1);
  });
});

describe('timeouts', () => {
  it('times out a server that never answers', async () => {
    sim.server.fault({ kind: 'timeout', times: Infinity });
    const { http } = client({ timeoutMs: 150, maxRetries: 1 });
    // Without the timeout the request would hang until the test's own timeout; how quickly it gives
    // up is the 150 ms the message names, not something to time on a shared machine.
    const err = await rejection(http.request({ path: '/users', schema: ok }));
    expect(err.kind).toBe('timeout');
    expect(err.message).toMatch(/^test: GET \/api\/users failed: no complete response from 127\.0\.0\.1:\d+ within 150 ms after 2 attempts$/);
    expect(sim.server.count()).toBe(2);
  });

  it('times out a body that stalls half way', async () => {
    const stalling = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"ok":');
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = stalling.address() as AddressInfo;
      const { http } = client({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 150, maxRetries: 0 });
      const err = await rejection(http.request({ path: '/slow', schema: ok }));
      expect(err.kind).toBe('timeout');
    } finally {
      stalling.closeAllConnections();
      await new Promise((resolve) => stalling.close(resolve));
    }
  });
});

describe('throttling', () => {
  it('honours Retry-After in seconds', async () => {
    let n = 0;
    sim.handle(() => (n++ === 0 ? { status: 429, headers: { 'retry-after': '120' }, body: {} } : { body: { ok: true } }));
    const { http, clock } = client();
    await expect(http.request({ path: '/users', schema: ok })).resolves.toEqual({ ok: true });
    expect(clock.sleeps).toEqual([120_000]);
    expect(http.stats).toMatchObject({ requests: 2, throttles: 1, retries: 0 });
  });

  it('honours Retry-After as an HTTP date', async () => {
    // A clock on a whole second that only sleeps move: the date names exactly 5 s from now.
    const clock = manualClock();
    let n = 0;
    sim.handle(() => (n++ === 0 ? { status: 429, headers: { 'retry-after': new Date(clock.now() + 5000).toUTCString() }, body: {} } : { body: { ok: true } }));
    const { http } = client({}, clock);
    await expect(http.request({ path: '/users', schema: ok })).resolves.toEqual({ ok: true });
    expect(clock.sleeps).toEqual([5000]);
    expect(http.stats.throttles).toBe(1);
  });

  it('backs off on a 429 without Retry-After', async () => {
    let n = 0;
    sim.handle(() => (n++ < 2 ? { status: 429, body: {} } : { body: { ok: true } }));
    const { http, clock } = client();
    await http.request({ path: '/users', schema: ok });
    expect(clock.sleeps).toEqual([5, 10]);
    expect(http.stats.throttles).toBe(2);
  });

  it('fails clearly when Retry-After exceeds maxRetryAfterMs', async () => {
    sim.handle(() => ({ status: 429, headers: { 'retry-after': '3600' }, body: {} }));
    const { http, clock } = client({ maxRetryAfterMs: 60_000 });
    const err = await rejection(http.request({ path: '/users', schema: ok }));
    expect(err.kind).toBe('throttle');
    expect(err.message).toBe('test: GET /api/users failed: got HTTP 429 and asked to wait 3600 s, longer than the 60 s the client will wait');
    expect(clock.sleeps).toEqual([]);
    expect(sim.server.count()).toBe(1);
  });

  it('treats a Slack-style ratelimited 200 as a throttle via inspect', async () => {
    let n = 0;
    sim.handle(() => (n++ < 2 ? { headers: { 'retry-after': '3' }, body: { ok: false, error: 'ratelimited' } } : { body: { ok: true } }));
    const { http, clock } = client({
      inspect: (res) => {
        const body = res.body as { ok?: boolean; error?: string } | undefined;
        if (body?.ok === false && body.error === 'ratelimited') {
          return { action: 'throttle', retryAfterMs: Number(res.headers['retry-after'] ?? 1) * 1000 };
        }
        return undefined;
      },
    });
    await expect(http.request({ method: 'POST', path: '/users.list', schema: ok })).resolves.toEqual({ ok: true });
    expect(clock.sleeps).toEqual([3000, 3000]);
    expect(http.stats).toMatchObject({ requests: 3, throttles: 2, retries: 0, errors: 0 });
  });

  it('gives up once a request has been throttled longer than maxThrottledMs, naming the call and what to do', async () => {
    sim.handle(() => ({ body: { ok: false, error: 'ratelimited' } }));
    const { http, clock } = client({ inspect: () => ({ action: 'throttle', retryAfterMs: 1000 }) }, manualClock());
    const err = await rejection(http.request({ path: '/users.list', schema: ok }));
    expect(err.kind).toBe('throttle');
    expect(err.message).toMatch(/^test: GET \/api\/users\.list failed: was throttled \(HTTP 200\); still throttled after 10 min \(601 throttles in a row\)/);
    expect(err.message).toContain('run the sync again when it is quieter');
    expect(err.message).not.toContain('\n');
    // A bound in time, not in count: ten minutes of one-second waits, not twenty of them.
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(10 * 60_000);
    expect(sim.server.count()).toBe(601);
  });

  it('the throttle bound runs per streak: an answer that is not a throttle starts it again', async () => {
    let n = 0;
    // 400 throttles, one success, 400 throttles: never 10 minutes in a row.
    sim.handle(() => ({ body: n++ === 400 ? { ok: true, skip: true } : { ok: n > 801 } }));
    const { http } = client({ inspect: (res) => ((res.body as { ok?: boolean }).ok === false ? { action: 'throttle', retryAfterMs: 1000 } : undefined) });
    await expect(http.request({ path: '/users.list', schema: z.object({ ok: z.literal(true) }) })).resolves.toMatchObject({ ok: true });
    n = 401;
    await expect(http.request({ path: '/users.list', schema: ok })).resolves.toEqual({ ok: true });
    expect(http.stats.throttles).toBe(800);
  });

  it('a storm of 429s on a rate-limited key: each wait announced with its real length, and the next pages at a livable pace', async () => {
    let n = 0;
    sim.handle(() => (n++ < 8 ? { status: 429, headers: { 'retry-after': '1' }, body: {} } : { body: { ok: true } }));
    const events: HttpEvent[] = [];
    const { http, clock } = client({ onEvent: (e) => events.push(e) }, manualClock());
    const usersList = { key: 'slack:users.list', perMinute: 20, burst: 19 };
    await http.request({ path: '/users.list', schema: ok, rateLimit: usersList });
    for (let page = 0; page < 5; page++) await http.request({ path: '/users.list', schema: ok, rateLimit: usersList });
    const announced = events.reduce((sum, e) => sum + (e.type === 'throttled' || e.type === 'waiting' ? e.waitMs : 0), 0);
    const slept = clock.sleeps.reduce((a, b) => a + b, 0);
    expect(announced).toBe(slept);
    // After a throttle the key restarts from an empty bucket: each later try (7 retries, 5 pages) at no
    // worse than a quarter of 20/min, 12 s apart; halving per throttle without a floor would be 3 s × 2^8.
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(12_000 + 1);
    expect(slept).toBeLessThanOrEqual(13 * 12_000);
  });
});

describe('inspect', () => {
  it('fails with the error the hook gives, without retrying', async () => {
    sim.handle(() => ({ body: { ok: false, error: 'missing_scope' } }));
    const failure = new Error('test: users.list needs the users:read scope');
    const { http } = client({ inspect: (res) => ((res.body as { ok?: boolean }).ok === false ? { action: 'fail', error: failure } : undefined) });
    const err = await rejection(http.request({ path: '/users.list', schema: ok }));
    expect(err).toBe(failure);
    expect(sim.server.count()).toBe(1);
    expect(http.stats.errors).toBe(1);
  });

  it('retries on a retry verdict and reports its reason when retries run out', async () => {
    sim.handle(() => ({ body: { ok: false, error: 'internal_error' } }));
    const { http } = client({ maxRetries: 2, inspect: () => ({ action: 'retry', reason: 'Slack internal_error' }) });
    const err = await rejection(http.request({ path: '/users.list', schema: ok }));
    expect(err.message).toBe('test: GET /api/users.list failed: Slack internal_error after 3 attempts');
    expect(http.stats.retries).toBe(2);
  });

  it('lets an ok verdict accept a status the generic rules would reject', async () => {
    sim.handle(() => ({ status: 404, body: { ok: true } }));
    const { http } = client({ inspect: (res) => (res.status === 404 ? { action: 'ok' } : undefined) });
    await expect(http.request({ path: '/gone', schema: ok })).resolves.toEqual({ ok: true });
  });
});
