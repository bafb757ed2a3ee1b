// The one list of connectors. Each entry lazily imports its folder's index.ts, so a command that
// needs one connector loads only that one, and infra can read the names without loading any.
// Adding a connector: its folder under lambdas/ and one line here.
import type { AppSimulator } from '../shared/sim/kit.ts';
import type { ConnectorDefinition } from '../shared/sync/connector.ts';

export interface ConnectorModule {
  connector: ConnectorDefinition<unknown>;
  /** The app's simulator (demo, `sim`, tests, benches); loaded only when asked for. */
  simulator(): Promise<AppSimulator>;
}

export const connectors = {
  slack: () => import('./slack/index.ts'),
  segment: () => import('./segment/index.ts'),
  fullstory: () => import('./fullstory/index.ts'),
  okta: () => import('./okta/index.ts'),
} satisfies Record<string, () => Promise<ConnectorModule>>;

export type ConnectorName = keyof typeof connectors;
export const connectorNames = Object.keys(connectors) as ConnectorName[];

export function isConnectorName(name: string): name is ConnectorName {
  return Object.hasOwn(connectors, name);
}

export async function loadConnectorModule(name: ConnectorName): Promise<ConnectorModule> {
  return connectors[name]();
}
