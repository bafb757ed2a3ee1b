// What the registry (lambdas/index.ts) loads for slack: its connector and, on demand, its simulator.
import type { ConnectorDefinition } from '../../shared/sync/connector.ts';
import { connector as definition } from './connector.ts';

export const connector = definition as ConnectorDefinition<unknown>;
export const simulator = async () => (await import('./sim/index.ts')).simulator;
