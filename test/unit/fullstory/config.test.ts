import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../lambdas/fullstory/config.ts';
import { connector as fullstoryConnector } from '../../../lambdas/fullstory/connector.ts';
import { ConfigError, parseConnectorConfig } from '../../../shared/sync/config.ts';
import { memoryState } from '../../../shared/sync/runtime.ts';

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

const parse = (map: Record<string, unknown>) => parseConnectorConfig(fullstoryConnector, map);

describe('fullstory config: mode from the secret keys', () => {
  it('SCIM token + base URL → scim mode; trailing slash and query on the base are dropped', () => {
    expect(parse({ BATON_SCIM_TOKEN: 'tok-123456', BATON_SCIM_BASE_URL: 'https://app.fullstory.com/scim/v2/?x=1' })).toEqual({
      mode: 'scim',
      scimBaseUrl: 'https://app.fullstory.com/scim/v2',
      scimToken: 'tok-123456',
      apiKeyIgnored: false,
    });
  });

  it('an EU base URL is used as given', () => {
    expect(parse({ BATON_SCIM_TOKEN: 't', BATON_SCIM_BASE_URL: 'https://app.eu1.fullstory.com/scim/v2' })).toMatchObject({
      mode: 'scim',
      scimBaseUrl: 'https://app.eu1.fullstory.com/scim/v2',
    });
  });

  it('API key alone → apikey mode against api.fullstory.com', () => {
    expect(parse({ BATON_API_KEY: 'na1.key' })).toEqual({ mode: 'apikey', apiKey: 'na1.key', apiBaseUrl: 'https://api.fullstory.com' });
  });

  it('BATON_BASE_URL overrides the API host; its path is dropped (upstream always uses /v2/users)', () => {
    expect(parse({ BATON_API_KEY: 'k', BATON_BASE_URL: 'http://127.0.0.1:8123/some/path' })).toMatchObject({
      mode: 'apikey',
      apiBaseUrl: 'http://127.0.0.1:8123',
    });
  });

  it('both kinds of keys → SCIM wins and the API key is flagged as ignored', () => {
    const config = parse({ BATON_API_KEY: 'k', BATON_SCIM_TOKEN: 't', BATON_SCIM_BASE_URL: 'https://app.fullstory.com/scim/v2' });
    expect(config).toMatchObject({ mode: 'scim', apiKeyIgnored: true });
    const connector = fullstoryConnector.create(config, {
      http: () => ({ request: async () => ({}) as never, stats: { requests: 0, retries: 0, throttles: 0, errors: 0, byRoute: {} } }),
      hasResource: () => false,
      state: memoryState(),
      log: () => {},
    });
    expect(connector.describe?.()).toBe('mode=scim population=seats base=https://app.fullstory.com/scim/v2 (BATON_API_KEY also set and ignored: SCIM wins)');
  });

  it('empty values count as absent (placeholders in a secret)', () => {
    expect(parse({ BATON_SCIM_TOKEN: '', BATON_SCIM_BASE_URL: '', BATON_API_KEY: 'k' })).toMatchObject({ mode: 'apikey' });
  });

  it('a SCIM token without a base URL fails, naming BATON_SCIM_BASE_URL (no US default guessed)', () => {
    expect(() => parse({ BATON_SCIM_TOKEN: 'secret-token-value' })).toThrow(ConfigError);
    // Even with an API key present: a half-configured SCIM secret must not fall back silently.
    const err = caught(() => parse({ BATON_SCIM_TOKEN: 'secret-token-value', BATON_API_KEY: 'secret-api-key' }));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).keys).toEqual(['BATON_SCIM_BASE_URL']);
    expect((err as Error).message).toContain('BATON_SCIM_BASE_URL is required when BATON_SCIM_TOKEN is set');
    expect((err as Error).message).not.toContain('secret-token-value');
  });

  it('a base URL that is not http(s) fails naming the key, not the value', () => {
    const result = configSchema.safeParse({ BATON_SCIM_TOKEN: 't', BATON_SCIM_BASE_URL: 'not a url' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['BATON_SCIM_BASE_URL']);
    expect(result.error?.issues[0]?.message).not.toContain('not a url');
  });

  it('a SCIM base URL without a token fails naming BATON_SCIM_TOKEN', () => {
    expect(() => parse({ BATON_SCIM_BASE_URL: 'https://app.fullstory.com/scim/v2' })).toThrow(/BATON_SCIM_TOKEN is required/);
  });

  it('nothing at all names both options', () => {
    expect(() => parse({})).toThrow(/BATON_SCIM_TOKEN and BATON_SCIM_BASE_URL .* or BATON_API_KEY/);
  });

  it('a non-string value is reported by key', () => {
    expect(() => parse({ BATON_API_KEY: 42 })).toThrow(/BATON_API_KEY/);
  });
});
