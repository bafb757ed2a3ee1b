// The secret map's `BATON_*` keys and the mode they select. All keys are optional in the schema; the
// mode rule (README.md, Choosing the mode) is enforced afterwards so a missing key is reported by name, never by value.
import { z } from 'zod';
import { optionalValue } from '../../shared/sync/config-fields.ts';

export const DEFAULT_API_BASE_URL = 'https://api.fullstory.com';

export type FullstoryConfig =
  | {
      mode: 'scim';
      /** Base URL as FullStory shows it (e.g. https://app.fullstory.com/scim/v2), query dropped, no trailing slash. */
      scimBaseUrl: string;
      scimToken: string;
      /** BATON_API_KEY was also set; SCIM wins and the run logs that the key is ignored. */
      apiKeyIgnored: boolean;
    }
  | {
      mode: 'apikey';
      apiKey: string;
      /** Scheme and host only: the upstream path is always `/v2/users` whatever the override carries. */
      apiBaseUrl: string;
    };

const raw = z.object({
  BATON_SCIM_TOKEN: optionalValue.describe('SCIM token: SCIM mode (Fullstory seats); wins over BATON_API_KEY'),
  BATON_SCIM_BASE_URL: optionalValue.describe('the "SCIM connector base URL" from Settings → Account Management → SSO; required with BATON_SCIM_TOKEN'),
  BATON_API_KEY: optionalValue.describe('Admin or Architect API key: API-key mode (captured end-users)'),
  BATON_BASE_URL: optionalValue.describe('API base for API-key mode (default https://api.fullstory.com; simulators and tests)'),
});

function httpUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

export const configSchema: z.ZodType<FullstoryConfig> = raw.transform((keys, ctx): FullstoryConfig => {
  if (keys.BATON_SCIM_TOKEN !== undefined) {
    if (keys.BATON_SCIM_BASE_URL === undefined) {
      // No default: guessing the US app host would silently break EU accounts.
      ctx.addIssue({
        code: 'custom',
        path: ['BATON_SCIM_BASE_URL'],
        message:
          'BATON_SCIM_BASE_URL is required when BATON_SCIM_TOKEN is set (copy the "SCIM connector base URL" from Fullstory Settings → Account Management → SSO)',
      });
      return z.NEVER;
    }
    const url = httpUrl(keys.BATON_SCIM_BASE_URL);
    if (!url) {
      ctx.addIssue({ code: 'custom', path: ['BATON_SCIM_BASE_URL'], message: 'BATON_SCIM_BASE_URL must be an http(s) URL' });
      return z.NEVER;
    }
    // The base carries a path (/scim/v2) that `/Users` is joined onto; a query on it is dropped as upstream does.
    const path = url.pathname.replace(/\/+$/, '');
    return { mode: 'scim', scimBaseUrl: `${url.origin}${path}`, scimToken: keys.BATON_SCIM_TOKEN, apiKeyIgnored: keys.BATON_API_KEY !== undefined };
  }
  if (keys.BATON_API_KEY !== undefined) {
    let apiBaseUrl = DEFAULT_API_BASE_URL;
    if (keys.BATON_BASE_URL !== undefined) {
      const url = httpUrl(keys.BATON_BASE_URL);
      if (!url) {
        ctx.addIssue({ code: 'custom', path: ['BATON_BASE_URL'], message: 'BATON_BASE_URL must be an http(s) URL' });
        return z.NEVER;
      }
      apiBaseUrl = url.origin;
    }
    return { mode: 'apikey', apiKey: keys.BATON_API_KEY, apiBaseUrl };
  }
  if (keys.BATON_SCIM_BASE_URL !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['BATON_SCIM_TOKEN'], message: 'BATON_SCIM_TOKEN is required when BATON_SCIM_BASE_URL is set' });
    return z.NEVER;
  }
  ctx.addIssue({
    code: 'custom',
    path: [],
    message:
      'no Fullstory credentials: set BATON_SCIM_TOKEN and BATON_SCIM_BASE_URL (SCIM mode: Fullstory seats) or BATON_API_KEY (API-key mode: captured end-users)',
  });
  return z.NEVER;
});
