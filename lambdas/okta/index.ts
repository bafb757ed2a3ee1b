// What the registry (lambdas/index.ts) knows of okta without loading its code: its config keys and
// whether it provisions; its code and simulator are imported on demand.
import type { AppSimulator } from '../../shared/sim/kit.ts';
import type { ConnectorDefinition } from '../../shared/sync/connector.ts';

export { configSchema } from './config.ts';

/** Its syncers grant and revoke (test/unit/sync/registry.test.ts checks this against them). */
export const provisioning = true;

export const load = async (): Promise<ConnectorDefinition<unknown>> => (await import('./connector.ts')).connector as ConnectorDefinition<unknown>;

// A computed specifier: bundlers do not follow it, so no Lambda bundle carries simulator code.
const SIMULATOR = './sim/index.ts';
export const simulator = async (): Promise<AppSimulator> => ((await import(SIMULATOR)) as { simulator: AppSimulator }).simulator;
