// The secret map as baton-okta takes it: domain rules, SSWS or OAuth (RSA keys only), flags and
// their defaults, and help text on every key. Errors name the key, never the value.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bucketOf, nextAfter } from '../../../lambdas/okta/client.ts';
import { configFields, oauthScopes, parseDomain } from '../../../lambdas/okta/config.ts';
import { connector } from '../../../lambdas/okta/connector.ts';
import { msUntilReset } from '../../../lambdas/okta/errors.ts';
import { ConfigError, parseConnectorConfig } from '../../../shared/sync/config.ts';

const TOKEN = '00abcdefghijklmnopqrstuvwxyz0123456789';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const PKCS8 = rsa.export({ type: 'pkcs8', format: 'pem' }).toString();
const PKCS1 = rsa.export({ type: 'pkcs1', format: 'pem' }).toString();
const EC = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const parse = (map: Record<string, unknown>) => parseConnectorConfig(connector, map);
const problem = (map: Record<string, unknown>) => {
  try {
    parse(map);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('okta config', () => {
  it('domain: a host, an https:// prefix and a port are fine; paths, queries, users and http are refused', () => {
    expect(parseDomain('acme.okta.com')).toBe('acme.okta.com');
    expect(parseDomain('https://acme.okta.com/')).toBe('acme.okta.com');
    expect(parseDomain(' acme.oktapreview.com:8443 ')).toBe('acme.oktapreview.com:8443');
    for (const bad of [
      'https://acme.okta.com/admin',
      'acme.okta.com?x=1',
      'https://user:pw@acme.okta.com',
      'http://acme.okta.com',
      '',
      'https://acme.okta.com#f',
    ]) {
      expect(parseDomain(bad)).toBeUndefined();
    }
    expect(problem({ BATON_DOMAIN: 'https://acme.okta.com/x', BATON_API_TOKEN: TOKEN })).toMatch(/BATON_DOMAIN: must be an HTTPS hostname/);
    expect(problem({ BATON_API_TOKEN: TOKEN })).toMatch(/BATON_DOMAIN/);
  });

  it('SSWS: defaults as baton-okta has them', () => {
    const c = parse({ BATON_DOMAIN: 'acme.okta.com', BATON_API_TOKEN: TOKEN });
    expect(c).toMatchObject({
      domain: 'acme.okta.com',
      baseUrl: 'https://acme.okta.com',
      apiToken: TOKEN,
      oauth: undefined,
      syncInactiveApps: true,
      syncCustomRoles: false,
      skipSecondaryEmails: false,
      syncSecrets: false,
      filterEmailDomains: [],
      skipAppGroups: false,
      rateLimitShare: 0.5,
    });
    expect(parse({ BATON_DOMAIN: 'a.okta.com', BATON_API_TOKEN: TOKEN, BATON_FILTER_EMAIL_DOMAINS: '["Acme.com", "@corp.io"]' }).filterEmailDomains).toEqual([
      'acme.com',
      'corp.io',
    ]);
    expect(parse({ BATON_DOMAIN: 'a.okta.com', BATON_API_TOKEN: TOKEN, BATON_FILTER_EMAIL_DOMAINS: ['Acme.com'] }).filterEmailDomains).toEqual(['acme.com']);
    expect(parse({ BATON_DOMAIN: 'a.okta.com', BATON_API_TOKEN: TOKEN, BATON_FILTER_EMAIL_DOMAINS: 'Acme.com, corp.io' }).filterEmailDomains).toEqual([
      'acme.com',
      'corp.io',
    ]);
    expect(parse({ BATON_DOMAIN: 'a.okta.com', BATON_API_TOKEN: TOKEN, BATON_SYNC_INACTIVE_APPS: 'false' }).syncInactiveApps).toBe(false);
    expect(parse({ BATON_DOMAIN: 'a.okta.com', BATON_API_TOKEN: TOKEN, BATON_RATE_LIMIT_SHARE: '100' }).rateLimitShare).toBe(1);
    expect(problem({ BATON_DOMAIN: 'a.okta.com', BATON_API_TOKEN: TOKEN, BATON_RATE_LIMIT_SHARE: '0' })).toMatch(
      /BATON_RATE_LIMIT_SHARE: must be a percentage/,
    );
  });

  it('no credential at all names both ways', () => {
    expect(problem({ BATON_DOMAIN: 'acme.okta.com' })).toMatch(
      /BATON_API_TOKEN: required \(or BATON_OKTA_CLIENT_ID, BATON_OKTA_PRIVATE_KEY and BATON_OKTA_PRIVATE_KEY_ID/,
    );
  });

  it('OAuth: all three keys, an RSA key in PKCS#8 or PKCS#1; EC keys refused; the key never in the message', () => {
    const oauth = { BATON_DOMAIN: 'acme.okta.com', BATON_OKTA_CLIENT_ID: '0oa123', BATON_OKTA_PRIVATE_KEY_ID: 'kid1' };
    expect(parse({ ...oauth, BATON_OKTA_PRIVATE_KEY: PKCS8 }).oauth).toMatchObject({ clientId: '0oa123', keyId: 'kid1' });
    expect(parse({ ...oauth, BATON_OKTA_PRIVATE_KEY: PKCS1.replace(/\n/g, '\\n') }).oauth?.privateKey).toContain('\n');
    const ec = problem({ ...oauth, BATON_OKTA_PRIVATE_KEY: EC });
    expect(ec).toMatch(/BATON_OKTA_PRIVATE_KEY: must be an RSA private key, not ec/);
    expect(ec).not.toContain('PRIVATE KEY-----');
    expect(problem({ ...oauth, BATON_OKTA_PRIVATE_KEY: 'not a key at all' })).toMatch(/BATON_OKTA_PRIVATE_KEY: must be an RSA private key in PEM form/);
    expect(problem({ BATON_DOMAIN: 'acme.okta.com', BATON_OKTA_CLIENT_ID: '0oa123' })).toMatch(/BATON_OKTA_PRIVATE_KEY: required for OAuth/);
    // A token and OAuth keys: the token wins unless BATON_AUTH_METHOD picks OAuth.
    expect(parse({ ...oauth, BATON_OKTA_PRIVATE_KEY: PKCS8, BATON_API_TOKEN: TOKEN }).oauth).toBeUndefined();
    expect(parse({ ...oauth, BATON_OKTA_PRIVATE_KEY: PKCS8, BATON_API_TOKEN: TOKEN, BATON_AUTH_METHOD: 'private-key-group' }).oauth).toBeDefined();
  });

  it('OAuth scopes: read and manage, plus okta.apiTokens.read with secrets', () => {
    const c = parse({ BATON_DOMAIN: 'a.okta.com', BATON_API_TOKEN: TOKEN, BATON_SYNC_SECRETS: 'true' });
    expect(oauthScopes(c)).toEqual([
      'okta.users.read',
      'okta.groups.read',
      'okta.roles.read',
      'okta.apps.read',
      'okta.users.manage',
      'okta.groups.manage',
      'okta.roles.manage',
      'okta.apps.manage',
      'okta.apiTokens.read',
    ]);
  });

  it('every key carries help text', () => {
    for (const [key, field] of Object.entries(configFields.shape)) expect(field.description, key).toBeTruthy();
  });
});

describe('okta wire helpers', () => {
  it('Link: the after cursor of rel="next", in one header or several', () => {
    expect(nextAfter('<https://a.okta.com/api/v1/users?limit=200>; rel="self", <https://a.okta.com/api/v1/users?after=00u5&limit=200>; rel="next"')).toBe(
      '00u5',
    );
    expect(nextAfter(['<https://a.okta.com/api/v1/users?limit=2>; rel="self"', '<https://a.okta.com/api/v1/users?after=x%2By&limit=2>; rel="next"'])).toBe(
      'x+y',
    );
    expect(nextAfter('<https://a.okta.com/api/v1/users?limit=2>; rel="self"')).toBeUndefined();
    expect(nextAfter(undefined)).toBeUndefined();
  });

  it("rate-limit buckets follow Okta's table", () => {
    expect(bucketOf('GET', '/api/v1/apps')).toBe('apps');
    expect(bucketOf('GET', '/api/v1/apps/0oa1/users')).toBe('apps');
    expect(bucketOf('GET', '/api/v1/apps/0oa1')).toBe('app');
    expect(bucketOf('GET', '/api/v1/groups')).toBe('groups');
    expect(bucketOf('GET', '/api/v1/groups/00g1/users')).toBe('groups');
    expect(bucketOf('GET', '/api/v1/groups/00g1/roles')).toBe('groups');
    expect(bucketOf('GET', '/api/v1/groups/00g1')).toBe('group');
    expect(bucketOf('GET', '/api/v1/users')).toBe('users');
    expect(bucketOf('GET', '/api/v1/users/00u1')).toBe('user');
    expect(bucketOf('POST', '/api/v1/users/00u1/lifecycle/suspend')).toBe('user-write');
    expect(bucketOf('GET', '/api/v1/users/00u1/roles')).toBe('other');
    expect(bucketOf('GET', '/api/v1/iam/assignees/users')).toBe('other');
  });

  it('the wait of a 429 is until Reset, by the server clock when ours is off', () => {
    const now = 1_800_000_000_000;
    expect(msUntilReset({ 'x-rate-limit-reset': String(now / 1000 + 7) }, now)).toBe(7000);
    const server = now + 300_000;
    expect(msUntilReset({ 'x-rate-limit-reset': String(server / 1000 + 7), date: new Date(server).toUTCString() }, now)).toBe(7000);
    expect(msUntilReset({}, now)).toBeUndefined();
  });
});
