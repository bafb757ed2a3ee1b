// Fullstory in one of two modes, chosen by the secret's keys (see config.ts and README.md):
// SCIM lists the org's seats; API key lists the end-users Fullstory captured on the customer's site.
import type { Connector, ConnectorDefinition, ConnectorRuntime } from '../../shared/sync/connector.ts';
import { createApiClient } from './client.ts';
import { configSchema, type FullstoryConfig } from './config.ts';
import { endUserSyncer, scimUserSyncer } from './resources/user.ts';
import { createScimClient } from './client.ts';

function scimConnector(config: Extract<FullstoryConfig, { mode: 'scim' }>, runtime: ConnectorRuntime): Connector {
  const client = createScimClient(runtime, config);
  return {
    async validate() {
      // The cheapest authenticated call; 401/403 become a ConnectorError naming BATON_SCIM_TOKEN.
      await client.listUsers(1, 1);
    },
    resourceSyncers: () => [scimUserSyncer(client, runtime)],
    describe: () => `mode=scim population=seats base=${config.scimBaseUrl}` + (config.apiKeyIgnored ? ' (BATON_API_KEY also set and ignored: SCIM wins)' : ''),
  };
}

function apiKeyConnector(config: Extract<FullstoryConfig, { mode: 'apikey' }>, runtime: ConnectorRuntime): Connector {
  const client = createApiClient(runtime, config);
  return {
    async validate() {
      await client.listUsers(undefined);
    },
    resourceSyncers: () => [endUserSyncer(client)],
    describe: () => `mode=apikey population=captured-end-users (not Fullstory seats) base=${config.apiBaseUrl}`,
  };
}

export const connector: ConnectorDefinition<FullstoryConfig> = {
  name: 'fullstory',
  configSchema,
  create(config, runtime) {
    return config.mode === 'scim' ? scimConnector(config, runtime) : apiKeyConnector(config, runtime);
  },
};
