// What every syncer of one connector instance shares: the mode's client and the runtime.
import type { ConnectorRuntime } from '../../shared/sync/connector.ts';

export interface FullstoryContext<Client> {
  client: Client;
  runtime: ConnectorRuntime;
}
