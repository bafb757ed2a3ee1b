// The secret map's keys, as baton-okta takes them (README.md, Secret keys): the org's domain and
// either an SSWS API token or an OAuth 2.0 service app (client credentials with private_key_jwt).
import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { flag, optionalUrl, optionalValue } from '../../shared/sync/config-fields.ts';

/** A hostname with an optional https:// prefix and port; path, query, fragment and userinfo are refused. */
export function parseDomain(raw: string): string | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  let url: URL;
  try {
    url = new URL(text.includes('://') ? text : `https://${text.replace(/\/$/, '')}`);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.hostname === '' || url.username || url.password) return undefined;
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) return undefined;
  return url.host;
}

/** RSA only, PKCS#1 or PKCS#8 PEM, as baton-okta accepts (it refuses EC keys). */
function rsaKeyProblem(pem: string): string | undefined {
  try {
    const key = createPrivateKey(pem.replace(/\\n/g, '\n'));
    return key.asymmetricKeyType === 'rsa' ? undefined : `must be an RSA private key, not ${key.asymmetricKeyType ?? 'this key type'}`;
  } catch {
    return 'must be an RSA private key in PEM form (PKCS#1 "BEGIN RSA PRIVATE KEY" or PKCS#8 "BEGIN PRIVATE KEY")';
  }
}

/** A boolean flag whose default is true (baton-okta's sync-inactive-apps). */
const flagDefaultTrue = z
  .union([z.boolean(), z.string()])
  .optional()
  .refine((v) => v === undefined || typeof v === 'boolean' || /^(true|false|1|0|)$/i.test(v.trim()), { message: 'must be true or false' })
  .transform((v) => (v === undefined || (typeof v === 'string' && v.trim() === '') ? true : v === true || /^(true|1)$/i.test(String(v).trim())));

function jsonList(v: string | undefined): string[] | undefined {
  if (!v?.trim().startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(v);
    return Array.isArray(parsed) ? parsed.map(String) : undefined;
  } catch {
    return undefined;
  }
}

/** A list as a JSON array or a comma/space separated string; blank reads as empty. */
const domainList = z
  .union([z.array(z.string()), z.string()])
  .optional()
  .transform((v) =>
    (Array.isArray(v) ? v : (jsonList(v) ?? (v ?? '').split(/[\s,]+/))).map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter((d) => d !== ''),
  );

/** Every key with its help text (`.describe`), before the cross-key rules. */
export const configFields = z.object({
  BATON_DOMAIN: z
    .string({ error: 'BATON_DOMAIN is required (the Okta org host, e.g. acme.okta.com)' })
    .refine((v) => parseDomain(v) !== undefined, {
      message: 'must be an HTTPS hostname such as acme.okta.com (an https:// prefix is allowed; no path, query or user)',
    })
    .describe('Okta organization hostname, optionally prefixed with https:// (e.g. acme.okta.com)'),
  BATON_API_TOKEN: optionalValue.describe('SSWS API token of an admin (read-only admin for syncs; more for provisioning)'),
  BATON_AUTH_METHOD: optionalValue.describe('"private-key-group" selects OAuth 2.0 even when BATON_API_TOKEN is also set'),
  BATON_OKTA_CLIENT_ID: optionalValue.describe('OAuth 2.0 service app client id (client credentials with private_key_jwt)'),
  BATON_OKTA_PRIVATE_KEY: optionalValue.describe("The service app's RSA private key, PEM (PKCS#1 or PKCS#8)"),
  BATON_OKTA_PRIVATE_KEY_ID: optionalValue.describe("The key's kid as registered on the service app"),
  BATON_SYNC_INACTIVE_APPS: flagDefaultTrue.describe('Sync inactive apps too (default true); false lists only ACTIVE apps'),
  BATON_SYNC_CUSTOM_ROLES: flag.describe('Sync custom roles, resource sets and resource-set bindings (default false)'),
  BATON_SKIP_SECONDARY_EMAILS: flag.describe("Leave users' secondEmail out (default false)"),
  BATON_SYNC_SECRETS: flag.describe('Sync API tokens as secrets (default false)'),
  BATON_FILTER_EMAIL_DOMAINS: domainList.describe('Only users with an email, secondEmail or login in these domains (comma separated, e.g. acme.com)'),
  BATON_SKIP_APP_GROUPS: flag.describe('Leave out APP_GROUP groups (groups pushed from apps or directories)'),
  BATON_RATE_LIMIT_SHARE: z
    .union([z.number(), z.string()])
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || (typeof v === 'string' && v.trim() === '')) return 50;
      const n = Number(v);
      if (!(n >= 1 && n <= 100)) {
        ctx.addIssue({ code: 'custom', message: 'must be a percentage from 1 to 100' });
        return z.NEVER;
      }
      return n;
    })
    .describe("Percent of each Okta rate-limit bucket this token may use (Okta's default per-token share is 50)"),
  BATON_BASE_URL: optionalUrl('BATON_BASE_URL').describe('API base URL instead of https://<BATON_DOMAIN> (simulators and tests)'),
});

