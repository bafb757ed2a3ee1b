// The connectors and their simulators, loaded on demand so one broken connector cannot stop the others' commands.
import type { ConnectorDefinition } from '../sync/connector.ts';
import type { AppSimulator } from '../../test/sim/kit.ts';
import { UsageError } from './usage.ts';

export const CONNECTORS = ['slack', 'segment', 'fullstory'] as const;
export type ConnectorName = (typeof CONNECTORS)[number];

export function connectorName(name: string | undefined): ConnectorName {
  if (name && (CONNECTORS as readonly string[]).includes(name)) return name as ConnectorName;
  throw new UsageError(`unknown connector ${JSON.stringify(name ?? '')}: choose one of ${CONNECTORS.join(', ')}`);
}

export async function loadConnector(name: ConnectorName): Promise<ConnectorDefinition<unknown>> {
  switch (name) {
    case 'slack':
      return (await import('../../lambdas/slack/connector.ts')).slackConnector as ConnectorDefinition<unknown>;
    case 'segment':
      return (await import('../../lambdas/segment/connector.ts')).segmentConnector as ConnectorDefinition<unknown>;
    case 'fullstory':
      return (await import('../../lambdas/fullstory/connector.ts')).fullstoryConnector as ConnectorDefinition<unknown>;
  }
}

export async function loadSimulator(name: ConnectorName): Promise<AppSimulator> {
  switch (name) {
    case 'slack':
      return (await import('../../test/sim/slack/index.ts')).slackSim;
    case 'segment':
      return (await import('../../test/sim/segment/index.ts')).segmentSim;
    case 'fullstory':
      return (await import('../../test/sim/fullstory/index.ts')).fullstorySim;
  }
}
