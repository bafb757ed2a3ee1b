// The one list of connectors. Each entry is its folder's index.ts: what the connector is (its
// config keys with their help, whether it provisions), readable without loading its code, which
// `load()` imports on demand, so a command that needs one connector loads only that one and infra
// never loads any. Adding a connector: its folder under lambdas/ and one line here.
import type { z } from 'zod';
import type { AppSimulator } from '../shared/sim/kit.ts';
import { type ConfigField, configFields } from '../shared/sync/config-fields.ts';
import type { ConnectorDefinition } from '../shared/sync/connector.ts';

export interface ConnectorModule {
  /** The secret's `BATON_*` keys, each field described with its help (config.ts). */
  configSchema: z.ZodType<unknown>;
  /**
   * Whether the connector's syncers grant and revoke (test/unit/sync/registry.test.ts checks this
   * against them): the provisioning endpoint serves only such connectors.
   */
  provisioning: boolean;
  /** The connector's code (connector.ts and everything it imports). */
  load(): Promise<ConnectorDefinition<unknown>>;
  /** The app's simulator (demo, `sim`, tests, benches); loaded only when asked for. */
  simulator(): Promise<AppSimulator>;
}

export const connectors = {
  slack: await import('./slack/index.ts'),
  segment: await import('./segment/index.ts'),
  fullstory: await import('./fullstory/index.ts'),
  'slack-enterprise': await import('./slack-enterprise/index.ts'),
  okta: await import('./okta/index.ts'),
} satisfies Record<string, ConnectorModule>;

export type ConnectorName = keyof typeof connectors;
export const connectorNames = Object.keys(connectors) as ConnectorName[];

export function isConnectorName(name: string): name is ConnectorName {
  return Object.hasOwn(connectors, name);
}

export function connectorModule(name: ConnectorName): ConnectorModule {
  return connectors[name];
}

export function loadConnector(name: ConnectorName): Promise<ConnectorDefinition<unknown>> {
  return connectors[name].load();
}

/** The connectors whose instances the provisioning endpoint may serve. */
export const provisioningConnectors: ConnectorName[] = connectorNames.filter((n) => connectors[n].provisioning);

/** Each connector's secret keys with their help, in registry order. */
export function connectorConfigFields(): { connector: ConnectorName; fields: ConfigField[] }[] {
  return connectorNames.map((connector) => ({ connector, fields: configFields(connectors[connector].configSchema) }));
}
