import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { clearSecretCache, loadConnectorConfig, SecretConfigError } from '../../../shared/aws/secrets.ts';
import { createSecret, secretsClient } from '../../support/aws.ts';

const schema = z.object({
  BATON_TOKEN: z.string().min(1),
  BATON_BASE_URL: z.url(),
  BATON_PAGE_SIZE: z.coerce.number().int().positive().default(100),
});

const TOKEN = 'xoxb-super-secret-token-value';

async function expectSecretError(p: Promise<unknown>): Promise<SecretConfigError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SecretConfigError);
  const e = err as SecretConfigError;
  expect(e.message).not.toContain('\n');
  return e;
}

describe('loadConnectorConfig against moto', () => {
  const sm = secretsClient();
  beforeEach(() => clearSecretCache());

  it('reads a JSON map of BATON_* keys through the schema', async () => {
    const secretId = await createSecret(sm, {
      BATON_TOKEN: TOKEN,
      BATON_BASE_URL: 'https://api.example.com',
      BATON_PAGE_SIZE: 50,
      BATON_DEBUG: true,
    });
    const { config, secretValues } = await loadConnectorConfig({ client: sm, secretId, schema });
    expect(config).toEqual({ BATON_TOKEN: TOKEN, BATON_BASE_URL: 'https://api.example.com', BATON_PAGE_SIZE: 50 });
    // Only the values that were strings are redaction targets; numbers/booleans are not.
    expect(secretValues.sort()).toEqual(['https://api.example.com', TOKEN].sort());
  });

  it('names a missing secret', async () => {
    const secretId = 'baton/does-not-exist-' + Date.now();
    const e = await expectSecretError(loadConnectorConfig({ client: sm, secretId, schema }));
    expect(e.reason).toBe('not-found');
    expect(e.awsCode).toBe('ResourceNotFoundException');
    expect(e.message).toContain(secretId);
    expect(e.message).toMatch(/not found/);
  });

  it('refuses a secret that is not JSON without echoing it', async () => {
    const content = `BATON_TOKEN=${TOKEN}`;
    const secretId = await createSecret(sm, content);
    const e = await expectSecretError(loadConnectorConfig({ client: sm, secretId, schema }));
    expect(e.reason).toBe('not-json');
    expect(e.message).toContain(secretId);
    expect(e.message).toMatch(/not valid JSON/);
    expect(e.message).not.toContain(TOKEN);
    expect(e.message).not.toContain('BATON_TOKEN=');
    expect(e.cause).toBeUndefined();
  });

  it('refuses JSON that is not an object', async () => {
    const secretId = await createSecret(sm, JSON.stringify([TOKEN]));
    const e = await expectSecretError(loadConnectorConfig({ client: sm, secretId, schema }));
    expect(e.reason).toBe('not-object');
    expect(e.message).toMatch(/must be a JSON object.*got an array/);
    expect(e.message).not.toContain(TOKEN);
  });

  it('refuses a binary secret', async () => {
    const secretId = await createSecret(sm, new TextEncoder().encode(JSON.stringify({ BATON_TOKEN: TOKEN })));
    const e = await expectSecretError(loadConnectorConfig({ client: sm, secretId, schema }));
    expect(e.reason).toBe('binary');
    expect(e.message).toContain(secretId);
    expect(e.message).not.toContain(TOKEN);
  });

  it('names a missing key', async () => {
    const secretId = await createSecret(sm, { BATON_BASE_URL: 'https://api.example.com' });
    const e = await expectSecretError(loadConnectorConfig({ client: sm, secretId, schema }));
    expect(e.reason).toBe('invalid-config');
    expect(e.keys).toEqual(['BATON_TOKEN']);
    expect(e.message).toBe(`secret "${secretId}": BATON_TOKEN: required key is missing`);
  });

  it('names an invalid key and never shows its value', async () => {
    const badUrl = 'not a url but a secret-ish value';
    const secretId = await createSecret(sm, { BATON_TOKEN: TOKEN, BATON_BASE_URL: badUrl });
    const e = await expectSecretError(loadConnectorConfig({ client: sm, secretId, schema }));
    expect(e.keys).toEqual(['BATON_BASE_URL']);
    expect(e.message).toMatch(new RegExp(`^secret "${secretId}": BATON_BASE_URL: `));
    expect(e.message).not.toContain(badUrl);
    expect(e.message).not.toContain(TOKEN);
  });

  it('redacts secret values from custom schema messages', async () => {
    const custom = z.object({
      BATON_TOKEN: z.string().refine((v) => v.startsWith('xoxp-'), { error: (iss) => `bad token ${String(iss.input)}` }),
    });
    const secretId = await createSecret(sm, { BATON_TOKEN: TOKEN });
    const e = await expectSecretError(loadConnectorConfig({ client: sm, secretId, schema: custom }));
    expect(e.message).toBe(`secret "${secretId}": BATON_TOKEN: bad token [REDACTED]`);
  });

  it('rejects values that are not strings, numbers or booleans, naming the key', async () => {
    const secretId = await createSecret(sm, { BATON_TOKEN: { nested: TOKEN }, BATON_BASE_URL: 'https://x.example' });
    const e = await expectSecretError(loadConnectorConfig({ client: sm, secretId, schema }));
    expect(e.reason).toBe('invalid-value-type');
    expect(e.keys).toEqual(['BATON_TOKEN']);
    expect(e.message).toContain('BATON_TOKEN (an object)');
    expect(e.message).not.toContain(TOKEN);
  });

  it('caches per secret id for ttlMs and picks up a rotated value after it', async () => {
    const secretId = await createSecret(sm, { BATON_TOKEN: 'first-token', BATON_BASE_URL: 'https://a.example' });
    const ttlMs = 400;
    let now = 1_700_000_000_000;
    const clock = { now: () => now };
    const first = await loadConnectorConfig({ client: sm, secretId, schema, ttlMs, ...clock });
    expect(first.config.BATON_TOKEN).toBe('first-token');

    await sm.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        SecretString: JSON.stringify({ BATON_TOKEN: 'second-token', BATON_BASE_URL: 'https://a.example' }),
      }),
    );
    // Within the TTL (to the last millisecond): still the cached value.
    now += ttlMs - 1;
    const cached = await loadConnectorConfig({ client: sm, secretId, schema, ttlMs, ...clock });
    expect(cached.config.BATON_TOKEN).toBe('first-token');
    // At the TTL: read again.
    now += 1;
    const rotated = await loadConnectorConfig({ client: sm, secretId, schema, ttlMs, ...clock });
    expect(rotated.config.BATON_TOKEN).toBe('second-token');
    expect(rotated.secretValues).toContain('second-token');
    expect(rotated.secretValues).not.toContain('first-token');
  });

  it('does not cache failures', async () => {
    const secretId = await createSecret(sm, 'not json');
    await expectSecretError(loadConnectorConfig({ client: sm, secretId, schema }));
    await sm.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify({ BATON_TOKEN: TOKEN, BATON_BASE_URL: 'https://a.example' }) }));
    const ok = await loadConnectorConfig({ client: sm, secretId, schema });
    expect(ok.config.BATON_TOKEN).toBe(TOKEN);
  });
});
