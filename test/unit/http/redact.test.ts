import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpClient } from '../../../shared/http/client.ts';
import { excerpt, redact, redactUrl, secretsFromHeaders } from '../../../shared/http/redact.ts';
import { fakeClock, rejection, useSim } from './helpers.ts';

const sim = useSim();
const ok = z.object({ ok: z.literal(true) });
const TOKEN = 'xoxb-1111-2222-SECRETVALUE';

describe('redact()', () => {
  it('removes literal secrets, also when URL-encoded', () => {
    const out = redact('key p@ss word/1 and p%40ss%20word%2F1 and p%40ss+word%2F1', ['p@ss word/1']);
    expect(out).toBe('key [REDACTED] and [REDACTED] and [REDACTED]');
  });

  it('masks credential-shaped text it was not told about', () => {
    const text = [
      'Authorization: Bearer abcdefghijkl',
      'bearer zzzzzzzzzzzz',
      'access_token=aaa&user=bob&client_secret=bbb',
      '{"refresh_token": "ccc", "name": "bob"}',
    ].join('\n');
    const out = redact(text);
    for (const leaked of ['abcdefghijkl', 'zzzzzzzzzzzz', 'aaa', 'bbb', 'ccc']) expect(out).not.toContain(leaked);
    expect(out).toContain('user=bob');
    expect(out).toContain('"name": "bob"');
  });

  it('removes a secret in base64, alone or inside a Basic user:token pair for any user, in both alphabets', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const url64 = (s: string) => Buffer.from(s).toString('base64url');
    for (const form of [
      b64(TOKEN),
      url64(TOKEN),
      b64(`admin:${TOKEN}`),
      b64(`x:${TOKEN}`),
      b64(`${TOKEN}:`),
      url64(`api-user:${TOKEN}`),
      b64(`Bearer ${TOKEN}`),
    ]) {
      const out = redact(`echoed: Authorization: Basic ${form}, again ${form}.`, [TOKEN]);
      expect(out).not.toContain(form);
      expect(out).toContain('echoed:');
    }
  });

  it('removes the credential parts of a secret that is a URL, wherever the URL is rebuilt', () => {
    const base = 'https://proxy.example.com/api/?t=tok-0123456789abcdef&region=us';
    const out = redact('slack: GET https://proxy.example.com/api/users.list?t=tok-0123456789abcdef&region=us failed: HTTP 500', [base]);
    expect(out).not.toContain('tok-0123456789abcdef');
    const withUser = 'https://bob:s3cr3t-pass-word@proxy.example.com/';
    expect(redact('cannot reach bob:s3cr3t-pass-word@proxy (s3cr3t-pass-word)', [withUser])).not.toContain('s3cr3t-pass-word');
  });

  it('leaves text without secrets alone', () => {
    const text = 'slack: GET /api/users.list failed: HTTP 500 (internal_error) after 7 attempts; dGhpcyBpcyBmaW5l';
    expect(redact(text, [TOKEN])).toBe(text);
  });

  it('ignores very short literals that would only mangle messages', () => {
    expect(redact('retry after 100 ms: true', ['100', 'true'])).toBe('retry after 100 ms: true');
  });

  it('derives the bare credential from Bearer and Basic headers', () => {
    const basic = `Basic ${Buffer.from('admin:hunter22').toString('base64')}`;
    const secrets = secretsFromHeaders({ Authorization: `Bearer ${TOKEN}`, 'X-Basic': basic, Accept: 'application/json' });
    expect(secrets).toEqual(expect.arrayContaining([TOKEN, basic, 'admin:hunter22', 'hunter22']));
    expect(secrets).not.toContain('application/json');
  });

  it('masks sensitive query parameters of a URL', () => {
    const url = new URL('https://user:pw@api.example.com/v1/x?token=abc&page=2&api_key=def');
    expect(redactUrl(url, [], false)).toBe('/v1/x?token=[REDACTED]&page=2&api_key=[REDACTED]');
    expect(redactUrl(url, [], true)).toBe('https://api.example.com/v1/x?token=[REDACTED]&page=2&api_key=[REDACTED]');
  });

  it('keeps excerpts short, single-line and redacted', () => {
    const out = excerpt(`<html><body><p>bad\n token=${TOKEN}</p>${'y'.repeat(500)}</body></html>`, [TOKEN]);
    expect(out.startsWith('bad token=[REDACTED]')).toBe(true);
    expect(out.length).toBeLessThanOrEqual(300);
    expect(out).not.toContain('\n');
  });
});

