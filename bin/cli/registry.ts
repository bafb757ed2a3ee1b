// The CLI's view of the connector registry: names checked as usage errors.
import { type ConnectorName, connectorModule, connectorNames, isConnectorName, loadConnector as loadDefinition } from '../../lambdas/index.ts';
import type { AppSimulator } from '../../shared/sim/kit.ts';
import type { ConnectorDefinition } from '../../shared/sync/connector.ts';
import { UsageError } from './usage.ts';

export { type ConnectorName, connectorNames };

export function connectorName(name: string | undefined): ConnectorName {
  if (name && isConnectorName(name)) return name;
  throw new UsageError(`unknown connector ${JSON.stringify(name ?? '')}: choose one of ${connectorNames.join(', ')}`);
}

export async function loadConnector(name: ConnectorName): Promise<ConnectorDefinition<unknown>> {
  return loadDefinition(name);
}

export async function loadSimulator(name: ConnectorName): Promise<AppSimulator> {
  return connectorModule(name).simulator();
}
