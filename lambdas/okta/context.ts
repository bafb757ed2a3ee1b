// What every syncer of one connector instance shares.
import type { ConnectorRuntime } from '../../shared/sync/connector.ts';
import type { OktaClient } from './client.ts';
import type { OktaConfig } from './config.ts';

export interface OktaContext {
  client: OktaClient;
  config: OktaConfig;
  runtime: ConnectorRuntime;
}
