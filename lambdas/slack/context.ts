// What every syncer of one connector instance shares.
import type { ConnectorRuntime } from '../../shared/sync/connector.ts';
import type { SlackClient } from './client.ts';
import type { SyncState } from './state.ts';

export interface SlackContext {
  client: SlackClient;
  state: SyncState;
  runtime: ConnectorRuntime;
  gov: boolean;
}