describe('client errors never carry secrets', () => {
  function client(secrets: string[] = []) {
    return createHttpClient(
      { name: 'test', baseUrl: sim.server.url, headers: { Authorization: `Bearer ${TOKEN}` }, secrets, maxRetries: 1, baseBackoffMs: 1 },
      { clock: fakeClock() },
    );
  }

  it('scrubs the Authorization header value echoed by the server', async () => {
    sim.handle((req) => ({ status: 500, raw: `upstream rejected ${req.headers.authorization ?? ''}; token only: ${TOKEN}` }));
    const err = await rejection(client().request({ path: '/users', schema: ok }));
    expect(err.message).toContain('failed: HTTP 500 after 2 attempts (upstream rejected');
    expect(err.message).not.toContain(TOKEN);
    expect(err.message).not.toContain('SECRETVALUE');
  });

  it('scrubs a form field token echoed in the error body', async () => {
    const formToken = 'form-token-0987654321';
    sim.handle((req) => ({ status: 400, raw: `bad request body: ${req.body}; you sent ${req.form.get('token') ?? ''}` }));
    const err = await rejection(client().request({ method: 'POST', path: '/auth.test', form: { token: formToken, user: 'U1' }, schema: ok }));
    expect(err.message).toContain('user=U1');
    expect(err.message).not.toContain(formToken);
  });

  it('scrubs a query parameter token from the endpoint and the body', async () => {
    const queryToken = 'query-token-1234567890';
    sim.handle((req) => ({ status: 403, body: { error: 'denied', echo: req.query.get('token') } }));
    const err = await rejection(client().request({ path: '/users', query: { token: queryToken, page: 2 }, schema: ok }));
    expect(err.message.startsWith('test: GET /users?token=[REDACTED]&page=2 failed: HTTP 403')).toBe(true);
    expect(err.endpoint).toBe('/users?token=[REDACTED]&page=2');
    expect(err.message).not.toContain(queryToken);
  });

  it('scrubs configured secrets the server echoes, in schema errors too', async () => {
    const apiSecret = 'org-secret-abcdef';
    sim.handle(() => ({ status: 422, body: { message: `unknown organisation ${apiSecret}` } }));
    const err = await rejection(client([apiSecret]).request({ path: '/org', schema: ok }));
    expect(err.message).toContain('unknown organisation [REDACTED]');
    expect(err.message).not.toContain(apiSecret);

    sim.handle(() => ({ body: { [apiSecret]: 1 } }));
    const strict = z.record(z.string().max(3), z.number());
    const schemaErr = await rejection(client([apiSecret]).request({ path: '/org', schema: strict }));
    expect(schemaErr.kind).toBe('schema');
    expect(schemaErr.message).not.toContain(apiSecret);
  });

  it('scrubs secrets from errors returned by inspect', async () => {
    sim.handle(() => ({ body: { ok: false } }));
    const http = createHttpClient({
      name: 'test',
      baseUrl: sim.server.url,
      secrets: [TOKEN],
      inspect: () => ({ action: 'fail', error: new Error(`token ${TOKEN} was revoked`) }),
    });
    const err = await rejection(http.request({ path: '/x', schema: ok }));
    expect(err.message).toBe('token [REDACTED] was revoked');
  });
});
