// The secret map's keys (the Go connector's flags; README.md, Secret keys) and the hosts they select.
import { z } from 'zod';
import { flag, optionalUrl, optionalValue, requiredToken } from '../../shared/sync/config-fields.ts';

export const configSchema = z
  .object({
    BATON_TOKEN: requiredToken('BATON_TOKEN').describe('bot token (xoxb-…)'),
    BATON_BUSINESS_PLUS_TOKEN: optionalValue.describe('Enterprise Grid / Business+ user token (xoxp-…) with the admin scope: SCIM users and IDP groups'),
    BATON_GOV_ENV: flag.describe('true for GovSlack (slack-gov.com hosts); needs BATON_BUSINESS_PLUS_TOKEN'),
    BATON_BASE_URL: optionalUrl('BATON_BASE_URL').describe('Web API base ending in /api/ (default https://slack.com/api/; simulators and tests)'),
    BATON_SCIM_BASE_URL: optionalUrl('BATON_SCIM_BASE_URL').describe('SCIM base (default https://api.slack.com/scim/v2/; simulators and tests)'),
  })
  .superRefine((c, ctx) => {
    if (c.BATON_GOV_ENV && !c.BATON_BUSINESS_PLUS_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['BATON_GOV_ENV'], message: 'BATON_GOV_ENV requires BATON_BUSINESS_PLUS_TOKEN' });
    }
  })
  .transform((c) => ({
    botToken: c.BATON_TOKEN,
    businessPlusToken: c.BATON_BUSINESS_PLUS_TOKEN || undefined,
    gov: c.BATON_GOV_ENV,
    baseUrl: c.BATON_BASE_URL || undefined,
    scimBaseUrl: c.BATON_SCIM_BASE_URL || undefined,
  }));

export type SlackConfig = z.output<typeof configSchema>;

export interface SlackHosts {
  /** Web API base; method names are appended. */
  webApi: string;
  /** SCIM base including the version (`v2`, or `v1` on GovSlack). */
  scim: string;
}

export function slackHosts(config: SlackConfig): SlackHosts {
  const webApi = config.baseUrl ?? (config.gov ? 'https://api.slack-gov.com/api/' : 'https://slack.com/api/');
  const scim = config.scimBaseUrl ?? (config.gov ? 'https://api.slack-gov.com/scim/v1/' : 'https://api.slack.com/scim/v2/');
  return { webApi, scim };
}
