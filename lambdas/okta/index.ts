// What the registry (lambdas/index.ts) loads for okta: its connector and, on demand, its simulator.
import type { AppSimulator } from '../../shared/sim/kit.ts';
import type { ConnectorDefinition } from '../../shared/sync/connector.ts';
import { connector as definition } from './connector.ts';

export const connector = definition as ConnectorDefinition<unknown>;

// A computed specifier: bundlers do not follow it, so no Lambda bundle carries simulator code.
const SIMULATOR = './sim/index.ts';
export const simulator = async (): Promise<AppSimulator> => ((await import(SIMULATOR)) as { simulator: AppSimulator }).simulator;
