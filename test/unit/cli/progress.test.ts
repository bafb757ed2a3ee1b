// What a run shows while it waits: without a status line (a pipe, a CI log), every throttle and
// every long rate-limit wait still gets a line with its length, so a slow run is never silent.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ProgressReporter } from '../../../bin/cli/progress.ts';
import { createRuntime } from '../../../shared/sync/runtime.ts';
import { useSim } from '../http/helpers.ts';

const sim = useSim();

function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const write = (s: string) => {
    out += s;
    return true;
  };
  const stream = { write, columns: 120 } as unknown as NodeJS.WriteStream;
  return { stream, text: () => out };
}

const where = { app: 'slack', route: 'POST users.list', origin: 'https://slack.com' };

describe('progress without a terminal', () => {
  it('prints a long rate-limit wait with its length, and keeps ordinary pacing quiet', () => {
    const { stream, text } = capture();
    const progress = new ProgressReporter('slack', stream, false);
    progress.onHttp({ type: 'waiting', ...where, key: 'slack:users.list', perMinute: 20, waitMs: 3000 });
    expect(text()).toBe('');
    progress.onHttp({ type: 'waiting', ...where, key: 'slack:users.list', perMinute: 20, waitMs: 12 * 60_000 });
    expect(text()).toBe('slack: POST users.list waiting 720.0 s for its turn on slack:users.list (20/min)\n');
    progress.finish();
  });

  it('prints every throttle with the wait it really causes', () => {
    const { stream, text } = capture();
    const progress = new ProgressReporter('slack', stream, false);
    progress.onHttp({ type: 'throttled', ...where, waitMs: 12_000, reason: 'got HTTP 429' });
    expect(text()).toBe('slack: POST users.list got HTTP 429; waiting 12.0 s\n');
    progress.finish();
  });
});

describe('the sync runtime log', () => {
  it('logs every throttle of every client it builds, with the wait, and still tells the connector', async () => {
    let served = 0;
    sim.handle(() => (served++ === 0 ? { status: 429, headers: { 'retry-after': '0' }, body: {} } : { body: { ok: true } }));
    const lines: [string, Record<string, unknown> | undefined][] = [];
    const seen: string[] = [];
    const runtime = createRuntime({ log: (m, f) => lines.push([m, f]) });
    const http = runtime.http({ name: 'slack', baseUrl: sim.server.url, onEvent: (e) => seen.push(e.type) });
    await http.request({ path: '/users.list', schema: z.object({ ok: z.boolean() }), rateLimit: { key: 'slack:users.list', perMinute: 6000, burst: 5 } });
    expect(lines).toEqual([['slack: GET /users.list got HTTP 429; waiting 0.0 s', { httpEvent: 'throttled', waitMs: 0 }]]);
    expect(seen).toContain('throttled');
  });
});
