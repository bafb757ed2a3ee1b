import { describe, expect, it } from 'vitest';
import { slackHosts } from '../../../lambdas/slack/config.ts';
import { connector as slackConnector } from '../../../lambdas/slack/connector.ts';
import { ConfigError, parseConnectorConfig } from '../../../shared/sync/config.ts';

const parse = (map: Record<string, unknown>) => parseConnectorConfig(slackConnector, map);

describe("slack config (the Go connector's keys)", () => {
  it('requires BATON_TOKEN and names it, never a value', () => {
    expect(() => parse({})).toThrow(ConfigError);
    expect(() => parse({})).toThrow(/BATON_TOKEN/);
    expect(() => parse({ BATON_TOKEN: '' })).toThrow(/BATON_TOKEN/);
    try {
      parse({ BATON_TOKEN: '', BATON_BUSINESS_PLUS_TOKEN: 'xoxp-very-secret' });
    } catch (err) {
      expect(String(err)).not.toContain('xoxp-very-secret');
    }
  });

  it('standard mode: bot token only, slack.com hosts', () => {
    const c = parse({ BATON_TOKEN: 'xoxb-1' });
    expect(c).toEqual({ botToken: 'xoxb-1', businessPlusToken: undefined, gov: false, baseUrl: undefined, scimBaseUrl: undefined });
    expect(slackHosts(c)).toEqual({ webApi: 'https://slack.com/api/', scim: 'https://api.slack.com/scim/v2/' });
  });

  it('GovSlack hosts and SCIM v1; gov needs the Business+ token', () => {
    expect(() => parse({ BATON_TOKEN: 'xoxb-1', BATON_GOV_ENV: 'true' })).toThrow(/BATON_GOV_ENV requires BATON_BUSINESS_PLUS_TOKEN/);
    const c = parse({ BATON_TOKEN: 'xoxb-1', BATON_BUSINESS_PLUS_TOKEN: 'xoxp-2', BATON_GOV_ENV: 'true' });
    expect(c.gov).toBe(true);
    expect(slackHosts(c)).toEqual({ webApi: 'https://api.slack-gov.com/api/', scim: 'https://api.slack-gov.com/scim/v1/' });
    expect(parse({ BATON_TOKEN: 'x', BATON_BUSINESS_PLUS_TOKEN: 'y', BATON_GOV_ENV: 'false' }).gov).toBe(false);
    expect(parse({ BATON_TOKEN: 'x', BATON_BUSINESS_PLUS_TOKEN: 'y', BATON_GOV_ENV: true }).gov).toBe(true);
    expect(() => parse({ BATON_TOKEN: 'x', BATON_GOV_ENV: 'yes' })).toThrow(/BATON_GOV_ENV/);
  });

  it('BATON_BASE_URL moves only the Web API; SCIM has its own override', () => {
    const c = parse({ BATON_TOKEN: 'x', BATON_BUSINESS_PLUS_TOKEN: 'y', BATON_BASE_URL: 'http://127.0.0.1:9000/api/' });
    expect(slackHosts(c)).toEqual({ webApi: 'http://127.0.0.1:9000/api/', scim: 'https://api.slack.com/scim/v2/' });
    const gov = parse({
      BATON_TOKEN: 'x',
      BATON_BUSINESS_PLUS_TOKEN: 'y',
      BATON_GOV_ENV: 'true',
      BATON_BASE_URL: 'http://h/api/',
      BATON_SCIM_BASE_URL: 'http://h/scim/v1/',
    });
    expect(slackHosts(gov)).toEqual({ webApi: 'http://h/api/', scim: 'http://h/scim/v1/' });
    expect(() => parse({ BATON_TOKEN: 'x', BATON_BASE_URL: 'not a url' })).toThrow(/BATON_BASE_URL/);
  });

  it('an empty Business+ token means standard mode', () => {
    expect(parse({ BATON_TOKEN: 'x', BATON_BUSINESS_PLUS_TOKEN: '' }).businessPlusToken).toBeUndefined();
  });
});
