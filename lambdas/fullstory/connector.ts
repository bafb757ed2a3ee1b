// Fullstory in one of two modes, chosen by the secret's keys (see config.ts and README.md):
// SCIM lists the org's seats; API key lists the end-users Fullstory captured on the customer's site.
import type { Connector, ConnectorDefinition, ConnectorRuntime } from '../../shared/sync/connector.ts';
import { ApiClient, ScimClient } from './client.ts';
import { configSchema, type FullstoryConfig } from './config.ts';
import type { FullstoryContext } from './context.ts';
import { endUserSyncer, scimUserSyncer } from './resources/user.ts';

function scimConnector(config: Extract<FullstoryConfig, { mode: 'scim' }>, runtime: ConnectorRuntime): Connector {
  const ctx: FullstoryContext<ScimClient> = { client: new ScimClient(config, runtime), runtime };
  return {
    async validate() {
      // The cheapest authenticated call; 401/403 become a ConnectorError naming BATON_SCIM_TOKEN.
      await ctx.client.listUsers(1, 1);
    },
    resourceSyncers: () => [scimUserSyncer(ctx)],
    describe: () => `mode=scim population=seats base=${config.scimBaseUrl}` + (config.apiKeyIgnored ? ' (BATON_API_KEY also set and ignored: SCIM wins)' : ''),
  };
}

function apiKeyConnector(config: Extract<FullstoryConfig, { mode: 'apikey' }>, runtime: ConnectorRuntime): Connector {
  const ctx: FullstoryContext<ApiClient> = { client: new ApiClient(config, runtime), runtime };
  return {
    async validate() {
      await ctx.client.listUsers(undefined);
    },
    resourceSyncers: () => [endUserSyncer(ctx)],
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
