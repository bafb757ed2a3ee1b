// Builds an InstanceHandle from a connector definition and its parsed config. The connector and its
// HTTP clients live as long as the handle, so rate-limit buckets carry over between requests.
import type { HttpClientOptions } from '../http/types.ts';
import type { ConnectorDefinition } from '../sync/connector.ts';
import { createRuntime } from '../sync/runtime.ts';
import type { C1zSource } from './c1z-source.ts';
import type { InstanceHandle } from './execute.ts';

export interface InstanceInit<C> {
  id: string;
  definition: ConnectorDefinition<C>;
  config: C;
  secrets: readonly string[];
  c1z: C1zSource;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Tests: short backoff against a simulator. */
  httpOverrides?: Partial<HttpClientOptions>;
}

export function createInstance<C>(init: InstanceInit<C>): InstanceHandle {
  const runtime = createRuntime({ secrets: [...init.secrets], httpOverrides: init.httpOverrides, log: init.log });
  return {
    id: init.id,
    connectorName: init.definition.name,
    connector: init.definition.create(init.config, runtime),
    c1z: init.c1z,
    secrets: init.secrets,
  };
}