export const configSchema = configFields
  .superRefine((c, ctx) => {
    const oauthKeys = ['BATON_OKTA_CLIENT_ID', 'BATON_OKTA_PRIVATE_KEY', 'BATON_OKTA_PRIVATE_KEY_ID'] as const;
    const oauthWanted = c.BATON_AUTH_METHOD === 'private-key-group' || (!c.BATON_API_TOKEN && oauthKeys.some((k) => c[k]));
    if (c.BATON_AUTH_METHOD && !['private-key-group', 'api-token-group'].includes(c.BATON_AUTH_METHOD)) {
      ctx.addIssue({ code: 'custom', path: ['BATON_AUTH_METHOD'], message: 'must be api-token-group or private-key-group' });
    }
    if (!oauthWanted) {
      if (!c.BATON_API_TOKEN) {
        ctx.addIssue({
          code: 'custom',
          path: ['BATON_API_TOKEN'],
          message: 'required (or BATON_OKTA_CLIENT_ID, BATON_OKTA_PRIVATE_KEY and BATON_OKTA_PRIVATE_KEY_ID for OAuth)',
        });
      }
      return;
    }
    for (const key of oauthKeys) if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required for OAuth 2.0 (private_key_jwt)' });
    const problem = c.BATON_OKTA_PRIVATE_KEY ? rsaKeyProblem(c.BATON_OKTA_PRIVATE_KEY) : undefined;
    if (problem) ctx.addIssue({ code: 'custom', path: ['BATON_OKTA_PRIVATE_KEY'], message: problem });
  })
  .transform((c) => {
    const domain = parseDomain(c.BATON_DOMAIN)!;
    const oauth =
      c.BATON_AUTH_METHOD === 'private-key-group' || !c.BATON_API_TOKEN
        ? { clientId: c.BATON_OKTA_CLIENT_ID!, privateKey: c.BATON_OKTA_PRIVATE_KEY!.replace(/\\n/g, '\n'), keyId: c.BATON_OKTA_PRIVATE_KEY_ID! }
        : undefined;
    return {
      domain,
      baseUrl: (c.BATON_BASE_URL ?? `https://${domain}`).replace(/\/+$/, ''),
      apiToken: oauth ? undefined : c.BATON_API_TOKEN,
      oauth,
      syncInactiveApps: c.BATON_SYNC_INACTIVE_APPS,
      syncCustomRoles: c.BATON_SYNC_CUSTOM_ROLES,
      skipSecondaryEmails: c.BATON_SKIP_SECONDARY_EMAILS,
      syncSecrets: c.BATON_SYNC_SECRETS,
      filterEmailDomains: c.BATON_FILTER_EMAIL_DOMAINS,
      skipAppGroups: c.BATON_SKIP_APP_GROUPS,
      rateLimitShare: c.BATON_RATE_LIMIT_SHARE / 100,
    };
  });

export type OktaConfig = z.output<typeof configSchema>;
export type OktaOAuth = NonNullable<OktaConfig['oauth']>;

/** Scopes the token asks for, as baton-okta asks them: read and manage for users, groups, roles, apps. */
export function oauthScopes(config: OktaConfig): string[] {
  const scopes = ['okta.users.read', 'okta.groups.read', 'okta.roles.read', 'okta.apps.read'];
  scopes.push('okta.users.manage', 'okta.groups.manage', 'okta.roles.manage', 'okta.apps.manage');
  if (config.syncSecrets) scopes.push('okta.apiTokens.read');
  return scopes;
}
