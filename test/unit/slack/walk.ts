import { connector as slackConnector } from '../../../lambdas/slack/connector.ts';
import { parseConnectorConfig } from '../../../shared/sync/config.ts';
import type { Connector } from '../../../shared/sync/connector.ts';
import { createRuntime, type TrackedRuntime } from '../../../shared/sync/runtime.ts';

export function makeConnector(
  config: Record<string, string>,
  log: (m: string, f?: Record<string, unknown>) => void = () => {},
): { connector: Connector; runtime: TrackedRuntime } {
  const runtime = createRuntime({ httpOverrides: { baseBackoffMs: 5, maxBackoffMs: 50, timeoutMs: 2000 }, log });
  return { connector: slackConnector.create(parseConnectorConfig(slackConnector, config), runtime), runtime };
}

export { ids, type Walked, walk } from '../../support/walk.ts';
