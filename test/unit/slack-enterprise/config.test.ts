// The secret map: both tokens required with messages naming the key, flags parsed as the Go
// connector takes them, every key described (the help text the CLI shows), GovSlack hosts.
import { describe, expect, it } from 'vitest';
import { configSchema, gridHosts } from '../../../lambdas/slack-enterprise/config.ts';
import { connector } from '../../../lambdas/slack-enterprise/connector.ts';
import { parseConnectorConfig } from '../../../shared/sync/config.ts';

describe('slack-enterprise config', () => {
  it('requires both tokens, naming the missing key and never a value', () => {
    expect(() => parseConnectorConfig(connector, { BATON_TOKEN: 'xoxb-secret' })).toThrow(/BATON_ENTERPRISE_TOKEN/);
    expect(() => parseConnectorConfig(connector, { BATON_ENTERPRISE_TOKEN: 'xoxp-secret' })).toThrow(/BATON_TOKEN/);
    expect(() => parseConnectorConfig(connector, { BATON_TOKEN: ' ', BATON_ENTERPRISE_TOKEN: 'xoxp-secret' })).toThrow(/BATON_TOKEN must not be empty/);
    try {
      parseConnectorConfig(connector, { BATON_TOKEN: 'xoxb-secret' });
    } catch (err) {
      expect(String(err)).not.toContain('xoxb-secret');
    }
  });

  it('parses flags and picks GovSlack hosts', () => {
    const c = parseConnectorConfig(connector, { BATON_TOKEN: 'b', BATON_ENTERPRISE_TOKEN: 'u', BATON_SSO_ENABLED: 'TRUE', BATON_GOV_ENV: '1' });
    expect(c).toMatchObject({ sso: true, gov: true });
    expect(gridHosts(c)).toEqual({ webApi: 'https://slack-gov.com/api/', scim: 'https://api.slack-gov.com/scim/v1/' });
    const d = parseConnectorConfig(connector, { BATON_TOKEN: 'b', BATON_ENTERPRISE_TOKEN: 'u' });
    expect(gridHosts(d)).toEqual({ webApi: 'https://slack.com/api/', scim: 'https://api.slack.com/scim/v2/' });
    expect(() => parseConnectorConfig(connector, { BATON_TOKEN: 'b', BATON_ENTERPRISE_TOKEN: 'u', BATON_SSO_ENABLED: 'maybe' })).toThrow(/BATON_SSO_ENABLED/);
  });

  it('every key carries a description', () => {
    const shape = (configSchema as unknown as { in: { shape: Record<string, { description?: string }> } }).in.shape;
    for (const key of ['BATON_TOKEN', 'BATON_ENTERPRISE_TOKEN', 'BATON_SSO_ENABLED', 'BATON_GOV_ENV', 'BATON_BASE_URL', 'BATON_SCIM_BASE_URL'])
      expect(shape[key]?.description, key).toMatch(/.{12,}/);
  });
});
