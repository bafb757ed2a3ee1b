// The secret map's keys (the Go connector's flags) and the hosts they select.
import { z } from 'zod';
import { flag, optionalUrl, requiredToken } from '../../shared/sync/config-fields.ts';

export const configSchema = z
  .object({
    BATON_TOKEN: requiredToken('BATON_TOKEN', 'the bot token, xoxb-…').describe(
      'bot token (xoxb-…) of the org-level app: users.list and usergroups.* per workspace',
    ),
    BATON_ENTERPRISE_TOKEN: requiredToken('BATON_ENTERPRISE_TOKEN', 'the org-level user token, xoxp-…, installed by an Org Owner').describe(
      'user token (xoxp-…) of the org-level app, installed by an Org Owner: admin.* methods and SCIM',
    ),
    BATON_SSO_ENABLED: flag.describe('true when the org uses SSO/SCIM: users come from SCIM and IDP groups are synced'),
    BATON_GOV_ENV: flag.describe('true for GovSlack (slack-gov.com; SCIM v1, IDP group grants read-only)'),
    BATON_BASE_URL: optionalUrl('BATON_BASE_URL').describe('Web API base ending in /api/ (default https://slack.com/api/; simulators and tests)'),
    BATON_SCIM_BASE_URL: optionalUrl('BATON_SCIM_BASE_URL').describe(
      'SCIM base with its version (default https://api.slack.com/scim/v2/; simulators and tests)',
    ),
  })
  .transform((c) => ({
    botToken: c.BATON_TOKEN,
    enterpriseToken: c.BATON_ENTERPRISE_TOKEN,
    sso: c.BATON_SSO_ENABLED,
    gov: c.BATON_GOV_ENV,
    baseUrl: c.BATON_BASE_URL || undefined,
    scimBaseUrl: c.BATON_SCIM_BASE_URL || undefined,
  }));

export type GridConfig = z.output<typeof configSchema>;

export function gridHosts(config: GridConfig): { webApi: string; scim: string } {
  return {
    webApi: config.baseUrl ?? (config.gov ? 'https://slack-gov.com/api/' : 'https://slack.com/api/'),
    scim: config.scimBaseUrl ?? (config.gov ? 'https://api.slack-gov.com/scim/v1/' : 'https://api.slack.com/scim/v2/'),
  };
}
