// `sim <connector> --fault KIND[:COUNT]`: the simulators' fault switches from the command line, so
// a user can rehearse failures (throttles in both Slack forms, 5xx, timeouts, broken bodies, a
// revoked token) before deploying.
import { describe, expect, it } from 'vitest';
import { parseFault } from '../../../bin/cli/sim.ts';
import { simulator as fullstory } from '../../../lambdas/fullstory/sim/index.ts';
import { simulator as segment } from '../../../lambdas/segment/sim/index.ts';
import { simulator as slack } from '../../../lambdas/slack/sim/index.ts';
import type { AppSimulator, RunningSim } from '../../../shared/sim/kit.ts';
import { cli, startCli } from '../../support/cli.ts';

async function withSim(app: AppSimulator, faults: string[], use: (running: RunningSim) => Promise<void>): Promise<void> {
  const running = await app.start({ users: 5, seed: 1, rateLimits: 'off' });
  try {
    for (const f of faults) running.fault!(parseFault(f));
    await use(running);
  } finally {
    await running.server.close();
  }
}

const slackCall = (r: RunningSim) =>
  fetch(`${r.config.BATON_BASE_URL}users.list`, { method: 'POST', headers: { authorization: `Bearer ${r.config.BATON_TOKEN}` } });

describe('parseFault', () => {
  it('reads KIND, COUNT (or always) and a Retry-After', () => {
    expect(parseFault('5xx')).toEqual({ kind: '5xx', count: 1 });
    expect(parseFault('429:3:2')).toEqual({ kind: '429', count: 3, retryAfterSec: 2 });
    expect(parseFault('timeout:always')).toEqual({ kind: 'timeout', count: Number.POSITIVE_INFINITY });
  });

  it.each([
    [
      'teapot',
      /--fault takes KIND\[:COUNT\[:RETRY_AFTER_SECONDS\]\] with KIND one of (?=.*5xx)(?=.*timeout)(?=.*truncated)(?=.*malformed)(?=.*429)(?=.*ratelimited)(?=.*revoked)/,
    ],
    ['5xx:0', /--fault 5xx: COUNT takes a whole number ≥ 1, not "0"/],
    ['5xx:1:2', /--fault 5xx takes no Retry-After/],
  ])('refuses %s in one line', (raw, message) => {
    expect(() => parseFault(raw)).toThrow(message);
  });
});

describe('slack faults', () => {
  it('429 and the HTTP 200 ratelimited form, each with Retry-After, then normal answers', async () => {
    await withSim(slack, ['429:1:7', 'ratelimited:1:3'], async (r) => {
      const first = await slackCall(r);
      expect([first.status, first.headers.get('retry-after')]).toEqual([429, '7']);
      const second = await slackCall(r);
      expect([second.status, second.headers.get('retry-after'), ((await second.json()) as { error: string }).error]).toEqual([200, '3', 'ratelimited']);
      expect(((await (await slackCall(r)).json()) as { ok: boolean }).ok).toBe(true);
    });
  });

  it('5xx, truncated and malformed bodies, in the order given', async () => {
    await withSim(slack, ['5xx', 'truncated', 'malformed'], async (r) => {
      expect((await slackCall(r)).status).toBe(500);
      for (let i = 0; i < 2; i++) {
        const text = await (await slackCall(r)).text();
        expect(() => JSON.parse(text)).toThrow();
      }
      expect((await slackCall(r)).status).toBe(200);
    });
  });

  it('revoked: every call answers token_revoked', async () => {
    await withSim(slack, ['revoked'], async (r) => {
      for (let i = 0; i < 2; i++) expect(((await (await slackCall(r)).json()) as { error: string }).error).toBe('token_revoked');
    });
  });
});

describe('segment and fullstory faults', () => {
  it('segment: 429 with msBeforeNext, revoked as 401; no ratelimited form', async () => {
    await withSim(segment, ['429:1:2', 'revoked'], async (r) => {
      const call = () => fetch(`${r.config.BATON_BASE_URL}/users`, { headers: { authorization: `Bearer ${r.config.BATON_TOKEN}` } });
      const throttled = await call();
      expect(throttled.status).toBe(429);
      expect(JSON.stringify(await throttled.json())).toContain('"msBeforeNext":2000');
      expect((await call()).status).toBe(401);
    });
    await expect(withSim(segment, ['ratelimited'], async () => {})).rejects.toThrow(/segment has no ratelimited fault/);
  });

  it('fullstory: 429 with Retry-After, revoked as 401', async () => {
    await withSim(fullstory, ['429:1:4', 'revoked'], async (r) => {
      const base = r.config.BATON_SCIM_BASE_URL ?? r.config.BATON_BASE_URL;
      const call = () => fetch(`${base}/Users`, { headers: { authorization: `Bearer ${r.config.BATON_SCIM_TOKEN ?? ''}` } });
      const throttled = await call();
      expect([throttled.status, throttled.headers.get('retry-after')]).toEqual([429, '4']);
      expect((await call()).status).toBe(401);
    });
  });
});

describe('from the command line', () => {
  it('a sync against `sim slack --fault 429:2:0 --fault 5xx` rides out both and counts them', async () => {
    const sim = startCli(['sim', 'slack', '--users', '20', '--rate-limits', 'off', '--fault', '429:2:0', '--fault', '5xx']);
    try {
      let out = '';
      sim.child.stdout!.on('data', (d) => (out += d));
      for (let i = 0; i < 600 && !out.includes('npx baton-serverless sync'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain('fault 429 for the next 2 requests (Retry-After 0 s)');
      const env = Object.fromEntries([...out.matchAll(/(BATON_\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
      const { tempDir } = await import('../../support/tmp.ts');
      const r = await cli(['sync', 'slack', '--out', `${tempDir()}/slack.c1z`, '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout) as { apiThrottles: number; apiRetries: number };
      expect(summary.apiThrottles).toBe(2);
      expect(summary.apiRetries).toBe(1);
    } finally {
      sim.child.kill('SIGTERM');
      await sim.done;
    }
  });
});
