import type { ConnectorRuntime } from '../../shared/sync/connector.ts';
import type { GridClient } from './client.ts';
import type { GridConfig } from './config.ts';
import type { GridState } from './state.ts';

export interface GridContext {
  client: GridClient;
  state: GridState;
  runtime: ConnectorRuntime;
  config: GridConfig;
}
