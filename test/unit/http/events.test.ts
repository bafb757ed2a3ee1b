// The client's onEvent hook: every attempt, retry and client-side wait is reported as it happens.

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpClient } from '../../../shared/http/client.ts';
import type { HttpEvent } from '../../../shared/http/types.ts';
import { fakeClock, manualClock, rejection, useSim } from './helpers.ts';

const sim = useSim();

describe('onEvent', () => {
  it('reports attempts and each retry with its number, budget and reason', async () => {
    const events: HttpEvent[] = [];
    sim.server.fault({ kind: '5xx', times: 2 });
    const http = createHttpClient({ name: 'app', baseUrl: sim.server.url, onEvent: (e) => events.push(e) }, { clock: fakeClock() });
    await http.request({ path: '/x', schema: z.object({ ok: z.boolean() }) });
    expect(events.map((e) => e.type)).toEqual(['attempt', 'retry', 'attempt', 'retry', 'attempt']);
    const retry = events[1] as Extract<HttpEvent, { type: 'retry' }>;
    expect(retry).toMatchObject({ retry: 1, of: 6, origin: sim.server.url, route: 'GET /x' });
    expect(retry.reason).toMatch(/^HTTP 500/);
  });

  it('a refused connection names the host in the error and in each retry', async () => {
    const events: HttpEvent[] = [];
    const http = createHttpClient({ name: 'app', baseUrl: 'http://127.0.0.1:1', maxRetries: 2, onEvent: (e) => events.push(e) }, { clock: fakeClock() });
    const err = await rejection(http.request({ path: '/x', schema: z.unknown() }));
    expect(err.message).toMatch(/cannot reach 127\.0\.0\.1:1: .*ECONNREFUSED.* after 3 attempts/);
    expect(err.origin).toBe('http://127.0.0.1:1');
    expect(events.filter((e) => e.type === 'retry').map((e) => (e as { reason: string }).reason)).toEqual([
      expect.stringContaining('cannot reach 127.0.0.1:1'),
      expect.stringContaining('cannot reach 127.0.0.1:1'),
    ]);
  });

  it('https to a plain-HTTP port: one line saying so, no retries', async () => {
    const events: HttpEvent[] = [];
    const http = createHttpClient({ name: 'app', baseUrl: sim.server.url.replace('http:', 'https:'), onEvent: (e) => events.push(e) }, { clock: fakeClock() });
    const err = await rejection(http.request({ path: '/x', schema: z.unknown() }));
    expect(err.message).toBe(
      `app: GET /x failed: 127.0.0.1:${sim.server.port} does not speak TLS (it answered like a plain-HTTP port); use http:// for it, or the port that serves HTTPS`,
    );
    expect(events.filter((e) => e.type === 'retry')).toEqual([]);
    expect(err.kind).toBe('network');
  });

  it('reports a client-side rate-limit wait before it sleeps', async () => {
    const events: HttpEvent[] = [];
    const http = createHttpClient({ name: 'app', baseUrl: sim.server.url, onEvent: (e) => events.push(e) }, { clock: manualClock() });
    const limit = { key: 'users.list', perMinute: 20 };
    await http.request({ path: '/x', schema: z.unknown(), rateLimit: limit });
    await http.request({ path: '/x', schema: z.unknown(), rateLimit: limit });
    const wait = events.find((e) => e.type === 'waiting') as Extract<HttpEvent, { type: 'waiting' }>;
    expect(wait).toMatchObject({ key: 'users.list', perMinute: 20 });
    // 20/min is one every 3 s, on a clock that does not move while the first request is served.
    expect(wait.waitMs).toBe(3000);
  });

  it('a throwing hook does not change the outcome', async () => {
    const http = createHttpClient(
      {
        name: 'app',
        baseUrl: sim.server.url,
        onEvent: () => {
          throw new Error('display broke');
        },
      },
      { clock: fakeClock() },
    );
    await expect(http.request({ path: '/x', schema: z.object({ ok: z.boolean() }) })).resolves.toEqual({ ok: true });
  });
});
