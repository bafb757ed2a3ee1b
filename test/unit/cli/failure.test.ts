// Failures as a person reads them: one line, then a hint naming the setting to check.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeFailure } from '../../../bin/cli/failure.ts';
import { ProgressReporter } from '../../../bin/cli/progress.ts';
import { HttpError } from '../../../shared/http/errors.ts';

afterEach(() => vi.unstubAllEnvs());

const network = (origin: string, app = 'slack') =>
  new HttpError({
    app,
    method: 'POST',
    endpoint: '/api/auth.test',
    kind: 'network',
    origin,
    attempts: 7,
    detail: `failed: cannot reach ${new URL(origin).host}: ECONNREFUSED after 7 attempts`,
  });

describe('describeFailure', () => {
  it('a host from BATON_BASE_URL that refuses connections: the hint names the variable, not its value', () => {
    vi.stubEnv('BATON_BASE_URL', 'http://127.0.0.1:1/api/');
    vi.stubEnv('BATON_TOKEN', 'xoxb-secret-value-1');
    const f = describeFailure(network('http://127.0.0.1:1'));
    expect(f.exitCode).toBe(1);
    expect(f.lines[0]).toContain('cannot reach 127.0.0.1:1');
    expect(f.lines[1]).toBe('  hint: http://127.0.0.1:1 comes from BATON_BASE_URL; check that it is right and that the service is up');
    expect(f.lines.join('\n')).not.toContain('xoxb-secret-value-1');
  });

  it('the default host: the hint says so and how to point elsewhere', () => {
    const f = describeFailure(network('https://slack.com'));
    expect(f.lines[1]).toMatch(/https:\/\/slack\.com is slack's default host; check this machine's network, DNS and proxy/);
  });

  it('a 404 under a Slack BATON_BASE_URL says the base ends in /api/', () => {
    vi.stubEnv('BATON_BASE_URL', 'http://127.0.0.1:9999/');
    const e = new HttpError({
      app: 'slack',
      method: 'POST',
      endpoint: '/auth.test',
      kind: 'client',
      status: 404,
      origin: 'http://127.0.0.1:9999',
      detail: 'failed: HTTP 404',
    });
    expect(describeFailure(e).lines[1]).toContain("BATON_BASE_URL; check its path (Slack's Web API base ends in /api/");
  });

  it.each([
    ['ENOSPC', /disk is full/],
    ['EROFS', /read-only/],
    ['EACCES', /no permission to write/],
  ])('%s says what it is', (code, hint) => {
    const f = describeFailure(Object.assign(new Error(`${code}: failed to write`), { code }));
    expect(f.lines[1]).toMatch(hint);
  });
});

describe('ProgressReporter', () => {
  function capture(live: boolean) {
    const chunks: string[] = [];
    const stream = { write: (s: string) => chunks.push(s), columns: 200 } as unknown as NodeJS.WriteStream;
    return { reporter: new ProgressReporter('slack', stream, live), text: () => chunks.join('') };
  }

  it('prints each retry as it happens, also without a terminal', () => {
    const { reporter, text } = capture(false);
    reporter.onHttp({
      type: 'retry',
      app: 'slack',
      route: 'auth.test',
      origin: 'http://h',
      retry: 2,
      of: 6,
      waitMs: 1500,
      reason: 'cannot reach h: ECONNREFUSED',
    });
    reporter.finish();
    expect(text()).toBe('slack: auth.test failed (cannot reach h: ECONNREFUSED); retry 2 of 6 in 1.5 s\n');
  });

  it('counts API calls and rows, and shows the rate-limit wait in force', () => {
    const { reporter } = capture(false);
    for (let i = 0; i < 3; i++) reporter.onHttp({ type: 'attempt', app: 'slack', route: 'users.list', origin: 'http://h' });
    reporter.onRows('resources', 200);
    reporter.onRows('grants', 5);
    reporter.onHttp({ type: 'waiting', app: 'slack', route: 'users.list', origin: 'http://h', key: 'users.list', perMinute: 20, waitMs: 2800 });
    const status = reporter.status();
    reporter.finish();
    expect(status).toMatch(/^slack: starting, 3 API calls, 200 resources, 0 entitlements, 5 grants, \d+\.\d s, waiting 2\.8 s for users\.list \(20\/min\)$/);
  });
});
